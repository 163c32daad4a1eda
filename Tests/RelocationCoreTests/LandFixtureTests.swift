import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// A seeded database in which 长春's rail-car plant (长春轨道客车装备, named by the opinion, which gives
/// no mode: unknown) is recorded by 长春 as relocating to 长春装备制造产业开发区 (CC-ZBZZ), plus helpers to
/// issue quotas and check refusals. `settingMode: false` leaves its mode unknown and no park.
struct LandFixture {
    let database: String
    let railCars: Int64

    static let park = "CC-ZBZZ"

    static func with<T>(settingMode: Bool = true, _ body: (LandFixture) throws -> T) throws -> T {
        try TestDatabase.with(.jilin2014) { name in
            let changchun = try TestDatabase.connect(name, actingAs: "CC")
            let id = try changchun.query("SELECT id FROM reloc.enterprise WHERE name = '长春轨道客车装备'").scalar(Int64.self)
            var edit = Enterprises.Edit()
            edit.mode = .relocate
            edit.park = park
            if settingMode { try Enterprises(changchun).edit(id, edit) }
            return try body(LandFixture(database: name, railCars: id))
        }
    }

    func acting(_ code: String) throws -> PGConnection {
        try TestDatabase.connect(database, actingAs: code)
    }

    func admin() throws -> PGConnection {
        try TestDatabase.connect(database)
    }

    func cli(_ arguments: [String]) throws -> RelocCLI.Outcome {
        try RelocCLI.run(arguments, database: database)
    }

    /// The province issues a quota.
    @discardableResult
    func quota(_ holder: String = "CC", year: Int = 2015, hectares: String) throws -> Int64 {
        try LandQuotas(try acting("JL")).add(
            .init(holder: holder, year: year, area: .hectares(Decimal(exactText: hectares)!), doc: "吉国土资发〔\(year)〕1号"))
    }

    /// Allocates to a named project as `code`.
    @discardableResult
    func allocate(
        as code: String = "CC", from holder: String = "CC", year: Int = 2015, hectares: String,
        supply: String = "tender", on day: CalendarDate? = nil
    ) throws -> Int64 {
        try LandAllocations(try acting(code)).allocate(
            .init(
                holder: holder, year: year, target: .project("铁北配套项目"), area: .hectares(Decimal(exactText: hectares)!),
                supply: supply, on: day ?? CalendarDate(year: year, month: 3, day: 1), doc: "长国土〔\(year)〕8号"))
    }

    /// Live allocated hectares of a holder-year, summed from the allocations themselves.
    func allocated(_ holder: String = "CC", year: Int = 2015) throws -> Decimal {
        try admin().query(
            """
            SELECT coalesce(sum(a.hectares), 0) FROM reloc.land_allocation a
            LEFT JOIN reloc.organisation o ON o.id = a.holder_city_id LEFT JOIN reloc.park k ON k.id = a.holder_park_id
            WHERE a.released_on IS NULL AND a.year = \(year) AND coalesce(k.code, o.code) = \(holder)
            """
        ).scalar(Decimal.self)
    }
}

/// A refusal by a named rule: SQLSTATE 23514 with the rule as CONSTRAINT, exit 65 for the CLI.
func expectLandRule(_ rule: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected the rule \(rule) to refuse this", sourceLocation: sourceLocation)
    } catch let error as PGError {
        #expect(error.sqlState == "23514", "\(error)", sourceLocation: sourceLocation)
        #expect(error.constraint == rule, "\(error)", sourceLocation: sourceLocation)
        #expect(ErrorReport(error).status == .dataError, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected the database rule \(rule), got \(error)", sourceLocation: sourceLocation)
    }
}

/// The same refusal seen through the CLI: exit 65 and the rule's name on one stderr line.
func expectCLIRule(_ outcome: RelocCLI.Outcome, _ rule: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(outcome.status == 65, "\(outcome.stderr)", sourceLocation: sourceLocation)
    #expect(outcome.stderr.contains("[rule \(rule)]"), "\(outcome.stderr)", sourceLocation: sourceLocation)
    #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)", sourceLocation: sourceLocation)
}

/// A permission refusal: SQLSTATE 42501 (exit 77).
func expectLandDenied(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a permission refusal, but it was allowed", sourceLocation: sourceLocation)
    } catch {
        #expect(ErrorReport(error).status == .noPermission, "\(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Land test fixture")
struct LandFixtureTests {
    @Test func theRailCarPlantMovesToTheEquipmentPark() throws {
        try LandFixture.with { fixture in
            let park = try fixture.admin().query(
                "SELECT k.code FROM reloc.enterprise e JOIN reloc.park k ON k.id = e.park_id WHERE e.id = \(fixture.railCars)"
            ).scalar(String.self)
            #expect(park == LandFixture.park)
            #expect(try fixture.allocated() == 0)
        }
    }
}
