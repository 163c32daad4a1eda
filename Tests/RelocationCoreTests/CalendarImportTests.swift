import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// `reloc calendar import | list`, `reloc supervision settings`, and reminder rules in working days
/// (issue 15): the province's calendar and settings, all or nothing, every bad line named.
@Suite("Working-day calendar and settings")
struct CalendarImportTests {
    static func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("calendar-\(UUID()).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let goldenWeek = """
        date,kind,name
        2015-10-01,holiday,国庆节
        2015-10-02,holiday,国庆节
        2015-10-05,节假日,国庆节
        2015-10-06,holiday,国庆节
        2015-10-07,holiday,国庆节
        2015-10-10,workday,国庆节调休

        """

    @Test func importIsAllOrNothingProvinceOnlyAndReplacesTheYear() throws {
        try ProgrammeFixture.with { fixture in
            let bad = try Self.file(
                "date,kind,name\n2015-10-01,holiday,国庆节\n2015-10-12,workday,周一\n2015-10-13,rest,x\n2015-02-30,holiday,x\n"
            )
            let refused = try fixture.cli(["--as", "JL", "calendar", "import", bad])
            #expect(refused.status == 65, "\(refused.stderr)")
            for line in [3, 4, 5] { #expect(refused.stderr.contains("\(bad):\(line):"), "\(refused.stderr)") }
            #expect(refused.stderr.contains("calendar_workday_on_weekend"), "\(refused.stderr)")
            #expect(!refused.stderr.contains("\(bad):2:"), "\(refused.stderr)")
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.calendar_day").scalar(Int.self) == 0)

            let good = try Self.file(Self.goldenWeek)
            let city = try fixture.cli(["--as", "SP", "calendar", "import", good])
            #expect(city.status == 77, "\(city.stderr)")
            let imported = try fixture.cli(["--as", "JL", "calendar", "import", good])
            #expect(imported.status == 0, "\(imported.stderr)")
            let twice = try fixture.cli(["--as", "JL", "calendar", "import", good])
            #expect(twice.stdout.contains("0 written, 0 removed"), "\(twice.stdout)")
            // 2015: 261 weekdays, 5 holidays on weekdays, 1 worked Saturday.
            let listed = try fixture.cli(["calendar", "list", "--year", "2015", "--format", "json"])
            #expect(
                listed.stdout.contains("\"working_days\": 257") || listed.stdout.contains("\"working_days\":257"),
                "\(listed.stdout)")
            // A corrected file for the year replaces it: 10-07 is gone.
            let corrected = try Self.file(
                Self.goldenWeek.replacingOccurrences(of: "2015-10-07,holiday,国庆节\n", with: ""))
            let replaced = try fixture.cli(["--as", "JL", "calendar", "import", corrected])
            #expect(replaced.stdout.contains("1 removed"), "\(replaced.stdout)")
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.calendar_day").scalar(Int.self) == 5)
            let workdays = try fixture.cli(["calendar", "workdays", "2015-09-30", "2015-10-12"])
            #expect(workdays.stdout == "5\n", "\(workdays.stdout)")
        }
    }

    @Test func onlyTheProvinceSetsTheSupervisionSettings() throws {
        try ProgrammeFixture.with { fixture in
            let city = try fixture.cli(["--as", "SP", "supervision", "settings", "--acknowledge-within", "5"])
            #expect(city.status == 77, "\(city.stderr)")
            let range = try fixture.cli(["--as", "JL", "supervision", "settings", "--review-within", "0"])
            #expect(range.status == 65, "\(range.stderr)")
            let set = try fixture.cli([
                "--as", "JL", "supervision", "settings", "--acknowledge-within", "5", "--format", "json",
            ])
            #expect(set.status == 0, "\(set.stderr)")
            #expect(
                set.stdout.contains("\"acknowledge_within\": 5") || set.stdout.contains("\"acknowledge_within\":5"),
                "\(set.stdout)")
            let shown = try fixture.cli(["--as", "SP", "supervision", "settings"])
            #expect(shown.status == 0 && shown.stdout.contains("5"), "\(shown.stdout)")
        }
    }

    /// `--before 5wd,1wd`: the reminder falls 5 working days before the due date, the holiday week skipped.
    @Test func aWorkingDayRuleSkipsAHolidayWeek() throws {
        try ProgrammeFixture.with { fixture in
            let imported = try fixture.cli(["--as", "JL", "calendar", "import", try Self.file(Self.goldenWeek)])
            #expect(imported.status == 0, "\(imported.stderr)")
            let rule = try fixture.cli(["--as", "JL", "remind", "rules", "set", "custom", "--before", "5wd,1wd"])
            #expect(rule.status == 0, "\(rule.stderr)")
            let city = try fixture.cli(["--as", "SP", "remind", "rules", "set", "custom", "--before", "3wd"])
            #expect(city.status == 77, "\(city.stderr)")
            let admin = try fixture.admin()
            let id = try admin.query(
                """
                INSERT INTO reloc.milestone (kind, title, due_on, plan_id)
                SELECT 'custom', '工作日提醒', DATE '2015-10-09', id FROM reloc.plan WHERE code = 'SP-TD' RETURNING id
                """
            ).scalar(Int64.self)
            let due: (String) throws -> [String] = { day in
                try admin.query(
                    "SELECT DISTINCT occurrence FROM reloc.reminders_due(\(day)::date) WHERE milestone_id = \(id)"
                ).decode(String.self)
            }
            // 5 working days before Friday 10-09: 10-08, 09-30, 09-29, 09-28, 09-25 (not 10-02).
            #expect(try due("2015-09-24") == [])
            #expect(try due("2015-09-25") == ["before-5wd"])
            #expect(try due("2015-10-07") == ["before-5wd"])
            #expect(try due("2015-10-08") == ["before-1wd"])
            #expect(try due("2015-10-09") == ["due"])
            let written = try admin.query(
                "SELECT array_to_string(working_days_before, ',') || '/' || array_to_string(days_before, ',') FROM reloc.reminder_rule WHERE milestone_kind = 'custom'"
            ).scalar(String.self)
            #expect(written == "5,1/", "\(written)")
        }
    }
}
