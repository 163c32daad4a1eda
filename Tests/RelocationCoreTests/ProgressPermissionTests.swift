import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Who may report progress, enforced by grants, row-level security and the report trigger; tried
/// through the CLI and through plain SQL as each organisation's role.
@Suite("Progress: who may report, and nothing is ever rewritten")
struct ProgressPermissionTests {
    @Test func aDepartmentReportsOnItsOwnTasksOnly() throws {
        try ProgrammeFixture.with { fixture in
            // 省工业信息化厅 leads task 3.
            let ok = try fixture.cli([
                "task", "progress", "3", "--as", "JL-GXT", "--percent", "40", "--status", "at-risk",
                "--note", "已梳理淘汰落后产能企业名单", "--evidence", "吉工信发〔2014〕12号", "吉财发〔2014〕3号",
            ])
            #expect(ok.status == 0, "\(ok.stderr)")
            let shown = try fixture.cli(["task", "show", "3", "--format", "json"])
            #expect(shown.stdout.contains("已梳理淘汰落后产能企业名单"))
            #expect(shown.stdout.contains("吉工信发〔2014〕12号; 吉财发〔2014〕3号"))
            #expect(shown.stdout.contains("\"status\": \"at-risk\""))
            let mine = try fixture.cli(["task", "list", "--as", "JL-GXT", "--mine"])
            #expect(
                mine.stdout.contains("40") && mine.stdout.contains("存在风险"), "the table reads the status by its name")

            // 省科技厅 has only task 5: task 3 is refused, by the CLI (77) and by plain SQL.
            let refused = try fixture.cli([
                "task", "progress", "3", "--as", "JL-KJT", "--percent", "10", "--note", "越权",
            ])
            #expect(refused.status == 77, "\(refused.stderr)")
            #expect(refused.stderr.contains("task 3 is not yours"))
            let kjt = try fixture.acting("JL-KJT")
            expectSQLState("42501") { try kjt.execute(ProgrammeFixture.reportSQL(task: 3)) }
            #expect(try kjt.execute(ProgrammeFixture.reportSQL(task: 5)) == 1)
            // A department may not report on a city's plan milestone either.
            let spPlan = try fixture.milestone(plan: "SP-TD")
            expectSQLState("42501") { try kjt.execute(ProgrammeFixture.reportSQL(milestone: spPlan)) }
            // Row-level security refuses it even with the trigger out of the way.
            let admin = try fixture.admin()
            try admin.execute("ALTER TABLE reloc.progress_report DISABLE TRIGGER progress_report_before_insert")
            expectSQLState("42501") {
                try kjt.execute(
                    "INSERT INTO reloc.progress_report (task_id, percent, status, note) SELECT id, 10, 'on-track', 'x' FROM reloc.task WHERE number = 3"
                )
            }
            try admin.execute("ALTER TABLE reloc.progress_report ENABLE TRIGGER progress_report_before_insert")
            #expect(try admin.count("SELECT count(*) FROM reloc.progress_report") == 2)
        }
    }

    @Test func aRenamedDepartmentsSuccessorReportsOnThePredecessorsTasks() throws {
        try ProgrammeFixture.with { fixture in
            // Task 14 was assigned to 省国土资源厅; 省自然资源厅 succeeded it on 2018-10-01.
            let ok = try fixture.cli(["task", "progress", "14", "--as", "JL-ZRT", "--percent", "60", "--note", "指标已倾斜"])
            #expect(ok.status == 0, "\(ok.stderr)")
            let zrt = try fixture.acting("JL-ZRT")
            #expect(try zrt.execute(ProgrammeFixture.reportSQL(task: 15)) == 1)
            // The reporter is recorded as the body that exists, with the login.
            #expect(
                try fixture.admin().query(
                    "SELECT DISTINCT o.code FROM reloc.progress_report r JOIN reloc.organisation o ON o.id = r.org_id"
                ).scalar(String.self) == "JL-ZRT")
            // The old body's role acts for nothing any more.
            expectSQLState("42501") { try fixture.acting("JL-GTT").execute(ProgrammeFixture.reportSQL(task: 14)) }
            // 省粮食和物资储备局 took task 10 over from 省粮食局.
            #expect(try fixture.acting("JL-LSWZ").execute(ProgrammeFixture.reportSQL(task: 10)) == 1)
        }
    }

    @Test func aCityReportsOnMilestonesOfItsOwnPlansAndEnterprises() throws {
        try ProgrammeFixture.with { fixture in
            let siping = try fixture.milestone(plan: "SP-TD")
            let changchun = try fixture.milestone(plan: "CC-KC")
            let ok = try fixture.cli([
                "milestone", "progress", String(siping), "--as", "SP", "--percent", "80", "--note", "方案已征求意见",
            ])
            #expect(ok.status == 0, "\(ok.stderr)")
            let refused = try fixture.cli([
                "milestone", "progress", String(changchun), "--as", "SP", "--percent", "80", "--note", "越权",
            ])
            #expect(refused.status == 77, "\(refused.stderr)")
            let sp = try fixture.acting("SP")
            expectSQLState("42501") { try sp.execute(ProgrammeFixture.reportSQL(milestone: changchun)) }
            // Tasks are the departments': a city reports on none.
            expectSQLState("42501") { try sp.execute(ProgrammeFixture.reportSQL(task: 1)) }
            // The district government reports on its own plan's milestone too.
            #expect(try fixture.acting("SP-TD").execute(ProgrammeFixture.reportSQL(milestone: siping)) == 1)
            // An enterprise milestone of 四平 (an enterprise in its plan).
            let enterprise = try fixture.admin().query(
                "SELECT id FROM reloc.enterprise WHERE name = '四平昊华化工'"
            ).scalar(Int64.self)
            let added = try fixture.cli([
                "milestone", "add", "--as", "SP", "--kind", "heritage-surveyed", "--title", "工业遗产普查",
                "--due", "2015-06-30", "--enterprise", String(enterprise),
            ])
            #expect(added.status == 0, "\(added.stderr)")
            let id = Int64(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
            #expect(try sp.execute(ProgrammeFixture.reportSQL(milestone: id)) == 1)
            expectSQLState("42501") { try fixture.acting("CC").execute(ProgrammeFixture.reportSQL(milestone: id)) }
            // The province reports on anything.
            let province = try fixture.acting("JL")
            #expect(try province.execute(ProgrammeFixture.reportSQL(milestone: changchun)) == 1)
            #expect(try province.execute(ProgrammeFixture.reportSQL(task: 3)) == 1)
        }
    }

    /// The bulk import names the reporter (org_id) so that the row trigger need not compute it for
    /// each row; a raw INSERT that names one is checked once for the statement, and may not forge
    /// the reporter, report on what is not its own, or give the login or the time (§四(五)).
    @Test func aReportThatNamesItsReporterCannotForgeIt() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            func org(_ code: String) throws -> Int64 {
                try admin.query("SELECT id FROM reloc.organisation WHERE code = \(code)").scalar(Int64.self)
            }
            let kjtID = try org("JL-KJT")
            let gxtID = try org("JL-GXT")
            let spID = try org("SP")
            let kjt = try fixture.acting("JL-KJT")
            let report: (Int, Int64) -> SQLQuery = { number, orgID in
                "INSERT INTO reloc.progress_report (task_id, org_id, percent, note) SELECT id, \(orgID), 10, 'named' FROM reloc.task WHERE number = \(number)"
            }
            // Its own task (5), naming itself: recorded, with the login and the time stamped.
            #expect(try kjt.execute(report(5, kjtID)) == 1)
            let login = try kjt.query("SELECT session_user::text").scalar(String.self)
            let stored = try admin.query(
                """
                SELECT o.code, r.login, r.reported_at > clock_timestamp() - interval '1 minute'
                FROM reloc.progress_report r JOIN reloc.organisation o ON o.id = r.org_id WHERE r.note = 'named'
                """
            ).decode((String, String, Bool).self)
            #expect(stored.map(\.0) == ["JL-KJT"] && stored.map(\.1) == [login] && stored.map(\.2) == [true])
            // Another department's task (3), naming itself: refused.
            expectSQLState("42501") { try kjt.execute(report(3, kjtID)) }
            // Its own task, naming another department: refused (by the statement's check, not the policy).
            expectSQLState("42501") { try kjt.execute(report(5, gxtID)) }
            // In one statement with rows the trigger stamps: the named row is still checked.
            expectSQLState("42501") {
                try kjt.execute(
                    """
                    INSERT INTO reloc.progress_report (task_id, org_id, percent, note)
                    SELECT t.id, v.org_id, 10, 'mixed' FROM reloc.task t
                    CROSS JOIN (VALUES (NULL::bigint), (\(gxtID)::bigint)) AS v (org_id) WHERE t.number = 5
                    """)
            }
            // Own and another's task in one statement, naming itself: refused whole.
            expectSQLState("42501") {
                try kjt.execute(
                    "INSERT INTO reloc.progress_report (task_id, org_id, percent, note) SELECT id, \(kjtID), 10, 'both' FROM reloc.task WHERE number IN (3, 5)"
                )
            }
            // The login and the time are never the client's.
            expectSQLState("42501") {
                try kjt.execute(
                    "INSERT INTO reloc.progress_report (task_id, org_id, login, percent, note) SELECT id, \(kjtID), 'someone', 10, 'forged' FROM reloc.task WHERE number = 5"
                )
            }
            expectSQLState("42501") {
                try kjt.execute(
                    "INSERT INTO reloc.progress_report (task_id, org_id, reported_at, percent, note) SELECT id, \(kjtID), '2014-06-30', 10, 'forged' FROM reloc.task WHERE number = 5"
                )
            }
            // A city naming itself on another city's milestone: refused; on its own: recorded.
            let sp = try fixture.acting("SP")
            let changchun = try fixture.milestone(plan: "CC-KC")
            let siping = try fixture.milestone(plan: "SP-TD")
            let milestoneReport: (Int64, Int64) -> SQLQuery = { milestone, orgID in
                "INSERT INTO reloc.progress_report (milestone_id, org_id, percent, note) VALUES (\(milestone), \(orgID), 10, 'named')"
            }
            expectSQLState("42501") { try sp.execute(milestoneReport(changchun, spID)) }
            expectSQLState("42501") { try sp.execute(milestoneReport(siping, kjtID)) }
            #expect(try sp.execute(milestoneReport(siping, spID)) == 1)
            #expect(try admin.count("SELECT count(*) FROM reloc.progress_report") == 2)
        }
    }

    /// A report already in the form the row trigger keeps skips the trigger (its WHEN, issue 13:
    /// import speed); written as raw SQL by the role it is still the trigger's row: stamped, every
    /// rule held, the reporter checked, and a row not quite in that form takes the trigger.
    @Test func aReportInTheTriggersFormIsStillStampedAndChecked() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            let kjtID = try admin.query("SELECT id FROM reloc.organisation WHERE code = 'JL-KJT'").scalar(Int64.self)
            let gxtID = try admin.query("SELECT id FROM reloc.organisation WHERE code = 'JL-GXT'").scalar(Int64.self)
            let kjt = try fixture.acting("JL-KJT")
            let login = try kjt.query("SELECT session_user::text").scalar(String.self)
            func report(_ values: String, org: Int64? = nil) -> SQLQuery {
                SQLQuery(
                    stringLiteral: """
                        INSERT INTO reloc.progress_report (task_id, org_id, percent, status, note, evidence)
                        SELECT id, \(org ?? kjtID), \(values) FROM reloc.task WHERE number = 5
                        """)
            }
            #expect(try kjt.execute(report("10.00, 'on-track', '终态', ARRAY['吉科〔2014〕1号']")) == 1)
            #expect(try kjt.execute(report("20, 'on-track', ' 未修整 ', ARRAY[' 吉科〔2014〕2号 ', '', NULL]")) == 1)
            #expect(try kjt.execute(report("100.00, 'done', '完成', '{}'")) == 1)
            let rows = try admin.query(
                """
                SELECT note, percent::text, array_to_string(evidence, '|'), login,
                       reported_at > clock_timestamp() - interval '1 minute'
                FROM reloc.progress_report WHERE note IN ('终态', '未修整', '完成') ORDER BY id
                """
            ).decode((String, String, String, String, Bool).self)
            #expect(rows.map(\.0) == ["终态", "未修整", "完成"])
            #expect(rows.map(\.1) == ["10.00", "20.00", "100.00"])
            #expect(rows.map(\.2) == ["吉科〔2014〕1号", "吉科〔2014〕2号", ""])
            #expect(rows.allSatisfy { $0.3 == login && $0.4 }, "\(rows)")
            // Final in form, but against a rule, another's reporter or another's task: refused.
            expectSQLState("23514", constraint: "progress_done_is_complete") {
                try kjt.execute(report("100.00, 'on-track', '未完成', '{}'"))
            }
            expectSQLState("23514", constraint: "progress_done_is_complete") {
                try kjt.execute(report("50.00, 'done', '完成了', '{}'"))
            }
            expectSQLState("42501") { try kjt.execute(report("10.00, 'on-track', '冒名', '{}'", org: gxtID)) }
            expectSQLState("42501") {
                try kjt.execute(
                    """
                    INSERT INTO reloc.progress_report (task_id, org_id, percent, status, note, evidence)
                    SELECT id, \(kjtID), 10.00, 'on-track', '别人的任务', '{}' FROM reloc.task WHERE number = 3
                    """)
            }
            #expect(try admin.count("SELECT count(*) FROM reloc.progress_report") == 3)
            // Every report, skipped or not, is audited as stored.
            #expect(
                try admin.count(
                    """
                    SELECT count(*) FROM reloc.audit a JOIN reloc.progress_report r ON a.row_id = r.id
                    WHERE a.table_name = 'progress_report' AND a.action = 'insert' AND a.new_values = to_jsonb(r)
                    """) == 3)
        }
    }

    /// Row-level security alone, the report triggers out of the way: the insert policy writes
    /// reloc.task_concerns out (issue 13, import speed) and must keep its answer — the task's
    /// assignment, ended by the programme's date, which a session's zone cannot move back.
    @Test func theInsertPolicyAloneRefusesAnEndedAssignment() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            let department = try fixture.coAssignedDepartment(task: 5)
            let raw = try fixture.acting(department)
            let report: SQLQuery = """
                INSERT INTO reloc.progress_report (task_id, org_id, percent, status, note)
                SELECT t.id, o.id, 10, 'on-track', 'policy' FROM reloc.task t, reloc.organisation o
                WHERE t.number = 5 AND o.code = \(department)
                """
            try admin.execute("ALTER TABLE reloc.progress_report DISABLE TRIGGER progress_report_before_insert")
            try admin.execute("ALTER TABLE reloc.progress_report DISABLE TRIGGER progress_report_reporter_check")
            #expect(try raw.execute(report) == 1, "its own task, by the policy alone")
            try admin.execute(
                """
                UPDATE reloc.task_assignment SET ended_on = reloc.programme_today()
                WHERE task_id = (SELECT id FROM reloc.task WHERE number = 5)
                  AND org_id = (SELECT id FROM reloc.organisation WHERE code = \(department))
                """)
            expectSQLState("42501") { try raw.execute(report) }
            try raw.execute("SET reloc.timezone = 'Etc/GMT+12'")
            expectSQLState("42501") { try raw.execute(report) }
            try admin.execute("ALTER TABLE reloc.progress_report ENABLE TRIGGER progress_report_reporter_check")
            try admin.execute("ALTER TABLE reloc.progress_report ENABLE TRIGGER progress_report_before_insert")
            #expect(try admin.count("SELECT count(*) FROM reloc.progress_report WHERE note = 'policy'") == 1)
        }
    }

    @Test func nobodyUpdatesOrDeletesAReport() throws {
        try ProgrammeFixture.with { fixture in
            #expect(try fixture.acting("JL").execute(ProgrammeFixture.reportSQL(task: 3)) == 1)
            #expect(try fixture.acting("JL-GXT").execute(ProgrammeFixture.reportSQL(task: 3)) == 1)
            for code in ["JL", "JL-GXT", "JL-FGW", "SP", "SP-TD"] {
                let db = try fixture.acting(code)
                expectSQLState("42501") { try db.execute("UPDATE reloc.progress_report SET percent = 99") }
                expectSQLState("42501") { try db.execute("DELETE FROM reloc.progress_report") }
                expectSQLState("42501") { try db.execute("TRUNCATE reloc.progress_report") }
            }
            // Not even the schema owner or a superuser: the rule's words say to report anew.
            let admin = try fixture.admin()
            expectSQLState("23514", constraint: "progress_append_only") {
                try admin.execute("UPDATE reloc.progress_report SET note = 'rewritten'")
            }
            expectSQLState("23514", constraint: "progress_append_only") {
                try admin.execute("DELETE FROM reloc.progress_report")
            }
            #expect(try admin.count("SELECT count(*) FROM reloc.progress_report WHERE note = 'raw'") == 2)
        }
    }

    @Test func concurrentReportsAreAllKept() throws {
        try ProgrammeFixture.with { fixture in
            // Two departments of task 3 report in overlapping transactions: neither waits, both stay.
            let gxt = try fixture.acting("JL-GXT")
            let czt = try fixture.acting("JL-CZT")
            try gxt.execute("BEGIN")
            try czt.execute("BEGIN")
            #expect(try gxt.execute(ProgrammeFixture.reportSQL(task: 3, note: "工信")) == 1)
            #expect(try czt.execute(ProgrammeFixture.reportSQL(task: 3, note: "财政")) == 1)
            try czt.execute("COMMIT")
            try gxt.execute("COMMIT")
            // And many at once through the CLI.
            let database = fixture.database
            let failures = Failures()
            DispatchQueue.concurrentPerform(iterations: 6) { index in
                let org = ["JL-GXT", "JL-CZT", "JL-FGW"][index % 3]
                let outcome = try? RelocCLI.run(
                    ["task", "progress", "3", "--as", org, "--percent", String(10 + index), "--note", "并发 \(index)"],
                    database: database)
                if outcome?.status != 0 { failures.add("\(org): \(outcome?.stderr ?? "did not run")") }
            }
            #expect(failures.all.isEmpty, "\(failures.all)")
            #expect(
                try fixture.admin().count(
                    "SELECT count(*) FROM reloc.progress_report r JOIN reloc.task t ON t.id = r.task_id WHERE t.number = 3"
                ) == 8)
        }
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ item: String) {
        lock.lock()
        defer { lock.unlock() }
        items.append(item)
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
