import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Vacated sites (腾退区域): surveyed and risk-assessed, remediated if contaminated, and only then
/// released for reuse (§四(六), §四(八); national plan §九(三)). The database holds the state
/// machine and refuses a release naming the missing step.
public struct Sites {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// Heritage found on a site: not known yet, none, or an item (§四(五)).
    public enum Heritage: Sendable, Equatable {
        case none
        case item(String)

        var found: Bool {
            if case .item = self { return true }
            return false
        }
        var itemName: String? {
            if case .item(let name) = self { return name }
            return nil
        }
    }

    /// Where a site comes from: an enterprise's original site, or a plan-level parcel.
    public enum Origin: Sendable, Equatable {
        case enterprise(Int64)
        case parcel(plan: String, name: String)
    }

    public struct NewSite: Sendable {
        public var origin: Origin
        /// nil: the enterprise's recorded site area.
        public var area: LandArea?
        public var name: String?
        public var plannedReuse: String?
        public var heritage: Heritage?
        public var note: String?

        public init(origin: Origin, area: LandArea? = nil) {
            self.origin = origin
            self.area = area
        }
    }

    /// Adds a site and returns its id.
    public func add(_ site: NewSite) throws -> Int64 {
        var enterprise: Int64?
        var plan: String?
        var name = site.name
        switch site.origin {
        case .enterprise(let id): enterprise = id
        case .parcel(let code, let parcelName):
            plan = code.uppercased()
            name = parcelName
            guard try db.query("SELECT count(*) FROM reloc.plan WHERE code = \(plan)").scalar(Int.self) == 1 else {
                throw RelocError.notFound("no plan \(code.uppercased()); see `reloc plan list`")
            }
        }
        let area: SQLQuery =
            try site.area?.hectaresSQL(rule: "site_area_positive", placesRule: "site_area_places") ?? "NULL::numeric"
        return try db.query(
            """
            INSERT INTO reloc.site (plan_id, enterprise_id, name, area_ha, planned_reuse, heritage_found, heritage_item, note)
            VALUES ((SELECT id FROM reloc.plan WHERE code = \(plan)), \(enterprise), \(name), \(area),
                    \(site.plannedReuse), \(site.heritage?.found), \(site.heritage?.itemName), \(site.note))
            RETURNING id
            """
        ).scalar(Int64.self)
    }

    /// Edits the descriptive facts of a site (name, area, planned reuse, heritage, note).
    public func edit(
        _ id: Int64, name: String? = nil, area: LandArea? = nil, plannedReuse: String? = nil, heritage: Heritage? = nil,
        note: String? = nil
    ) throws {
        var changes = Changes()
        changes.set("name", name)
        changes.set(
            "area_ha", expression: try area?.hectaresSQL(rule: "site_area_positive", placesRule: "site_area_places"))
        changes.set("planned_reuse", plannedReuse)
        if let heritage {
            changes.set("heritage_found", heritage.found)
            changes.set("heritage_item", expression: "\(heritage.itemName)::text")
        }
        changes.set("note", note)
        try db.updateOne(
            try changes.update("reloc.site", where: "id = \(id)"), what: "site \(id)",
            existing: "SELECT 1 FROM reloc.site WHERE id = \(id)")
    }

    public struct Filter: Sendable {
        public var plan: String?
        public var city: String?
        public var state: String?
        public var enterprise: Int64?
        public init(plan: String? = nil, city: String? = nil, state: String? = nil, enterprise: Int64? = nil) {
            self.plan = plan
            self.city = city
            self.state = state
            self.enterprise = enterprise
        }
    }

    static let columns: SQLQuery = """
        SELECT s.id, s.name, city.code AS city, p.code AS plan, s.enterprise_id, e.name AS enterprise,
               s.area_ha, round(s.area_ha * 15, 4) AS area_mu, s.planned_reuse, s.heritage_found, s.heritage_item,
               s.env_state, s.released_on, s.release_doc, s.note
        FROM reloc.site s
        JOIN reloc.plan p ON p.id = s.plan_id
        JOIN reloc.organisation city ON city.id = s.city_id
        LEFT JOIN reloc.enterprise e ON e.id = s.enterprise_id
        """

    public func list(_ filter: Filter = Filter()) throws -> PGResult {
        try rows(filter).result()
    }

    /// The same listing, its rows to be read as they arrive (an export of them all: issue 17,
    /// bounded memory).
    public func rows(_ filter: Filter) throws -> PGRowSource {
        try FilterCodes.requirePlan(filter.plan, in: db)
        try FilterCodes.requireCity(filter.city, in: db)
        return PGRowSource(
            db,
            """
            \(Sites.columns)
            WHERE (\(filter.plan?.uppercased())::text IS NULL OR p.code = \(filter.plan?.uppercased()))
              AND (\(filter.city?.uppercased())::text IS NULL OR city.code = \(filter.city?.uppercased()))
              AND (\(filter.state)::text IS NULL OR s.env_state = \(filter.state))
              AND (\(filter.enterprise)::bigint IS NULL OR s.enterprise_id = \(filter.enterprise))
            ORDER BY s.id
            """)
    }

    public func show(_ id: Int64) throws -> PGResult {
        let result = try db.query("\(Sites.columns) WHERE s.id = \(id)")
        guard !result.rows.isEmpty else { throw RelocError.notFound("no site \(id); see `reloc site list`") }
        return result
    }

    /// The steps of a site's environmental record, oldest first.
    public func history(_ id: Int64) throws -> PGResult {
        _ = try show(id)
        return try db.query(
            """
            SELECT from_state, to_state, on_date, doc, note, changed_by, changed_by_login
            FROM reloc.site_env_change WHERE site_id = \(id) ORDER BY id
            """)
    }

    /// A step of the record: what it was, what it is, on which date, with which document.
    public struct Step: Sendable {
        public var on: CalendarDate?
        public var doc: String?
        public var note: String?
        public init(on: CalendarDate? = nil, doc: String? = nil, note: String? = nil) {
            self.on = on
            self.doc = doc
            self.note = note
        }
    }

    /// The environmental survey (环境调查); with a result, also the risk assessment (风险评估) and
    /// its conclusion. Returns the site's state afterwards.
    @discardableResult
    public func survey(_ id: Int64, result: String?, _ step: Step = Step()) throws -> String {
        try db.query(
            "SELECT reloc.survey_site(\(id), \(result), \(step.doc), \(step.on), \(step.note))"
        ).scalar(String.self)
    }

    /// Remediation (治理修复) planned, or done.
    public func remediate(_ id: Int64, done: Bool, _ step: Step = Step()) throws {
        let state = done ? "remediated" : "remediation-planned"
        try db.execute("SELECT reloc.advance_site(\(id), \(state), \(step.doc), \(step.on), \(step.note))")
    }

    /// Releases the site for reuse; refused unless risk-assessed and clean or remediated.
    public func release(_ id: Int64, on date: CalendarDate, doc: String) throws {
        try db.updateOne(
            "UPDATE reloc.site SET released_on = \(date), release_doc = \(doc) WHERE id = \(id)", what: "site \(id)",
            existing: "SELECT 1 FROM reloc.site WHERE id = \(id)")
    }
}
