import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Milestones (节点): dated deadlines on one plan, enterprise, task or vacated site, with an owner organisation
/// and a done date. Overdue and due-within are read on the as-of day in the programme's zone.
public struct Milestones {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    public struct Filter: Sendable {
        public var mine = false
        public var plan: String?
        public var enterprise: Int64?
        public var task: Int?
        public var site: Int64?
        public var overdue = false
        public var dueWithinDays: Int?
        public var asOf: AsOf = .today
        public var id: Int64?
        /// At most this many rows, the first by due date (reloc-web's 总览); nil: all.
        public var limit: Int?
        public init() {}
    }

    /// One row per milestone: `id, kind, title, short_title, attached_to, plan, enterprise_id, enterprise, task,
    /// site_id, owner, owner_name, due_on, done_on, state, days_left, percent, status, as_of, light,
    /// extensions, original_due_on`. `state` is under-review (a completion submitted, not yet
    /// accepted), done (on or before the as-of day), overdue, due-today or open; `days_left` is
    /// negative when overdue. `due_on` is the due date in force on the as-of day, `extensions` the
    /// extensions approved by then, `original_due_on` the due date before the first of them, `light`
    /// the day's light (reloc.milestone_lights). `--overdue` and `--due-within` together list either.
    public func list(_ filter: Filter) throws -> PGResult {
        try rows(filter).result()
    }

    /// The same listing, its rows to be read as they arrive (an export of them all: issue 17,
    /// bounded memory).
    public func rows(_ filter: Filter) throws -> PGRowSource {
        let plan = filter.plan?.uppercased()
        if let plan, try db.query("SELECT 1 FROM reloc.plan WHERE code = \(plan)").rows.isEmpty {
            throw RelocError.notFound("no plan \(plan); see `reloc plan list`")
        }
        let dueFilter = filter.overdue || filter.dueWithinDays != nil
        return PGRowSource(
            db,
            """
            WITH day AS (SELECT \(filter.asOf.sql) AS as_of),
            params AS (SELECT day.as_of, reloc.acting_org_ids_on(day.as_of) AS mine FROM day)\(filter.candidates ?? ""),
            latest AS (
                SELECT DISTINCT ON (r.milestone_id) r.milestone_id, r.percent, r.status
                FROM reloc.progress_report r, params
                WHERE r.milestone_id IS NOT NULL AND reloc.local_date(r.reported_at) <= params.as_of
                ORDER BY r.milestone_id, r.reported_at DESC, r.id DESC
            ),
            rows AS (
                SELECT m.id, m.kind, m.title,
                       CASE WHEN length(m.title) > 16 THEN left(m.title, 15) || '…' ELSE m.title END AS short_title,
                       CASE WHEN m.plan_id IS NOT NULL THEN 'plan ' || p.code
                            WHEN m.enterprise_id IS NOT NULL THEN 'enterprise ' || e.id || ' ' || e.name
                            WHEN m.task_id IS NOT NULL THEN 'task ' || t.number
                            WHEN m.site_id IS NOT NULL THEN 'site ' || s.id || ' ' || s.name END AS attached_to,
                       p.code AS plan, e.id AS enterprise_id, e.name AS enterprise, t.number AS task, s.id AS site_id,
                       o.code AS owner, o.name_zh AS owner_name, lt.due_on,
                       lt.done_on,
                       CASE WHEN lt.under_review THEN 'under-review'
                            WHEN lt.done_on IS NOT NULL THEN 'done'
                            WHEN lt.due_on < params.as_of THEN 'overdue'
                            WHEN lt.due_on = params.as_of THEN 'due-today'
                            ELSE 'open' END AS state,
                       lt.days_left, lt.light, lt.extensions, lt.original_due_on,
                       trim_scale(l.percent) AS percent, l.status,
                       params.as_of,
                       lt.done_on IS NOT NULL AS is_done,
                       params.mine,
                       m.owner_id, m.plan_id, m.enterprise_id AS enterprise_ref, m.task_id, m.site_id AS site_ref
                FROM reloc.milestone m
                CROSS JOIN params
                -- The light (红黄绿灯) and the due date in force that day, extensions counted (69_lights.sql).
                JOIN reloc.milestone_lights(params.as_of) lt ON lt.milestone_id = m.id
                JOIN reloc.organisation o ON o.id = reloc.org_on(m.owner_id, params.as_of)
                LEFT JOIN reloc.plan p ON p.id = m.plan_id
                LEFT JOIN reloc.enterprise e ON e.id = m.enterprise_id
                LEFT JOIN reloc.task t ON t.id = m.task_id
                LEFT JOIN reloc.site s ON s.id = m.site_id
                LEFT JOIN latest l ON l.milestone_id = m.id
                -- By due date: only the candidates are lighted (MilestoneCandidates.swift), each by its key.
                \(unsafeRaw: filter.candidates == nil ? "" : "WHERE m.id = ANY (ARRAY(SELECT id FROM candidates)) AND lt.milestone_id = ANY (ARRAY(SELECT id FROM candidates))")
            )
            SELECT id, kind, title, short_title, attached_to, plan, enterprise_id, enterprise, task, site_id, owner, owner_name, due_on,
                   done_on, state, days_left, percent, status, as_of, light, extensions, original_due_on
            FROM rows
            WHERE (\(filter.id)::bigint IS NULL OR id = \(filter.id))
              AND (NOT \(filter.mine) OR reloc.attachment_concerns(plan_id, enterprise_ref, task_id, owner_id, mine)
                   OR (site_ref IS NOT NULL AND reloc.site_concerns(site_ref, mine)))
              AND (\(plan)::text IS NULL OR plan = \(plan))
              AND (\(filter.enterprise)::bigint IS NULL OR enterprise_id = \(filter.enterprise))
              AND (\(filter.task)::integer IS NULL OR task = \(filter.task))
              AND (\(filter.site)::bigint IS NULL OR site_id = \(filter.site))
              AND (NOT \(dueFilter)
                   OR (\(filter.overdue) AND state = 'overdue')
                   OR (NOT is_done AND days_left BETWEEN 0 AND \(filter.dueWithinDays)::integer))
            ORDER BY due_on, id
            LIMIT \(filter.limit)::bigint
            """)
    }

    public func show(_ id: Int64, asOf: AsOf = .today) throws -> PGResult {
        var filter = Filter()
        filter.id = id
        filter.asOf = asOf
        let result = try list(filter)
        guard !result.rows.isEmpty else { throw RelocError.notFound("no milestone \(id); see `reloc milestone list`") }
        return result
    }

    public struct NewMilestone: Sendable {
        public var kind: String
        public var title: String
        public var dueOn: CalendarDate
        public var plan: String?
        public var enterprise: Int64?
        public var task: Int?
        public var site: Int64?
        public var owner: String?
        public var note: String?

        public init(
            kind: String = "custom", title: String, dueOn: CalendarDate, plan: String? = nil, enterprise: Int64? = nil,
            task: Int? = nil, site: Int64? = nil, owner: String? = nil, note: String? = nil
        ) {
            self.site = site
            self.kind = kind
            self.title = title
            self.dueOn = dueOn
            self.plan = plan
            self.enterprise = enterprise
            self.task = task
            self.owner = owner
            self.note = note
        }
    }

    /// Adds a milestone; the owner defaults from what it is attached to. Returns its id.
    public func add(_ milestone: NewMilestone) throws -> Int64 {
        let plan = milestone.plan?.uppercased()
        if let plan, try db.query("SELECT 1 FROM reloc.plan WHERE code = \(plan)").rows.isEmpty {
            throw RelocError.notFound("no plan \(plan); see `reloc plan list`")
        }
        if let enterprise = milestone.enterprise,
            try db.query("SELECT 1 FROM reloc.enterprise WHERE id = \(enterprise)").rows.isEmpty
        {
            throw RelocError.notFound("no enterprise \(enterprise); see `reloc enterprise list`")
        }
        if let task = milestone.task, try db.query("SELECT 1 FROM reloc.task WHERE number = \(task)").rows.isEmpty {
            throw RelocError.notFound("no task \(task); see `reloc task list`")
        }
        if let site = milestone.site, try db.query("SELECT 1 FROM reloc.site WHERE id = \(site)").rows.isEmpty {
            throw RelocError.notFound("no site \(site); see `reloc site list`")
        }
        try Organisations(db).requireExists(milestone.owner)
        return try db.query(
            """
            INSERT INTO reloc.milestone (kind, title, due_on, plan_id, enterprise_id, task_id, site_id, owner_id, note)
            VALUES (\(milestone.kind), \(milestone.title), \(milestone.dueOn),
                    (SELECT id FROM reloc.plan WHERE code = \(plan)), \(milestone.enterprise),
                    (SELECT id FROM reloc.task WHERE number = \(milestone.task)), \(milestone.site),
                    (SELECT id FROM reloc.organisation WHERE code = \(milestone.owner?.uppercased())), \(milestone.note))
            RETURNING id
            """
        ).scalar(Int64.self)
    }

    public struct Edit: Sendable {
        public var title: String?
        public var dueOn: CalendarDate?
        public var kind: String?
        public var owner: String?
        public var note: String?
        public init(
            title: String? = nil, dueOn: CalendarDate? = nil, kind: String? = nil, owner: String? = nil,
            note: String? = nil
        ) {
            self.title = title
            self.dueOn = dueOn
            self.kind = kind
            self.owner = owner
            self.note = note
        }
    }

    /// Changes a milestone's title, due date, kind, owner or note. Only the province changes the
    /// first four (column grants: the others may set `note` and `done_on` on their own milestones);
    /// the owner must be one the milestone concerns (milestone_owner_concerned).
    public func edit(_ id: Int64, _ edit: Edit) throws {
        try Organisations(db).requireExists(edit.owner)
        var changes = Changes()
        changes.set("title", edit.title)
        changes.set("due_on", edit.dueOn)
        changes.set("kind", edit.kind)
        changes.set(
            "owner_id",
            expression: edit.owner.map { "(SELECT id FROM reloc.organisation WHERE code = \($0.uppercased()))" })
        changes.set("note", edit.note)
        do {
            try db.updateOne(
                try changes.update("reloc.milestone", where: "id = \(id)"), what: "milestone \(id)",
                existing: "SELECT 1 FROM reloc.milestone WHERE id = \(id)")
        } catch let error as PGError
            where error.isPostgreSQLsOwnRefusal
        {
            throw PermissionRefusal(rule: "milestone_edit_province")
        }
    }

    /// What closing a milestone did: closed it, or, for a milestone the province reviews (办结审核),
    /// submitted its completion for review (the id of the submission).
    public enum Closing: Sendable, Equatable {
        case done
        case submitted(Int64)
    }

    /// Marks a milestone done on a date (default today in the programme's zone); for a milestone
    /// the province reviews, closed by another body, submits the completion with its evidence instead.
    @discardableResult
    public func done(_ id: Int64, on date: CalendarDate?, note: String?, evidence: [String] = []) throws -> Closing {
        if try Reviews(db).isReviewed(milestone: id) {
            return .submitted(try Reviews(db).submit(milestone: id, doneOn: date, evidence: evidence, note: note))
        }
        try db.updateOne(
            "UPDATE reloc.milestone SET done_on = coalesce(\(date), reloc.today()), note = coalesce(\(note), note) WHERE id = \(id)",
            what: "milestone \(id)", existing: "SELECT 1 FROM reloc.milestone WHERE id = \(id)")
        return .done
    }

    /// Opens a milestone marked done by mistake (or whose work came undone) again.
    public func reopen(_ id: Int64, note: String?) throws {
        try db.updateOne(
            "UPDATE reloc.milestone SET done_on = NULL, note = coalesce(\(note), note) WHERE id = \(id)",
            what: "milestone \(id)", existing: "SELECT 1 FROM reloc.milestone WHERE id = \(id)")
    }
}
