import LibPQClient

/// The codes a list is filtered by must name something of the kind the filter means:
/// `--city XX` that names nothing, or names a district (`--city SP-TD`), is a mistake to report
/// (exit 65) saying what kind of code is wanted, not an empty list that reads as "none there".
enum FilterCodes {
    /// `--city`: a city's code (SP, CC), not a district's, department's or the province's.
    static func requireCity(_ code: String?, in db: PGConnection) throws {
        try requireOrganisation(code, kind: "city", option: "--city", example: "e.g. SP or CC", in: db)
    }

    /// `task list --org`: a department's code (tasks are assigned to provincial departments).
    static func requireDepartment(_ code: String?, in db: PGConnection) throws {
        try requireOrganisation(code, kind: "department", option: "--org", example: "e.g. JL-FGW", in: db)
    }

    static func requireOrganisation(
        _ code: String?, kind wanted: String, option: String, example: String, in db: PGConnection
    ) throws {
        guard let code = code?.uppercased() else { return }
        let rows = try db.query("SELECT kind, name_zh FROM reloc.organisation WHERE code = \(code)").rows
        guard let row = rows.first else {
            throw RelocError.notFound("no organisation \(code); see `reloc org list`")
        }
        let kind = try row.decode(String.self, at: 0)
        guard kind == wanted else {
            let name = try row.decode(String.self, at: 1)
            throw RelocError.invalidInput(
                "\(code) (\(name)) is a \(kind); \(option) wants a \(wanted)'s code (\(example); see `reloc org list`)")
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
        _ = try LandHolder.resolve(code, in: db, filter: true)
    }
}
