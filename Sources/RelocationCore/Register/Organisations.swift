import LibPQClient

/// Organisations of the programme: the province, its departments, city (市/州) and district
/// governments. Each has its own database role, created by the database when the row is.
public struct Organisations {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// Every organisation. With `asOf` (`org list --as-of`), the succession as it stood that day:
    /// `successor` and `succeeded_on` only for a body succeeded by then (organisations have no
    /// creation date, so all are listed).
    public func list(kind: String? = nil, asOf: AsOf? = nil) throws -> PGResult {
        let day: SQLQuery = asOf?.sql ?? "'infinity'::date"
        return try db.query(
            """
            WITH params AS (SELECT \(day) AS as_of)
            SELECT o.code, o.name_zh, o.name_en, o.kind, parent.code AS parent, o.division_code,
                   successor.code AS successor, CASE WHEN successor.id IS NOT NULL THEN o.succeeded_on END AS succeeded_on,
                   o.role_name
            FROM reloc.organisation o
            CROSS JOIN params
            LEFT JOIN reloc.organisation parent ON parent.id = o.parent_id
            LEFT JOIN reloc.organisation successor ON successor.id = o.successor_id AND o.succeeded_on <= params.as_of
            WHERE \(kind)::text IS NULL OR o.kind = \(kind)
            ORDER BY array_position(\(OrganisationKind.codes), o.kind), o.code
            """)
    }

    public struct NewOrganisation: Sendable {
        public var code: String
        public var nameZh: String
        public var nameEn: String?
        public var kind: String
        public var parent: String?
        public var divisionCode: String?

        public init(code: String, nameZh: String, nameEn: String?, kind: String, parent: String?, divisionCode: String?)
        {
            self.code = code
            self.nameZh = nameZh
            self.nameEn = nameEn
            self.kind = kind
            self.parent = parent
            self.divisionCode = divisionCode
        }
    }

    /// Adds an organisation (the province only: row-level security refuses everyone else).
    @discardableResult
    public func add(_ new: NewOrganisation) throws -> String {
        try requireExists(new.parent)
        return try db.query(
            """
            INSERT INTO reloc.organisation (code, name_zh, name_en, kind, parent_id, division_code)
            VALUES (\(new.code.uppercased()), \(new.nameZh), \(new.nameEn), \(new.kind),
                    (SELECT id FROM reloc.organisation WHERE code = \(new.parent?.uppercased())),
                    \(new.divisionCode.map(Spellings.halfwidth)))
            RETURNING role_name
            """
        ).scalar(String.self)
    }

    /// Records that `oldCode` was succeeded by a new body (e.g. the 2018 reform); work assigned
    /// to the old body follows to the new one, and the old row keeps its name for history.
    public func rename(_ oldCode: String, to newCode: String, nameZh: String, nameEn: String?, on date: CalendarDate)
        throws
    {
        try requireExists(oldCode)
        try db.execute(
            "SELECT reloc.rename_organisation(\(oldCode.uppercased()), \(newCode.uppercased()), \(nameZh), \(nameEn), \(date))"
        )
    }

    /// Creates a login for a person, a member of the organisation's role. The password is hashed
    /// here (SCRAM) so it never travels or is logged in clear.
    public func addLogin(_ login: String, organisation: String, password: String) throws {
        try requireExists(organisation)
        guard password.count >= 8 else {
            throw RelocError.invalidInput("the password must have at least 8 characters")
        }
        let hash = try db.encryptPassword(password, user: login)
        try db.execute("SELECT reloc.create_login(\(login), \(organisation.uppercased()), \(hash))")
    }

    func requireExists(_ code: String?) throws {
        guard let code else { return }
        let found = try db.query("SELECT count(*) FROM reloc.organisation WHERE code = \(code.uppercased())").scalar(
            Int.self)
        if found == 0 {
            throw RelocError.notFound("no organisation with code \(code.uppercased()); see `reloc org list`")
        }
    }
}
