import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Work assigned to a renamed body follows its successor from the succession date: until then the
/// old body acts for itself and the successor does not act for it; `--mine --as-of` uses the
/// holder on that day; new work is not assigned to a body already succeeded.
@Suite("Successions take effect on their date")
struct SuccessionDateTests {
    func actingCodes(_ fixture: ProgrammeFixture, _ code: String, on date: String? = nil) throws -> [String] {
        let ids: SQLQuery =
            date.map { "reloc.acting_org_ids_on(\($0)::date)" } ?? "reloc.acting_org_ids()"
        return try fixture.acting(code).query(
            "SELECT o.code FROM reloc.organisation o WHERE o.id = ANY (\(ids)) ORDER BY o.code"
        ).rows.map { try $0.decode(String.self, at: 0) }
    }

    func mine(_ fixture: ProgrammeFixture, _ code: String, asOf: String? = nil) throws -> [Int] {
        let outcome = try fixture.cli(
            ["--as", code, "task", "list", "--mine", "--format", "csv"] + (asOf.map { ["--as-of", $0] } ?? []))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return outcome.stdout.split(whereSeparator: \.isNewline).dropFirst().compactMap {
            Int($0.split(separator: ",")[0])
        }
    }

    @Test func aRenameForALaterDateChangesNothingUntilThen() throws {
        try ProgrammeFixture.with { fixture in
            let rename = try fixture.cli([
                "--as", "JL", "org", "rename", "JL-JRB", "--to", "JL-JRJ", "--name", "省地方金融监管局", "--on", "2030-01-01",
            ])
            #expect(rename.status == 0, "\(rename.stderr)")
            #expect(try actingCodes(fixture, "JL-JRB") == ["JL-JRB"])
            #expect(try actingCodes(fixture, "JL-JRJ") == ["JL-JRJ"])
            #expect(try actingCodes(fixture, "JL-JRJ", on: "2030-01-01") == ["JL-JRB", "JL-JRJ"])
            #expect(try actingCodes(fixture, "JL-JRB", on: "2030-01-01") == [])
            // 省金融办 still reports on its task 11; the successor-to-be may not, in the CLI or in SQL.
            let old = try fixture.cli(["--as", "JL-JRB", "task", "progress", "11", "--percent", "10", "--note", "推进中"])
            #expect(old.status == 0, "\(old.stderr)")
            #expect(
                try fixture.admin().query(
                    "SELECT o.code FROM reloc.progress_report r JOIN reloc.organisation o ON o.id = r.org_id"
                ).scalar(
                    String.self) == "JL-JRB")
            let early = try fixture.cli(["--as", "JL-JRJ", "task", "progress", "11", "--percent", "20", "--note", "x"])
            #expect(early.status == 77, "\(early.stderr)")
            expectSQLState("42501") { try fixture.acting("JL-JRJ").execute(ProgrammeFixture.reportSQL(task: 11)) }
            #expect(try mine(fixture, "JL-JRB") == [11, 12, 13])
            #expect(try mine(fixture, "JL-JRJ") == [])
            #expect(try mine(fixture, "JL-JRJ", asOf: "2030-01-01") == [11, 12, 13])
            #expect(try mine(fixture, "JL-JRB", asOf: "2030-01-01") == [])
            // A login can still be made for the body that acts until the date.
            let login = "clerk_jrb_\(UUID().uuidString.prefix(8).lowercased().filter(\.isLetter))"
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(login).pw")
            try "secret-\(login)\n".write(to: file, atomically: true, encoding: .utf8)
            defer {
                try? FileManager.default.removeItem(at: file)
                _ = try? fixture.admin().execute("DROP ROLE IF EXISTS \(identifier: login)")
            }
            let user = try fixture.cli([
                "--as", "JL", "user", "add", login, "--org", "JL-JRB", "--password-file", file.path,
            ])
            #expect(user.status == 0, "\(user.stderr)")
        }
    }

    @Test func mineOnAPastDayListsTheHolderOfThatDay() throws {
        try ProgrammeFixture.with { fixture in
            // 省国土资源厅 held tasks 1, 14 and 15 until 2018-10-01; 省自然资源厅 from then on.
            #expect(try mine(fixture, "JL-GTT", asOf: "2015-01-01") == [1, 14, 15])
            #expect(try mine(fixture, "JL-GTT") == [])
            #expect(try mine(fixture, "JL-ZRT", asOf: "2015-01-01") == [])
            #expect(try mine(fixture, "JL-ZRT", asOf: "2018-10-01") == [1, 14, 15])
            #expect(try mine(fixture, "JL-ZRT") == [1, 14, 15])
            let milestones = try fixture.cli([
                "--as", "JL", "milestone", "add", "--task", "14", "--title", "用地指标下达", "--due", "2016-03-01",
            ])
            #expect(milestones.status == 0, "\(milestones.stderr)")
            let gtt = try fixture.cli([
                "--as", "JL-GTT", "milestone", "list", "--mine", "--as-of", "2016-01-01", "--format", "json",
            ])
            #expect(gtt.stdout.contains("用地指标下达"), "\(gtt.stdout)")
            let today = try fixture.cli(["--as", "JL-GTT", "milestone", "list", "--mine", "--format", "json"])
            #expect(!today.stdout.contains("用地指标下达"), "\(today.stdout)")
        }
    }

    @Test func noNewWorkForASucceededBody() throws {
        try ProgrammeFixture.with { fixture in
            let assign = try fixture.cli(["--as", "JL", "task", "assign", "3", "--org", "JL-GTT"])
            #expect(assign.status == 65, "\(assign.stderr)")
            #expect(assign.stderr.contains("task_assignment_current_body"))
            #expect(assign.stderr.contains("JL-ZRT"))
            expectSQLState("23514", constraint: "task_assignment_current_body") {
                try fixture.acting("JL").execute(
                    """
                    INSERT INTO reloc.task_assignment (task_id, org_id)
                    SELECT t.id, o.id FROM reloc.task t, reloc.organisation o WHERE t.number = 3 AND o.code = 'JL-LSJ'
                    """)
            }
            #expect(try fixture.cli(["--as", "JL", "task", "assign", "3", "--org", "JL-ZRT"]).status == 0)
            // A body renamed only from a later date still takes work until then.
            #expect(
                try fixture.cli([
                    "--as", "JL", "org", "rename", "JL-KJT", "--to", "JL-KJT2", "--name", "省科学技术厅", "--on",
                    "2030-01-01",
                ]).status == 0)
            #expect(try fixture.cli(["--as", "JL", "task", "assign", "3", "--org", "JL-KJT"]).status == 0)
            // The annex's assignments as printed (the seed) stay: 省国土资源厅 leads task 14.
            #expect(
                try fixture.admin().query(
                    """
                    SELECT o.code FROM reloc.task_assignment a JOIN reloc.task t ON t.id = a.task_id
                    JOIN reloc.organisation o ON o.id = a.org_id WHERE t.number = 14 AND a.lead
                    """
                ).scalar(String.self) == "JL-GTT")
        }
    }
}
