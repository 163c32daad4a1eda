import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// "Today", overdue and due-within are read on the calendar of Asia/Shanghai (or RELOC_TIMEZONE),
/// for --as-of a given day.
@Suite("Deadlines: overdue and due-within in Asia/Shanghai")
struct DeadlineTests {
    static func ids(_ json: String) throws -> [Int] {
        let rows = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        return rows.compactMap { $0["id"] as? Int }
    }

    @Test func aMilestoneDueOnTheLastDayIsOverdueFromMidnightInShanghai() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = Int(try fixture.milestone(plan: "SP-TD"))
            // 2014-12-31T17:00Z is 01:00 on 1 January in Shanghai: overdue.
            let after = try fixture.cli([
                "milestone", "list", "--overdue", "--as-of", "2014-12-31T17:00Z", "--format", "json",
            ])
            #expect(after.status == 0, "\(after.stderr)")
            #expect(try Self.ids(after.stdout).contains(milestone))
            #expect(after.stdout.contains("\"as_of\": \"2015-01-01\""))
            // 2014-12-31T15:00Z is 23:00 on the 31st: due today, not overdue.
            let before = try fixture.cli([
                "milestone", "list", "--overdue", "--as-of", "2014-12-31T15:00Z", "--format", "json",
            ])
            #expect(try Self.ids(before.stdout).isEmpty)
            let dueToday = try fixture.cli([
                "milestone", "list", "--due-within", "0", "--as-of", "2014-12-31T15:00Z", "--format", "json",
            ])
            #expect(try Self.ids(dueToday.stdout).contains(milestone))
            // RELOC_TIMEZONE=UTC moves "today": at 17:00Z it is still the 31st.
            let utc = try fixture.cli(
                ["milestone", "list", "--overdue", "--as-of", "2014-12-31T17:00Z", "--format", "json"],
                environment: ["RELOC_TIMEZONE": "UTC"])
            #expect(utc.status == 0, "\(utc.stderr)")
            #expect(try Self.ids(utc.stdout).isEmpty)
            let bad = try fixture.cli(["milestone", "list"], environment: ["RELOC_TIMEZONE": "Mars/Olympus"])
            #expect(bad.status == 65)
            #expect(bad.stderr.contains("RELOC_TIMEZONE"))
            // The same in SQL: the day of an instant, and today, follow reloc.timezone.
            let db = try fixture.admin()
            #expect(
                try db.query("SELECT reloc.local_date('2014-12-31T17:00Z')::text").scalar(String.self) == "2015-01-01")
            #expect(
                try db.query("SELECT reloc.local_date('2014-12-31T15:00Z')::text").scalar(String.self) == "2014-12-31")
            try db.execute("SET reloc.timezone = 'UTC'")
            #expect(
                try db.query("SELECT reloc.local_date('2014-12-31T17:00Z')::text").scalar(String.self) == "2014-12-31")
            #expect(try db.query("SELECT reloc.today() = (now() AT TIME ZONE 'UTC')::date").scalar(Bool.self))
        }
    }

    @Test func planCompilationsAreDueInSixteenDaysOnTheFifteenthOfDecember() throws {
        try ProgrammeFixture.with { fixture in
            let soon = try fixture.cli([
                "milestone", "list", "--as-of", "2014-12-15", "--due-within", "30", "--format", "json",
            ])
            #expect(soon.status == 0, "\(soon.stderr)")
            let rows = try JSONSerialization.jsonObject(with: Data(soon.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(rows.count == 6)
            #expect(rows.allSatisfy { $0["kind"] as? String == "plan-compiled" && $0["days_left"] as? Int == 16 })
            #expect(rows.allSatisfy { $0["state"] as? String == "open" })
            // Done before the day: not due any more; reopened: due again.
            let siping = try fixture.milestone(plan: "SP-TD")
            let done = try fixture.cli([
                "milestone", "done", String(siping), "--as", "SP", "--on", "2014-12-10", "--note", "已编制",
            ])
            #expect(done.status == 0, "\(done.stderr)")
            let after = try fixture.cli([
                "milestone", "list", "--as-of", "2014-12-15", "--due-within", "30", "--format", "json",
            ])
            #expect(try Self.ids(after.stdout).count == 5)
            // As of a day before it was done, it was still open.
            let earlier = try fixture.cli([
                "milestone", "list", "--as-of", "2014-12-05", "--due-within", "30", "--format", "json",
            ])
            #expect(try Self.ids(earlier.stdout).count == 6)
            #expect(try fixture.cli(["milestone", "reopen", String(siping), "--as", "SP"]).status == 0)
            let reopened = try fixture.cli([
                "milestone", "list", "--as-of", "2015-01-05", "--overdue", "--format", "json",
            ])
            #expect(try Self.ids(reopened.stdout).count == 6)
            // A year later the 2022 targets are not within 30 days; --overdue lists the compilations.
            let table = try fixture.cli(["milestone", "list", "--as-of", "2015-01-05", "--overdue"])
            #expect(table.stdout.contains("已逾期") && !table.stdout.contains("basic-completion"))
        }
    }

    @Test func overdueTasksCountDaysUntilDone() throws {
        try ProgrammeFixture.with { fixture in
            let added = try fixture.cli([
                "task", "add", "--as", "JL", "--title", "四平铁东老工业区企业搬迁协调", "--plan", "SP-TD", "--due", "2015-03-31",
            ])
            #expect(added.status == 0, "\(added.stderr)")
            #expect(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "16")
            #expect(try fixture.cli(["task", "assign", "16", "--as", "JL", "--org", "JL-GXT", "--lead"]).status == 0)
            let overdue = try fixture.cli(["task", "list", "--overdue", "--as-of", "2015-04-10", "--format", "json"])
            let rows = try JSONSerialization.jsonObject(with: Data(overdue.stdout.utf8)) as? [[String: Any]] ?? []
            #expect(rows.count == 1)
            #expect(rows.first?["number"] as? Int == 16)
            #expect(rows.first?["days_overdue"] as? Int == 10)
            #expect(rows.first?["lead"] as? String == "JL-GXT")
            let within = try fixture.cli([
                "task", "list", "--due-within", "30", "--as-of", "2015-03-10", "--format", "json",
            ])
            #expect(try TaskSeedTests.numbers(within.stdout) == [16])
            // Done: no longer overdue.
            #expect(
                try fixture.cli(["task", "progress", "16", "--as", "JL-GXT", "--status", "done", "--note", "协调完成"])
                    .status == 0)
            let after = try fixture.cli(["task", "list", "--overdue", "--format", "json"])
            #expect(try TaskSeedTests.numbers(after.stdout).isEmpty)
            let byStatus = try fixture.cli(["task", "list", "--status", "done", "--format", "csv"])
            #expect(
                byStatus.stdout.hasPrefix(
                    "number,title,short_title,plan,lead,lead_name,co,percent,status,due_on,days_overdue"))
            #expect(byStatus.stdout.contains("\r\n16,"))
        }
    }
}
