import LibPQClient

/// Acknowledgement (签收, issue 15 督办): the department assigned to a task, or the owner of a
/// milestone, confirms it has the work (`reloc ack task N`, `reloc ack milestone ID`). The database
/// decides who may (the organisation concerned, or its successor), stamps the login and the time,
/// takes it once and never changes it (sql/definitions/66_acknowledge.sql).
public struct Acknowledgements {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// Acknowledges the acting organisation's assignment to task `number`; returns the
    /// acknowledgement's id. When the task is not assigned to it, the database refuses (77) naming
    /// the department concerned.
    public func acknowledgeTask(_ number: Int, note: String? = nil) throws -> Int64 {
        let ids = try db.query(
            """
            INSERT INTO reloc.acknowledgement (task_assignment_id, note)
            SELECT a.id, \(note) FROM reloc.task_assignment a JOIN reloc.task t ON t.id = a.task_id
            WHERE t.number = \(number)
            -- The acting organisation's current assignment first; else the lead's, for the refusal's words.
            ORDER BY (a.org_id = ANY (reloc.acting_org_ids())
                      AND (a.ended_on IS NULL OR a.ended_on > reloc.programme_today())) DESC,
                     (a.acknowledge AND NOT EXISTS (SELECT FROM reloc.acknowledgement k WHERE k.task_assignment_id = a.id)) DESC,
                     a.lead DESC, a.id
            LIMIT 1
            RETURNING id
            """
        ).decode(Int64.self)
        guard let id = ids.first else {
            throw RelocError.notFound("no task \(number), or it has no assignment; see `reloc task list`")
        }
        return id
    }

    /// Acknowledges milestone `id` for its owner (the acting organisation); returns the
    /// acknowledgement's id.
    public func acknowledgeMilestone(_ id: Int64, note: String? = nil) throws -> Int64 {
        let exists = try db.query("SELECT EXISTS (SELECT FROM reloc.milestone WHERE id = \(id))").scalar(Bool.self)
        guard exists else { throw RelocError.notFound("no milestone \(id); see `reloc milestone list`") }
        return try db.query(
            "INSERT INTO reloc.acknowledgement (milestone_id, note) VALUES (\(id), \(note)) RETURNING id"
        ).scalar(Int64.self)
    }

    public struct Filter: Sendable {
        /// Only what has not been acknowledged by the day.
        public var pending = false
        /// Only what concerns this organisation (by code: the body assigned or owning, or the one
        /// holding its work on the day).
        public var org: String?
        public var asOf: AsOf = .today

        public init(pending: Bool = false, org: String? = nil, asOf: AsOf = .today) {
            self.pending = pending
            self.org = org
            self.asOf = asOf
        }
    }

    /// What waits for, or received, a 签收 as of a day: task assignments and milestones made
    /// through reloc (not the reference data, not the deadlines the database derives), still
    /// current or acknowledged. `working_days`: working days from `since` to the acknowledgement,
    /// or to the day while pending; `late`: not acknowledged by `acknowledge_by`.
    public func list(_ filter: Filter = Filter()) throws -> PGResult {
        let org = filter.org.map { Spellings.halfwidth($0).uppercased() }
        return try db.query(
            """
            WITH day AS (SELECT \(filter.asOf.sql) AS as_of),
            setting AS (SELECT s.acknowledge_within::int AS within FROM reloc.supervision_setting s),
            subject AS (
                SELECT 'task' AS subject, t.number AS task, NULL::bigint AS milestone_id, t.title, a.org_id AS concerned,
                       reloc.local_date(a.created_at) AS since, k.id AS ack_id
                FROM reloc.task_assignment a JOIN reloc.task t ON t.id = a.task_id
                CROSS JOIN day
                LEFT JOIN reloc.acknowledgement k ON k.task_assignment_id = a.id AND reloc.local_date(k.acknowledged_at) <= day.as_of
                WHERE a.acknowledge AND reloc.local_date(a.created_at) <= day.as_of
                  AND (k.id IS NOT NULL OR a.ended_on IS NULL OR a.ended_on > day.as_of)
                UNION ALL
                SELECT 'milestone', t.number, m.id, m.title, m.owner_id, reloc.local_date(m.created_at), k.id
                FROM reloc.milestone m
                CROSS JOIN day
                LEFT JOIN reloc.task t ON t.id = m.task_id
                LEFT JOIN reloc.acknowledgement k ON k.milestone_id = m.id AND reloc.local_date(k.acknowledged_at) <= day.as_of
                WHERE m.acknowledge AND reloc.local_date(m.created_at) <= day.as_of
                  AND (k.id IS NOT NULL OR m.done_on IS NULL OR m.done_on > day.as_of)
            )
            SELECT s.subject, s.task, s.milestone_id, s.title, holder.code AS org, holder.name_zh AS org_name,
                   s.since, reloc.add_working_days(s.since, setting.within) AS acknowledge_by,
                   reloc.working_days_between(s.since, coalesce(reloc.local_date(k.acknowledged_at), day.as_of)) AS working_days,
                   k.id IS NOT NULL AS acknowledged,
                   coalesce(reloc.local_date(k.acknowledged_at), day.as_of) > reloc.add_working_days(s.since, setting.within) AS late,
                   reloc.local_date(k.acknowledged_at) AS acknowledged_on, by_org.code AS acknowledged_by, k.login,
                   k.note
            FROM subject s
            CROSS JOIN day CROSS JOIN setting
            JOIN reloc.organisation concerned ON concerned.id = s.concerned
            JOIN reloc.organisation holder ON holder.id = reloc.org_on(s.concerned, day.as_of)
            LEFT JOIN reloc.acknowledgement k ON k.id = s.ack_id
            LEFT JOIN reloc.organisation by_org ON by_org.id = k.org_id
            WHERE (NOT \(filter.pending) OR k.id IS NULL)
              AND (\(org)::text IS NULL OR holder.code = \(org) OR concerned.code = \(org))
            ORDER BY k.id IS NOT NULL, s.since, holder.code, s.task NULLS LAST, s.milestone_id NULLS FIRST
            """)
    }
}
