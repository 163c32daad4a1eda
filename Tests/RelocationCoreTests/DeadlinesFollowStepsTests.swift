import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Issue 14: milestones are closed by the steps they measure (reloc.milestone_step), a plan gets
/// its programme milestones when created and their due dates follow the province's deadlines
/// (§三, §四(一)), and an enterprise's steps are dated, documented and kept by the database.
@Suite("Deadlines follow the work")
struct DeadlinesFollowStepsTests {
    static func milestoneRow(_ db: PGConnection, _ id: Int64) throws -> (done: String?, step: Int64?) {
        let row = try db.query(
            "SELECT done_on::text, coalesce(done_by_plan_step, done_by_enterprise_step) FROM reloc.milestone WHERE id = \(id)"
        ).rows[0]
        return (try row.decode(String?.self, at: 0), try row.decode(Int64?.self, at: 1))
    }

    @Test func siPingsApprovalClosesItsMilestonesOnTheStepsDates() throws {
        try ProgrammeFixture.with { fixture in
            let compiled = try fixture.milestone(plan: "SP-TD")
            let approvedOutcome = try fixture.cli([
                "milestone", "add", "--plan", "SP-TD", "--kind", "approved", "--title", "实施方案批准", "--due", "2015-03-31",
                "--as", "SP",
            ])
            #expect(approvedOutcome.status == 0, "\(approvedOutcome.stderr)")
            let approved = Int64(approvedOutcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
            for (to, on) in [("consultation", "2014-10-08"), ("risk-assessed", "2014-11-20")] {
                #expect(
                    try fixture.cli(["plan", "advance", "SP-TD", "--to", to, "--on", on, "--as", "SP"]).status == 0)
            }
            let admin = try fixture.admin()
            // Going to consultation is the plan compiled (编制完成, §四(一)): closed on that day, linked.
            let afterCompiled = try Self.milestoneRow(admin, compiled)
            #expect(afterCompiled.done == "2014-10-08")
            #expect(afterCompiled.step != nil)
            #expect(try Self.milestoneRow(admin, approved).done == nil)
            let approval = try fixture.cli([
                "plan", "advance", "SP-TD", "--to", "approved", "--on", "2014-12-20", "--doc", "四政函〔2014〕88号",
                "--as", "JL",
            ])
            #expect(approval.status == 0, "\(approval.stderr)")
            let closed = try Self.milestoneRow(admin, approved)
            #expect(closed.done == "2014-12-20")
            #expect(
                try admin.query("SELECT to_status FROM reloc.plan_status_change WHERE id = \(closed.step ?? 0)").scalar(
                    String.self) == "approved")
            // As of a day: the status of that day and the steps recorded by then.
            let before = try fixture.cli(["plan", "show", "SP-TD", "--as-of", "2014-11-01", "--format", "json"])
            #expect(before.stdout.contains("\"status_on_the_day\": \"consultation\""), "\(before.stdout)")
            #expect(before.stdout.contains("\"approval_doc\": null") && !before.stdout.contains("risk-assessed"))
            let after = try fixture.cli(["plan", "show", "SP-TD", "--as-of", "2014-12-20", "--format", "json"])
            #expect(after.stdout.contains("\"status_on_the_day\": \"approved\""), "\(after.stdout)")
            // Nothing of SP-TD's is overdue any more, though the deadline (2014-12-31) is long past.
            let overdue = try fixture.cli(["milestone", "list", "--plan", "SP-TD", "--overdue", "--format", "csv"])
            #expect(
                !overdue.stdout.contains("plan-compiled") && !overdue.stdout.contains("approved"), "\(overdue.stdout)")
            // A milestone whose step is already recorded is created closed, never overdue.
            let late = try fixture.cli([
                "milestone", "add", "--plan", "SP-TD", "--kind", "risk-assessed", "--title", "稳评", "--due",
                "2014-11-01",
                "--as", "SP",
            ])
            let lateID = Int64(late.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
            #expect(try Self.milestoneRow(admin, lateID).done == "2014-11-20")
            // Closed by its step: not reopened or re-dated by hand; an open one is not "reopened".
            expectCLIRule(
                try fixture.cli(["milestone", "reopen", "\(approved)", "--as", "JL"]), "milestone_closed_by_step")
            expectCLIRule(
                try fixture.cli(["milestone", "done", "\(approved)", "--on", "2015-01-05", "--as", "SP"]),
                "milestone_closed_by_step")
            let open = try fixture.milestone(plan: "CC-KC")
            expectCLIRule(try fixture.cli(["milestone", "reopen", "\(open)", "--as", "JL"]), "milestone_reopen_open")
        }
    }

    @Test func theLinkToTheStepIsTheDatabasesAlone() throws {
        try ProgrammeFixture.with { fixture in
            #expect(
                try fixture.cli([
                    "plan", "advance", "SP-TD", "--to", "consultation", "--on", "2014-10-08", "--as", "SP",
                ]).status == 0)
            let compiled = try fixture.milestone(plan: "SP-TD")
            let step = try Self.milestoneRow(fixture.admin(), compiled).step!
            // The province writes milestones, but the link is computed: cleared or forged, it stays.
            let province = try fixture.acting("JL")
            _ = try province.execute(
                "UPDATE reloc.milestone SET done_by_plan_step = NULL, note = 'x', title = title WHERE id = \(compiled)")
            #expect(try Self.milestoneRow(fixture.admin(), compiled).step == step)
            let other = try fixture.milestone(plan: "CC-KC")
            _ = try province.execute("UPDATE reloc.milestone SET done_by_plan_step = \(step) WHERE id = \(other)")
            #expect(try Self.milestoneRow(fixture.admin(), other).step == nil)
            let forged = try province.query(
                """
                INSERT INTO reloc.milestone (kind, title, due_on, plan_id, done_on, done_by_plan_step)
                SELECT 'custom', '伪造', '2015-01-01', id, '2014-10-08', \(step) FROM reloc.plan WHERE code = 'CC-KC'
                RETURNING done_by_plan_step
                """
            ).scalar(Int64?.self)
            #expect(forged == nil)
            // The city may not even name the column; nobody writes the history or calls the closing code.
            let city = try fixture.acting("SP")
            expectSQLState("42501") {
                _ = try city.execute("UPDATE reloc.milestone SET done_by_plan_step = NULL WHERE id = \(compiled)")
            }
            expectSQLState("42501") {
                _ = try city.execute(
                    "INSERT INTO reloc.enterprise_status_change (enterprise_id, from_status, to_status, on_date, changed_by, changed_by_login) VALUES (1, 'registered', 'heritage-surveyed', '2015-01-01', 'x', 'x')"
                )
            }
            expectSQLState("42501") {
                try city.executeUnsafeScript(
                    """
                    CREATE TEMP TABLE t (id int);
                    CREATE FUNCTION pg_temp.f() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN UPDATE reloc.milestone SET done_on = '2014-01-02' WHERE id = \(other); RETURN NEW; END $$;
                    CREATE TRIGGER t_step AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION reloc.step_closes_milestones();
                    INSERT INTO t VALUES (1);
                    """)
            }
            expectSQLState("42501") { _ = try city.query("SELECT reloc.step_closes_milestones()") }
        }
    }

    @Test func aNewPlanGetsItsMilestonesAndTheirDueDatesFollowTheProvince() throws {
        try ProgrammeFixture.with { fixture in
            let added = try fixture.cli([
                "plan", "add", "SY-1", "--city", "SP", "--name", "四平试验区", "--compile-by", "2015-06-30", "--as", "JL",
            ])
            #expect(added.status == 0, "\(added.stderr)")
            let admin = try fixture.admin()
            func due(_ plan: String, _ kind: String) throws -> String {
                try admin.query(
                    "SELECT m.due_on::text FROM reloc.milestone m JOIN reloc.plan p ON p.id = m.plan_id WHERE p.code = \(plan) AND m.kind = \(kind)"
                ).scalar(String.self)
            }
            #expect(try due("SY-1", "plan-compiled") == "2015-06-30")
            #expect(try due("SY-1", "basic-completion") == "2022-12-31")
            // The province moves compile-by: the milestone follows (§四(一)).
            #expect(try fixture.cli(["plan", "edit", "SP-TD", "--compile-by", "2015-06-30", "--as", "JL"]).status == 0)
            #expect(try due("SP-TD", "plan-compiled") == "2015-06-30")
            // Moved by hand, it stops following, and says so.
            let basic = try fixture.milestone(plan: "SP-TD", kind: "basic-completion")
            #expect(
                try fixture.cli(["milestone", "edit", "\(basic)", "--due", "2023-06-30", "--as", "JL"]).status == 0)
            #expect(
                try fixture.cli([
                    "plan", "edit", "SP-TD", "--basic-completion-by", "2024-12-31", "--compile-by", "2015-09-30",
                    "--as", "JL",
                ])
                .status == 0)
            #expect(try due("SP-TD", "basic-completion") == "2023-06-30")
            #expect(try due("SP-TD", "plan-compiled") == "2015-09-30")
            #expect(
                try admin.query(
                    "SELECT due_follows IS NULL AND due_moved_by_hand_on IS NOT NULL FROM reloc.milestone WHERE id = \(basic)"
                )
                .scalar(Bool.self))
        }
    }

    @Test func anEnterprisesStepsAreDatedDocumentedAndCloseItsMilestones() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register()
            let milestone = try fixture.cli([
                "milestone", "add", "--enterprise", "\(id)", "--kind", "heritage-surveyed", "--title", "工业遗产普查",
                "--due", "2015-06-30", "--as", "SP",
            ])
            let milestoneID = Int64(milestone.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
            func advance(_ to: String, _ extra: [String]) throws -> RelocCLI.Outcome {
                try fixture.cli(["enterprise", "advance", "\(id)", "--to", to, "--as", "SP"] + extra)
            }
            expectCLIRule(try advance("heritage-surveyed", ["--on", "2013-12-31"]), "enterprise_status_dates")
            expectCLIRule(try advance("heritage-surveyed", ["--on", "2099-01-01"]), "enterprise_status_dates")
            let surveyed = try advance(
                "heritage-surveyed", ["--on", "2015-05-04", "--doc", "四文物〔2015〕7号", "--note", "普查"])
            #expect(surveyed.status == 0, "\(surveyed.stderr)")
            #expect(try Self.milestoneRow(fixture.admin(), milestoneID).done == "2015-05-04")
            // Repeating the step is refused; a step before the one before it too.
            expectCLIRule(try advance("heritage-surveyed", []), "enterprise_status_order")
            expectCLIRule(try advance("relocating", ["--on", "2015-05-03"]), "enterprise_status_dates")
            // SET LOCAL of the date setting is input, checked like --on.
            let city = try fixture.acting("SP")
            expectSQLState("23514", constraint: "enterprise_status_dates") {
                try city.executeUnsafeScript(
                    "SET LOCAL reloc.enterprise_on = '2015-01-01'; UPDATE reloc.enterprise SET status = 'relocating', industry = 'x' WHERE id = \(id)"
                )
            }
            let shown = try fixture.cli(["enterprise", "show", "\(id)", "--format", "json"])
            #expect(shown.stdout.contains("\"history\": [{"), "\(shown.stdout)")
            #expect(shown.stdout.contains("四文物〔2015〕7号") && shown.stdout.contains("2015-05-04"), "\(shown.stdout)")
            for (day, status) in [("2015-05-03", "registered"), ("2015-05-04", "heritage-surveyed")] {
                let asOf = try fixture.cli(["enterprise", "show", "\(id)", "--as-of", day, "--format", "json"])
                #expect(asOf.stdout.contains("\"status_on_the_day\": \"\(status)\""), "\(asOf.stdout)\(asOf.stderr)")
            }
            let audit = try fixture.cli(["audit", "--table", "enterprise_status_change"])
            #expect(audit.status == 0 && audit.stdout.contains("insert"), "\(audit.stdout)\(audit.stderr)")
        }
    }

    @Test func twoSessionsAdvancingAtOnceRecordOneStep() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register()
            let database = fixture.database
            let statuses = LockedStatuses()
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                let outcome = try? RelocCLI.run(
                    ["enterprise", "advance", "\(id)", "--to", "heritage-surveyed", "--as", "SP"], database: database)
                statuses.append(outcome?.status ?? -1)
            }
            #expect(statuses.sorted == [0, 65, 65, 65])
            #expect(
                try fixture.admin().count(
                    "SELECT count(*) FROM reloc.enterprise_status_change WHERE enterprise_id = \(id)")
                    == 1)
        }
    }
}

final class LockedStatuses: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int32] = []
    func append(_ value: Int32) { lock.withLock { values.append(value) } }
    var sorted: [Int32] { lock.withLock { values.sorted() } }
}
