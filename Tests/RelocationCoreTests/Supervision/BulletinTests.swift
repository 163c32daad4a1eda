import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Bulletins (通报, issue 15): figures per city and department checked against SQL written here;
/// drafted by anyone, issued by the province only, frozen once issued for every role; shown again
/// byte for byte; Markdown and HTML escaped, and refused by every other command.
@Suite("Bulletins (通报)")
struct BulletinTests {
    static func figures(_ json: String) throws -> BulletinFigures { try BulletinFigures(json: json) }

    @Test func theFiguresAreTheIndependentComputations() throws {
        try SupervisionScenario.with { name, db in
            let draft = try RelocCLI.run(
                [
                    "bulletin", "draft", "--period", "2015-Q1", "--as-of", "2015-04-10", "--format", "json", "--as",
                    "SP",
                ],
                database: name)
            #expect(draft.status == 0, "\(draft.stderr)")
            let figures = try Self.figures(draft.stdout)
            let expected = try SupervisionScenario.expected(
                db, first: "2015-01-01", last: "2015-03-31", asOf: "2015-04-10")
            #expect(expected["CC"] == [3, 1, 1, 1, 8], "\(expected)")
            #expect(expected.count >= 6, "\(expected)")
            for unit in figures.cities + figures.departments {
                let got = [unit.due, unit.onTime, unit.late, unit.overdue, unit.overdueWorkingDays]
                #expect(got == expected[unit.code] ?? [0, 0, 0, 0, 0], "\(unit.code)")
            }
            // Totals count a milestone once (a task's milestone may answer to two departments).
            let total = try db.query(
                "SELECT count(*) FROM reloc.milestone WHERE due_on BETWEEN '2015-01-01' AND '2015-03-31'"
            ).scalar(Int.self)
            #expect(figures.totals.due == total)
            #expect(
                figures.totals.onTime + figures.totals.late + figures.totals.overdue + figures.totals.notYetDue == total
            )
            // 长春: 1 on time of 3 fallen due; ranked among the cities with a rate, best first.
            let cc = try #require(figures.cities.first { $0.code == "CC" })
            #expect(cc.onTimeRate == 33.3)
            let rates = figures.cities.compactMap(\.onTimeRate)
            #expect(rates == rates.sorted(by: >))
            #expect(figures.cities.first?.rank == 1)
            // 点名: 四平's overdue item, its working days across 春节 (02-13 → 04-10).
            let named = try #require(figures.overdueItems.first { $0.title == "四平节点一" })
            #expect(named.unitCode == "SP" && named.overdueWorkingDays == expected["SP"]?[4])
            #expect(named.overdueCalendarDays == 56)
        }
    }

    /// The day index the figures join on equals reloc.working_days_between for every day.
    @Test func workingDaysUntilIsWorkingDaysBetween() throws {
        try SupervisionScenario.with { _, db in
            let differing = try db.query(
                """
                SELECT count(*) FROM reloc.working_days_until('2015-01-01', '2015-04-10') w
                WHERE w.working_days <> reloc.working_days_between(w.day, '2015-04-10')
                """
            ).scalar(Int.self)
            #expect(differing == 0)
            #expect(
                try db.query("SELECT count(*) FROM reloc.working_days_until('2015-01-01', '2015-04-10')").scalar(
                    Int.self) == 100)
        }
    }

    @Test func periodsAreMonthsQuartersAndYears() throws {
        try TestDatabase.with(.jilin2014) { name in
            let db = try TestDatabase.connect(name)
            for (period, first, last) in [
                ("2015-02", "2015-02-01", "2015-02-28"), ("2016-02", "2016-02-01", "2016-02-29"),
                ("2015-q4", "2015-10-01", "2015-12-31"), ("2015", "2015-01-01", "2015-12-31"),
            ] {
                let row = try db.query(
                    "SELECT period_start::text, period_end::text FROM reloc.bulletin_period(\(period))"
                )
                .decode((String, String).self)
                #expect(row.first?.0 == first && row.first?.1 == last, "\(period)")
            }
            for bad in ["2015-13", "2015-Q5", "15", "2013", "2015-1", "Q1"] {
                let outcome = try RelocCLI.run(["bulletin", "draft", "--period", bad], database: name)
                #expect(outcome.status == 65, "\(bad): \(outcome.stderr)")
                #expect(outcome.stderr.contains("bulletin_period_format"), "\(bad): \(outcome.stderr)")
            }
            // Full-width digits, as the documents write them.
            #expect(try RelocCLI.run(["bulletin", "draft", "--period", "２０１５－Ｑ１"], database: name).status == 0)
        }
    }

    @Test func onlyTheProvinceIssues() throws {
        try TestDatabase.with(.jilin2014) { name in
            let cli = try RelocCLI.run(
                ["bulletin", "issue", "--period", "2014", "--number", "第1期", "--as", "SP"], database: name)
            #expect(cli.status == 77, "\(cli.stderr)")
            let city = try TestDatabase.connect(name, actingAs: "SP")
            for statement: SQLQuery in [
                "SELECT reloc.issue_bulletin('第1期', '2014', NULL)",
                """
                INSERT INTO reloc.bulletin (number, period, period_start, period_end, as_of, figures, issued_by, issued_by_login)
                VALUES ('第1期', '2014', '2014-01-01', '2014-12-31', '2015-01-05', '{}', 'x', 'x')
                """,
            ] {
                do {
                    _ = try city.query(statement)
                    Issue.record("a city issued a bulletin: \(statement)")
                } catch let error as PGError {
                    #expect(error.sqlState == "42501", "\(error)")
                }
            }
            #expect(try TestDatabase.connect(name).query("SELECT count(*) FROM reloc.bulletin").scalar(Int.self) == 0)
        }
    }

    @Test func anIssuedBulletinIsFrozenAndShownIdentically() throws {
        try SupervisionScenario.with { name, db in
            let before = try RelocCLI.run(
                ["bulletin", "draft", "--period", "2015-Q1", "--as-of", "2015-04-10", "--format", "json"],
                database: name)
            let issued = try RelocCLI.run(
                ["bulletin", "issue", "--period", "2015-Q1", "--as-of", "2015-04-10", "--number", "第１期", "--as", "JL"],
                database: name)
            #expect(issued.status == 0, "\(issued.stderr)")
            var shown: [String: String] = [:]
            for format in ["json", "markdown", "html", "csv", "table"] {
                let show = try RelocCLI.run(["bulletin", "show", "第1期", "--format", format], database: name)
                #expect(show.status == 0, "\(format): \(show.stderr)")
                shown[format] = show.stdout
            }
            #expect(shown["json"] == before.stdout)
            // The data changes; the issued bulletin does not.
            try db.execute(
                "UPDATE reloc.milestone SET done_on = due_on WHERE due_on BETWEEN '2015-01-01' AND '2015-03-31'")
            for format in ["json", "markdown", "html", "csv", "table"] {
                let again = try RelocCLI.run(
                    ["bulletin", "show", "第1期", "--format", format, "--as", "SP"], database: name)
                #expect(again.stdout == shown[format], "\(format)")
            }
            let redraft = try RelocCLI.run(
                ["bulletin", "draft", "--period", "2015-Q1", "--as-of", "2015-04-10", "--format", "json"],
                database: name)
            #expect(redraft.stdout != before.stdout)
            #expect(shown["markdown"]?.contains("**2015年第1期**") == true)
            // A number is given once; 期号 reads 第N期.
            for (number, rule) in [("第1期", "bulletin_number_taken"), ("1", "bulletin_number_format")] {
                let outcome = try RelocCLI.run(
                    ["bulletin", "issue", "--period", "2015-Q1", "--number", number, "--as", "JL"], database: name)
                #expect(outcome.status == 65 && outcome.stderr.contains(rule), "\(number): \(outcome.stderr)")
            }
            let list = try RelocCLI.run(["bulletin", "list", "--format", "json"], database: name)
            #expect(
                list.stdout.contains("\"number\":\"第1期\"") || list.stdout.contains("\"number\": \"第1期\""),
                "\(list.stdout)")
            // Audited: who issued it.
            let audit = try db.query(
                "SELECT acting_org_code FROM reloc.audit WHERE table_name = 'bulletin' AND action = 'insert'"
            ).decode(String?.self)
            #expect(audit == ["JL"])
        }
    }

    @Test func nobodyChangesAnIssuedBulletinNotEvenTheOwner() throws {
        try SupervisionScenario.with { name, db in
            let issued = try RelocCLI.run(
                ["bulletin", "issue", "--period", "2015-01", "--number", "2015年第1期", "--as", "JL"], database: name)
            #expect(issued.status == 0, "\(issued.stderr)")
            let hostile: [SQLQuery] = [
                "UPDATE reloc.bulletin SET figures = '{}', number = '第9期'",
                "UPDATE reloc.bulletin SET as_of = as_of - 1",
                "DELETE FROM reloc.bulletin",
            ]
            for code in ["JL", "SP"] {
                let role = try TestDatabase.connect(name, actingAs: code)
                for statement in hostile {
                    do {
                        try role.execute(statement)
                        Issue.record("\(code) changed an issued bulletin: \(statement)")
                    } catch let error as PGError {
                        #expect(error.sqlState == "42501", "\(code): \(error)")
                    }
                }
            }
            try db.execute("SET ROLE reloc_owner")
            for statement in hostile + ["TRUNCATE reloc.bulletin"] {
                do {
                    try db.execute(statement)
                    Issue.record("the owner changed an issued bulletin: \(statement)")
                } catch let error as PGError {
                    #expect(error.constraint == "bulletin_issued_final", "\(error)")
                }
            }
            try db.execute("RESET ROLE")
            do {
                try db.execute("DELETE FROM reloc.bulletin")
                Issue.record("the superuser deleted an issued bulletin")
            } catch let error as PGError {
                #expect(error.sqlState == "23514", "\(error)")
            }
            #expect(try db.query("SELECT count(*) FROM reloc.bulletin").scalar(Int.self) == 1)
        }
    }

    @Test func markdownAndHTMLAreEscapedDocuments() throws {
        try SupervisionScenario.with { name, _ in
            let arguments = ["bulletin", "draft", "--period", "2015-Q1", "--as-of", "2015-04-10", "--format"]
            let markdown = try RelocCLI.run(arguments + ["markdown"], database: name)
            #expect(markdown.status == 0, "\(markdown.stderr)")
            #expect(markdown.stdout.hasPrefix("# 吉林省城区老工业区搬迁改造工作通报\n"))
            for words in ["一、总体情况", "四、逾期事项点名", "附表1", "四平市：节点", "按工作日计算", "吉林节点\\<b\\>\\|二\\*"] {
                #expect(markdown.stdout.contains(words), "\(words)")
            }
            #expect(!markdown.stdout.contains("<b>"))
            let html = try RelocCLI.run(arguments + ["HTML"], database: name)
            #expect(html.status == 0, "\(html.stderr)")
            #expect(html.stdout.hasPrefix("<!DOCTYPE html>"))
            #expect(html.stdout.contains("吉林节点&lt;b&gt;|二*"))
            #expect(!html.stdout.contains("<b>"))
            #expect(!html.stdout.contains("http"), "self-contained: nothing loaded from elsewhere")
        }
    }

    /// markdown and html are a bulletin's formats only: every other command refuses them (64).
    @Test func otherCommandsRefuseMarkdownAndHTML() throws {
        let leaves = try DocumentedCommandsTests.tree.get().leaves
        let documents: Set<String> = ["bulletin draft", "bulletin show"]
        for leaf in leaves where !documents.contains(leaf.joined(separator: " ")) {
            let arguments =
                leaf + (try FormatHonouredTests.requiredArguments(leaf)) + [
                    "--format", "markdown", "--database", "postgresql://127.0.0.1:1/none?connect_timeout=1",
                ]
            // Refused before it runs (64), or, where a placeholder value is itself refused (a year of 1:
            // 65), never run: no command reaches the database (69) with a document format.
            let outcome = try RelocCLI.run(arguments, database: nil)
            // 64 is the format's refusal or, for a command whose own usage check comes first (one of
            // --plan/--enterprise), that check's: either way the command never ran.
            #expect([64, 65].contains(outcome.status), "\(arguments): \(outcome.stderr)")
        }
        #expect(leaves.contains(["bulletin", "draft"]))
    }
}
