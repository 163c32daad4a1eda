import LibPQClient

/// Completion review (办结审核, issue 15 督办): for the milestones the province reviews, a completion
/// is submitted with evidence (the milestone is under review, still open) and the province accepts
/// it (销号: closed on the day submitted) or returns it (退办: open again). The database decides
/// which milestones are reviewed and keeps every submission (sql/definitions/68_review.sql).
public struct Reviews {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// Would closing this milestone, as the acting organisation, be a submission for review? (The
    /// province closes directly; a recorded step is not reviewed.)
    public func isReviewed(milestone id: Int64) throws -> Bool {
        let rows = try db.query(
            """
            SELECT m.done_on IS NULL AND NOT reloc.acting_is_province()
                   AND reloc.milestone_reviewed(m.kind, m.task_id, m.plan_id, m.enterprise_id)
            FROM reloc.milestone m WHERE m.id = \(id)
            """
        ).decode(Bool.self)
        guard let reviewed = rows.first else {
            throw RelocError.notFound("no milestone \(id); see `reloc milestone list`")
        }
        return reviewed
    }

    /// Submits a milestone's completion for review as the acting organisation; returns its id.
    public func submit(milestone id: Int64, doneOn: CalendarDate?, evidence: [String], note: String?) throws -> Int64 {
        try db.query(
            """
            INSERT INTO reloc.completion_review (milestone_id, done_on, evidence, note)
            VALUES (\(id), \(doneOn), \(evidence)::text[], \(note))
            RETURNING id
            """
        ).scalar(Int64.self)
    }

    /// One row per submission, oldest first: `id, milestone_id, title, kind, due_on, requested_by,
    /// requested_by_name, login, requested_on, done_on, evidence, note, state, waited_working_days,
    /// decided_by, decided_on, decision_note`. `waited_working_days`: working days since it was
    /// submitted (until decided).
    public func list(pendingOnly: Bool = false, milestone: Int64? = nil) throws -> PGResult {
        try db.query(
            """
            SELECT c.id, c.milestone_id, m.title, m.kind, m.due_on, o.code AS requested_by, o.name_zh AS requested_by_name,
                   c.login, reloc.local_date(c.requested_at) AS requested_on, c.done_on,
                   array_to_string(c.evidence, ', ') AS evidence, c.note, c.state,
                   reloc.working_days_between(reloc.local_date(c.requested_at),
                                              coalesce(reloc.local_date(c.decided_at), reloc.today())) AS waited_working_days,
                   c.decided_by, reloc.local_date(c.decided_at) AS decided_on, c.decision_note
            FROM reloc.completion_review c
            JOIN reloc.milestone m ON m.id = c.milestone_id
            JOIN reloc.organisation o ON o.id = c.requested_by
            WHERE (NOT \(pendingOnly) OR c.state = 'pending')
              AND (\(milestone)::bigint IS NULL OR c.milestone_id = \(milestone))
            ORDER BY c.id
            """)
    }

    /// 销号: accepts a pending completion (province only); the milestone is closed on its day.
    public func accept(_ id: Int64, note: String?) throws {
        try decide(
            id, "UPDATE reloc.completion_review SET state = 'accepted', decision_note = \(note) WHERE id = \(id)")
    }

    /// 退办: returns a pending completion (province only), saying why; the milestone stays open.
    public func giveBack(_ id: Int64, reason: String) throws {
        try decide(
            id, "UPDATE reloc.completion_review SET state = 'returned', decision_note = \(reason) WHERE id = \(id)")
    }

    private func decide(_ id: Int64, _ update: SQLQuery) throws {
        do {
            try db.updateOne(
                update, what: "completion \(id)", existing: "SELECT 1 FROM reloc.completion_review WHERE id = \(id)")
        } catch let error as PGError where error.isPostgreSQLsOwnRefusal {
            throw PermissionRefusal(rule: "completion_review_decide_province")
        }
    }

    /// The reviewed kinds (one row each, `kind`) and, as a row `tasks`, whether every task's
    /// milestone is reviewed: `scope, reviewed`.
    public func kinds() throws -> PGResult {
        try db.query(
            """
            SELECT k.code AS scope, EXISTS (SELECT FROM reloc.review_kind r WHERE r.kind = k.code) AS reviewed
            FROM unnest(\(MilestoneKind.codes)::text[]) WITH ORDINALITY AS k(code, position)
            UNION ALL
            SELECT 'tasks', s.review_task_milestones FROM reloc.supervision_setting s
            """)
    }

    /// Sets the reviewed kinds to exactly `kinds` and, when given, whether task milestones are
    /// reviewed (province only).
    public func setKinds(_ kinds: [String], tasks: Bool?) throws {
        do {
            try db.withTransaction { db in
                try db.execute("DELETE FROM reloc.review_kind WHERE kind <> ALL (\(kinds)::text[])")
                try db.execute(
                    """
                    INSERT INTO reloc.review_kind (kind)
                    SELECT k FROM unnest(\(kinds)::text[]) AS k
                    WHERE NOT EXISTS (SELECT FROM reloc.review_kind r WHERE r.kind = k)
                    """)
                if let tasks {
                    try db.execute("UPDATE reloc.supervision_setting SET review_task_milestones = \(tasks)")
                }
            }
        } catch let error as PGError where error.isPostgreSQLsOwnRefusal {
            throw PermissionRefusal(rule: "review_kind_province")
        }
    }
}
