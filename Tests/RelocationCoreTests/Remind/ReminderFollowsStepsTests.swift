import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Reminders follow milestone state, and milestone state now follows the work (issue 14): a step
/// recorded today closes its milestone, so tomorrow's reminders stop; a due date moved with the
/// plan's deadline starts its reminders afresh.
@Suite("Reminders follow the steps")
struct ReminderFollowsStepsTests {
    static func compiled(_ f: RemindFixture, _ plan: String) throws -> Int64 {
        try f.db.query(
            "SELECT m.id FROM reloc.milestone m JOIN reloc.plan p ON p.id = m.plan_id WHERE p.code = \(plan) AND m.kind = 'plan-compiled'"
        ).scalar(Int64.self)
    }

    @Test func aStepRecordedTodayStopsTomorrowsReminders() throws {
        try RemindFixture.with { f in
            let today = try f.db.query("SELECT reloc.today()::text").scalar(String.self)
            let tomorrow = try f.db.query("SELECT (reloc.today() + 1)::text").scalar(String.self)
            let id = try Self.compiled(f, "CC-KC")
            // The province sets the deadline to tomorrow; the milestone follows and is reminded today.
            let edit = try f.cli(["plan", "edit", "CC-KC", "--compile-by", tomorrow, "--as", "JL"])
            #expect(edit.status == 0, "\(edit.stderr)")
            try f.run(asOf: today)
            #expect(try f.ledger(id) == ["CC-KC before-1"])
            // Compiled today (the step to consultation): closed, so nothing is due tomorrow.
            let step = try f.cli(["plan", "advance", "CC-KC", "--to", "consultation", "--as", "JL"])
            #expect(step.status == 0, "\(step.stderr)")
            try f.run(asOf: tomorrow)
            #expect(try f.ledger(id, plannedOn: tomorrow).isEmpty)
            #expect(try f.ledger(id) == ["CC-KC before-1"])
        }
    }

    @Test func aMovedDueDateStartsItsRemindersAfresh() throws {
        try RemindFixture.with { f in
            let id = try Self.compiled(f, "CC-KC")
            try f.run(asOf: "2015-01-01")
            #expect(try f.ledger(id) == ["CC-KC overdue-1"])
            // The province gives more time (§四(一)): the milestone follows, no longer overdue.
            #expect(try f.cli(["plan", "edit", "CC-KC", "--compile-by", "2015-06-30", "--as", "JL"]).status == 0)
            try f.run(asOf: "2015-01-08")
            #expect(try f.ledger(id, plannedOn: "2015-01-08").isEmpty)
            try f.run(asOf: "2015-06-23")
            #expect(try f.ledger(id, plannedOn: "2015-06-23") == ["CC-KC before-7"])
        }
    }
}
