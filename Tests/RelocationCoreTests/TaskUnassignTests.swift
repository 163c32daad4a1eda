import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// `task unassign` (issue 14, 0012): an assignment ends on a day and stays in the task's history;
/// listings on a day count only the assignments held that day; the lead stays; only the province
/// ends assignments, in the CLI and in SQL.
@Suite("Task assignments end and are kept")
struct TaskUnassignTests {
    func tasks(_ fixture: ProgrammeFixture, _ arguments: [String]) throws -> [Int] {
        let outcome = try fixture.cli(arguments + ["--format", "csv"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return outcome.stdout.split(whereSeparator: \.isNewline).dropFirst().compactMap {
            Int($0.split(separator: ",")[0])
        }
    }

    func today(_ fixture: ProgrammeFixture) throws -> String {
        try fixture.admin().query("SELECT reloc.today()::text").scalar(String.self)
    }

    @Test func theProvinceEndsAnAssignmentAndTheTaskKeepsIt() throws {
        try ProgrammeFixture.with { fixture in
            // Task 1: 省住房城乡建设厅 leads, 省国土资源厅 (省自然资源厅 from 2018-10-01) co-responsible.
            let ended = try fixture.cli([
                "--as", "JL", "task", "unassign", "1", "--org", "JL-GTT", "--on", "2016-05-01",
            ])
            #expect(ended.status == 0, "\(ended.stderr)")
            let row = try fixture.admin().query(
                """
                SELECT a.began_on::text, a.ended_on::text FROM reloc.task_assignment a
                JOIN reloc.task t ON t.id = a.task_id JOIN reloc.organisation o ON o.id = a.org_id
                WHERE t.number = 1 AND o.code = 'JL-GTT'
                """
            ).decode((String, String).self)
            #expect(row.first?.0 == "2014-01-01" && row.first?.1 == "2016-05-01")
            let show = try fixture.cli(["--as", "JL", "task", "show", "1", "--format", "json"])
            #expect(show.status == 0, "\(show.stderr)")
            #expect(show.stdout.contains("\"ended\"") && show.stdout.contains("2016-05-01"))
            let table = try fixture.cli(["--as", "JL", "task", "show", "1"])
            #expect(table.stdout.contains("ended") && table.stdout.contains("2016-05-01"))
            // The day before it ended, 省国土资源厅 still held it; from that day on, nobody of that line.
            #expect(
                try tasks(fixture, ["--as", "JL-GTT", "task", "list", "--mine", "--as-of", "2016-04-30"]) == [
                    1, 14, 15,
                ])
            #expect(
                try tasks(fixture, ["--as", "JL-GTT", "task", "list", "--mine", "--as-of", "2016-05-01"]) == [14, 15])
            #expect(try tasks(fixture, ["--as", "JL-ZRT", "task", "list", "--mine"]) == [14, 15])
            #expect(try tasks(fixture, ["task", "list", "--org", "JL-ZRT", "--as-of", "2015-01-01"]) == [1, 14, 15])
            #expect(try tasks(fixture, ["task", "list", "--org", "JL-ZRT"]) == [14, 15])
            // An ended department no longer reports on the task (reloc.task_concerns), in the CLI or SQL.
            let report = try fixture.cli(["--as", "JL-ZRT", "task", "progress", "1", "--percent", "10", "--note", "x"])
            #expect(report.status == 77, "\(report.stderr)")
            expectSQLState("42501") { try fixture.acting("JL-ZRT").execute(ProgrammeFixture.reportSQL(task: 1)) }
            // Ended once: not again, not reopened.
            let again = try fixture.cli([
                "--as", "JL", "task", "unassign", "1", "--org", "JL-GTT", "--on", "2017-01-01",
            ])
            #expect(again.status == 65, "\(again.stderr)")
            expectSQLState("23514", constraint: "task_assignment_history") {
                try fixture.acting("JL").execute(
                    """
                    UPDATE reloc.task_assignment SET ended_on = NULL
                    WHERE org_id = (SELECT id FROM reloc.organisation WHERE code = 'JL-GTT')
                      AND task_id = (SELECT id FROM reloc.task WHERE number = 1)
                    """)
            }
        }
    }

    @Test func theLeadStaysAndTheDatesAreChecked() throws {
        try ProgrammeFixture.with { fixture in
            let lead = try fixture.cli(["--as", "JL", "task", "unassign", "1", "--org", "JL-ZJT", "--on", "2016-05-01"])
            #expect(lead.status == 65, "\(lead.stderr)")
            #expect(lead.stderr.contains("lead"))
            for day in ["2099-01-01", "2013-12-31"] {
                let bad = try fixture.cli(["--as", "JL", "task", "unassign", "1", "--org", "JL-GTT", "--on", day])
                #expect(bad.status == 65, "\(day): \(bad.stderr)")
            }
            // Assigned today: it cannot have ended before.
            #expect(try fixture.cli(["--as", "JL", "task", "assign", "2", "--org", "JL-KJT"]).status == 0)
            let early = try fixture.cli([
                "--as", "JL", "task", "unassign", "2", "--org", "JL-KJT", "--on", "2015-01-01",
            ])
            #expect(early.status == 65, "\(early.stderr)")
            let now = try today(fixture)
            let ended = try fixture.cli(["--as", "JL", "task", "unassign", "2", "--org", "JL-KJT", "--on", now])
            #expect(ended.status == 0, "\(ended.stderr)")
            // An ended department is not assigned to the task again (its row is history).
            #expect(try fixture.cli(["--as", "JL", "task", "assign", "2", "--org", "JL-KJT"]).status == 65)
            // Not assigned, no such task.
            #expect(
                try fixture.cli(["--as", "JL", "task", "unassign", "4", "--org", "JL-KJT", "--on", now]).status == 65)
            #expect(
                try fixture.cli(["--as", "JL", "task", "unassign", "99", "--org", "JL-KJT", "--on", now]).status == 65)
            // The lead made co-responsible first can then be unassigned.
            #expect(try fixture.cli(["--as", "JL", "task", "assign", "4", "--org", "JL-GXT", "--lead"]).status == 0)
            let former = try fixture.cli(["--as", "JL", "task", "unassign", "4", "--org", "JL-FGW", "--on", now])
            #expect(former.status == 0, "\(former.stderr)")
        }
    }

    @Test func onlyTheProvinceEndsAssignmentsAndNobodyDeletesThem() throws {
        try ProgrammeFixture.with { fixture in
            let now = try today(fixture)
            let department = try fixture.cli([
                "--as", "JL-GXT", "task", "unassign", "2", "--org", "JL-GXT", "--on", now,
            ])
            #expect(department.status == 77, "\(department.stderr)")
            #expect(
                try fixture.cli(["--as", "SP", "task", "unassign", "2", "--org", "JL-GXT", "--on", now]).status == 77)
            let endMine: SQLQuery = """
                UPDATE reloc.task_assignment SET ended_on = reloc.today()
                WHERE org_id = (SELECT id FROM reloc.organisation WHERE code = 'JL-GXT')
                """
            expectSQLState("42501") { try fixture.acting("JL-GXT").execute(endMine) }
            expectSQLState("42501") {
                let db = try fixture.acting("JL-GXT")
                try db.execute("BEGIN")
                try db.execute("SET LOCAL reloc.acting_org = 'JL'")
                try db.execute(endMine)
            }
            // A TEMP table's trigger writes with the caller's own rights: still refused.
            expectSQLState("42501") {
                let db = try fixture.acting("JL-GXT")
                try db.executeUnsafeScript(
                    """
                    CREATE TEMP TABLE t (x int);
                    CREATE FUNCTION pg_temp.f() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN UPDATE reloc.task_assignment SET ended_on = reloc.today(); RETURN NEW; END $$;
                    CREATE TRIGGER t AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION pg_temp.f();
                    INSERT INTO t VALUES (1);
                    """)
            }
            expectSQLState("42501") {
                try fixture.acting("JL").execute(
                    "DELETE FROM reloc.task_assignment WHERE org_id = (SELECT id FROM reloc.organisation WHERE code = 'JL-GXT')"
                )
            }
            let province = try fixture.acting("JL")
            // Ending changes nothing else (one UPDATE touching many columns), and an assignment is not
            // made already ended or back-dated.
            expectSQLState("23514", constraint: "task_assignment_history") {
                try province.execute(
                    """
                    UPDATE reloc.task_assignment SET ended_on = reloc.today(), lead = true, position = 9,
                        org_id = (SELECT id FROM reloc.organisation WHERE code = 'JL-KJT')
                    WHERE org_id = (SELECT id FROM reloc.organisation WHERE code = 'JL-GXT')
                      AND task_id = (SELECT id FROM reloc.task WHERE number = 2)
                    """)
            }
            expectSQLState("23514", constraint: "task_assignment_history") {
                try province.execute(
                    """
                    INSERT INTO reloc.task_assignment (task_id, org_id, ended_on)
                    SELECT t.id, o.id, reloc.today() FROM reloc.task t, reloc.organisation o
                    WHERE t.number = 7 AND o.code = 'JL-KJT'
                    """)
            }
            try province.execute(
                """
                INSERT INTO reloc.task_assignment (task_id, org_id, began_on)
                SELECT t.id, o.id, DATE '2014-01-01' FROM reloc.task t, reloc.organisation o
                WHERE t.number = 7 AND o.code = 'JL-KJT'
                """)
            let began = try fixture.admin().query(
                """
                SELECT a.began_on = reloc.today() FROM reloc.task_assignment a JOIN reloc.task t ON t.id = a.task_id
                JOIN reloc.organisation o ON o.id = a.org_id WHERE t.number = 7 AND o.code = 'JL-KJT'
                """
            ).scalar(Bool.self)
            #expect(began)
        }
    }

    /// `--as-of` reads the succession of that day: the lead of task 14 was 省国土资源厅 in 2015.
    @Test func asOfShowsTheHolderAndTheSuccessionOfThatDay() throws {
        try ProgrammeFixture.with { fixture in
            let then = try fixture.cli(["task", "list", "--org", "JL-ZRT", "--as-of", "2015-01-01", "--format", "csv"])
            #expect(then.status == 0, "\(then.stderr)")
            #expect(
                then.stdout.split(whereSeparator: \.isNewline).contains {
                    $0.hasPrefix("14,") && $0.contains(",JL-GTT,")
                })
            let now = try fixture.cli(["task", "list", "--org", "JL-ZRT", "--format", "csv"])
            #expect(
                now.stdout.split(whereSeparator: \.isNewline).contains {
                    $0.hasPrefix("14,") && $0.contains(",JL-ZRT,")
                })
            func successor(_ asOf: [String]) throws -> String? {
                let outcome = try fixture.cli(["org", "list", "--kind", "department", "--format", "csv"] + asOf)
                #expect(outcome.status == 0, "\(outcome.stderr)")
                let lines = outcome.stdout.split(whereSeparator: \.isNewline).map(String.init)
                let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) ?? []
                guard let column = header.firstIndex(of: "successor"),
                    let line = lines.first(where: { $0.hasPrefix("JL-GTT,") })
                else { return nil }
                return String(line.split(separator: ",", omittingEmptySubsequences: false)[column])
            }
            #expect(try successor(["--as-of", "2015-01-01"]) == "")
            #expect(try successor(["--as-of", "2018-10-01"]) == "JL-ZRT")
            #expect(try successor([]) == "JL-ZRT")
        }
    }

    /// The reminder job reminds a department of a task's milestones only while it holds the task:
    /// 省国土资源厅, ended on task 1 on 2016-05-01, is reminded the week before but not after.
    @Test func anEndedDepartmentIsNotReminded() throws {
        try ProgrammeFixture.with { fixture in
            func addMilestone(_ due: String) throws -> String {
                let added = try fixture.cli([
                    "--as", "JL", "milestone", "add", "--task", "1", "--title", "检查 \(due)", "--due", due,
                ])
                #expect(added.status == 0, "\(added.stderr)")
                return added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let before = try addMilestone("2016-05-07")
            let after = try addMilestone("2016-06-10")
            let ended = try fixture.cli([
                "--as", "JL", "task", "unassign", "1", "--org", "JL-GTT", "--on", "2016-05-01",
            ])
            #expect(ended.status == 0, "\(ended.stderr)")
            let admin = try fixture.admin()
            func recipients(_ milestone: String, asOf day: String) throws -> [String] {
                _ = try admin.query("SELECT reloc.remind_plan(\(day)::date)").scalar(Int64.self)
                return try admin.query(
                    """
                    SELECT DISTINCT o.code FROM reloc.reminder r JOIN reloc.organisation o ON o.id = r.recipient_id
                    WHERE r.milestone_id = \(milestone)::bigint ORDER BY 1
                    """
                ).decode(String.self)
            }
            #expect(try recipients(before, asOf: "2016-04-30").contains("JL-GTT"))
            let afterRecipients = try recipients(after, asOf: "2016-06-03")
            #expect(!afterRecipients.isEmpty && !afterRecipients.contains("JL-GTT"), "\(afterRecipients)")
        }
    }
}
