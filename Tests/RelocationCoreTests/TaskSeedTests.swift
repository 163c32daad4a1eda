import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The annex (附件 重点任务部门分工表) and the programme's milestones, as `db seed jilin-2014` loads them.
@Suite("Reference data: tasks and milestones")
struct TaskSeedTests {
    @Test func fifteenTasksWithTheirDepartmentsAsPrinted() throws {
        try ProgrammeFixture.with { fixture in
            let db = try fixture.admin()
            #expect(try db.count("SELECT count(*) FROM reloc.task") == 15)
            #expect(try db.count("SELECT count(*) FROM reloc.task WHERE plan_id IS NULL AND due_on IS NULL") == 15)
            // Every task has exactly one lead, the first printed.
            #expect(
                try db.count(
                    "SELECT count(*) FROM reloc.task t WHERE (SELECT count(*) FROM reloc.task_assignment a WHERE a.task_id = t.id AND a.lead) = 1"
                ) == 15)
            let task3 = try db.query(
                """
                SELECT o.name_zh, a.lead FROM reloc.task_assignment a JOIN reloc.task t ON t.id = a.task_id
                JOIN reloc.organisation o ON o.id = a.org_id WHERE t.number = 3 ORDER BY a.position
                """
            ).decode((String, Bool).self)
            #expect(task3.map(\.0) == ["省工业信息化厅", "省财政厅", "省发展改革委", "省能源局"])
            #expect(task3.map(\.1) == [true, false, false, false])
            // Task 10 ends with 等: the six named departments, and a note saying so.
            #expect(
                try db.count(
                    "SELECT count(*) FROM reloc.task_assignment a JOIN reloc.task t ON t.id = a.task_id WHERE t.number = 10"
                ) == 6)
            #expect(try db.query("SELECT note FROM reloc.task WHERE number = 10").scalar(String.self).contains("等"))
            #expect(
                try db.query("SELECT title FROM reloc.task WHERE number = 7").scalar(String.self)
                    == "支持将具有重要价值的工业遗产及时公布为相应级别的文物保护单位")
        }
    }

    @Test func eachPlanHasItsTwoMilestonesAndSeedingTwiceChangesNothing() throws {
        try TestDatabase.with(.migrated) { name in
            #expect(try RelocCLI.run(["db", "seed", "jilin-2014"], database: name).status == 0)
            let db = try TestDatabase.connect(name)
            let snapshot: SQLQuery = """
                SELECT (SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM reloc.task t),
                       (SELECT md5(string_agg(a::text, '|' ORDER BY id)) FROM reloc.task_assignment a),
                       (SELECT md5(string_agg(m::text, '|' ORDER BY id)) FROM reloc.milestone m)
                """
            let before = try db.query(snapshot).rows[0].values
            #expect(try RelocCLI.run(["db", "seed", "jilin-2014"], database: name).status == 0)
            #expect(try db.query(snapshot).rows[0].values == before)
            #expect(try db.count("SELECT count(*) FROM reloc.milestone") == 12)
            #expect(
                try db.count(
                    """
                    SELECT count(*) FROM reloc.plan p
                    WHERE EXISTS (SELECT FROM reloc.milestone m WHERE m.plan_id = p.id AND m.kind = 'plan-compiled' AND m.due_on = '2014-12-31')
                      AND EXISTS (SELECT FROM reloc.milestone m WHERE m.plan_id = p.id AND m.kind = 'basic-completion' AND m.due_on = '2022-12-31')
                    """) == 6)
            // The owner is the plan's district government, else its city (§四(一)).
            #expect(
                try db.query(
                    "SELECT o.code FROM reloc.milestone m JOIN reloc.plan p ON p.id = m.plan_id JOIN reloc.organisation o ON o.id = m.owner_id WHERE p.code = 'JLS-HDW' LIMIT 1"
                ).scalar(String.self) == "JLS")
        }
    }

    @Test func aRenamedDepartmentsTasksFollowItsSuccessor() throws {
        try ProgrammeFixture.with { fixture in
            let db = try fixture.admin()
            let gtt = try db.query("SELECT id FROM reloc.organisation WHERE code = 'JL-GTT'").scalar(Int64.self)
            #expect(
                try db.query("SELECT o.code FROM reloc.organisation o WHERE o.id = reloc.current_org(\(gtt))").scalar(
                    String.self) == "JL-ZRT")
            // Before the succession date the work was still the old body's.
            #expect(try db.query("SELECT reloc.org_on(\(gtt), '2018-09-30') = \(gtt)").scalar(Bool.self))
            #expect(try db.query("SELECT reloc.org_on(\(gtt), '2018-10-01') <> \(gtt)").scalar(Bool.self))

            let show = try fixture.cli(["task", "show", "14"])
            #expect(show.status == 0, "\(show.stderr)")
            #expect(show.stdout.contains("省国土资源厅") && show.stdout.contains("省自然资源厅"))
            #expect(show.stdout.contains("2018-10-01"))
            // As people type it: the shared options before the command.
            let mine = try fixture.cli(["--as", "JL-ZRT", "task", "list", "--mine", "--format", "json"])
            #expect(mine.status == 0, "\(mine.stderr)")
            #expect(try Self.numbers(mine.stdout) == [1, 14, 15])
            // As of 2015 the lead of task 14 was 省国土资源厅.
            let old = try fixture.cli(["task", "list", "--org", "JL-ZRT", "--as-of", "2015-06-01", "--format", "json"])
            #expect(old.stdout.contains("\"lead\": \"JL-GTT\""))
            #expect(try Self.numbers(old.stdout) == [1, 14, 15])
        }
    }

    static func numbers(_ json: String) throws -> [Int] {
        let rows = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]] ?? []
        return rows.compactMap { $0["number"] as? Int }
    }
}
