import LibPQClient

/// Extension requests (延期申请, issue 15 督办): a body that may close a milestone asks for a later due
/// date before the date passes; the province approves (moving the due date) or rejects, once. The
/// database stamps who and when and keeps every request (sql/definitions/67_extensions.sql).
public struct Extensions {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    public struct Request: Sendable {
        public var milestone: Int64
        public var to: CalendarDate
        public var reason: String
        public var evidence: [String]

        public init(milestone: Int64, to: CalendarDate, reason: String, evidence: [String] = []) {
            self.milestone = milestone
            self.to = to
            self.reason = reason
            self.evidence = evidence
        }
    }

    /// Asks for an extension as the acting organisation; returns the request's id.
    public func request(_ request: Request) throws -> Int64 {
        if try db.query("SELECT 1 FROM reloc.milestone WHERE id = \(request.milestone)").rows.isEmpty {
            throw RelocError.notFound("no milestone \(request.milestone); see `reloc milestone list`")
        }
        return try db.query(
            """
            INSERT INTO reloc.extension_request (milestone_id, requested_to, reason, evidence)
            VALUES (\(request.milestone), \(request.to), \(request.reason), \(request.evidence)::text[])
            RETURNING id
            """
        ).scalar(Int64.self)
    }

    /// One row per request, oldest first: `id, milestone_id, title, requested_by, requested_by_name,
    /// login, requested_on, due_on, requested_to, reason, evidence, state, decided_to, decided_by,
    /// decided_on, decision_note`.
    public func list(pendingOnly: Bool = false, milestone: Int64? = nil) throws -> PGResult {
        try db.query(
            """
            SELECT e.id, e.milestone_id, m.title, o.code AS requested_by, o.name_zh AS requested_by_name, e.login,
                   reloc.local_date(e.requested_at) AS requested_on, e.due_on, e.requested_to, e.reason,
                   array_to_string(e.evidence, ', ') AS evidence, e.state, e.decided_to, e.decided_by,
                   reloc.local_date(e.decided_at) AS decided_on, e.decision_note
            FROM reloc.extension_request e
            JOIN reloc.milestone m ON m.id = e.milestone_id
            JOIN reloc.organisation o ON o.id = e.requested_by
            WHERE (NOT \(pendingOnly) OR e.state = 'pending')
              AND (\(milestone)::bigint IS NULL OR e.milestone_id = \(milestone))
            ORDER BY e.id
            """)
    }

    /// Approves a pending request (province only), to the date asked unless `to` is given.
    public func approve(_ id: Int64, to: CalendarDate?, note: String?) throws {
        try decide(
            id,
            "UPDATE reloc.extension_request SET state = 'approved', decided_to = \(to), decision_note = \(note) WHERE id = \(id)"
        )
    }

    /// Rejects a pending request (province only), saying why; the milestone is unchanged.
    public func reject(_ id: Int64, note: String) throws {
        try decide(
            id, "UPDATE reloc.extension_request SET state = 'rejected', decision_note = \(note) WHERE id = \(id)")
    }

    private func decide(_ id: Int64, _ update: SQLQuery) throws {
        do {
            try db.updateOne(
                update, what: "extension request \(id)",
                existing: "SELECT 1 FROM reloc.extension_request WHERE id = \(id)")
        } catch let error as PGError where error.isPostgreSQLsOwnRefusal {
            throw PermissionRefusal(rule: "extension_request_decide_province")
        }
    }
}
