import Foundation
import LibPQClient

/// Enterprises to relocate, close or renovate in place, registered by city governments into the
/// plans of their cities. The database enforces the rules; this code passes values and reads back.
public struct Enterprises {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// A capacity such as "30 万吨/年": an amount and its unit.
    public struct Capacity: Sendable, Equatable {
        public let amount: Decimal
        public let unit: String

        public init(amount: Decimal, unit: String) {
            self.amount = amount
            self.unit = unit
        }

        /// Parses "30 万吨/年", "３０万吨/年", "30,000 吨/日" or "1.5 million t/a"; nil unless the text is a
        /// decimal number (a thousands separator only in groups of three) and a unit that starts with
        /// a letter or an ideograph — never ",000 吨/日" (from "30,000"), "e3 …" (from "1e3") or
        /// "x10 …" (from "0x10"). The same rule as the database's (`reloc.parse_capacity`,
        /// `enterprise_capacity_unit_shape`), which refuses any other unit whoever writes it.
        public init?(_ text: String) {
            let ascii = Spellings.halfwidth(text).trimmingCharacters(in: .whitespaces)
            let number = String(ascii.prefix { $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") })
            let rest = ascii.dropFirst(number.count)
            let unit = rest.trimmingCharacters(in: .whitespaces)
            guard let first = unit.unicodeScalars.first, unit.count <= 40,
                !CharacterSet.decimalDigits.contains(first), !CharacterSet.punctuationCharacters.contains(first),
                !CharacterSet.symbols.contains(first) || !first.isASCII,
                !CharacterSet.whitespacesAndNewlines.contains(first),
                rest.first?.isWhitespace == true || !Capacity.isLatinLetter(first)
            else { return nil }
            let plain: String
            if number.contains(",") {
                guard number.range(of: #"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"#, options: .regularExpression) != nil
                else { return nil }
                plain = number.replacingOccurrences(of: ",", with: "")
            } else {
                plain = number
            }
            guard !plain.isEmpty, let amount = Decimal(exactText: plain) else { return nil }
            self.amount = amount
            self.unit = unit
        }

        /// A–Z, a–z, or their full-width forms: right after the digits they make "1e3", "0x10".
        static func isLatinLetter(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x41...0x5A, 0x61...0x7A, 0xFF21...0xFF3A, 0xFF41...0xFF5A: true
            default: false
            }
        }

        /// Parses a capacity the user typed, refusing anything else with the value quoted (exit 65).
        public static func parse(_ text: String?, option: String) throws -> Capacity? {
            guard let text else { return nil }
            guard let capacity = Capacity(text) else { throw notACapacity(text, option: option) }
            return capacity
        }

        /// The same, by the database's parser (`reloc.parse_capacity`), the one the CSV import uses:
        /// the command line and a file give one verdict on a spelling ("5. t", ".5 t", 23 digits,
        /// 12 decimals, "5 °C" were taken here and refused there, or by a check that did not quote it).
        public static func parse(_ text: String?, option: String, in db: PGConnection) throws -> Capacity? {
            guard let text else { return nil }
            let row = try db.query("SELECT amount, unit FROM reloc.parse_capacity(\(text))").rows[0]
            guard let amount = try row.decode(Decimal?.self, at: 0), let unit = try row.decode(String?.self, at: 1)
            else { throw notACapacity(text, option: option) }
            return Capacity(amount: amount, unit: unit)
        }

        static func notACapacity(_ text: String, option: String) -> RelocError {
            RelocError.invalidInput(
                "\(option) \"\(text)\" is not a capacity: give a number (at most 20 digits and 10 decimal places) and a unit, e.g. \"30 万吨/年\" or \"30,000 吨/日\" (a unit starts with a letter or a character, not a digit or punctuation)"
            )
        }
    }

    public struct Registration: Sendable {
        public var plan: String
        public var name: String
        /// §四(二)'s mode (EnterpriseMode), or unknown (nil): not guessed (issue 14, 0026).
        public var mode: String?
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
        /// Yes, no, or unknown (nil): not "no" unless someone says so (issue 14).
        public var listedInPlan: Bool?
        /// §四(二)'s group (EnterprisePriority), or unknown (nil).
        public var priority: String?

        public init(plan: String, name: String, mode: String? = nil) {
            self.plan = plan
            self.name = name
            self.mode = mode
        }
    }

    /// Registers an enterprise and returns its id.
    public func register(_ entry: Registration) throws -> Int64 {
        try checkUnits(entry.capacity, entry.newCapacity)
        let siteArea = try LandArea(hectares: entry.siteHectares, mu: entry.siteMu)?.hectaresSQL(
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
                     capacity_old, capacity_old_unit, capacity_new, capacity_new_unit, listed_in_plan, priority)
                SELECT p.id, \(entry.name.trimmingCharacters(in: .whitespaces)), \(entry.mode),
                       (SELECT id FROM reloc.park WHERE code = \(entry.park?.uppercased())),
                       \(entry.industry), \(entry.highRisk), \(Enterprises.normalisedUSCC(entry.uscc)),
                       \(siteArea ?? "NULL::numeric"),
                       \(entry.employees), \(entry.surplusWorkers),
                       \(entry.capacity?.amount), \(entry.capacity?.unit),
                       \(entry.newCapacity?.amount), \(entry.newCapacity?.unit), \(entry.listedInPlan),
                       \(entry.priority)
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
    /// message; say whose plan it is, and which rule of who registers where was broken.
    func refusingOtherCities<T>(plan: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PGError where error.isPostgreSQLsOwnRefusal {
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
            // Which rule of who registers where (0017's words in reloc.rule) the acting kind broke.
            let rule: String
            if kinds.contains("city") {
                rule = "enterprise_register_own_city"
            } else if kinds.contains("district") {
                rule = "enterprise_register_own_district"
            } else if kinds.contains("department") {
                rule = "enterprise_register_department"
            } else {
                rule = "enterprise_register_acting"
            }
            throw PermissionRefusal(rule: rule, detail: whose)
        }
    }

    /// Old and new capacity given together in two units: refused before SQL by the database's
    /// rule, in its words (enterprise_capacity_same_unit, §四(二)), with the two capacities.
    func checkUnits(_ old: Capacity?, _ new: Capacity?) throws {
        if let old, let new, old.unit != new.unit {
            throw RuleViolation(
                rule: "enterprise_capacity_same_unit",
                detail: "old capacity \(old.amount) \(old.unit), new capacity \(new.amount) \(new.unit)")
        }
    }

    /// Upper case, ASCII digits, no spaces: how people type a 统一社会信用代码 is not how it is stored.
    public static func normalisedUSCC(_ code: String?) -> String? {
        guard let code else { return nil }
        let cleaned = Spellings.halfwidth(code).uppercased().filter { !$0.isWhitespace }
        return cleaned.isEmpty ? nil : cleaned
    }

    public struct Filter: Sendable {
        public var plan: String?
        public var city: String?
        public var mode: String?
        /// Only the enterprises whose mode is unknown (NULL, 0026); with `mode`, none.
        public var modeUnknown: Bool
        public var status: String?
        /// §四(二)'s group (EnterprisePriority code).
        public var priority: String?
        /// Withdrawn enterprises (wrong entries) are listed only if asked.
        public var includeWithdrawn: Bool
        public init(
            plan: String? = nil, city: String? = nil, mode: String? = nil, status: String? = nil,
            priority: String? = nil, includeWithdrawn: Bool = false, modeUnknown: Bool = false
        ) {
            self.modeUnknown = modeUnknown
            self.priority = priority
            self.plan = plan
            self.city = city
            self.mode = mode
            self.status = status
            self.includeWithdrawn = includeWithdrawn
        }
    }

    static let columns: SQLQuery = """
        SELECT e.id, e.name, city.code AS city, p.code AS plan, e.mode, e.status, e.priority, k.code AS park,
               e.industry, e.high_risk, e.uscc, e.site_area_ha, e.employees, e.surplus_workers,
               e.capacity_old, e.capacity_new, e.capacity_unit, e.listed_in_plan,
               e.original_land_taken_back, e.withdrawn_on, e.withdrawn_reason
        FROM reloc.enterprise e
        JOIN reloc.plan p ON p.id = e.plan_id
        JOIN reloc.organisation city ON city.id = e.city_id
        LEFT JOIN reloc.park k ON k.id = e.park_id
        """

    public func list(_ filter: Filter) throws -> PGResult {
        try rows(filter).result()
    }

    /// The same listing, its rows to be read as they arrive (an export of the whole register:
    /// issue 17, bounded memory).
    public func rows(_ filter: Filter) throws -> PGRowSource {
        try FilterCodes.requirePlan(filter.plan, in: db)
        try FilterCodes.requireCity(filter.city, in: db)
        return PGRowSource(
            db,
            """
            \(Enterprises.columns)
            WHERE (\(filter.plan?.uppercased())::text IS NULL OR p.code = \(filter.plan?.uppercased()))
              AND (\(filter.city?.uppercased())::text IS NULL OR city.code = \(filter.city?.uppercased()))
              AND (\(filter.mode)::text IS NULL OR e.mode = \(filter.mode))
              AND (NOT \(filter.modeUnknown) OR e.mode IS NULL)
              AND (\(filter.status)::text IS NULL OR e.status = \(filter.status))
              AND (\(filter.priority)::text IS NULL OR e.priority = \(filter.priority))
              AND (\(filter.includeWithdrawn) OR e.withdrawn_on IS NULL)
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

    /// The optional fields `enterprise edit --clear` empties.
    public enum OptionalField: String, CaseIterable, Sendable {
        case park, industry
        case highRisk = "high-risk"
        case uscc
        case siteArea = "site-area"
        case employees
        case surplusWorkers = "surplus-workers"
        case capacity
        case newCapacity = "new-capacity"
        case listedInPlan = "listed-in-plan"
        case priority

        var columns: [String] {
            switch self {
            case .park: ["park_id"]
            case .industry: ["industry"]
            case .highRisk: ["high_risk"]
            case .uscc: ["uscc"]
            case .siteArea: ["site_area_ha"]
            case .employees: ["employees"]
            case .surplusWorkers: ["surplus_workers"]
            case .capacity: ["capacity_old", "capacity_old_unit"]
            case .newCapacity: ["capacity_new", "capacity_new_unit"]
            case .listedInPlan: ["listed_in_plan"]
            case .priority: ["priority"]
            }
        }
    }

    /// What `enterprise edit` changes: only the fields given (nil: unchanged), and the optional
    /// fields to clear.
    public struct Edit: Sendable {
        public var name: String?
        /// Another plan of the same city (a plan code).
        public var plan: String?
        public var mode: EnterpriseMode?
        /// A receiving park's code.
        public var park: String?
        public var industry: String?
        public var highRisk: HighRiskClass?
        public var uscc: String?
        public var siteArea: LandArea?
        public var employees: Int?
        public var surplusWorkers: Int?
        public var capacity: Capacity?
        public var newCapacity: Capacity?
        public var listedInPlan: Bool?
        public var priority: EnterprisePriority?
        public var clear: [OptionalField] = []

        public init() {}
    }

    /// Changes an enterprise of the acting city (or district, or the province). Each capacity is
    /// written with its own unit: the database refuses one in another unit than the other's
    /// (enterprise_capacity_same_unit, §四(二)) instead of re-labelling the other. Only a
    /// relocation has a receiving park (§四(三)): a new mode other than relocate, without a park,
    /// clears it.
    public func edit(_ id: Int64, _ edit: Edit) throws {
        try checkUnits(edit.capacity, edit.newCapacity)
        var changes = Changes()
        changes.set("name", edit.name)
        changes.set(
            "plan_id", expression: edit.plan.map { "(SELECT id FROM reloc.plan WHERE code = \($0.uppercased()))" })
        changes.set("mode", edit.mode?.rawValue)
        changes.set(
            "park_id", expression: edit.park.map { "(SELECT id FROM reloc.park WHERE code = \($0.uppercased()))" })
        changes.set("industry", edit.industry)
        changes.set("high_risk", edit.highRisk?.rawValue)
        changes.set("uscc", Enterprises.normalisedUSCC(edit.uscc))
        changes.set(
            "site_area_ha", expression: try edit.siteArea?.hectaresSQL(rule: "enterprise_site_area_nonnegative"))
        changes.set("employees", edit.employees)
        changes.set("surplus_workers", edit.surplusWorkers)
        changes.set("capacity_old", edit.capacity?.amount)
        changes.set("capacity_old_unit", edit.capacity?.unit)
        changes.set("capacity_new", edit.newCapacity?.amount)
        changes.set("capacity_new_unit", edit.newCapacity?.unit)
        changes.set("listed_in_plan", edit.listedInPlan)
        changes.set("priority", edit.priority?.rawValue)
        if let mode = edit.mode, mode != .relocate, edit.park == nil, !edit.clear.contains(.park) {
            changes.clear("park_id")
        }
        for field in edit.clear {
            for column in field.columns { changes.clear(column) }
        }
        try self.edit(id, changes)
    }

    func edit(_ id: Int64, _ changes: Changes) throws {
        try db.updateOne(
            try changes.update("reloc.enterprise", where: "id = \(id)"), what: "enterprise \(id)",
            existing: "SELECT 1 FROM reloc.enterprise WHERE id = \(id)")
    }

    /// Withdraws a wrong entry (the enterprise's city or district government, or the province):
    /// it stays on record with the reason, the date and the login, is hidden from lists and frees
    /// its name and USCC. The database refuses it once land allocations or sites rest on the
    /// enterprise (`enterprise_withdrawal`); the audit trail keeps the change.
    public func withdraw(_ id: Int64, reason: String) throws {
        try db.updateOne(
            "UPDATE reloc.enterprise SET withdrawn_reason = \(reason) WHERE id = \(id)", what: "enterprise \(id)",
            existing: "SELECT 1 FROM reloc.enterprise WHERE id = \(id)")
    }

    public func advance(_ id: Int64, to status: String) throws {
        try db.updateOne(
            "UPDATE reloc.enterprise SET status = \(status) WHERE id = \(id)", what: "enterprise \(id)",
            existing: "SELECT 1 FROM reloc.enterprise WHERE id = \(id)")
    }
}
