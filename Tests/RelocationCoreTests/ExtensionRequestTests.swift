import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Extension requests (延期申请, issue 15): asked by a body that may close the milestone, before its
/// due date, one pending at a time, for a later date; decided once by the province; an approval
/// moves the due date and keeps the history.
@Suite("Extension requests (延期申请)")
struct ExtensionRequestTests {
    /// A custom milestone of 长春宽城区's plan, added by 长春, due on `due`.
    static func milestone(_ fixture: ProgrammeFixture, due: String = "2030-06-28") throws -> Int64 {
        let added = try fixture.cli(
            ["--as", "CC", "milestone", "add", "--plan", "CC-KC", "--title", "完成征收", "--due", due, "--format", "json"])
        #expect(added.status == 0, "\(added.stderr)")
        return try #require(Int64(added.stdout.filter(\.isNumber)))
    }

    static func request(_ fixture: ProgrammeFixture, _ milestone: Int64, to: String, as code: String = "CC")
        throws -> RelocCLI.Outcome
    {
        try fixture.cli(
            [
                "--as", code, "extension", "request", "\(milestone)", "--to", to, "--reason", "征收补偿尚未谈妥",
                "--evidence", "长府函〔2030〕12号", "--format", "json",
            ])
    }

    static func id(_ outcome: RelocCLI.Outcome) throws -> Int64 {
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return try #require(Int64(outcome.stdout.filter(\.isNumber)))
    }

    static func dueOn(_ fixture: ProgrammeFixture, _ milestone: Int64) throws -> String {
        try fixture.admin().query("SELECT due_on::text FROM reloc.milestone WHERE id = \(milestone)").scalar(
            String.self)
    }

    @Test func approvalMovesTheDueDateAndKeepsTheHistory() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try Self.milestone(fixture)
            let request = try Self.id(try Self.request(fixture, milestone, to: "2030-09-30"))
            // The database stamped who and the due date asked from.
            let stamped = try fixture.admin().query(
                """
                SELECT o.code, e.due_on::text, e.state FROM reloc.extension_request e
                JOIN reloc.organisation o ON o.id = e.requested_by WHERE e.id = \(request)
                """
            ).decode((String, String, String).self)
            #expect(stamped.first! == ("CC", "2030-06-28", "pending"))
            // The request writes the milestone's row (a REPEATABLE READ close older than it fails),
            // but that write is no edit by the one who asked: the milestone's trail has none.
            #expect(
                try fixture.admin().count(
                    "SELECT count(*) FROM reloc.audit WHERE table_name = 'milestone' AND row_id = \(milestone) AND action = 'update'"
                ) == 0)
            // Pending: listed, the due date not moved yet, the light yellow.
            let pending = try fixture.cli(["extension", "list", "--pending", "--format", "json"])
            #expect(pending.status == 0 && pending.stdout.contains("\"id\": \(request)"), "\(pending.stdout)")
            #expect(try Self.dueOn(fixture, milestone) == "2030-06-28")
            #expect(
                try fixture.admin().query("SELECT reloc.milestone_light(\(milestone), '2030-01-02')").scalar(
                    String.self)
                    == "yellow")

            let approved = try fixture.cli(["--as", "JL", "extension", "approve", "\(request)", "--note", "同意"])
            #expect(approved.status == 0, "\(approved.stderr)")
            #expect(try Self.dueOn(fixture, milestone) == "2030-09-30")
            // Visible where the due date is: one extension, the original date kept.
            let listed = try fixture.cli([
                "milestone", "show", "\(milestone)", "--as-of", "2030-01-02", "--format", "json",
            ])
            #expect(listed.stdout.contains("\"extensions\": 1"), "\(listed.stdout)")
            #expect(listed.stdout.contains("\"original_due_on\": \"2030-06-28\""), "\(listed.stdout)")
            #expect(listed.stdout.contains("\"due_on\": \"2030-09-30\""), "\(listed.stdout)")

            // A second extension, approved to another date than asked.
            let second = try Self.id(try Self.request(fixture, milestone, to: "2030-12-31"))
            #expect(
                try fixture.cli(["--as", "JL", "extension", "approve", "\(second)", "--to", "2030-11-30"]).status == 0)
            #expect(try Self.dueOn(fixture, milestone) == "2030-11-30")
            let twice = try fixture.cli([
                "milestone", "list", "--plan", "CC-KC", "--as-of", "2030-01-02", "--format", "csv",
            ])
            #expect(twice.stdout.contains(",2,2030-06-28"), "\(twice.stdout)")
            // The history: both requests, each from the due date it moved.
            let history = try fixture.admin().query(
                "SELECT due_on::text || '→' || decided_to FROM reloc.extension_request WHERE milestone_id = \(milestone) ORDER BY id"
            ).decode(String.self)
            #expect(history == ["2030-06-28→2030-09-30", "2030-09-30→2030-11-30"])
            // As of a day before the second approval, the due date in force was the first extension's.
            let then = try fixture.admin().query(
                """
                SELECT l.due_on::text, l.extensions FROM reloc.milestone_lights(reloc.today() - 1) l
                WHERE l.milestone_id = \(milestone)
                """
            ).decode((String, Int64).self)
            #expect(then.first! == ("2030-06-28", 0))
        }
    }

    @Test func askedInTimeForALaterDateOnePendingByWhoMayCloseIt() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try Self.milestone(fixture)
            // Not later than the due date.
            let earlier = try Self.request(fixture, milestone, to: "2030-06-28")
            #expect(earlier.status == 65 && earlier.stderr.contains("extension_request_later"), "\(earlier.stderr)")
            // Not open-ended: 'infinity' or 9999 broke every list's date sums once approved (review).
            let endless = try Self.request(fixture, milestone, to: "9999-12-31")
            #expect(endless.status == 65 && endless.stderr.contains("extension_request_horizon"), "\(endless.stderr)")
            expectSQLState("23514") {
                try fixture.acting("CC").execute(
                    "INSERT INTO reloc.extension_request (milestone_id, requested_to, reason) VALUES (\(milestone), 'infinity', 'x')"
                )
            }
            // 通化 may not close 长春's milestone, so may not ask.
            let stranger = try Self.request(fixture, milestone, to: "2030-09-30", as: "TH")
            #expect(stranger.status == 77, "\(stranger.stderr)")
            expectSQLState("42501") {
                try fixture.acting("TH").execute(
                    "INSERT INTO reloc.extension_request (milestone_id, requested_to, reason) VALUES (\(milestone), '2030-09-30', 'x')"
                )
            }
            // One pending per milestone, through the CLI and as raw SQL.
            _ = try Self.id(try Self.request(fixture, milestone, to: "2030-09-30"))
            let again = try Self.request(fixture, milestone, to: "2030-10-31")
            #expect(again.status == 65 && again.stderr.contains("extension_request_one_pending"), "\(again.stderr)")
            expectSQLState("23514", constraint: "extension_request_one_pending") {
                try fixture.acting("CC").execute(
                    "INSERT INTO reloc.extension_request (milestone_id, requested_to, reason) VALUES (\(milestone), '2030-10-31', 'x')"
                )
            }
            // A forged request: the database stamps state, asker and dates whatever the client wrote
            // (and no column but the four asked is granted).
            expectSQLState("42501") {
                try fixture.acting("CC").execute(
                    """
                    INSERT INTO reloc.extension_request (milestone_id, requested_to, reason, state, decided_to)
                    VALUES (\(milestone), '2030-10-31', 'x', 'approved', '2030-10-31')
                    """)
            }
        }
    }

    @Test func onlyBeforeTheDueDatePlusTheGrace() throws {
        try ProgrammeFixture.with { fixture in
            let yesterday = try fixture.admin().query("SELECT (reloc.programme_today() - 1)::text").scalar(String.self)
            let milestone = try Self.milestone(fixture, due: yesterday)
            let late = try Self.request(fixture, milestone, to: "2030-09-30")
            #expect(late.status == 65 && late.stderr.contains("extension_request_in_time"), "\(late.stderr)")
            // The province's grace of 5 working days takes it.
            try fixture.admin().execute("UPDATE reloc.supervision_setting SET extension_grace = 5")
            _ = try Self.id(try Self.request(fixture, milestone, to: "2030-09-30"))
            // A closed milestone has no due date to move.
            let closed = try fixture.milestone(plan: "SP-TD")
            try fixture.admin().execute("UPDATE reloc.milestone SET done_on = '2014-12-01' WHERE id = \(closed)")
            let done = try Self.request(fixture, closed, to: "2030-09-30", as: "SP")
            #expect(done.status == 65 && done.stderr.contains("extension_request_open_milestone"), "\(done.stderr)")
        }
    }

    @Test func onlyTheProvinceDecidesOnceAndARejectionChangesNothing() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try Self.milestone(fixture)
            let request = try Self.id(try Self.request(fixture, milestone, to: "2030-09-30"))
            // The asker cannot approve its own: CLI 77, raw SQL 42501.
            let own = try fixture.cli(["--as", "CC", "extension", "approve", "\(request)"])
            #expect(own.status == 77, "\(own.stderr)")
            expectSQLState("42501") {
                try fixture.acting("CC").execute(
                    "UPDATE reloc.extension_request SET state = 'approved', decided_to = '2031-01-01' WHERE id = \(request)"
                )
            }
            // Nor edit its request (no grant of its columns).
            expectSQLState("42501") {
                try fixture.acting("CC").execute(
                    "UPDATE reloc.extension_request SET requested_to = '2031-01-01', reason = 'y' WHERE id = \(request)"
                )
            }
            // The province decides only the decision, not the request.
            expectSQLState("42501") {
                try fixture.acting("JL").execute(
                    "UPDATE reloc.extension_request SET state = 'approved', requested_to = '2031-01-01' WHERE id = \(request)"
                )
            }
            // A rejection says why.
            let silent = try fixture.cli(["--as", "JL", "extension", "reject", "\(request)", "--note", " "])
            #expect(silent.status == 65, "\(silent.stderr)")
            let rejected = try fixture.cli(["--as", "JL", "extension", "reject", "\(request)", "--note", "理由不充分"])
            #expect(rejected.status == 0, "\(rejected.stderr)")
            #expect(try Self.dueOn(fixture, milestone) == "2030-06-28")
            // Decided once: not approved afterwards, nor changed, by anyone.
            let later = try fixture.cli(["--as", "JL", "extension", "approve", "\(request)"])
            #expect(later.status == 65 && later.stderr.contains("extension_request_decided"), "\(later.stderr)")
            expectSQLState("23514", constraint: "extension_request_decided") {
                try fixture.acting("JL").execute(
                    "UPDATE reloc.extension_request SET state = 'approved', decided_to = '2031-01-01', decision_note = 'x' WHERE id = \(request)"
                )
            }
            expectSQLState("42501") {
                try fixture.acting("JL").execute("DELETE FROM reloc.extension_request WHERE id = \(request)")
            }
            expectSQLState("23514", constraint: "extension_request_decided") {
                try fixture.admin().execute("DELETE FROM reloc.extension_request WHERE id = \(request)")
            }
            #expect(try Self.dueOn(fixture, milestone) == "2030-06-28")
            // Asked again after a rejection: a new request.
            _ = try Self.id(try Self.request(fixture, milestone, to: "2030-08-31"))
        }
    }

    @Test func anApprovedExtensionIsRemindedAfresh() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try Self.milestone(fixture)
            let admin = try fixture.admin()
            // On the due date, the owner's 'due' reminder is planned for that date.
            _ = try admin.query("SELECT reloc.remind_plan('2030-06-28')")
            let before = try admin.query(
                "SELECT due_on::text FROM reloc.reminder WHERE milestone_id = \(milestone) AND occurrence = 'due'"
            ).decode(String.self)
            #expect(before == ["2030-06-28"])
            let request = try Self.id(try Self.request(fixture, milestone, to: "2030-09-30"))
            #expect(try fixture.cli(["--as", "JL", "extension", "approve", "\(request)"]).status == 0)
            // The new due date has reminders of its own: the ledger's key is the due date.
            let planned = try admin.query("SELECT reloc.remind_plan('2030-09-30')").scalar(Int64.self)
            #expect(planned > 0)
            let after = try admin.query(
                "SELECT due_on::text FROM reloc.reminder WHERE milestone_id = \(milestone) AND occurrence = 'due' ORDER BY id"
            ).decode(String.self)
            #expect(after == ["2030-06-28", "2030-09-30"])
        }
    }
}
