import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@Suite("CSV import is all or nothing")
struct EnterpriseImportTests {
    static let header =
        "plan,name,mode,park,industry,high_risk,uscc,site_ha,site_mu,employees,surplus_workers,capacity,new_capacity,listed_in_plan"

    static func rows(_ count: Int) -> [String] {
        (1...count).map { "SP-TD,四平企业\($0),close,,机械,,,1.5,,\($0 % 500),0,,,no" }
    }

    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-import-\(UUID()).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aGoodFileImportsEveryRow() throws {
        try RegisterFixture.with { fixture in
            let csv =
                ([Self.header] + [
                    "SP-TD,  四平昊华化工新厂 ,relocate,\(RegisterFixture.compliantPark),化工,chemicals,91220300MA0Y123454,,１５０,１２００,３００,３０ 万吨/年,２５ 万吨/年,是",
                    "\"SP-TD\",\"名称,带逗号\",in-situ,,,,,,,,,,,",
                    "SP-TD,\"'); DROP TABLE reloc.enterprise; --\",close,,,,,,,,,,,",
                ]).joined(separator: "\n") + "\n"
            let outcome = try EnterpriseImport(try fixture.acting("SP")).run(csv: csv)
            #expect(outcome == .imported(count: 3))
            let db = try fixture.admin()
            let row = try db.query(
                "SELECT name, site_area_ha, employees, surplus_workers, capacity_old, capacity_new, capacity_unit, listed_in_plan FROM reloc.enterprise WHERE uscc = '91220300MA0Y123454'"
            ).rows[0]
            let (name, hectares, employees, surplus, old, new, unit, listed) = try row.decode(
                (String, Decimal, Int, Int, Decimal, Decimal, String, Bool).self)
            #expect(name == "四平昊华化工新厂")
            #expect(hectares == 10)
            #expect(employees == 1200 && surplus == 300)
            #expect(old == 30 && new == 25 && unit == "万吨/年")
            #expect(listed)
            #expect(try db.count("SELECT count(*) FROM reloc.enterprise WHERE name = \("名称,带逗号")") == 1)
            #expect(
                try db.count(
                    "SELECT count(*) FROM reloc.enterprise WHERE name = \("'); DROP TABLE reloc.enterprise; --")") == 1)
        }
    }

    @Test func oneBadRowAmong10000LeavesTheDatabaseUnchanged() throws {
        try RegisterFixture.with { fixture in
            let before = try fixture.admin().count("SELECT count(*) FROM reloc.enterprise")
            var rows = Self.rows(10_000)
            rows[6_999] = "SP-TD,坏企业,relocate,,,,,,,,,,,"  // relocation without a park, on line 7001
            let path = try write(([Self.header] + rows).joined(separator: "\r\n") + "\r\n")
            let outcome = try EnterpriseImport(try fixture.acting("SP")).run(file: path)
            guard case .rejected(let bad) = outcome else {
                Issue.record("expected a rejection, got \(outcome)")
                return
            }
            #expect(bad.map(\.line) == [7001])
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise") == before)
            let cli = try fixture.cli(["enterprise", "import", path, "--as", "SP"])
            #expect(cli.status == 65)
            #expect(cli.stderr.contains(":7001:"))
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise") == before)
            // Corrected, the same file imports whole.
            rows[6_999] = "SP-TD,好企业,close,,,,,,,,,,,"
            let good = try write("\u{FEFF}" + ([Self.header] + rows).joined(separator: "\r\n") + "\r\n")
            let imported = try fixture.cli(["enterprise", "import", good, "--as", "SP"])
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise") == before + 10_000)
        }
    }

    /// A provincial department registers no enterprises, by a file either: `enterprise import` is
    /// refused as `enterprise register` is — the rule's words and 77 — not as a plan "not in your
    /// city" on every line (65; review of stop 22).
    @Test func aDepartmentsImportIsRefusedAsItsRegisterIs() throws {
        try RegisterFixture.with { fixture in
            let path = try write(Self.header + "\r\n" + Self.rows(2).joined(separator: "\r\n") + "\r\n")
            let before = try fixture.admin().count("SELECT count(*) FROM reloc.enterprise")
            let imported = try fixture.cli(["enterprise", "import", path, "--as", "JL-FGW"])
            let registered = try fixture.cli([
                "enterprise", "register", "--plan", "SP-TD", "--name", "部门登记", "--as", "JL-FGW",
            ])
            #expect(imported.status == 77, "\(imported.stderr)")
            #expect(registered.status == 77, "\(registered.stderr)")
            #expect(imported.stderr.contains("a provincial department registers no enterprises"), "\(imported.stderr)")
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise") == before)
        }
    }

    @Test func everyBadRowIsReportedWithItsReason() throws {
        try RegisterFixture.with { fixture in
            let csv = [
                Self.header,
                "SP-TD,ok,close,,,,,,,,,,,",
                "NO-SUCH,unknown plan,close,,,,,,,,,,,",
                "SP-TD,bad mode,teleport,,,,,,,,,,,",
                "SP-TD,bad uscc,close,,,,91220300MA0Y123455,,,,,,,",
                "SP-TD,more capacity,in-situ,,,,,,,,,10 t,11 t,",
                "SP-TD,risky,relocate,\(RegisterFixture.parkWithoutEIA),,chemicals,,,,,,,,",
                "CC-KC,other city,close,,,,,,,,,,,",
                "SP-TD,bad number,close,,,,,,,many,,,,",
            ].joined(separator: "\n")
            let outcome = try EnterpriseImport(try fixture.acting("SP")).run(csv: csv)
            guard case .rejected(let bad) = outcome else {
                Issue.record("expected a rejection")
                return
            }
            #expect(bad.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise WHERE name = 'ok'") == 0)
        }
    }

    @Test func malformedFilesAreRefusedWithTheLine() throws {
        try RegisterFixture.with { fixture in
            let importer = EnterpriseImport(try fixture.acting("SP"))
            #expect(throws: RelocError.self) { try importer.run(csv: "plan,name,colour\nSP-TD,x,red\n") }
            // No mode column is no longer malformed: the mode is unknown (issue 14, 0026); a file
            // without the name is.
            #expect(throws: RelocError.self) { try importer.run(csv: "plan,mode\nSP-TD,close\n") }
            #expect(
                try importer.run(csv: "plan,name,mode\nSP-TD,x\n")
                    == .rejected([.init(line: 2, reason: "has 2 fields, the header has 3")]))
            #expect(
                try importer.run(csv: "plan,name,mode\nSP-TD,\"x,close\n")
                    == .rejected([
                        .init(
                            line: 2, reason: "a quoted field is never closed (the rest of the file could not be read)")
                    ]))
        }
    }

    /// Rows of the wrong width and malformed quotes do not stop the reading: they are reported
    /// with the rows the database refuses, each with its line, and nothing is written.
    @Test func everyBadRowOfEveryKindIsReported() throws {
        try RegisterFixture.with { fixture in
            let csv = [
                "plan,name,mode",
                "SP-TD,ok,close",
                "SP-TD,too wide,close,extra",
                "SP-TD,bad mode,teleport",
                "SP-TD,\"quoted\"x,close",
                "NO-SUCH,unknown plan,close",
                "SP-TD,too narrow",
                "SP-TD,also ok,close",
            ].joined(separator: "\n")
            let path = try write(csv)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let outcome = try RelocCLI.run(["enterprise", "import", path, "--as", "SP"], database: fixture.database)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            let lines = outcome.stderr.split(separator: "\n").map(String.init)
            #expect(lines.count == 6, "\(outcome.stderr)")
            for (line, words) in [
                (3, "has 4 fields, the header has 3"), (4, "teleport"), (5, "text after a closing quote"),
                (6, "NO-SUCH"), (7, "has 2 fields, the header has 3"),
            ] {
                #expect(lines.contains { $0.hasPrefix("\(path):\(line): ") && $0.contains(words) }, "\(outcome.stderr)")
            }
            #expect(lines.last?.contains("5 bad row(s)") == true, "\(outcome.stderr)")
            #expect(
                try fixture.admin().count("SELECT count(*) FROM reloc.enterprise WHERE name IN ('ok', 'also ok')") == 0)
        }
    }
}

@Suite("Reading CSV")
struct CSVReaderTests {
    @Test func quotesLineEndsAndBOM() throws {
        let records = try CSVReader.parse("\u{FEFF}a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",z\n\n3,4")
        #expect(records.map(\.fields) == [["a", "b"], ["x, y", "say \"hi\""], ["two\nlines", "z"], ["3", "4"]])
        #expect(records.map(\.line) == [1, 2, 3, 6])
    }

    @Test func aMalformedRecordIsReportedAndTheRestRead() {
        let reading = CSVReader.read("a,b\n\"x\"y,1\r\n2,3\n\"open,4\n5,6")
        #expect(reading.records.map(\.fields) == [["a", "b"], ["2", "3"]])
        #expect(reading.failures == [.textAfterQuote(line: 2), .unterminatedQuote(line: 4)])
        #expect(throws: CSVReader.Failure.textAfterQuote(line: 2)) { try CSVReader.parse("a,b\n\"x\"y,1\n") }
    }
}
