import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// A percentage is stored as given (at most two decimal places), never rounded into "done"; and
/// `show --as-of` lists only the reports made by that day.
@Suite("Progress: exact percentages, history as of a day")
struct ProgressPrecisionTests {
    @Test func moreThanTwoDecimalPlacesIsRefusedNotRounded() throws {
        try ProgrammeFixture.with { fixture in
            for percent in ["99.999", "33.333", "0.001"] {
                let outcome = try fixture.cli([
                    "--as", "JL-GXT", "task", "progress", "3", "--percent", percent, "--note", "推进中",
                ])
                #expect(outcome.status == 65, "\(percent): \(outcome.stderr)")
                #expect(outcome.stderr.contains("progress_percent_precision"), "\(outcome.stderr)")
            }
            let gxt = try fixture.acting("JL-GXT")
            expectSQLState("23514", constraint: "progress_percent_precision") {
                try gxt.execute(
                    "INSERT INTO reloc.progress_report (task_id, percent, note) SELECT id, 99.999, 'raw' FROM reloc.task WHERE number = 3"
                )
            }
            expectSQLState("23514", constraint: "progress_percent_precision") {
                try gxt.execute(
                    "INSERT INTO reloc.progress_report (task_id, percent, status, note) SELECT id, 99.999, 'done', 'raw' FROM reloc.task WHERE number = 3"
                )
            }
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.progress_report").scalar(Int.self) == 0)
            let exact = try fixture.cli([
                "--as", "JL-GXT", "task", "progress", "3", "--percent", "33.33", "--note", "三分之一",
            ])
            #expect(exact.status == 0, "\(exact.stderr)")
            #expect(
                try fixture.admin().query("SELECT percent::text || ' ' || status FROM reloc.progress_report").scalar(
                    String.self) == "33.33 on-track")
            #expect(try gxt.execute(ProgrammeFixture.reportSQL(task: 3, percent: 50)) == 1)
            #expect(
                try fixture.admin().query("SELECT max(percent)::text FROM reloc.progress_report").scalar(String.self)
                    == "50.00")
        }
    }

    @Test func showAsOfADayListsOnlyTheReportsMadeByThen() throws {
        try ProgrammeFixture.with { fixture in
            #expect(
                try fixture.cli(["--as", "JL-GXT", "task", "progress", "3", "--percent", "20", "--note", "今日进展"]).status
                    == 0)
            let milestone = try fixture.milestone(plan: "SP-TD")
            #expect(
                try fixture.cli([
                    "--as", "SP", "milestone", "progress", "\(milestone)", "--percent", "20", "--note", "今日进展",
                ]).status == 0)
            let past = try fixture.cli(["task", "show", "3", "--as-of", "2014-12-01", "--format", "json"])
            #expect(past.status == 0, "\(past.stderr)")
            #expect(!past.stdout.contains("今日进展"), "\(past.stdout)")
            #expect(past.stdout.contains("\"progress\": []"), "\(past.stdout)")
            let now = try fixture.cli(["task", "show", "3", "--format", "json"])
            #expect(now.stdout.contains("今日进展"))
            let pastMilestone = try fixture.cli([
                "milestone", "show", "\(milestone)", "--as-of", "2014-12-01", "--format", "json",
            ])
            #expect(!pastMilestone.stdout.contains("今日进展"), "\(pastMilestone.stdout)")
            #expect(
                try fixture.cli(["milestone", "show", "\(milestone)", "--format", "json"]).stdout.contains("今日进展"))
        }
    }
}
