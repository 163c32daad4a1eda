import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// A progress report is on a milestone still open (0037, rule progress_on_open_milestone; hostile
/// review after stop 21): a milestone done — closed by hand, by its step, or struck off after the
/// province's review (销号) — takes no report, whoever sends it and however; one reopened, or whose
/// completion was returned (退办), takes reports again.
@Suite("Progress: only on a milestone still open")
struct ProgressOnOpenMilestoneTests {
    static let rule = "progress_on_open_milestone"

    static func reports(_ fixture: ProgrammeFixture, _ milestone: Int64) throws -> Int {
        try fixture.admin().query("SELECT count(*) FROM reloc.progress_report WHERE milestone_id = \(milestone)")
            .scalar(Int.self)
    }

    static func auditRows(_ fixture: ProgrammeFixture) throws -> Int {
        try fixture.admin().query("SELECT count(*) FROM reloc.audit WHERE table_name = 'progress_report'")
            .scalar(Int.self)
    }

    @Test func aMilestoneClosedTakesNoReportByAnyPath() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try fixture.milestone(plan: "SP-TD")
            let before = try fixture.cli([
                "--as", "SP", "milestone", "progress", "\(milestone)", "--percent", "80", "--note", "方案已征求意见",
            ])
            #expect(before.status == 0, "an open milestone takes reports: \(before.stderr)")
            let closed = try fixture.cli(["--as", "SP", "milestone", "done", "\(milestone)", "--on", "2015-01-05"])
            #expect(closed.status == 0, "\(closed.stderr)")
            let audited = try Self.auditRows(fixture)

            // The CLI: exit 65 with the rule's words, for the city and for the province alike.
            for code in ["SP", "JL"] {
                let refused = try fixture.cli([
                    "--as", code, "milestone", "progress", "\(milestone)", "--percent", "40", "--status", "at-risk",
                    "--note", "进度滞后",
                ])
                #expect(refused.status == 65, "\(code): \(refused.status) \(refused.stderr)")
                #expect(refused.stderr.contains(Self.rule), "\(refused.stderr)")
                #expect(refused.stderr.contains("2015-01-05"), "names the day it was done: \(refused.stderr)")
            }

            // Raw SQL as the city's role: the plain insert, and one in the form the row trigger's
            // WHEN lets through unchecked (reporter named, percent with its two places).
            let sp = try fixture.acting("SP")
            expectSQLState("23514", constraint: Self.rule) {
                try sp.execute(ProgrammeFixture.reportSQL(milestone: milestone))
            }
            expectSQLState("23514", constraint: Self.rule) {
                try sp.execute(
                    """
                    INSERT INTO reloc.progress_report (milestone_id, org_id, percent, status, note, evidence)
                    SELECT \(milestone), o.id, 40.00, 'on-track', 'formed', '{}' FROM reloc.organisation o WHERE o.code = 'SP'
                    """)
            }
            // COPY straight into the table: row-level security refuses COPY to the role; even a
            // connection it does not bind (the superuser) meets the rule, a row trigger.
            let spID = try fixture.admin().query("SELECT id FROM reloc.organisation WHERE code = 'SP'").scalar(
                Int64.self)
            let copy: SQLQuery = "COPY reloc.progress_report (milestone_id, org_id, percent, status, note) FROM STDIN"
            let copied = [["\(milestone)", "\(spID)", "40.00", "on-track", "copied"]]
            expectSQLState("0A000") { _ = try sp.copyIn(into: copy, rows: copied) }
            expectSQLState("23514", constraint: Self.rule) { _ = try fixture.admin().copyIn(into: copy, rows: copied) }
            // A trigger on the role's own TEMP table writing the report.
            try sp.execute("CREATE TEMP TABLE nudge (x bigint)")
            try sp.execute(
                """
                CREATE FUNCTION pg_temp.nudge_report() RETURNS trigger LANGUAGE plpgsql AS $f$
                BEGIN
                    INSERT INTO reloc.progress_report (milestone_id, percent, note) VALUES (NEW.x, 40, 'from a temp trigger');
                    RETURN NEW;
                END $f$
                """)
            try sp.execute(
                "CREATE TRIGGER nudge AFTER INSERT ON pg_temp.nudge FOR EACH ROW EXECUTE FUNCTION pg_temp.nudge_report()"
            )
            expectSQLState("23514", constraint: Self.rule) { try sp.execute("INSERT INTO nudge VALUES (\(milestone))") }
            // The province's role too.
            expectSQLState("23514", constraint: Self.rule) {
                try fixture.acting("JL").execute(ProgrammeFixture.reportSQL(milestone: milestone))
            }

            // Nothing written, nothing audited: the one report made while it was open stands.
            #expect(try Self.reports(fixture, milestone) == 1)
            #expect(try Self.auditRows(fixture) == audited)

            // Reopened (its work came undone), it takes reports again.
            let reopened = try fixture.cli(["--as", "SP", "milestone", "reopen", "\(milestone)", "--note", "方案需重新论证"])
            #expect(reopened.status == 0, "\(reopened.stderr)")
            #expect(try sp.execute(ProgrammeFixture.reportSQL(milestone: milestone)) == 1)
            #expect(try Self.reports(fixture, milestone) == 2)
        }
    }

    /// A reviewed milestone (办结审核): while its completion is under review, or after it was
    /// returned (退办), it is open and takes reports; struck off (销号) it takes none, and the city
    /// cannot reopen it to report (the province's decision: milestone_reopen_reviewed).
    @Test func aMilestoneStruckOffAfterReviewTakesNoReportAReturnedOneDoes() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try ExtensionRequestTests.milestone(fixture)
            func report(_ note: String) throws -> RelocCLI.Outcome {
                try fixture.cli([
                    "--as", "CC", "milestone", "progress", "\(milestone)", "--percent", "90", "--note", note,
                ])
            }
            let first = try CompletionReviewTests.submissionID(
                try fixture.cli([
                    "--as", "CC", "milestone", "done", "\(milestone)", "--on", "2015-03-02", "--evidence",
                    "长府办〔2015〕3号",
                ]))
            let underReview = try report("审核期间补充说明")
            #expect(underReview.status == 0, "under review it is still open: \(underReview.stderr)")
            let returned = try fixture.cli(["--as", "JL", "review", "return", "\(first)", "--reason", "佐证材料不全"])
            #expect(returned.status == 0, "\(returned.stderr)")
            let afterReturn = try report("补齐佐证材料")
            #expect(afterReturn.status == 0, "returned, it is open again: \(afterReturn.stderr)")

            let second = try CompletionReviewTests.submissionID(
                try fixture.cli([
                    "--as", "CC", "milestone", "done", "\(milestone)", "--on", "2015-04-01", "--evidence",
                    "长府办〔2015〕9号",
                ]))
            let accepted = try fixture.cli(["--as", "JL", "review", "accept", "\(second)"])
            #expect(accepted.status == 0, "\(accepted.stderr)")
            let refused = try report("销号后再报")
            #expect(refused.status == 65 && refused.stderr.contains(Self.rule), "\(refused.status) \(refused.stderr)")
            let cc = try fixture.acting("CC")
            expectSQLState("23514", constraint: Self.rule) {
                try cc.execute(ProgrammeFixture.reportSQL(milestone: milestone))
            }
            // Reopening what the province struck off to report on it: refused (the review's rule).
            expectSQLState("23514", constraint: "milestone_reopen_reviewed") {
                try cc.execute("UPDATE reloc.milestone SET done_on = NULL, note = '再报' WHERE id = \(milestone)")
            }
            #expect(try Self.reports(fixture, milestone) == 2)
        }
    }

    /// A milestone closed by its step (the plan approved) takes no report either.
    @Test func aMilestoneClosedByItsStepTakesNoReport() throws {
        try ProgrammeFixture.with { fixture in
            let closed = try fixture.admin().query(
                """
                SELECT m.id FROM reloc.milestone m JOIN reloc.plan p ON p.id = m.plan_id
                WHERE p.code = 'SP-TD' AND m.done_by_plan_step IS NOT NULL ORDER BY m.id LIMIT 1
                """
            ).decode(Int64.self).first
            let milestone: Int64
            if let closed {
                milestone = closed
            } else {
                let advanced = try fixture.cli([
                    "--as", "SP", "plan", "advance", "SP-TD", "--to", "consultation", "--on", "2015-01-10",
                ])
                #expect(advanced.status == 0, "\(advanced.stderr)")
                milestone = try fixture.milestone(plan: "SP-TD")
            }
            #expect(
                try fixture.admin().query("SELECT done_on IS NOT NULL FROM reloc.milestone WHERE id = \(milestone)")
                    .scalar(Bool.self))
            let refused = try fixture.cli([
                "--as", "SP", "milestone", "progress", "\(milestone)", "--percent", "50", "--note", "已由步骤关闭",
            ])
            #expect(refused.status == 65 && refused.stderr.contains(Self.rule), "\(refused.status) \(refused.stderr)")
        }
    }
}
