import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// District implementation plans (实施方案), one per district, with their status machine:
/// drafting → consultation → risk-assessed → approved → implementing → basically-complete →
/// complete (the database refuses skips and moves back).
public struct Plans {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    public func list(city: String? = nil, status: String? = nil) throws -> PGResult {
        try FilterCodes.requireCity(city, in: db)
        return try db.query(
            """
            SELECT p.code, p.name, city.code AS city, district.code AS district, p.division_code,
                   p.status, p.compile_by, p.basic_completion_by, p.approval_doc,
                   (SELECT count(*) FROM reloc.enterprise e WHERE e.plan_id = p.id) AS enterprises
            FROM reloc.plan p
            JOIN reloc.organisation city ON city.id = p.city_id
            LEFT JOIN reloc.organisation district ON district.id = p.district_id
            WHERE (\(city?.uppercased())::text IS NULL OR city.code = \(city?.uppercased()))
              AND (\(status)::text IS NULL OR p.status = \(status))
            ORDER BY p.code
            """)
    }

    public func show(_ code: String) throws -> PGResult {
        let result = try db.query(
            """
            SELECT p.code, p.name, city.code AS city, city.name_zh AS city_name, district.code AS district,
                   p.division_code, p.area_km2, p.status, p.compile_by, p.basic_completion_by,
                   p.approval_doc, p.approved_on, p.scope_targets, p.functional_layout, p.main_tasks, p.key_projects,
                   p.organisation_mode, p.schedule, p.safeguards,
                   (SELECT count(*) FROM reloc.enterprise e WHERE e.plan_id = p.id) AS enterprises
            FROM reloc.plan p
            JOIN reloc.organisation city ON city.id = p.city_id
            LEFT JOIN reloc.organisation district ON district.id = p.district_id
            WHERE p.code = \(code.uppercased())
            """)
        guard !result.rows.isEmpty else {
            throw RelocError.notFound("no plan \(code.uppercased()); see `reloc plan list`")
        }
        return result
    }

    public func history(_ code: String) throws -> PGResult {
        try db.query(
            """
            SELECT c.from_status, c.to_status, c.on_date, c.doc, c.note, c.changed_by, c.changed_at,
                   x.on_date AS undone_on, x.reason AS undone_because
            FROM reloc.plan_status_change c JOIN reloc.plan p ON p.id = c.plan_id
            LEFT JOIN reloc.status_correction x ON x.undone_plan_step = c.id
            WHERE p.code = \(code.uppercased())
            ORDER BY c.changed_at, c.id
            """)
    }

    public struct NewPlan: Sendable {
        public var code: String
        public var name: String
        public var city: String
        public var district: String?
        public var divisionCode: String?
        public var areaKm2: Decimal?
        public var compileBy: CalendarDate?
        public var basicCompletionBy: CalendarDate?

        public init(
            code: String, name: String, city: String, district: String? = nil, divisionCode: String? = nil,
            areaKm2: Decimal? = nil, compileBy: CalendarDate? = nil, basicCompletionBy: CalendarDate? = nil
        ) {
            self.code = code
            self.name = name
            self.city = city
            self.district = district
            self.divisionCode = divisionCode
            self.areaKm2 = areaKm2
            self.compileBy = compileBy
            self.basicCompletionBy = basicCompletionBy
        }
    }

    public func add(_ plan: NewPlan) throws {
        let organisations = Organisations(db)
        try organisations.requireExists(plan.city)
        try organisations.requireExists(plan.district)
        try db.execute(
            """
            INSERT INTO reloc.plan (code, name, city_id, district_id, division_code, area_km2, compile_by, basic_completion_by)
            VALUES (\(plan.code.uppercased()), \(plan.name),
                    (SELECT id FROM reloc.organisation WHERE code = \(plan.city.uppercased())),
                    (SELECT id FROM reloc.organisation WHERE code = \(plan.district?.uppercased())),
                    \(plan.divisionCode.map(Spellings.halfwidth)), \(plan.areaKm2),
                    COALESCE(\(plan.compileBy), DATE '2014-12-31'), COALESCE(\(plan.basicCompletionBy), DATE '2022-12-31'))
            """)
    }

    /// What `plan edit` changes: the plan's text and dates, only the fields given (nil: unchanged).
    /// Its city and district are not edited (one plan per district, §五(三)).
    public struct Edit: Sendable {
        public var name: String?
        public var areaKm2: Decimal?
        public var scopeTargets: String?
        public var functionalLayout: String?
        public var mainTasks: String?
        public var keyProjects: String?
        public var organisationMode: String?
        public var schedule: String?
        public var safeguards: String?
        public var compileBy: CalendarDate?
        public var basicCompletionBy: CalendarDate?

        public init() {}
    }

    /// Changes a plan's text and dates (the province, or the plan's own city: row-level security).
    public func edit(_ code: String, _ edit: Edit) throws {
        var changes = Changes()
        changes.set("name", edit.name)
        changes.set("area_km2", edit.areaKm2)
        changes.set("scope_targets", edit.scopeTargets)
        changes.set("functional_layout", edit.functionalLayout)
        changes.set("main_tasks", edit.mainTasks)
        changes.set("key_projects", edit.keyProjects)
        changes.set("organisation_mode", edit.organisationMode)
        changes.set("schedule", edit.schedule)
        changes.set("safeguards", edit.safeguards)
        changes.set("compile_by", edit.compileBy)
        changes.set("basic_completion_by", edit.basicCompletionBy)
        try self.edit(code, changes)
    }

    func edit(_ code: String, _ changes: Changes) throws {
        try db.updateOne(
            try changes.update("reloc.plan", where: "code = \(code.uppercased())"), what: "plan \(code.uppercased())",
            existing: "SELECT 1 FROM reloc.plan WHERE code = \(code.uppercased())")
    }

    /// Moves the plan one step forward, recording who, when, the document and a note.
    public func advance(_ code: String, to status: String, doc: String?, on date: CalendarDate?, note: String?) throws {
        try db.execute("SELECT reloc.advance_plan(\(code.uppercased()), \(status), \(doc), \(date), \(note))")
    }

    /// The province corrects a recorded approval (document number and/or date), with a reason: the
    /// correction is dated and audited; nothing else changes an approval once recorded (§四(一)).
    public func correctApproval(_ code: String, doc: String?, on date: CalendarDate?, reason: String) throws {
        try db.execute(
            "SELECT reloc.correct_plan_approval(\(code.uppercased()), \(doc), \(date)::date, \(reason))")
    }

    /// The province undoes the plan's latest step, recorded in error (`step`: the status it set), with
    /// a reason and a date (default today): the plan returns to the status before it, an undone
    /// approval is cleared, and the milestones the step closed reopen (status_correction: exit 65).
    public func correctStep(_ code: String, step: String, reason: String, on date: CalendarDate?) throws {
        try db.execute(
            "SELECT reloc.correct_plan_step(\(code.uppercased()), \(step), \(reason), \(date)::date)")
    }

    /// The province's corrections of a plan's approval, oldest first.
    public func approvalCorrections(_ code: String) throws -> PGResult {
        try db.query(
            """
            SELECT c.old_doc, c.old_on, c.new_doc, c.new_on, c.reason, c.corrected_on, c.corrected_by,
                   c.corrected_by_login
            FROM reloc.plan_approval_correction c JOIN reloc.plan p ON p.id = c.plan_id
            WHERE p.code = \(code.uppercased()) ORDER BY c.id
            """)
    }
}
