import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Traffic lights as of a past day (issue 15, 红黄绿灯 `--as-of`): decided on the due date in force
/// that day. A due date moved later — by hand, or by an extension approved later — had not moved
/// yet; the database records every move, dated (reloc.milestone_due_change, 0028), and nobody else
/// writes that record.
@Suite("Traffic lights as of a past day")
struct LightsAsOfTests {
    static func lit(_ db: PGConnection, _ milestone: Int64, _ day: String) throws -> (String, String) {
        try db.query(
            "SELECT l.light, l.due_on::text FROM reloc.milestone_lights(\(day)::date) l WHERE l.milestone_id = \(milestone)"
        ).decode((String, String).self).first!
    }

    static func days(_ fixture: ProgrammeFixture) throws -> (yesterday: String, today: String) {
        let row = try fixture.admin().query("SELECT (reloc.today() - 1)::text, reloc.today()::text").decode(
            (String, String).self
        ).first!
        return (row.0, row.1)
    }

    /// The province moves a far-off due date by hand today to a day already past: as of yesterday
    /// the milestone was green on its old date, as of today it is red on the new one — in the
    /// function, the one-milestone function, the board and the list.
    @Test func aDueDateMovedByHandTodayWasNotInForceYesterday() throws {
        try ProgrammeFixture.with { fixture in
            let (yesterday, today) = try Self.days(fixture)
            let milestone = try ExtensionRequestTests.milestone(fixture, due: "2030-07-01")
            let boardBefore = try Self.planBoard(fixture, yesterday)
            let moved = try fixture.cli(["--as", "JL", "milestone", "edit", "\(milestone)", "--due", "2016-03-01"])
            #expect(moved.status == 0, "\(moved.stderr)")
            let admin = try fixture.admin()
            #expect(try Self.lit(admin, milestone, yesterday) == ("green", "2030-07-01"))
            #expect(try Self.lit(admin, milestone, today) == ("red", "2016-03-01"))
            #expect(try MilestoneLightTests.light(admin, milestone, yesterday) == "green")
            // The board of yesterday is as it was before the move.
            #expect(try Self.planBoard(fixture, yesterday) == boardBefore)
            let listed = try fixture.cli([
                "milestone", "list", "--plan", "CC-KC", "--as-of", yesterday, "--format", "json",
            ])
            let rows = try #require(
                try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
            let row = try #require(rows.first { ($0["id"] as? NSNumber)?.int64Value == milestone }, "\(listed.stdout)")
            #expect(row["light"] as? String == "green", "\(row)")
            // The move is recorded, dated, by the database.
            let recorded = try admin.query(
                """
                SELECT due_from::text, due_to::text, reloc.local_date(changed_at) = reloc.today()
                FROM reloc.milestone_due_change WHERE milestone_id = \(milestone)
                """
            ).decode((String, String, Bool).self)
            #expect(recorded.count == 1 && recorded[0] == ("2030-07-01", "2016-03-01", true), "\(recorded)")
        }
    }

    /// An extension approved today: as of yesterday the old due date (due within three working
    /// days: yellow), as of today the new one (green), the extension counted from today.
    @Test func anExtensionApprovedTodayWasNotInForceYesterday() throws {
        try ProgrammeFixture.with { fixture in
            let (yesterday, today) = try Self.days(fixture)
            let due = try fixture.admin().query("SELECT reloc.add_working_days(reloc.today() - 1, 1)::text").scalar(
                String.self)
            let milestone = try ExtensionRequestTests.milestone(fixture, due: due)
            let request = try ExtensionRequestTests.id(
                try ExtensionRequestTests.request(fixture, milestone, to: "2030-09-30"))
            #expect(try fixture.cli(["--as", "JL", "extension", "approve", "\(request)"]).status == 0)
            let admin = try fixture.admin()
            #expect(try Self.lit(admin, milestone, yesterday) == ("yellow", due))
            #expect(try Self.lit(admin, milestone, today) == ("green", "2030-09-30"))
            let recorded = try admin.query(
                "SELECT due_from::text, due_to::text FROM reloc.milestone_due_change WHERE milestone_id = \(milestone)"
            ).decode((String, String).self)
            #expect(recorded.count == 1 && recorded[0] == (due, "2030-09-30"), "\(recorded)")
        }
    }

    /// Nobody writes the record but the database: the province's role has no grant to insert,
    /// change or delete a row (42501); the owner and a superuser are refused by the trigger
    /// (milestone_due_change_final); deleting the milestone takes its record with it.
    @Test func theRecordIsTheDatabases() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try ExtensionRequestTests.milestone(fixture, due: "2030-07-01")
            #expect(
                try fixture.cli(["--as", "JL", "milestone", "edit", "\(milestone)", "--due", "2030-08-01"]).status == 0)
            for code in ["JL", "CC"] {
                let raw = try fixture.acting(code)
                for statement: SQLQuery in [
                    "INSERT INTO reloc.milestone_due_change (milestone_id, due_from, due_to) VALUES (\(milestone), '2030-01-01', '2030-02-01')",
                    "UPDATE reloc.milestone_due_change SET due_from = '2030-01-01', changed_at = now() - interval '1 year' WHERE milestone_id = \(milestone)",
                    "DELETE FROM reloc.milestone_due_change WHERE milestone_id = \(milestone)",
                    "TRUNCATE reloc.milestone_due_change",
                ] {
                    expectSQLState("42501") { try raw.execute(statement) }
                }
            }
            let admin = try fixture.admin()
            for statement: SQLQuery in [
                "UPDATE reloc.milestone_due_change SET changed_at = now() - interval '1 year' WHERE milestone_id = \(milestone)",
                "DELETE FROM reloc.milestone_due_change WHERE milestone_id = \(milestone)",
                "TRUNCATE reloc.milestone_due_change",
            ] {
                expectSQLState("23514", constraint: "milestone_due_change_final") { try admin.execute(statement) }
                try admin.execute("SET ROLE reloc_owner")
                expectSQLState("23514", constraint: "milestone_due_change_final") { try admin.execute(statement) }
                try admin.execute("RESET ROLE")
            }
            #expect(
                try admin.query("SELECT count(*) FROM reloc.milestone_due_change WHERE milestone_id = \(milestone)")
                    .scalar(Int64.self) == 1)
            // The province deletes the milestone: its record goes with it.
            try fixture.acting("JL").execute("DELETE FROM reloc.milestone WHERE id = \(milestone)")
            #expect(
                try admin.query("SELECT count(*) FROM reloc.milestone_due_change WHERE milestone_id = \(milestone)")
                    .scalar(Int64.self) == 0)
        }
    }

    static func planBoard(_ fixture: ProgrammeFixture, _ day: String) throws -> String {
        let board = try fixture.cli(["board", "--by", "plan", "--as-of", day, "--format", "csv"])
        #expect(board.status == 0, "\(board.stderr)")
        return board.stdout
    }
}
