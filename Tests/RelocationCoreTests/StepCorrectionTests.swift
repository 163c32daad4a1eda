import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Issue 14: a step recorded in error is corrected by the province (`enterprise correct`, `plan
/// correct`), dated and with a reason, never by editing history; the correction reopens what the
/// step had closed, and a corrected approval re-dates what the approval closed.
@Suite("Corrections of steps recorded in error")
struct StepCorrectionTests {
    static func milestone(_ db: PGConnection, _ id: Int64) throws -> (done: String?, step: Int64?) {
        try DeadlinesFollowStepsTests.milestoneRow(db, id)
    }

    static func addedID(_ outcome: RelocCLI.Outcome) -> Int64? {
        Int64(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func theProvinceUndoesAnEnterprisesStepAndItsMilestoneReopens() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register()
            let added = try fixture.cli([
                "milestone", "add", "--enterprise", "\(id)", "--kind", "heritage-surveyed", "--title", "工业遗产普查",
                "--due", "2015-06-30", "--as", "SP",
            ])
            let milestoneID = try #require(Self.addedID(added), "\(added.stderr)")
            #expect(
                try fixture.cli([
                    "enterprise", "advance", "\(id)", "--to", "heritage-surveyed", "--on", "2015-05-04", "--as", "SP",
                ]).status == 0)
            #expect(try Self.milestone(fixture.admin(), milestoneID).done == "2015-05-04")
            func correct(_ extra: [String]) throws -> RelocCLI.Outcome {
                try fixture.cli(["enterprise", "correct", "\(id)"] + extra)
            }
            // The city whose enterprise it is may not; the step named must be the latest; a reason;
            // dated on or after the step and not in the future. Nothing is written by a refusal.
            #expect(try correct(["--step", "heritage-surveyed", "--reason", "录错", "--as", "SP"]).status == 77)
            expectCLIRule(try correct(["--step", "relocating", "--reason", "录错", "--as", "JL"]), "status_correction")
            expectCLIRule(
                try correct(["--step", "heritage-surveyed", "--reason", " ", "--as", "JL"]), "status_correction")
            expectCLIRule(
                try correct(["--step", "heritage-surveyed", "--reason", "录错", "--on", "2015-05-03", "--as", "JL"]),
                "status_correction")
            expectCLIRule(
                try correct(["--step", "heritage-surveyed", "--reason", "录错", "--on", "2099-01-01", "--as", "JL"]),
                "status_correction")
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.status_correction") == 0)

            let done = try correct([
                "--step", "heritage-surveyed", "--reason", "普查未完成，误录", "--on", "2015-05-10", "--as", "JL",
            ])
            #expect(done.status == 0, "\(done.stderr)")
            let admin = try fixture.admin()
            #expect(
                try admin.query("SELECT status FROM reloc.enterprise WHERE id = \(id)").scalar(String.self)
                    == "registered")
            // Reopened, unlinked; the step stays in the history, marked undone.
            #expect(try Self.milestone(admin, milestoneID).done == nil)
            #expect(try Self.milestone(admin, milestoneID).step == nil)
            #expect(
                try admin.count("SELECT count(*) FROM reloc.enterprise_status_change WHERE enterprise_id = \(id)") == 1)
            let shown = try fixture.cli(["enterprise", "show", "\(id)", "--format", "json"])
            #expect(
                shown.stdout.contains("\"undone_on\": \"2015-05-10\"") && shown.stdout.contains("普查未完成，误录"),
                "\(shown.stdout)")
            let asOf = try fixture.cli(["enterprise", "show", "\(id)", "--as-of", "2015-05-20", "--format", "json"])
            #expect(asOf.stdout.contains("\"status_on_the_day\": \"registered\""), "\(asOf.stdout)")
            let audit = try fixture.cli(["audit", "--table", "status_correction"])
            #expect(audit.status == 0 && audit.stdout.contains("insert"), "\(audit.stdout)\(audit.stderr)")
            // Undoing it again: nothing left to undo.
            expectCLIRule(
                try correct(["--step", "heritage-surveyed", "--reason", "again", "--as", "JL"]), "status_correction")

            // The real step, dated before the undone one, is recorded and closes the milestone again.
            let again = try fixture.cli([
                "enterprise", "advance", "\(id)", "--to", "heritage-surveyed", "--on", "2015-05-01", "--as", "SP",
            ])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try Self.milestone(admin, milestoneID).done == "2015-05-01")
        }
    }

    @Test func onlyTheDatabaseMovesAStatusBackOrWritesACorrection() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register()
            try Enterprises(fixture.acting("SP")).advance(
                id, to: "heritage-surveyed", doc: nil, on: CalendarDate(year: 2015, month: 5, day: 4), note: nil)
            for code in ["SP", "JL"] {
                let role = try fixture.acting(code)
                expectSQLState("23514", constraint: "enterprise_status_order") {
                    _ = try role.execute(
                        "UPDATE reloc.enterprise SET status = 'registered', industry = 'x' WHERE id = \(id)")
                }
                expectSQLState("42501") {
                    _ = try role.execute(
                        """
                        INSERT INTO reloc.status_correction (enterprise_id, undone_enterprise_step, from_status, to_status,
                            on_date, reason, corrected_by, corrected_by_login, transaction_id)
                        SELECT \(id), c.id, 'heritage-surveyed', 'registered', DATE '2015-05-05', 'forged', 'x', 'x',
                               pg_current_xact_id()::text::bigint
                        FROM reloc.enterprise_status_change c WHERE c.enterprise_id = \(id)
                        """)
                }
                // A transaction-local setting is no authority either.
                expectSQLState("23514", constraint: "enterprise_status_order") {
                    try role.executeUnsafeScript(
                        "SET LOCAL reloc.enterprise_on = '2015-05-05'; UPDATE reloc.enterprise SET status = 'registered' WHERE id = \(id)"
                    )
                }
            }
            expectSQLState("42501") {
                _ = try fixture.acting("SP").execute(
                    "SELECT reloc.correct_enterprise_step(\(id), 'heritage-surveyed', 'raw', NULL)")
            }
            // The province's correction, then its row is history: never changed or deleted.
            _ = try fixture.acting("JL").execute(
                "SELECT reloc.correct_enterprise_step(\(id), 'heritage-surveyed', 'raw', NULL)")
            let province = try fixture.acting("JL")
            expectSQLState("42501") {
                _ = try province.execute("UPDATE reloc.status_correction SET reason = 'x', on_date = DATE '2015-05-05'")
            }
            expectSQLState("42501") { _ = try province.execute("DELETE FROM reloc.status_correction") }
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.status_correction WHERE reason = 'raw'") == 1)
        }
    }

    @Test func twoCorrectionsAtOnceUndoOneStep() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register()
            let province = try fixture.acting("JL")
            try Enterprises(province).advance(
                id, to: "heritage-surveyed", doc: nil, on: CalendarDate(year: 2015, month: 5, day: 4), note: nil)
            try Enterprises(province).advance(
                id, to: "relocating", doc: nil, on: CalendarDate(year: 2015, month: 6, day: 1), note: nil)
            let database = fixture.database
            let statuses = LockedStatuses()
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                let outcome = try? RelocCLI.run(
                    ["enterprise", "correct", "\(id)", "--step", "relocating", "--reason", "误录", "--as", "JL"],
                    database: database)
                statuses.append(outcome?.status ?? -1)
            }
            #expect(statuses.sorted == [0, 65, 65, 65])
            let admin = try fixture.admin()
            #expect(try admin.count("SELECT count(*) FROM reloc.status_correction WHERE enterprise_id = \(id)") == 1)
            #expect(
                try admin.query("SELECT status FROM reloc.enterprise WHERE id = \(id)").scalar(String.self)
                    == "heritage-surveyed")
        }
    }

    @Test func aCorrectedApprovalRedatesAndAnUndoneApprovalReopensAndIsChasedAgain() throws {
        try ProgrammeFixture.with { fixture in
            let added = try fixture.cli([
                "milestone", "add", "--plan", "SP-TD", "--kind", "approved", "--title", "四平实施方案批准（核对）",
                "--due", "2014-12-31", "--as", "SP",
            ])
            let approved = try #require(Self.addedID(added), "\(added.stderr)")
            for (to, on, who) in [
                ("consultation", "2014-12-10", "SP"), ("risk-assessed", "2014-12-15", "SP"),
                ("approved", "2014-12-20", "JL"),
            ] {
                let step = try fixture.cli(
                    ["plan", "advance", "SP-TD", "--to", to, "--on", on, "--doc", "吉政函〔2014〕138号", "--as", who])
                #expect(step.status == 0, "\(step.stderr)")
            }
            let admin = try fixture.admin()
            #expect(try Self.milestone(admin, approved).done == "2014-12-20")
            func digest() throws -> String {
                try fixture.cli(["remind", "run", "--as-of", "2015-01-05", "--dry-run"]).stdout
            }
            #expect(!(try digest().contains("四平实施方案批准（核对）")))

            // The approval's date corrected: the milestone it closed is done on the corrected date.
            let corrected = try fixture.cli([
                "plan", "correct-approval", "SP-TD", "--on", "2014-12-22", "--reason", "日期录错", "--as", "JL",
            ])
            #expect(corrected.status == 0, "\(corrected.stderr)")
            #expect(try Self.milestone(admin, approved).done == "2014-12-22")
            // A milestone of that kind added now is created done on the corrected date too.
            let late = try fixture.cli([
                "milestone", "add", "--plan", "SP-TD", "--kind", "approved", "--title", "批准（补记）", "--due", "2015-01-31",
                "--as", "SP",
            ])
            #expect(try Self.milestone(admin, try #require(Self.addedID(late), "\(late.stderr)")).done == "2014-12-22")

            // The approval step undone: the plan is risk-assessed again, without an approval, and
            // the milestone is open and chased again by the reminder job.
            #expect(
                try fixture.cli(["plan", "correct", "SP-TD", "--step", "approved", "--reason", "x", "--as", "SP"])
                    .status
                    == 77)
            let undone = try fixture.cli([
                "plan", "correct", "SP-TD", "--step", "approved", "--reason", "批复文件有误，撤回", "--as", "JL",
            ])
            #expect(undone.status == 0, "\(undone.stderr)")
            let plan = try admin.query(
                "SELECT status, approval_doc, approved_on::text FROM reloc.plan WHERE code = 'SP-TD'"
            )
            .rows[0]
            #expect(try plan.decode(String.self, at: 0) == "risk-assessed")
            #expect(try plan.decode(String?.self, at: 1) == nil && plan.decode(String?.self, at: 2) == nil)
            #expect(try Self.milestone(admin, approved).done == nil)
            #expect(try digest().contains("四平实施方案批准（核对）"))
            let shown = try fixture.cli(["plan", "show", "SP-TD", "--format", "json"])
            #expect(shown.stdout.contains("批复文件有误，撤回"), "\(shown.stdout)")
            // Approved again, on its real date: closed again.
            let again = try fixture.cli([
                "plan", "advance", "SP-TD", "--to", "approved", "--on", "2015-01-08", "--doc", "吉政函〔2015〕2号", "--as",
                "JL",
            ])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try Self.milestone(admin, approved).done == "2015-01-08")
        }
    }
}

/// Issue 14: an enterprise advanced before 0011 had no status history; 0021 backfills one row.
@Suite("Backfilled enterprise histories")
struct BackfilledHistoryTests {
    /// The backfill statement of migration 0021, as shipped.
    static func backfill() throws -> String {
        let text = try String(
            contentsOf: Documentation.root.appendingPathComponent(
                "Sources/RelocationCore/SQL/migrations/0021_step_corrections_priority.sql"), encoding: .utf8)
        let start = try #require(text.range(of: "INSERT INTO reloc.enterprise_status_change"))
        let end = try #require(text.range(of: "ORDER BY e.id;", range: start.upperBound..<text.endIndex))
        return String(text[start.lowerBound..<end.upperBound])
    }

    @Test func anEnterpriseWithoutHistoryGetsOneBackfilledRow() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register()
            let admin = try fixture.admin()
            // As before 0011: the status moved without a history row.
            try admin.executeUnsafeScript(
                """
                ALTER TABLE reloc.enterprise DISABLE TRIGGER enterprise_step_record;
                UPDATE reloc.enterprise SET status = 'heritage-surveyed' WHERE id = \(id);
                ALTER TABLE reloc.enterprise ENABLE TRIGGER enterprise_step_record;
                """)
            let history: SQLQuery = "SELECT count(*) FROM reloc.enterprise_status_change WHERE enterprise_id = \(id)"
            #expect(try admin.count(history) == 0)
            try admin.executeUnsafeScript(try Self.backfill())
            try admin.executeUnsafeScript(try Self.backfill())
            #expect(try admin.count(history) == 1)
            let row = try admin.query(
                """
                SELECT from_status, to_status, note, on_date = reloc.local_date(e.created_at)
                FROM reloc.enterprise_status_change c JOIN reloc.enterprise e ON e.id = c.enterprise_id
                WHERE c.enterprise_id = \(id)
                """
            ).rows[0]
            #expect(try row.decode(String.self, at: 0) == "registered")
            #expect(try row.decode(String.self, at: 1) == "heritage-surveyed")
            #expect(try row.decode(String.self, at: 2) == "补录")
            #expect(try row.decode(Bool.self, at: 3))
            let shown = try fixture.cli(["enterprise", "show", "\(id)", "--format", "json"])
            #expect(shown.stdout.contains("补录"), "\(shown.stdout)")
        }
    }
}
