import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Construction land allocated from a holder's quota for a year, to an enterprise's relocation or
/// to a named project (§五(四)). The database refuses any allocation that would make the live
/// allocations exceed the quota, also when many are made at once.
public struct LandAllocations {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// What the land goes to.
    public enum Target: Sendable, Equatable {
        case enterprise(Int64)
        case project(String)
    }

    public struct NewAllocation: Sendable {
        public var holder: String
        public var year: Int
        public var target: Target
        public var area: LandArea
        /// agreement (协议出让), allocation (划拨) or tender (招拍挂).
        public var supply: String
        public var on: CalendarDate?
        public var doc: String
        public var note: String?

        public init(
            holder: String, year: Int, target: Target, area: LandArea, supply: String, on: CalendarDate? = nil,
            doc: String, note: String? = nil
        ) {
            self.holder = holder
            self.year = year
            self.target = target
            self.area = area
            self.supply = supply
            self.on = on
            self.doc = doc
            self.note = note
        }
    }

    /// Allocates and returns the allocation's id.
    public func allocate(_ allocation: NewAllocation) throws -> Int64 {
        try allocation.area.checkFits(rule: "land_allocation_hectares_positive")
        try allocation.area.checkPlaces(rule: "land_amount_places")
        let holder = try LandHolder.resolve(allocation.holder, in: db)
        var enterprise: Int64?
        var project: String?
        switch allocation.target {
        case .enterprise(let id): enterprise = id
        case .project(let name): project = name
        }
        return try db.query(
            """
            INSERT INTO reloc.land_allocation
                (year, holder_city_id, holder_park_id, enterprise_id, project, amount, unit, supply, allocated_on, doc, note)
            VALUES (\(allocation.year), \(holder.cityID), \(holder.parkID), \(enterprise), \(project),
                    \(allocation.area.amount), \(allocation.area.unit), \(allocation.supply),
                    coalesce(\(allocation.on), reloc.today()), \(allocation.doc), \(allocation.note))
            RETURNING id
            """
        ).scalar(Int64.self)
    }

    /// Releases an allocation: it stays on record, marked released, and no longer counts.
    public func release(_ id: Int64, on date: CalendarDate? = nil, note: String? = nil) throws {
        try db.updateOne(
            """
            UPDATE reloc.land_allocation
            SET released_on = coalesce(\(date), reloc.today()), release_note = \(note)
            WHERE id = \(id)
            """, what: "allocation \(id)", existing: "SELECT 1 FROM reloc.land_allocation WHERE id = \(id)")
    }

    /// Allocations, optionally of one year, holder or enterprise; released ones only if asked.
    public func list(year: Int? = nil, holder: String? = nil, enterprise: Int64? = nil, includeReleased: Bool = false)
        throws -> PGResult
    {
        try FilterCodes.requireHolder(holder, in: db)
        return try db.query(
            """
            SELECT a.id, a.year, \(LandHolder.columns), a.enterprise_id, e.name AS enterprise, a.project,
                   trim_scale(a.amount) AS amount, a.unit, \(LandQuotas.hectaresAndMu("a.area_units", "")), a.supply, a.allocated_on, a.doc, a.note,
                   CASE WHEN a.released_on IS NULL THEN 'live' ELSE 'released' END AS status, a.released_on
            FROM reloc.land_allocation a
            LEFT JOIN reloc.organisation o ON o.id = a.holder_city_id
            LEFT JOIN reloc.park k ON k.id = a.holder_park_id
            LEFT JOIN reloc.enterprise e ON e.id = a.enterprise_id
            WHERE (\(year)::int IS NULL OR a.year = \(year)) AND \(LandHolder.matches(holder))
              AND (\(enterprise)::bigint IS NULL OR a.enterprise_id = \(enterprise))
              AND (\(includeReleased) OR a.released_on IS NULL)
            ORDER BY a.id
            """)
    }

    /// Records whether an enterprise's original land was taken back (收回), the condition for
    /// supplying its new land by agreement transfer (协议出让, §五(四)).
    public func recordLandTakenBack(enterprise id: Int64, _ takenBack: Bool = true) throws {
        try db.updateOne(
            "UPDATE reloc.enterprise SET original_land_taken_back = \(takenBack) WHERE id = \(id)",
            what: "enterprise \(id)", existing: "SELECT 1 FROM reloc.enterprise WHERE id = \(id)")
    }
}
