import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore

/// A seeded database plus two parks in 四平 of the province's making: one that may receive
/// high-risk plants (all three facts proven) and one without planning EIA.
struct RegisterFixture {
    let database: String

    static let compliantPark = "SP-OK"
    static let parkWithoutEIA = "SP-NOEIA"
    static let validUSCC = ["91350100M000100Y43", "91220300MA0Y123454", "91220100123456789Q", "91220200A12345678G"]

    static func with<T>(_ body: (RegisterFixture) throws -> T) throws -> T {
        try TestDatabase.with(.jilin2014) { name in
            let province = try TestDatabase.connect(name, actingAs: "JL")
            let parks = Parks(province)
            try parks.add(
                .init(
                    code: compliantPark, name: "四平合规化工园区", city: "SP", kind: "industrial-cluster",
                    legallyEstablished: true, envInfrastructureComplete: true, planningEIAPassed: true))
            try parks.add(
                .init(
                    code: parkWithoutEIA, name: "四平未环评园区", city: "SP", kind: "themed-park",
                    legallyEstablished: true, envInfrastructureComplete: true, planningEIAPassed: false))
            return try body(RegisterFixture(database: name))
        }
    }

    func acting(_ code: String) throws -> PGConnection {
        try TestDatabase.connect(database, actingAs: code)
    }

    func admin() throws -> PGConnection {
        try TestDatabase.connect(database)
    }

    /// Registers an enterprise as `code` into 四平铁东's plan with sensible defaults.
    func register(as code: String = "SP", _ change: (inout Enterprises.Registration) -> Void = { _ in }) throws -> Int64
    {
        var entry = Enterprises.Registration(
            plan: "SP-TD", name: "测试企业\(UUID().uuidString.prefix(6))", mode: "relocate")
        entry.park = RegisterFixture.compliantPark
        change(&entry)
        return try Enterprises(try acting(code)).register(entry)
    }

    /// An enterprise's milestones as "kind due_on", by kind: what the plan's milestone rules gave it.
    func milestoneKinds(_ enterprise: Int64) throws -> [String] {
        try admin().query(
            "SELECT kind || ' ' || due_on FROM reloc.milestone WHERE enterprise_id = \(enterprise) ORDER BY kind"
        ).decode(String.self)
    }

    func cli(_ arguments: [String], input: String? = nil) throws -> RelocCLI.Outcome {
        try RelocCLI.run(arguments, database: database, input: input)
    }
}

extension PGConnection {
    func count(_ query: SQLQuery) throws -> Int { try self.query(query).scalar(Int.self) }
}
