import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Key tasks (重点任务): the annex's table of department tasks, each with one lead department and
/// any number of co-responsible ones. Work assigned to a renamed department is its successor's
/// from the succession date; listings name the body that holds the work on the as-of day.
public struct Tasks {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    public struct Filter: Sendable {
        public var mine = false
        public var organisation: String?
        public var overdue = false
        public var dueWithinDays: Int?
        public var status: String?
        public var asOf: AsOf = .today
        public init() {}
    }

    /// One row per task: `number, title, short_title, plan, lead, lead_name, co, percent, status,
    /// due_on, days_overdue, reported_at, as_of, light`. `light` is the worst light (红黄绿灯) of the
    /// task's milestones on the day (red, yellow, green, done; none without milestones). `--overdue` and `--due-within` together list
    /// either. Only assignments not ended by the as-of day count (`task unassign`, 0012). `mine` is the acting organisation's work on the as-of day: a renamed department's
    /// tasks are its own until the succession date, its successor's from then on. `organisation` matches a department's whole line of succession (JL-GTT and JL-ZRT
    /// name the same work), whatever the as-of day.
    public func list(_ filter: Filter) throws -> PGResult {
        try rows(filter).result()
    }

    /// The same listing, its rows to be read as they arrive (an export of them all: issue 17,
    /// bounded memory).
    public func rows(_ filter: Filter) throws -> PGRowSource {
        let organisation = filter.organisation?.uppercased()
        try FilterCodes.requireDepartment(organisation, in: db)
        let dueFilter = filter.overdue || filter.dueWithinDays != nil
        return PGRowSource(
            db,
            """
            WITH day AS (SELECT \(filter.asOf.sql) AS as_of),
            params AS (SELECT day.as_of, reloc.acting_org_ids_on(day.as_of) AS mine FROM day),
            latest AS (
                SELECT DISTINCT ON (r.task_id) r.task_id, r.percent, r.status, r.reported_at
                FROM reloc.progress_report r, params
                WHERE r.task_id IS NOT NULL AND reloc.local_date(r.reported_at) <= params.as_of
                ORDER BY r.task_id, r.reported_at DESC, r.id DESC
            ),
            -- A task's light (红黄绿灯): the worst of its milestones' on the day (69_lights.sql).
            lights AS (
                SELECT m.task_id,
                       (array_agg(l.light ORDER BY array_position(ARRAY['red', 'yellow', 'green', 'done'], l.light)))[1] AS light
                FROM reloc.milestone m
                JOIN reloc.milestone_lights(\(filter.asOf.sql)) l ON l.milestone_id = m.id
                WHERE m.task_id IS NOT NULL
                GROUP BY m.task_id
            ),
            rows AS (
                SELECT t.number,
                       t.title,
                       CASE WHEN length(t.title) > 18 THEN left(t.title, 17) || '…' ELSE t.title END AS short_title,
                       p.code AS plan,
                       lead.code AS lead,
                       lead.name_zh AS lead_name,
                       (SELECT string_agg(o.code, ', ' ORDER BY a.position, a.id)
                        FROM reloc.task_assignment a
                        JOIN reloc.organisation o ON o.id = reloc.org_on(a.org_id, params.as_of)
                        WHERE a.task_id = t.id AND NOT a.lead
                          AND (a.ended_on IS NULL OR a.ended_on > params.as_of)) AS co,
                       trim_scale(l.percent) AS percent,
                       coalesce(l.status, 'not-reported') AS status,
                       t.due_on,
                       CASE WHEN t.due_on < params.as_of AND l.status IS DISTINCT FROM 'done'
                            THEN params.as_of - t.due_on END AS days_overdue,
                       l.reported_at,
                       params.as_of,
                       lt.light,
                       t.id
                FROM reloc.task t
                CROSS JOIN params
                LEFT JOIN reloc.plan p ON p.id = t.plan_id
                LEFT JOIN latest l ON l.task_id = t.id
                LEFT JOIN lights lt ON lt.task_id = t.id
                LEFT JOIN reloc.task_assignment la ON la.task_id = t.id AND la.lead
                LEFT JOIN reloc.organisation lead ON lead.id = reloc.org_on(la.org_id, params.as_of)
                WHERE (NOT \(filter.mine) OR EXISTS (
                           SELECT FROM reloc.task_assignment a WHERE a.task_id = t.id AND a.org_id = ANY (params.mine)
                             AND (a.ended_on IS NULL OR a.ended_on > params.as_of)))
                  AND (\(organisation)::text IS NULL OR EXISTS (
                           SELECT FROM reloc.task_assignment a, reloc.organisation o
                           WHERE a.task_id = t.id AND o.code = \(organisation)
                             AND (a.ended_on IS NULL OR a.ended_on > params.as_of)
                             AND reloc.org_on(a.org_id, 'infinity') = reloc.org_on(o.id, 'infinity')))
                  AND (NOT \(dueFilter)
                       OR (\(filter.overdue) AND t.due_on < params.as_of AND l.status IS DISTINCT FROM 'done')
                       OR (t.due_on BETWEEN params.as_of AND params.as_of + \(filter.dueWithinDays)::integer
                           AND l.status IS DISTINCT FROM 'done'))
            )
            SELECT number, title, short_title, plan, lead, lead_name, co, percent, status, due_on, days_overdue,
                   reported_at, as_of, light
            FROM rows
            WHERE \(filter.status)::text IS NULL OR status = \(filter.status)
            ORDER BY number
            """)
    }

    /// The task itself, one row.
    public func show(_ number: Int, asOf: AsOf = .today) throws -> PGResult {
        let result = try db.query(
            """
            WITH params AS (SELECT \(asOf.sql) AS as_of),
            latest AS (
                SELECT r.percent, r.status, r.reported_at FROM reloc.progress_report r JOIN reloc.task t ON t.id = r.task_id, params
                WHERE t.number = \(number) AND reloc.local_date(r.reported_at) <= params.as_of
                ORDER BY r.reported_at DESC, r.id DESC LIMIT 1
            )
            SELECT t.number, t.title, p.code AS plan, lead.code AS lead, lead.name_zh AS lead_name,
                   trim_scale(l.percent) AS percent, coalesce(l.status, 'not-reported') AS status, t.due_on,
                   CASE WHEN t.due_on < params.as_of AND l.status IS DISTINCT FROM 'done'
                        THEN params.as_of - t.due_on END AS days_overdue,
                   l.reported_at, t.note, t.source_document, params.as_of
            FROM reloc.task t
            CROSS JOIN params
            LEFT JOIN latest l ON true
            LEFT JOIN reloc.plan p ON p.id = t.plan_id
            LEFT JOIN reloc.task_assignment la ON la.task_id = t.id AND la.lead
            LEFT JOIN reloc.organisation lead ON lead.id = reloc.org_on(la.org_id, params.as_of)
            WHERE t.number = \(number)
            """)
        guard !result.rows.isEmpty else { throw RelocError.notFound("no task \(number); see `reloc task list`") }
        return result
    }

    /// The departments as assigned (as printed) and the body that holds the work on the as-of day:
    /// `role, code, name, current_code, current_name, succeeded_on, began_on, ended_on`. Ended
    /// assignments are listed too (role `ended`, after the current ones): the annex's record is kept.
    public func assignments(_ number: Int, asOf: AsOf = .today) throws -> PGResult {
        try db.query(
            """
            WITH params AS (SELECT \(asOf.sql) AS as_of)
            SELECT CASE WHEN a.ended_on <= params.as_of THEN 'ended' WHEN a.lead THEN 'lead' ELSE 'co' END AS role,
                   o.code, o.name_zh AS name, cur.code AS current_code, cur.name_zh AS current_name,
                   CASE WHEN cur.id <> o.id THEN o.succeeded_on END AS succeeded_on, a.began_on, a.ended_on
            FROM reloc.task_assignment a
            JOIN reloc.task t ON t.id = a.task_id
            JOIN reloc.organisation o ON o.id = a.org_id
            CROSS JOIN params
            JOIN reloc.organisation cur ON cur.id = reloc.org_on(a.org_id, params.as_of)
            WHERE t.number = \(number)
            ORDER BY a.ended_on <= params.as_of NULLS FIRST, a.lead DESC, a.position, a.id
            """)
    }

    public struct NewTask: Sendable {
        public var number: Int?
        public var title: String
        public var plan: String?
        public var dueOn: CalendarDate?
        public var note: String?

        public init(
            number: Int? = nil, title: String, plan: String? = nil, dueOn: CalendarDate? = nil, note: String? = nil
        ) {
            self.number = number
            self.title = title
            self.plan = plan
            self.dueOn = dueOn
            self.note = note
        }
    }

    /// Adds a task (province only); without a number it takes the next one. Returns the number.
    public func add(_ task: NewTask) throws -> Int {
        if let plan = task.plan {
            guard try db.query("SELECT 1 FROM reloc.plan WHERE code = \(plan.uppercased())").rows.count == 1 else {
                throw RelocError.notFound("no plan \(plan.uppercased()); see `reloc plan list`")
            }
        }
        return try db.query(
            """
            INSERT INTO reloc.task (number, title, plan_id, due_on, note)
            VALUES (coalesce(\(task.number), (SELECT coalesce(max(number), 0) + 1 FROM reloc.task)), \(task.title),
                    (SELECT id FROM reloc.plan WHERE code = \(task.plan?.uppercased())), \(task.dueOn), \(task.note))
            RETURNING number
            """
        ).scalar(Int.self)
    }

    /// Changes a task's title, due date, plan or note (province only: the grants give nobody else
    /// UPDATE on tasks, so another organisation hears 42501, exit 77).
    public func edit(_ number: Int, title: String?, dueOn: CalendarDate?, plan: String?, note: String?) throws {
        let plan = plan?.uppercased()
        if let plan, try db.query("SELECT 1 FROM reloc.plan WHERE code = \(plan)").rows.isEmpty {
            throw RelocError.notFound("no plan \(plan); see `reloc plan list`")
        }
        var changes = Changes()
        changes.set("title", title)
        changes.set("due_on", dueOn)
        changes.set("plan_id", expression: plan.map { "(SELECT id FROM reloc.plan WHERE code = \($0))" })
        changes.set("note", note)
        try db.updateOne(
            try changes.update("reloc.task", where: "number = \(number)"), what: "task \(number)",
            existing: "SELECT 1 FROM reloc.task WHERE number = \(number)")
    }

    /// Assigns a department to a task (province only). `lead` makes it the lead; the former lead
    /// stays co-responsible. Assigning a department already assigned only changes its role.
    public func assign(_ number: Int, organisation code: String, lead: Bool) throws {
        let code = code.uppercased()
        try Organisations(db).requireExists(code)
        try db.withTransaction { db in
            let taskID = try db.query("SELECT id FROM reloc.task WHERE number = \(number)").rows.first
            guard let taskID = try taskID?.decode(Int64.self, at: 0) else {
                throw RelocError.notFound("no task \(number); see `reloc task list`")
            }
            if lead {
                try db.execute(
                    """
                    UPDATE reloc.task_assignment SET lead = false
                    WHERE task_id = \(taskID) AND lead AND org_id <> (SELECT id FROM reloc.organisation WHERE code = \(code))
                    """)
            }
            try db.execute(
                """
                INSERT INTO reloc.task_assignment (task_id, org_id, lead, position)
                SELECT \(taskID), o.id, \(lead),
                       (SELECT coalesce(max(position), 0) + 1 FROM reloc.task_assignment WHERE task_id = \(taskID))
                FROM reloc.organisation o WHERE o.code = \(code)
                ON CONFLICT (task_id, org_id) DO UPDATE SET lead = reloc.task_assignment.lead OR EXCLUDED.lead
                """)
        }
    }

    /// Ends a department's assignment to a task on a day (province only; `task unassign`). The
    /// assignment is kept with its end date; the database refuses to end the lead
    /// (`task_assignment_lead_stays`) or to date the end in the future, before 2014 or before the
    /// assignment began (`task_assignment_end_dates`), 0012.
    public func unassign(_ number: Int, organisation code: String, on day: CalendarDate) throws {
        let code = code.uppercased()
        try Organisations(db).requireExists(code)
        try db.withTransaction { db in
            guard try db.query("SELECT 1 FROM reloc.task WHERE number = \(number)").rows.count == 1 else {
                throw RelocError.notFound("no task \(number); see `reloc task list`")
            }
            let ended = try db.execute(
                """
                UPDATE reloc.task_assignment a SET ended_on = \(day)
                FROM reloc.task t, reloc.organisation o
                WHERE t.number = \(number) AND a.task_id = t.id AND o.code = \(code) AND a.org_id = o.id
                  AND a.ended_on IS NULL
                """)
            guard ended == 0 else { return }
            let earlier = try db.query(
                """
                SELECT a.ended_on FROM reloc.task_assignment a
                JOIN reloc.task t ON t.id = a.task_id JOIN reloc.organisation o ON o.id = a.org_id
                WHERE t.number = \(number) AND o.code = \(code)
                """
            ).rows.first
            if let earlier, let endedOn = try earlier.decode(CalendarDate?.self, at: 0) {
                throw RelocError.invalidInput("\(code) was unassigned from task \(number) on \(endedOn) already")
            }
            if earlier != nil {
                throw RelocError.permissionDenied("task \(number)'s assignments are the province's to change")
            }
            throw RelocError.notFound("\(code) is not assigned to task \(number); see `reloc task show \(number)`")
        }
    }
}
