import LibPQClient

/// The codes a list is filtered by must name something: `--city XX` that names nothing is a
/// mistake to report (exit 65), not an empty list that reads as "none there".
enum FilterCodes {
    static func requireOrganisation(_ code: String?, in db: PGConnection) throws {
        guard let code = code?.uppercased() else { return }
        let found = try db.query("SELECT count(*) FROM reloc.organisation WHERE code = \(code)").scalar(Int.self)
        guard found > 0 else {
            throw RelocError.notFound("no organisation \(code); see `reloc org list`")
        }
    }

    static func requirePlan(_ code: String?, in db: PGConnection) throws {
        guard let code = code?.uppercased() else { return }
        let found = try db.query("SELECT count(*) FROM reloc.plan WHERE code = \(code)").scalar(Int.self)
        guard found > 0 else {
            throw RelocError.notFound("no plan \(code); see `reloc plan list`")
        }
    }

    /// A land holder: a city or a receiving park (`LandHolder.resolve` says which is missing).
    static func requireHolder(_ code: String?, in db: PGConnection) throws {
        guard let code else { return }
        _ = try LandHolder.resolve(code, in: db)
    }
}
