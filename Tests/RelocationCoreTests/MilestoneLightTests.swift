import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Traffic lights (红黄绿灯, issue 15): one SQL decision of a milestone's light on a day, counted in
/// working days; shown by `milestone list` and `task list`.
@Suite("Traffic lights (红黄绿灯)")
struct MilestoneLightTests {
    static func light(_ db: PGConnection, _ milestone: Int64, _ day: String) throws -> String {
        try db.query("SELECT reloc.milestone_light(\(milestone), \(day)::date)").scalar(String.self)
    }

    @Test func redYellowGreenDoneOnADayInWorkingDays() throws {
        try ProgrammeFixture.with { fixture in
            // Due Monday 2030-07-01; yellow within 3 working days (the default setting).
            let milestone = try ExtensionRequestTests.milestone(fixture, due: "2030-07-01")
            let admin = try fixture.admin()
            #expect(try Self.light(admin, milestone, "2030-05-02") == "green")
            #expect(try Self.light(admin, milestone, "2030-06-25") == "green")  // Tue: Wed, Thu, Fri
            #expect(try Self.light(admin, milestone, "2030-06-26") == "yellow")  // Wed: Thu, Fri, Mon
            #expect(try Self.light(admin, milestone, "2030-07-01") == "yellow")  // due today
            #expect(try Self.light(admin, milestone, "2030-07-02") == "red")  // overdue
            // A holiday on Thursday: from Tuesday, the third working day is Monday, the due date.
            try admin.execute(
                "INSERT INTO reloc.calendar_day (day, kind, name) VALUES ('2030-06-27', 'holiday', '测试假日')")
            #expect(try Self.light(admin, milestone, "2030-06-25") == "yellow")
            // The setting moves it.
            try admin.execute("UPDATE reloc.supervision_setting SET due_soon_within = 1")
            #expect(try Self.light(admin, milestone, "2030-06-26") == "green")
            // The latest progress report: at-risk is yellow, blocked red (as of the day reported).
            #expect(try Self.light(admin, milestone, "2030-05-02") == "green")
            #expect(
                try fixture.cli(
                    [
                        "--as", "CC", "milestone", "progress", "\(milestone)", "--percent", "40", "--status", "at-risk",
                        "--note", "资金未到位",
                    ]
                ).status == 0)
            #expect(try Self.light(admin, milestone, "2030-05-02") == "yellow")
            #expect(
                try fixture.cli(
                    [
                        "--as", "CC", "milestone", "progress", "\(milestone)", "--percent", "40", "--status", "blocked",
                        "--note", "停工",
                    ]
                ).status == 0)
            #expect(try Self.light(admin, milestone, "2030-05-02") == "red")
            // Before the reports were made, it was green.
            let yesterday = try admin.query("SELECT (reloc.today() - 1)::text").scalar(String.self)
            #expect(try Self.light(admin, milestone, yesterday) == "green")
            // Closed: done.
            #expect(
                try fixture.cli(["--as", "JL", "milestone", "done", "\(milestone)", "--on", "2015-01-05"]).status == 0)
            #expect(try Self.light(admin, milestone, "2030-07-02") == "done")
            // The day before it was closed, before the reports: open and on track.
            #expect(try Self.light(admin, milestone, "2015-01-04") == "green")
        }
    }

    /// The board's function and the one-milestone function are one decision: equal for every
    /// milestone of the seed, on days around its deadlines.
    @Test func theSetAndTheScalarAgree() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            for day in ["2014-06-01", "2014-12-26", "2014-12-31", "2015-01-05", "2023-01-01"] {
                let disagreeing = try admin.query(
                    """
                    SELECT count(*) FROM reloc.milestone_lights(\(day)::date) l
                    WHERE l.light IS DISTINCT FROM reloc.milestone_light(l.milestone_id, \(day)::date)
                    """
                ).scalar(Int64.self)
                #expect(disagreeing == 0, "\(day)")
                let all = try admin.query(
                    "SELECT count(*) = (SELECT count(*) FROM reloc.milestone) FROM reloc.milestone_lights(\(day)::date)"
                ).scalar(Bool.self)
                #expect(all)
            }
        }
    }

    @Test func listsShowTheLight() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try ExtensionRequestTests.milestone(fixture, due: "2030-07-01")
            let listed = try fixture.cli([
                "milestone", "list", "--plan", "CC-KC", "--as-of", "2030-07-02", "--format", "json",
            ])
            #expect(listed.stdout.contains("\"light\": \"red\""), "\(listed.stdout)")
            let table = try fixture.cli(["milestone", "list", "--plan", "CC-KC", "--as-of", "2030-07-02"])
            #expect(table.stdout.contains("红灯") && table.stdout.contains("light"), "\(table.stdout)")
            // A task's light is the worst of its milestones'.
            let added = try fixture.cli(
                [
                    "--as", "JL", "milestone", "add", "--task", "3", "--title", "政策出台", "--due", "2030-07-01",
                    "--format",
                    "json",
                ])
            _ = try ExtensionRequestTests.id(added)
            #expect(milestone > 0)
            let tasks = try fixture.cli(["task", "list", "--as-of", "2030-06-26", "--format", "json"])
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(tasks.stdout.utf8)) as? [[String: Any]])
            #expect(rows.first { $0["number"] as? Int == 3 }?["light"] as? String == "yellow", "\(tasks.stdout)")
            #expect(rows.first { $0["number"] as? Int == 4 }?["light"] is NSNull, "no milestones, no light")
        }
    }
}
