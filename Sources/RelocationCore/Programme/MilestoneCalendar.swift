import LibPQClient

/// The open milestones as a calendar reads them (`reloc milestone ical`, issue 17): what each is,
/// what it belongs to, who owns it, its latest progress, the reminder rule's offsets for its kind,
/// and how many times its due date was moved (the event's SEQUENCE, reloc.milestone_due_moves).
public struct MilestoneCalendar {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    public struct Entry: Sendable, Equatable {
        public let id: Int64
        public let kind: String
        public let title: String
        /// What it belongs to, in Chinese: 方案 SP-TD 双辽市…, 企业 12 某厂, 任务 3 …, 地块 5 …
        public let attachedTo: String
        public let owner: String
        public let ownerName: String
        public let dueOn: CalendarDate
        public let daysLeft: Int
        public let dueMoves: Int
        /// The latest progress report by the as-of day, if any.
        public let progressOn: CalendarDate?
        public let percent: String?
        public let status: String?
        public let note: String?
        /// Reminders this many days before the due date, and on the day itself.
        public let daysBefore: [Int]
        public let onDueDate: Bool
    }

    /// Which milestones: every one, the acting organisation's (`--mine`), or one organisation's.
    public enum Scope: Sendable {
        case all, mine, organisation(String)
    }

    /// The database's name, which makes a milestone's UID unique beyond this database.
    public func identity() throws -> String {
        try db.query("SELECT current_database()").scalar(String.self)
    }

    /// The milestones not done by the as-of day, by due date.
    public func open(_ scope: Scope, asOf: AsOf = .today) throws -> [Entry] {
        var org: String? = nil
        if case .organisation(let code) = scope {
            org = code.uppercased()
            try Organisations(db).requireExists(org)
        }
        let mine: Bool = if case .mine = scope { true } else { false }
        let rows = try db.query(
            """
            WITH day AS (SELECT \(asOf.sql) AS as_of),
            params AS (
                SELECT day.as_of,
                       CASE WHEN \(mine) THEN reloc.acting_org_ids_on(day.as_of)
                            WHEN \(org)::text IS NOT NULL
                            THEN ARRAY(SELECT id FROM reloc.organisation WHERE code = \(org)) END AS orgs
                FROM day
            ),
            latest AS (
                SELECT DISTINCT ON (r.milestone_id) r.milestone_id, reloc.local_date(r.reported_at) AS reported_on,
                       trim_scale(r.percent)::text AS percent, r.status, r.note
                FROM reloc.progress_report r, params
                WHERE r.milestone_id IS NOT NULL AND reloc.local_date(r.reported_at) <= params.as_of
                ORDER BY r.milestone_id, r.reported_at DESC, r.id DESC
            ),
            chosen AS (
                SELECT m.*, params.as_of
                FROM reloc.milestone m CROSS JOIN params
                WHERE (m.done_on IS NULL OR m.done_on > params.as_of)
                  AND (params.orgs IS NULL
                       OR reloc.attachment_concerns(m.plan_id, m.enterprise_id, m.task_id, m.owner_id, params.orgs)
                       OR (m.site_id IS NOT NULL AND reloc.site_concerns(m.site_id, params.orgs)))
            )
            SELECT m.id, m.kind, m.title,
                   CASE WHEN m.plan_id IS NOT NULL THEN '方案 ' || p.code || ' ' || p.name
                        WHEN m.enterprise_id IS NOT NULL THEN '企业 ' || e.id || ' ' || e.name
                        WHEN m.task_id IS NOT NULL THEN '任务 ' || t.number || ' ' || t.title
                        ELSE '地块 ' || s.id || ' ' || s.name END AS attached_to,
                   o.code, o.name_zh, m.due_on, (m.due_on - m.as_of)::bigint AS days_left,
                   coalesce(d.due_moves, 0) AS due_moves,
                   l.reported_on, l.percent, l.status, l.note,
                   array_to_string(coalesce(f.days_before, '{}'), ',') AS days_before, coalesce(f.on_due_date, false)
            FROM chosen m
            JOIN reloc.organisation o ON o.id = reloc.org_on(m.owner_id, m.as_of)
            LEFT JOIN reloc.plan p ON p.id = m.plan_id
            LEFT JOIN reloc.enterprise e ON e.id = m.enterprise_id
            LEFT JOIN reloc.task t ON t.id = m.task_id
            LEFT JOIN reloc.site s ON s.id = m.site_id
            LEFT JOIN latest l ON l.milestone_id = m.id
            LEFT JOIN reloc.milestone_due_moves(ARRAY(SELECT id FROM chosen)) d ON d.milestone_id = m.id
            LEFT JOIN reloc.reminder_rules_in_force() f ON f.milestone_kind = m.kind
            ORDER BY m.due_on, m.id
            """)
        return try rows.rows.map { row in
            Entry(
                id: try row.decode(Int64.self, at: 0), kind: try row.decode(String.self, at: 1),
                title: try row.decode(String.self, at: 2), attachedTo: try row.decode(String.self, at: 3),
                owner: try row.decode(String.self, at: 4), ownerName: try row.decode(String.self, at: 5),
                dueOn: try row.decode(CalendarDate.self, at: 6), daysLeft: Int(try row.decode(Int64.self, at: 7)),
                dueMoves: Int(try row.decode(Int64.self, at: 8)),
                progressOn: try row.decode(CalendarDate?.self, at: 9), percent: try row.decode(String?.self, at: 10),
                status: try row.decode(String?.self, at: 11), note: try row.decode(String?.self, at: 12),
                daysBefore: try row.decode(String.self, at: 13).split(separator: ",").compactMap { Int($0) },
                onDueDate: try row.decode(Bool.self, at: 14))
        }
    }
}
