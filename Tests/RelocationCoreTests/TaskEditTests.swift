import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// `task edit` and `milestone edit`: the province changes titles, due dates, plans, kinds and
/// owners; the others may not (exit 77, and plain SQL is refused by the grants).
@Suite("Editing tasks and milestones")
struct TaskEditTests {
    @Test func theProvinceEditsATask() throws {
        try ProgrammeFixture.with { fixture in
            let edited = try fixture.cli([
                "--as", "JL", "task", "edit", "3", "--title", "淘汰落后产能支持", "--due", "2015-06-30", "--plan", "SP-TD",
                "--note", "按年度考核",
            ])
            #expect(edited.status == 0, "\(edited.stderr)")
            let row = try fixture.admin().query(
                """
                SELECT t.title, t.due_on::text, p.code, t.note FROM reloc.task t JOIN reloc.plan p ON p.id = t.plan_id
                WHERE t.number = 3
                """
            ).decode((String, String, String, String).self)
            #expect(row.first?.0 == "淘汰落后产能支持" && row.first?.1 == "2015-06-30")
            #expect(row.first?.2 == "SP-TD" && row.first?.3 == "按年度考核")
            let department = try fixture.cli(["--as", "JL-GXT", "task", "edit", "3", "--due", "2016-06-30"])
            #expect(department.status == 77, "\(department.stderr)")
            let city = try fixture.cli(["--as", "SP", "task", "edit", "3", "--title", "x"])
            #expect(city.status == 77)
            expectSQLState("42501") {
                try fixture.acting("JL-GXT").execute("UPDATE reloc.task SET due_on = '2016-06-30' WHERE number = 3")
            }
            #expect(try fixture.cli(["--as", "JL", "task", "edit", "99", "--title", "x"]).status == 65)
            #expect(try fixture.cli(["--as", "JL", "task", "edit", "3", "--plan", "NOPE"]).status == 65)
            #expect(try fixture.cli(["--as", "JL", "task", "edit", "3"]).status == 65)  // nothing to change
            #expect(try fixture.cli(["--as", "JL", "task", "edit", "3", "--title", " "]).status == 65)
        }
    }

    @Test func theProvinceMovesAMilestonesDateOthersOnlyNoteTheirOwn() throws {
        try ProgrammeFixture.with { fixture in
            let siping = try fixture.milestone(plan: "SP-TD")
            let edited = try fixture.cli([
                "--as", "JL", "milestone", "edit", "\(siping)", "--due", "2015-03-31", "--title", "方案编制完成（延期）",
                "--kind", "custom", "--owner", "SP",
            ])
            #expect(edited.status == 0, "\(edited.stderr)")
            let row = try fixture.admin().query(
                """
                SELECT m.due_on::text, m.title, m.kind, o.code FROM reloc.milestone m
                JOIN reloc.organisation o ON o.id = m.owner_id WHERE m.id = \(siping)
                """
            ).decode((String, String, String, String).self)
            #expect(row.first?.0 == "2015-03-31" && row.first?.1 == "方案编制完成（延期）")
            #expect(row.first?.2 == "custom" && row.first?.3 == "SP")
            // 四平 may note its own milestone, not move its date; 长春's is not its own at all.
            #expect(try fixture.cli(["--as", "SP", "milestone", "edit", "\(siping)", "--note", "已上报"]).status == 0)
            let moved = try fixture.cli(["--as", "SP", "milestone", "edit", "\(siping)", "--due", "2016-01-01"])
            #expect(moved.status == 77, "\(moved.stderr)")
            #expect(moved.stderr.contains("only the province"))
            #expect(
                try fixture.cli(["--as", "SP", "milestone", "edit", "\(siping)", "--owner", "SP-TD"]).status == 77)
            let changchun = try fixture.milestone(plan: "CC-KC")
            let other = try fixture.cli(["--as", "SP", "milestone", "edit", "\(changchun)", "--note", "x"])
            #expect(other.status == 77, "\(other.stderr)")
            #expect(other.stderr.contains("not yours"))
            expectSQLState("42501") {
                try fixture.acting("SP").execute(
                    "UPDATE reloc.milestone SET title = 'x' WHERE id = \(siping)")
            }
            let badKind = try fixture.cli(["--as", "JL", "milestone", "edit", "\(siping)", "--kind", "someday"])
            #expect(badKind.status == 64)
            #expect(try fixture.cli(["--as", "JL", "milestone", "edit", "999999", "--title", "x"]).status == 65)
            #expect(
                try fixture.admin().query("SELECT due_on::text FROM reloc.milestone WHERE id = \(siping)").scalar(
                    String.self) == "2015-03-31")
        }
    }
}
