import Foundation
import LibPQClient

/// Enterprises to relocate, close or renovate in place, registered by city governments into the
/// plans of their cities. The database enforces the rules; this code passes values and reads back.
public struct Enterprises {
    public static let modes = ["in-situ", "relocate", "close"]
    public static let statuses = [
        "registered", "heritage-surveyed", "relocating", "relocated", "closing", "closed", "renovating", "renovated",
    ]
    public static let highRiskClasses = ["metallurgy", "chemicals", "paper", "hazardous"]
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// A capacity such as "30 万吨/年": an amount and its unit.
    public struct Capacity: Sendable, Equatable {
        public let amount: Decimal
        public let unit: String

        /// Parses "30 万吨/年", "３０万吨/年" or "1.5 million t/a"; nil if there is no leading number or unit.
        public init?(_ text: String) {
            let ascii = text.asciiDigits.trimmingCharacters(in: .whitespaces)
            let number = ascii.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            let unit = ascii.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
            guard !number.isEmpty, !unit.isEmpty, let amount = Decimal(exactText: String(number)) else { return nil }
            self.amount = amount
            self.unit = unit
        }
    }

    public struct Registration: Sendable {
        public var plan: String
        public var name: String
        public var mode: String
        public var park: String?
        public var industry: String?
        public var highRisk: String?
        public var uscc: String?
        public var siteHectares: Decimal?
        public var siteMu: Decimal?
        public var employees: Int?
        public var surplusWorkers: Int?
        public var capacity: Capacity?
        public var newCapacity: Capacity?
        public var listedInPlan: Bool

        public init(plan: String, name: String, mode: String) {
            self.plan = plan
            self.name = name
            self.mode = mode
            self.listedInPlan = false
        }
    }

    /// Registers an enterprise and returns its id.
    public func register(_ entry: Registration) throws -> Int64 {
        try checkUnits(entry.capacity, entry.newCapacity)
        try LandArea(hectares: entry.siteHectares, mu: entry.siteMu)?.checkFits(
            rule: "enterprise_site_area_nonnegative")
        if let park = entry.park {
            // Said here, or the database would report the rule "relocation needs a park" instead.
            _ = try Parks(db).show(park)
        }
        let rows = try refusingOtherCities(plan: entry.plan) {
            try db.query(
                """
                INSERT INTO reloc.enterprise
                    (plan_id, name, mode, park_id, industry, high_risk, uscc, site_area_ha, employees, surplus_workers,
                     capacity_old, capacity_old_unit, capacity_new, capacity_new_unit, listed_in_plan)
                SELECT p.id, \(entry.name.trimmingCharacters(in: .whitespaces)), \(entry.mode),
                       (SELECT id FROM reloc.park WHERE code = \(entry.park?.uppercased())),
                       \(entry.industry), \(entry.highRisk), \(Enterprises.normalisedUSCC(entry.uscc)),
                       COALESCE(\(entry.siteHectares), round(\(entry.siteMu) / 15, 4)),
                       \(entry.employees), \(entry.surplusWorkers),
                       \(entry.capacity?.amount), \(entry.capacity?.unit),
                       \(entry.newCapacity?.amount), \(entry.newCapacity?.unit), \(entry.listedInPlan)
                FROM reloc.plan p WHERE p.code = \(entry.plan.uppercased())
                RETURNING id
                """
            ).rows
        }
        guard let id = try rows.first?.decode(Int64.self, at: 0) else {
            throw RelocError.notFound("no plan \(entry.plan.uppercased()); see `reloc plan list`")
        }
        return id
    }

    /// Row-level security refuses a plan that is not the acting organisation's with a generic
    /// message; say whose plan it is and what the organisation may do instead.
    func refusingOtherCities<T>(plan: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PGError where PermissionWords.isPostgreSQLsOwn(error) {
            let code = plan.uppercased()
            let row = try? db.query(
                """
                SELECT c.code AS city, d.code AS district,
                       (SELECT string_agg(o.kind, ',') FROM reloc.organisation o
                        WHERE o.id = ANY (reloc.acting_org_ids())) AS acting_kinds
                FROM reloc.plan p JOIN reloc.organisation c ON c.id = p.city_id
                LEFT JOIN reloc.organisation d ON d.id = p.district_id
                WHERE p.code = \(code)
                """
            ).rows.first
            let city = (try? row?.decode(String?.self, at: 0)) ?? nil
            let district = (try? row?.decode(String?.self, at: 1)) ?? nil
            let kinds = ((try? row?.decode(String?.self, at: 2)) ?? nil)?.split(separator: ",").map(String.init) ?? []
            let whose =
                "plan \(code) belongs to \(district.map { "the district \($0) of the city \(city ?? "?")" } ?? city.map { "the city \($0)" } ?? "another city")"
            let rule: String
            if kinds.contains("city") {
                rule = "a city government registers enterprises only into the plans of its own city"
            } else if kinds.contains("district") {
                rule = "a district government registers enterprises only into its own district's plan"
            } else if kinds.contains("department") {
                rule = "a provincial department registers no enterprises (it reports progress on its tasks)"
            } else {
                rule = "act as the city or district government the plan belongs to (--as ORG)"
            }
            throw RelocError.permissionDenied("\(whose): \(rule); see the plans with `reloc plan list`")
        }
    }

    func checkUnits(_ old: Capacity?, _ new: Capacity?) throws {
        if let old, let new, old.unit != new.unit {
            throw RelocError.invalidInput(
                "capacity units differ (\(old.unit) vs \(new.unit)): give old and new capacity in the same unit, so they can be compared (等量或减量置换, §四(二))"
            )
        }
    }

    /// Upper case, ASCII digits, no spaces: how people type a 统一社会信用代码 is not how it is stored.
    public static func normalisedUSCC(_ code: String?) -> String? {
        guard let code else { return nil }
        let cleaned = code.asciiDigits.uppercased().filter { !$0.isWhitespace }
        return cleaned.isEmpty ? nil : cleaned
    }

    public struct Filter: Sendable {
        public var plan: String?
        public var city: String?
        public var mode: String?
        public var status: String?
        public init(plan: String? = nil, city: String? = nil, mode: String? = nil, status: String? = nil) {
            self.plan = plan
            self.city = city
            self.mode = mode
            self.status = status
        }
    }

    static let columns: SQLQuery = """
        SELECT e.id, e.name, city.code AS city, p.code AS plan, e.mode, e.status, k.code AS park,
               e.industry, e.high_risk, e.uscc, e.site_area_ha, e.employees, e.surplus_workers,
               e.capacity_old, e.capacity_new, e.capacity_unit, e.listed_in_plan,
               e.original_land_taken_back
        FROM reloc.enterprise e
        JOIN reloc.plan p ON p.id = e.plan_id
        JOIN reloc.organisation city ON city.id = e.city_id
        LEFT JOIN reloc.park k ON k.id = e.park_id
        """

    public func list(_ filter: Filter) throws -> PGResult {
        try FilterCodes.requirePlan(filter.plan, in: db)
        try FilterCodes.requireCity(filter.city, in: db)
        return try db.query(
            """
            \(Enterprises.columns)
            WHERE (\(filter.plan?.uppercased())::text IS NULL OR p.code = \(filter.plan?.uppercased()))
              AND (\(filter.city?.uppercased())::text IS NULL OR city.code = \(filter.city?.uppercased()))
              AND (\(filter.mode)::text IS NULL OR e.mode = \(filter.mode))
              AND (\(filter.status)::text IS NULL OR e.status = \(filter.status))
            ORDER BY e.id
            """)
    }

    public func show(_ id: Int64) throws -> PGResult {
        let result = try db.query("\(Enterprises.columns) WHERE e.id = \(id)")
        guard !result.rows.isEmpty else {
            throw RelocError.notFound("no enterprise \(id); see `reloc enterprise list`")
        }
        return result
    }

    public func edit(_ id: Int64, _ changes: Changes) throws {
        try db.updateOne(
            try changes.update("reloc.enterprise", where: "id = \(id)"), what: "enterprise \(id)",
            existing: "SELECT 1 FROM reloc.enterprise WHERE id = \(id)")
    }

    public func advance(_ id: Int64, to status: String) throws {
        try db.updateOne(
            "UPDATE reloc.enterprise SET status = \(status) WHERE id = \(id)", what: "enterprise \(id)",
            existing: "SELECT 1 FROM reloc.enterprise WHERE id = \(id)")
    }
}
