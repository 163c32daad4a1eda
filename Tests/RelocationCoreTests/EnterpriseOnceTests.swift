import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// An enterprise is registered once: unique by USCC when given and by (plan, name); importing a CSV
/// twice once doubled every row, and a city could register a second 长春轨道客车装备. A wrong entry is
/// withdrawn (kept on record, audited), never deleted by the city.
@Suite("One enterprise once, and a way out of a wrong entry")
struct EnterpriseOnceTests {
    @Test func aSecondEnterpriseOfTheSameNameInAPlanIsRefused() throws {
        try RegisterFixture.with { fixture in
            let outcome = try fixture.cli([
                "enterprise", "register", "--as", "CC", "--plan", "CC-KC", "--name", "长春轨道 客车装备", "--mode", "close",
            ])
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("enterprise_plan_name_key"), "\(outcome.stderr)")
            let cc = try fixture.acting("CC")
            expectSQLState("23505", constraint: "enterprise_plan_name_key") {
                try cc.execute(
                    "INSERT INTO reloc.enterprise (plan_id, name, mode) SELECT id, '长春轨道客车装备', 'close' FROM reloc.plan WHERE code = 'CC-KC'"
                )
            }
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise WHERE name LIKE '长春轨道%'") == 1)
            // The unique index holds even without the trigger's words (e.g. two transactions racing).
            let admin = try fixture.admin()
            try admin.execute("SET session_replication_role = replica")
            expectSQLState("23505", constraint: "enterprise_plan_name_key") {
                try admin.execute(
                    """
                    INSERT INTO reloc.enterprise (plan_id, city_id, name, mode)
                    SELECT id, city_id, '长春轨道客车装备', 'close' FROM reloc.plan WHERE code = 'CC-KC'
                    """)
            }
        }
    }

    @Test func importingTheSameFileTwiceReportsEveryDuplicate() throws {
        try RegisterFixture.with { fixture in
            let csv = EnterpriseImportTests.header + "\n" + EnterpriseImportTests.rows(3).joined(separator: "\n") + "\n"
            #expect(try EnterpriseImport(try fixture.acting("SP")).run(csv: csv) == .imported(count: 3))
            guard case .rejected(let rows) = try EnterpriseImport(try fixture.acting("SP")).run(csv: csv) else {
                Issue.record("the second import was accepted")
                return
            }
            #expect(rows.map(\.line) == [2, 3, 4])
            #expect(rows.allSatisfy { $0.reason.contains("already registered in plan SP-TD") }, "\(rows)")
            let within = try EnterpriseImport(try fixture.acting("SP")).run(
                csv: "plan,name,mode\nSP-TD,新企业,close\nSP-TD,新 企业,close\nSP-TD,别的,close\n")
            guard case .rejected(let dup) = within else {
                Issue.record("duplicates within the file were accepted")
                return
            }
            #expect(dup.map(\.line) == [2, 3], "\(dup)")
            #expect(dup[0].reason.contains("lines 2, 3"), "\(dup)")
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise WHERE name LIKE '四平企业%'") == 3)
            let cli = try fixture.cli(["enterprise", "import", "--as", "SP", try write(csv)])
            #expect(cli.status == 65)
            #expect(cli.stderr.contains(".csv:2: "), "\(cli.stderr)")
        }
    }

    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-once-\(UUID()).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aWrongEntryIsWithdrawnKeptOnRecordAndFreesItsName() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register {
                $0.name = "登记错了"; $0.uscc = RegisterFixture.validUSCC[1]
            }
            // Another city may not; a reason is required.
            #expect(try fixture.cli(["enterprise", "withdraw", "\(id)", "--as", "CC", "--reason", "x"]).status == 77)
            #expect(try fixture.cli(["enterprise", "withdraw", "\(id)", "--as", "SP", "--reason", " "]).status == 65)
            let outcome = try fixture.cli(["enterprise", "withdraw", "\(id)", "--as", "SP", "--reason", "重复登记"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let list = try fixture.cli(["enterprise", "list", "--plan", "SP-TD"])
            #expect(!list.stdout.contains("登记错了"))
            #expect(try fixture.cli(["enterprise", "list", "--withdrawn"]).stdout.contains("登记错了"))
            let row = try fixture.admin().query(
                "SELECT withdrawn_reason, withdrawn_by_login, withdrawn_on IS NOT NULL FROM reloc.enterprise WHERE id = \(id)"
            ).rows[0]
            let (reason, login, dated) = try row.decode((String, String, Bool).self)
            #expect(reason == "重复登记" && !login.isEmpty && login != "reloc_org_sp" && dated)
            #expect(
                try fixture.admin().count(
                    "SELECT count(*) FROM reloc.audit WHERE table_name = 'enterprise' AND row_key = \(String(id)) AND action = 'update'"
                ) >= 1)
            // Final: no second withdrawal, no edit, no un-withdrawing.
            #expect(
                try fixture.cli(["enterprise", "withdraw", "\(id)", "--as", "SP", "--reason", "again"]).status == 65)
            let sp = try fixture.acting("SP")
            expectSQLState("23514", constraint: "enterprise_withdrawal") {
                try sp.execute(
                    "UPDATE reloc.enterprise SET withdrawn_on = NULL, withdrawn_reason = NULL, withdrawn_by_login = NULL WHERE id = \(id)"
                )
            }
            // Its name and USCC are free for the right entry.
            let again = try fixture.register {
                $0.name = "登记错了"; $0.uscc = RegisterFixture.validUSCC[1]
            }
            #expect(again != id)
        }
    }

    @Test func withdrawalIsRefusedOnceLandOrSitesRestOnIt() throws {
        try LandFixture.with { fixture in
            try fixture.quota(hectares: "10")
            _ = try LandAllocations(try fixture.acting("CC")).allocate(
                .init(
                    holder: "CC", year: 2015, target: .enterprise(fixture.railCars), area: .mu(1), supply: "tender",
                    on: CalendarDate(year: 2015, month: 3, day: 1), doc: "d"))
            let outcome = try fixture.cli([
                "enterprise", "withdraw", "\(fixture.railCars)", "--as", "CC", "--reason", "x",
            ])
            #expect(outcome.status == 65)
            #expect(outcome.stderr.contains("enterprise_withdrawal") && outcome.stderr.contains("land allocations"))
            // Hostile: the city sets the columns itself, naming another login and an old date.
            let cc = try fixture.acting("CC")
            expectSQLState("23514", constraint: "enterprise_withdrawal") {
                try cc.execute(
                    "UPDATE reloc.enterprise SET withdrawn_reason = 'x', withdrawn_on = '2000-01-01', withdrawn_by_login = 'someone' WHERE id = \(fixture.railCars)"
                )
            }
            expectSQLState("23514", constraint: "enterprise_withdrawal") {
                try cc.execute("UPDATE reloc.enterprise SET withdrawn_on = '2000-01-01' WHERE id = \(fixture.railCars)")
            }
            // A site on a withdrawn enterprise, or an allocation to it, is refused.
            let id = try Enterprises(cc).register(
                {
                    var entry = Enterprises.Registration(plan: "CC-KC", name: "错登企业", mode: "close")
                    entry.siteHectares = 2
                    return entry
                }())
            try Enterprises(cc).withdraw(id, reason: "错登")
            expectSQLState("23514", constraint: "enterprise_withdrawal") {
                try cc.execute("INSERT INTO reloc.site (enterprise_id) VALUES (\(id))")
            }
        }
    }
}
