import LibPQClient

/// Receiving parks (承接区). A high-risk enterprise may go only to a park that is legally
/// established, has complete environmental infrastructure and passed planning EIA (§四(三)).
public struct Parks {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    static let columns: SQLQuery = """
        SELECT k.code, k.name, city.code AS city, k.kind, k.legally_established,
               k.env_infrastructure_complete, k.planning_eia_passed,
               (SELECT count(*) FROM reloc.enterprise e WHERE e.park_id = k.id) AS enterprises
        FROM reloc.park k JOIN reloc.organisation city ON city.id = k.city_id
        """

    public func list(city: String? = nil) throws -> PGResult {
        try FilterCodes.requireCity(city, in: db)
        return try db.query(
            "\(Parks.columns) WHERE \(city?.uppercased())::text IS NULL OR city.code = \(city?.uppercased()) ORDER BY k.code"
        )
    }

    public func show(_ code: String) throws -> PGResult {
        let result = try db.query("\(Parks.columns) WHERE k.code = \(code.uppercased())")
        guard !result.rows.isEmpty else {
            throw RelocError.notFound("no park \(code.uppercased()); see `reloc park list`")
        }
        return result
    }

    public struct NewPark: Sendable {
        public var code: String
        public var name: String
        public var city: String
        public var kind: String
        /// nil: not known yet (counts as not proven for the high-risk rule).
        public var legallyEstablished: Bool?
        public var envInfrastructureComplete: Bool?
        public var planningEIAPassed: Bool?

        public init(
            code: String, name: String, city: String, kind: String, legallyEstablished: Bool?,
            envInfrastructureComplete: Bool?, planningEIAPassed: Bool?
        ) {
            self.code = code
            self.name = name
            self.city = city
            self.kind = kind
            self.legallyEstablished = legallyEstablished
            self.envInfrastructureComplete = envInfrastructureComplete
            self.planningEIAPassed = planningEIAPassed
        }
    }

    public func add(_ park: NewPark) throws {
        try Organisations(db).requireExists(park.city)
        try db.execute(
            """
            INSERT INTO reloc.park (code, name, city_id, kind, legally_established, env_infrastructure_complete, planning_eia_passed)
            VALUES (\(park.code.uppercased()), \(park.name),
                    (SELECT id FROM reloc.organisation WHERE code = \(park.city.uppercased())), \(park.kind),
                    \(park.legallyEstablished), \(park.envInfrastructureComplete), \(park.planningEIAPassed))
            """)
    }

    /// What `park edit` changes: only the fields given (nil: unchanged).
    public struct Edit: Sendable {
        public var name: String?
        public var kind: String?
        public var legallyEstablished: Bool?
        public var envInfrastructureComplete: Bool?
        public var planningEIAPassed: Bool?

        public init(
            name: String? = nil, kind: String? = nil, legallyEstablished: Bool? = nil,
            envInfrastructureComplete: Bool? = nil, planningEIAPassed: Bool? = nil
        ) {
            self.name = name
            self.kind = kind
            self.legallyEstablished = legallyEstablished
            self.envInfrastructureComplete = envInfrastructureComplete
            self.planningEIAPassed = planningEIAPassed
        }
    }

    /// Changes a park (the province only: the grants refuse anyone else).
    public func edit(_ code: String, _ edit: Edit) throws {
        var changes = Changes()
        changes.set("name", edit.name)
        changes.set("kind", edit.kind)
        changes.set("legally_established", edit.legallyEstablished)
        changes.set("env_infrastructure_complete", edit.envInfrastructureComplete)
        changes.set("planning_eia_passed", edit.planningEIAPassed)
        try self.edit(code, changes)
    }

    func edit(_ code: String, _ changes: Changes) throws {
        try db.updateOne(
            try changes.update("reloc.park", where: "code = \(code.uppercased())"), what: "park \(code.uppercased())",
            existing: "SELECT 1 FROM reloc.park WHERE code = \(code.uppercased())")
    }
}
