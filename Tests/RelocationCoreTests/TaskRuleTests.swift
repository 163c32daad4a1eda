import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The rules of tasks, milestones and reports, and who may set tasks and move deadlines.
@Suite("Task and milestone rules")
struct TaskRuleTests {
    @Test func reportsStayWithinZeroToAHundredAndDoneMeansAHundred() throws {
        try ProgrammeFixture.with { fixture in
            let over = try fixture.cli(["task", "progress", "3", "--as", "JL-GXT", "--percent", "101", "--note", "x"])
            #expect(over.status == 65)
            #expect(over.stderr.contains("progress_percent_range"))
            let gxt = try fixture.acting("JL-GXT")
            expectSQLState("23514", constraint: "progress_percent_range") {
                try gxt.execute(ProgrammeFixture.reportSQL(task: 3, percent: -1))
            }
            let half = try fixture.cli([
                "task", "progress", "3", "--as", "JL-GXT", "--percent", "50", "--status", "done", "--note", "x",
            ])
            #expect(half.status == 65)
            #expect(half.stderr.contains("progress_done_is_complete"))
            expectSQLState("23514", constraint: "progress_note_not_blank") {
                try gxt.execute(
                    "INSERT INTO reloc.progress_report (task_id, percent, note) SELECT id, 5, '  ' FROM reloc.task WHERE number = 3"
                )
            }
            let done = try fixture.cli(["task", "progress", "3", "--as", "JL-GXT", "--status", "done", "--note", "完成"])
            #expect(done.status == 0, "\(done.stderr)")
            #expect(
                try fixture.admin().query("SELECT trim_scale(percent)::text FROM reloc.progress_report").scalar(
                    String.self) == "100")
            let badStatus = try fixture.cli([
                "task", "progress", "3", "--as", "JL-GXT", "--percent", "5", "--status", "late", "--note", "x",
            ])
            #expect(badStatus.status == 64)
            let noTask = try fixture.cli(["task", "progress", "99", "--as", "JL-GXT", "--percent", "5", "--note", "x"])
            #expect(noTask.status == 65)
            #expect(noTask.stderr.contains("no task 99"))
        }
    }

    @Test func onlyTheProvinceSetsTasksAndAssignments() throws {
        try ProgrammeFixture.with { fixture in
            let denied = try fixture.cli(["task", "assign", "3", "--as", "JL-GXT", "--org", "JL-KJT"])
            #expect(denied.status == 77, "\(denied.stderr)")
            expectSQLState("42501") { try fixture.acting("JL-GXT").execute("UPDATE reloc.task SET title = 'x'") }
            expectSQLState("42501") {
                try fixture.acting("SP").execute("INSERT INTO reloc.task (number, title) VALUES (99, 'x')")
            }
            #expect(try fixture.cli(["task", "add", "--as", "SP", "--title", "x"]).status == 77)
            // A city is not a department.
            let city = try fixture.cli(["task", "assign", "3", "--as", "JL", "--org", "SP"])
            #expect(city.status == 65)
            #expect(city.stderr.contains("task_assignment_department"))
            // The province makes 省科技厅 the lead of task 3; 省工业信息化厅 stays, co-responsible.
            #expect(try fixture.cli(["task", "assign", "3", "--as", "JL", "--org", "JL-KJT", "--lead"]).status == 0)
            let roles = try fixture.admin().query(
                """
                SELECT o.code, a.lead FROM reloc.task_assignment a JOIN reloc.task t ON t.id = a.task_id
                JOIN reloc.organisation o ON o.id = a.org_id WHERE t.number = 3 AND (a.lead OR o.code = 'JL-GXT') ORDER BY o.code
                """
            ).decode((String, Bool).self)
            #expect(roles.map(\.0) == ["JL-GXT", "JL-KJT"])
            #expect(roles.map(\.1) == [false, true])
            // Two leads are refused by the database itself.
            expectSQLState("23505", constraint: "task_assignment_one_lead") {
                try fixture.acting("JL").execute(
                    "UPDATE reloc.task_assignment SET lead = true WHERE task_id = (SELECT id FROM reloc.task WHERE number = 3)"
                )
            }
            let duplicate = try fixture.cli(["task", "add", "--as", "JL", "--number", "3", "--title", "重复"])
            #expect(duplicate.status == 65)
            #expect(duplicate.stderr.contains("task_number_key"))
        }
    }

    @Test func aMilestoneIsAttachedToExactlyOneThingAndOnlyTheProvinceMovesItsDate() throws {
        try ProgrammeFixture.with { fixture in
            let province = try fixture.acting("JL")
            expectSQLState("23514", constraint: "milestone_attached_once") {
                try province.execute(
                    """
                    INSERT INTO reloc.milestone (title, due_on, plan_id, task_id)
                    SELECT 'x', '2015-01-01', (SELECT id FROM reloc.plan WHERE code = 'SP-TD'), (SELECT id FROM reloc.task WHERE number = 1)
                    """)
            }
            expectSQLState("23514", constraint: "milestone_attached_once") {
                try province.execute(
                    "INSERT INTO reloc.milestone (title, due_on, owner_id) SELECT 'x', '2015-01-01', id FROM reloc.organisation WHERE code = 'JL'"
                )
            }
            expectSQLState("23514", constraint: "milestone_kind_check") {
                try province.execute(
                    "INSERT INTO reloc.milestone (kind, title, due_on, plan_id) SELECT 'someday', 'x', '2015-01-01', id FROM reloc.plan WHERE code = 'SP-TD'"
                )
            }
            let twice = try fixture.cli([
                "milestone", "add", "--as", "JL", "--title", "x", "--due", "2015-01-01", "--plan", "SP-TD", "--task",
                "1",
            ])
            #expect(twice.status == 64)
            // A task without a lead gives no owner to default to.
            #expect(try fixture.cli(["task", "add", "--as", "JL", "--title", "尚未分工的任务"]).status == 0)
            let orphan = try fixture.cli([
                "milestone", "add", "--as", "JL", "--title", "x", "--due", "2015-01-01", "--task", "16",
            ])
            #expect(orphan.status == 65)
            #expect(orphan.stderr.contains("milestone_owner"))
            // A task milestone is owned by the task's lead as it is today.
            let added = try fixture.cli([
                "milestone", "add", "--as", "JL", "--title", "用地指标下达", "--due", "2015-03-01", "--task", "14",
            ])
            #expect(added.status == 0, "\(added.stderr)")
            let taskMilestone = Int64(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
            #expect(
                try fixture.admin().query(
                    "SELECT o.code FROM reloc.milestone m JOIN reloc.organisation o ON o.id = m.owner_id WHERE m.id = \(taskMilestone)"
                ).scalar(String.self) == "JL-ZRT")
            // A task milestone's completion is reviewed (办结审核, 0023): submitted with its evidence.
            let submitted = try fixture.cli([
                "milestone", "done", String(taskMilestone), "--as", "JL-ZRT", "--evidence", "吉自然资〔2015〕1号",
            ])
            #expect(submitted.status == 0 && submitted.stdout.contains("submitted for review"), "\(submitted.stderr)")
            #expect(
                try fixture.cli(["milestone", "list", "--as", "JL-ZRT", "--mine", "--format", "json"]).stdout.contains(
                    "用地指标下达"))

            // 四平 closes its own plan's milestone, not 长春's, and never moves a due date.
            let siping = try fixture.milestone(plan: "SP-TD")
            let changchun = try fixture.milestone(plan: "CC-KC")
            let sp = try fixture.acting("SP")
            #expect(try sp.execute("UPDATE reloc.milestone SET done_on = '2014-12-20' WHERE id = \(siping)") == 1)
            #expect(try sp.execute("UPDATE reloc.milestone SET done_on = '2014-12-20' WHERE id = \(changchun)") == 0)
            let other = try fixture.cli(["milestone", "done", String(changchun), "--as", "SP"])
            #expect(other.status == 77, "\(other.stderr)")
            #expect(other.stderr.contains("not yours"))
            expectSQLState("42501") {
                try sp.execute("UPDATE reloc.milestone SET due_on = '2016-12-31' WHERE id = \(siping)")
            }
            expectSQLState("42501") { try sp.execute("DELETE FROM reloc.milestone WHERE id = \(siping)") }
            expectSQLState("42501") {
                try sp.execute(
                    "INSERT INTO reloc.milestone (title, due_on, plan_id) SELECT 'x', '2015-01-01', id FROM reloc.plan WHERE code = 'CC-KC'"
                )
            }
            // Naming itself the owner gives 四平 no way into 长春's plan.
            expectSQLState("42501") {
                try sp.execute(
                    """
                    INSERT INTO reloc.milestone (title, due_on, plan_id, owner_id)
                    SELECT 'x', '2015-01-01', p.id, o.id FROM reloc.plan p, reloc.organisation o
                    WHERE p.code = 'CC-KC' AND o.code = 'SP'
                    """)
            }
            #expect(
                try province.execute("UPDATE reloc.milestone SET due_on = '2015-03-31' WHERE id = \(changchun)") == 1)
        }
    }
}
