import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// 总览 and `--overdue`/`--due-within` pick their candidates through indexes before lighting them
/// (MilestoneCandidates.swift, issue 16): the same rows as lighting every milestone and keeping
/// those the listing names, for every organisation kind, on days before and after what happened
/// to the milestones (extensions approved, due dates moved, completions under review, closed
/// after the day), with and without the limit.
@Suite("Milestones by due date, candidates first (总览)")
struct WebHomeMilestonesTests {
    /// What a row shows, to compare the two computations whole.
    static func shown(_ row: PGRow) -> String {
        ["id", "state", "due_on", "done_on", "days_left", "light", "owner", "extensions", "original_due_on", "percent"]
            .map { row[$0] ?? "-" }.joined(separator: "|")
    }

    /// The reference: every milestone lighted (the listing without a due filter), kept as the
    /// listing's documentation says (overdue; or not done and due within the days), in its order.
    static func reference(_ db: PGConnection, _ filter: Milestones.Filter) throws -> [String] {
        var all = filter
        all.overdue = false
        all.dueWithinDays = nil
        all.limit = nil
        let kept = try Milestones(db).list(all).rows.filter { row in
            let daysLeft = Int(row["days_left"] ?? "") ?? Int.min
            return (filter.overdue && row["state"] == "overdue")
                || (filter.dueWithinDays.map { row["done_on"] == nil && daysLeft >= 0 && daysLeft <= $0 }
                    ?? false)
        }
        return kept.prefix(filter.limit ?? Int.max).map(shown)
    }

    @Test func candidatesFirstListTheSameRowsAsLightingEveryMilestone() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            let today = try admin.query("SELECT reloc.today()::text").scalar(String.self)
            func day(_ offset: Int) throws -> String {
                try admin.query("SELECT (reloc.today() + \(offset)::integer)::text").scalar(String.self)
            }
            // A department's and a city's many overdue and due-soon milestones (past the limit).
            try admin.execute(
                """
                INSERT INTO reloc.milestone (kind, title, due_on, task_id, owner_id)
                SELECT 'custom', '部门节点' || i, reloc.today() - 200 + i, t.id, o.id
                FROM generate_series(1, 240) i, reloc.task t, reloc.organisation o
                WHERE t.number = 2 AND o.code = 'JL-FGW'
                """)
            try admin.execute(
                """
                INSERT INTO reloc.milestone (kind, title, due_on, plan_id, done_on)
                SELECT 'custom', '城市节点' || i, reloc.today() - 150 + i, p.id,
                       CASE WHEN i % 4 = 0 AND i <= 150 THEN reloc.today() - 150 + i END
                FROM generate_series(1, 200) i, reloc.plan p WHERE p.code = 'CC-KC'
                """)
            // An extension approved today moves a milestone due in 10 days to 100 days on: as of
            // yesterday it was due within 30 days, its own row no longer says so.
            let extended = try ExtensionRequestTests.milestone(fixture, due: try day(10))
            let request = try ExtensionRequestTests.id(
                try ExtensionRequestTests.request(fixture, extended, to: try day(100)))
            #expect(try fixture.cli(["--as", "JL", "extension", "approve", "\(request)"]).status == 0)
            // The province moves a due date by hand (milestone_due_change).
            let moved = try ExtensionRequestTests.milestone(fixture, due: try day(5))
            #expect(
                try fixture.cli(["--as", "JL", "milestone", "edit", "\(moved)", "--due", try day(200)]).status == 0)
            // Completions under review: one overdue, one due soon.
            for due in [try day(-3), try day(3)] {
                let reviewed = try ExtensionRequestTests.milestone(fixture, due: due)
                let submitted = try fixture.cli(
                    ["--as", "CC", "milestone", "done", "\(reviewed)", "--evidence", "长府办〔2026〕3号"])
                #expect(submitted.status == 0, "\(submitted.stderr)")
            }
            // Closed today, overdue before: as of a week ago it was open.
            let closed = try fixture.milestone(plan: "CC-KC")
            try admin.execute("UPDATE reloc.milestone SET due_on = reloc.today() - 10 WHERE id = \(closed)")
            #expect(try fixture.cli(["--as", "JL", "milestone", "done", "\(closed)", "--on", today]).status == 0)

            var compared = 0
            for organisation in ["JL", "JL-FGW", "CC", "CC-KC"] {
                let db = try fixture.acting(organisation)
                for asOf in [today, try day(-1), try day(-7), "2014-12-31", "2015-06-30"] {
                    for (overdue, within) in [(true, nil), (false, 30), (true, 30), (true, -5)] as [(Bool, Int?)] {
                        for (mine, limit, plan) in [
                            (true, 101, nil), (false, 101, nil), (true, nil, nil), (false, 101, "CC-KC"),
                            (false, 3, nil),
                        ] as [(Bool, Int?, String?)] {
                            var filter = Milestones.Filter()
                            filter.asOf = .date(try #require(CalendarDate(asOf)))
                            filter.overdue = overdue
                            filter.dueWithinDays = within
                            filter.mine = mine
                            filter.limit = limit
                            filter.plan = plan
                            let listed = try Milestones(db).list(filter).rows.map(Self.shown)
                            let expected = try Self.reference(db, filter)
                            #expect(
                                listed == expected,
                                "\(organisation) as of \(asOf), overdue \(overdue), within \(String(describing: within)), mine \(mine), limit \(String(describing: limit)), plan \(plan ?? "-")"
                            )
                            compared += expected.count
                        }
                    }
                }
            }
            #expect(compared > 1000, "the comparison compared rows: \(compared)")
            // The special cases are in what was compared: as of yesterday the extended and the
            // moved milestones were due within 30 days; as of a week ago the closed one was overdue.
            var yesterday = Milestones.Filter()
            yesterday.asOf = .date(try #require(CalendarDate(try day(-1))))
            yesterday.dueWithinDays = 30
            let soon = try Milestones(try fixture.acting("CC")).list(yesterday).rows.compactMap { $0["id"] }
            #expect(soon.contains("\(extended)") && soon.contains("\(moved)"))
            var weekAgo = Milestones.Filter()
            weekAgo.asOf = .date(try #require(CalendarDate(try day(-7))))
            weekAgo.overdue = true
            #expect(try Milestones(admin).list(weekAgo).rows.contains { $0["id"] == "\(closed)" })
        }
    }
}
