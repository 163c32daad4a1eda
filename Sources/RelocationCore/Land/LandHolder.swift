import LibPQClient

/// Who holds a construction-land quota: a city (市/州) government or a receiving park (承接区).
/// Given on the command line by code (`CC`, `CC-ZBZZ`); organisation and park codes are looked
/// up both, so a code that names both is refused rather than guessed.
struct LandHolder: Sendable {
    let code: String
    let cityID: Int64?
    let parkID: Int64?

    /// `filter`: for a list's `--holder`, an organisation that is not a city (a district, a
    /// department, the province) is refused here, saying what is wanted, rather than listing
    /// nothing. Writes leave that to the database's rule (`land_quota_holder`), named in its refusal.
    static func resolve(_ code: String, in db: PGConnection, filter: Bool = false) throws -> LandHolder {
        let normalised = Spellings.halfwidth(code).trimmingCharacters(in: .whitespaces).uppercased()
        let row = try db.query(
            """
            SELECT (SELECT id FROM reloc.organisation WHERE code = \(normalised)),
                   (SELECT id FROM reloc.park WHERE code = \(normalised)),
                   (SELECT kind::text FROM reloc.organisation WHERE code = \(normalised)),
                   (SELECT name_zh FROM reloc.organisation WHERE code = \(normalised))
            """
        ).rows[0]
        let (city, park, kind, name) = try row.decode((Int64?, Int64?, String?, String?).self)
        // Only a city (市/州) government or a park holds a quota (§五(四)): a district, department or
        // the province named here is a mistake to report, not an empty list that reads as "none".
        if filter, let kind, kind != "city", park == nil {
            throw RelocError.invalidInput(
                "\(normalised) (\(name ?? "")) is a \(kind); a land holder is a city or park code "
                    + "(e.g. CC or CC-ZBZZ; see `reloc org list` and `reloc park list`)")
        }
        switch (city, park) {
        case (nil, nil):
            throw RelocError.notFound(
                "no city or park with code \(normalised); see `reloc org list --kind city` and `reloc park list`")
        case (.some, .some):
            throw RelocError.invalidInput(
                "\(normalised) is both an organisation and a park code; ask the province to rename one")
        default:
            return LandHolder(code: normalised, cityID: city, parkID: park)
        }
    }

    /// The holder columns of quota and allocation listings, from aliases o (organisation) and k (park).
    static let columns: SQLQuery = """
        coalesce(k.code, o.code) AS holder, coalesce(k.name, o.name_zh) AS holder_name,
        CASE WHEN k.id IS NULL THEN 'city' ELSE 'park' END AS holder_kind
        """

    /// A filter on the holder code (nil: all).
    static func matches(_ code: String?) -> SQLQuery {
        let normalised = code.map { Spellings.halfwidth($0).trimmingCharacters(in: .whitespaces).uppercased() }
        return "(\(normalised)::text IS NULL OR coalesce(k.code, o.code) = \(normalised))"
    }
}
