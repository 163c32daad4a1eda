import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Annual new construction-land quotas (年度新增建设用地计划指标, §五(四)): issued by the province to
/// a city or a receiving park; several for one holder and year add up.
public struct LandQuotas {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    public struct NewQuota: Sendable {
        public var holder: String
        public var year: Int
        public var area: LandArea
        public var doc: String
        public var note: String?

        public init(holder: String, year: Int, area: LandArea, doc: String, note: String? = nil) {
            self.holder = holder
            self.year = year
            self.area = area
            self.doc = doc
            self.note = note
        }
    }

    /// Adds a quota (the province only) and returns its id.
    public func add(_ quota: NewQuota) throws -> Int64 {
        try quota.area.checkFits(rule: "land_quota_hectares_positive")
        try quota.area.checkPlaces(rule: "land_amount_places")
        let holder = try LandHolder.resolve(quota.holder, in: db)
        return try db.query(
            """
            INSERT INTO reloc.land_quota (year, holder_city_id, holder_park_id, amount, unit, doc, note)
            VALUES (\(quota.year), \(holder.cityID), \(holder.parkID), \(quota.area.amount), \(quota.area.unit), \(quota.doc), \(quota.note))
            RETURNING id
            """
        ).scalar(Int64.self)
    }

    /// Quotas, optionally of one year and one holder: id, year, holder, holder_name, holder_kind,
    /// amount and unit (as issued, exact), hectares (to 0.0001 ha), mu (exact), doc, note, issued_by.
    public func list(year: Int? = nil, holder: String? = nil) throws -> PGResult {
        try FilterCodes.requireHolder(holder, in: db)
        return try db.query(
            """
            SELECT q.id, q.year, \(LandHolder.columns),
                   trim_scale(q.amount) AS amount, q.unit,
                   \(LandQuotas.hectaresAndMu("q.area_units", "")), q.doc, q.note, q.issued_by
            FROM reloc.land_quota q
            LEFT JOIN reloc.organisation o ON o.id = q.holder_city_id
            LEFT JOIN reloc.park k ON k.id = q.holder_park_id
            WHERE (\(year)::int IS NULL OR q.year = \(year)) AND \(LandHolder.matches(holder))
            ORDER BY q.year, holder, q.id
            """)
    }

    /// Per holder and year: quota, allocated (live allocations) and remaining, each in ha (to
    /// 0.0001 ha) and mu (exact: the balance counts 0.0001 mu, `reloc.land_units`).
    public func usage(year: Int? = nil, holder: String? = nil) throws -> PGResult {
        try FilterCodes.requireHolder(holder, in: db)
        return try db.query(
            """
            SELECT b.year, \(LandHolder.columns),
                   \(LandQuotas.hectaresAndMu("b.quota_units", "quota_")),
                   \(LandQuotas.hectaresAndMu("b.allocated_units", "allocated_")),
                   \(LandQuotas.hectaresAndMu("(b.quota_units - b.allocated_units)", "remaining_"))
            FROM reloc.land_quota_balance b
            LEFT JOIN reloc.organisation o ON o.id = b.holder_city_id
            LEFT JOIN reloc.park k ON k.id = b.holder_park_id
            WHERE (b.quota_units > 0 OR b.allocated_units > 0)
              AND (\(year)::int IS NULL OR b.year = \(year)) AND \(LandHolder.matches(holder))
            ORDER BY b.year, holder
            """)
    }

    /// "<prefix>ha, <prefix>mu" of a count of land units (0.0001 mu = 1/150000 ha): mu exactly, ha to
    /// 0.0001 ha, both with four decimal places as the JSON keys have always had them.
    static func hectaresAndMu(_ units: String, _ prefix: String) -> SQLQuery {
        let ha = prefix.isEmpty ? "hectares" : "\(prefix)ha"
        return
            "round(\(unsafeRaw: units) / 150000.0, 4) AS \(unsafeRaw: ha), round(\(unsafeRaw: units) / 10000.0, 4) AS \(unsafeRaw: prefix)mu"
    }
}
