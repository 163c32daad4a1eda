import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// A capacity is a decimal number and a unit (§四(二) compares them): "30,000 吨/日" once stored 30
/// with the unit ",000 吨/日", and "1e3 万吨/年" 1 with "e3 万吨/年" — through the CLI, CSV and raw SQL.
@Suite("Capacities are a number and a unit")
struct CapacityShapeTests {
    @Test func theParserTakesNumbersAndUnitsOnly() {
        #expect(Enterprises.Capacity("30,000 吨/日") == Enterprises.Capacity(amount: 30000, unit: "吨/日"))
        #expect(Enterprises.Capacity("３０万吨/年") == Enterprises.Capacity(amount: 30, unit: "万吨/年"))
        #expect(Enterprises.Capacity("1.5 million t/a") == Enterprises.Capacity(amount: 1.5, unit: "million t/a"))
        for bad in ["1e3 万吨/年", "0x10 万吨/年", "30,00 吨/日", "-5 万吨/年", "30 ,000", "万吨/年", "30", "30 %"] {
            #expect(Enterprises.Capacity(bad) == nil, "\(bad)")
        }
    }

    @Test func theCLIRefusesWhatIsNotACapacityQuotingIt() throws {
        try RegisterFixture.with { fixture in
            for bad in ["1e3 万吨/年", "0x10 万吨/年", "30,00 吨/日"] {
                let outcome = try fixture.cli([
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "产能\(bad)", "--mode", "close",
                    "--capacity", bad,
                ])
                #expect(outcome.status == 65, "\(bad): \(outcome.stderr)")
                #expect(outcome.stderr.contains("\"\(bad)\""), "\(outcome.stderr)")
            }
            let good = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "三万吨", "--mode", "close",
                "--capacity", "30,000 吨/日",
            ])
            #expect(good.status == 0, "\(good.stderr)")
            let row = try fixture.admin().query(
                "SELECT capacity_old::text, capacity_old_unit FROM reloc.enterprise WHERE name = '三万吨'"
            ).rows[0]
            #expect(try row.decode((String, String).self) == ("30000", "吨/日"))
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise WHERE name LIKE '产能%'") == 0)
        }
    }

    @Test func theCSVImportRefusesThemAsBadLines() throws {
        try RegisterFixture.with { fixture in
            let csv = """
                plan,name,mode,capacity,new_capacity
                SP-TD,甲,close,"30,000 吨/日",
                SP-TD,乙,close,1e3 万吨/年,
                SP-TD,丙,close,0x10 万吨/年,
                SP-TD,丁,close,30 万吨/年,"20,00 万吨/年"

                """
            let outcome = try EnterpriseImport(try fixture.acting("SP")).run(csv: csv)
            guard case .rejected(let rows) = outcome else {
                Issue.record("imported: \(outcome)")
                return
            }
            #expect(rows.map(\.line) == [3, 4, 5], "\(rows)")
            #expect(rows[0].reason.contains("\"1e3 万吨/年\""))
            #expect(rows[2].reason.contains("\"20,00 万吨/年\""))
            let good = try EnterpriseImport(try fixture.acting("SP")).run(
                csv: "plan,name,mode,capacity\nSP-TD,甲,close,\"３０，０００ 吨/日\"\n")
            #expect(good == .imported(count: 1))
            let row = try fixture.admin().query(
                "SELECT capacity_old::text, capacity_old_unit FROM reloc.enterprise WHERE name = '甲'"
            ).rows[0]
            #expect(try row.decode((String, String).self) == ("30000", "吨/日"))
        }
    }

    @Test func rawSQLCannotStoreAUnitThatIsTheRestOfANumber() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register { $0.capacity = .init("30 万吨/年") }
            let sp = try fixture.acting("SP")
            for unit in [",000 吨/日", "3 万吨/年", "/年", ".5 万吨/年"] {
                expectSQLState("23514", constraint: "enterprise_capacity_unit_shape") {
                    try sp.execute(
                        "UPDATE reloc.enterprise SET capacity_old = 30, capacity_old_unit = \(unit), capacity_new = 1, capacity_new_unit = \(unit) WHERE id = \(id)"
                    )
                }
            }
            expectSQLState("23514", constraint: "enterprise_capacity_unit_shape") {
                try sp.execute(
                    """
                    INSERT INTO reloc.enterprise (plan_id, name, mode, capacity_old, capacity_old_unit)
                    SELECT id, '逗号', 'close', 30, ',000 吨/日' FROM reloc.plan WHERE code = 'SP-TD'
                    """)
            }
        }
    }
}
