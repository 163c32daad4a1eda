import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// reloc.remind_run (0013): planning and composing in one call, each new reminder written once.
/// It must give exactly what remind_plan then remind_compose give (the same ledger, the same
/// digests, the same links), and plan each reminder once when two runs race.
@Suite struct ReminderRunTests {
    /// The ledger, the messages (digest included) and the links, without ids (sequences differ
    /// between two rolled-back attempts), one line each, sorted.
    static let outcome = """
        SELECT string_agg(line, E'\\n' ORDER BY line) FROM (
            SELECT format('L %s %s %s %s %s %s %s', milestone_id, recipient_id, due_on, occurrence, occurs_on, escalation, state)
            FROM reloc.reminder
            UNION ALL
            SELECT format('M %s %s %s %s %s', recipient_id, as_of, state, superseded_by IS NOT NULL, digest)
            FROM reloc.reminder_message
            UNION ALL
            SELECT format('I %s %s %s %s %s', m.recipient_id, m.as_of, m.state, r.milestone_id, r.occurrence)
            FROM reloc.reminder r JOIN reloc.reminder_message m ON m.id = r.message_id
        ) x (line)
        """

    /// Both ways on the same state, each rolled back: the outcome of each.
    static func bothWays(_ f: RemindFixture, asOf day: String, maxItems: Int) throws -> (steps: String, run: String) {
        let job = try TestDatabase.connect(f.database)
        func attempt(_ statements: [String]) throws -> String {
            try job.execute("BEGIN")
            defer { _ = try? job.execute("ROLLBACK") }
            try job.execute("SET LOCAL ROLE reloc_reminder")
            for statement in statements { try job.execute(SQLQuery(unsafeSQL: statement)) }
            return try job.query(SQLQuery(unsafeSQL: outcome)).scalar(String.self)
        }
        let steps = try attempt([
            "SELECT reloc.remind_plan('\(day)')", "SELECT * FROM reloc.remind_compose('\(day)', \(maxItems))",
        ])
        let run = try attempt(["SELECT * FROM reloc.remind_run('\(day)', \(maxItems))"])
        return (steps, run)
    }

    /// Many milestones of plans, an enterprise and tasks (owners, assignees, escalations to the
    /// province and the city, long digests cut at max_items), then a second day with the first
    /// day's digests undelivered (superseded, their open reminders folded in, a done one withdrawn).
    @Test func aRunGivesWhatPlanThenComposeGive() throws {
        try RemindFixture.with { f in
            for day in 1...9 {
                try f.milestone("节点\(day)", due: "2015-01-0\(day)", plan: "SP-TD")
                try f.milestone("企业节点\(day)", due: "2014-12-1\(day)", kind: "site-released", enterprise: "吉化公司辽源总厂")
            }
            let done = try f.milestone("任务节点", due: "2014-12-20", task: 3)
            try f.milestone("任务节点2", due: "2015-01-10", task: 14, owner: "JL-GTT")
            let first = try Self.bothWays(f, asOf: "2015-01-06", maxItems: 3)
            #expect(first.steps == first.run)
            #expect(first.run.contains("\"omitted\": ") && first.run.contains("escalation-14"), "\(first.run)")

            // The first day composed by the job (nothing delivered), then a milestone done.
            let job = try TestDatabase.connect(f.database)
            try job.execute("SET ROLE reloc_reminder")
            _ = try job.query("SELECT * FROM reloc.remind_run('2015-01-06', 3)").rows
            try f.db.execute("UPDATE reloc.milestone SET done_on = '2015-01-07' WHERE id = \(done)")
            let second = try Self.bothWays(f, asOf: "2015-01-13", maxItems: 3)
            #expect(second.steps == second.run)
            #expect(second.run.contains(" withdrawn") && second.run.contains(" superseded "), "\(second.run)")
        }
    }

    /// Two runs racing without the job's lock: each reminder is planned once, by one of them, and
    /// linked to exactly one message.
    @Test func twoRacingRunsPlanEachReminderOnce() throws {
        try RemindFixture.with { f in
            for day in 1...9 { try f.milestone("节点\(day)", due: "2015-01-0\(day)", plan: "SP-TD") }
            // The first run plans and composes, not committed; the second starts meanwhile (it
            // waits on the first's keys), then the first commits.
            let first = try TestDatabase.connect(f.database)
            try first.execute("BEGIN")
            try first.execute("SET LOCAL ROLE reloc_reminder")
            let firstCount = try first.query("SELECT planned FROM reloc.remind_run('2015-01-06', 200)").scalar(Int.self)
            let planned = PlannedCounts()
            let database = f.database
            let finished = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                planned.set(
                    1,
                    Result {
                        let second = try TestDatabase.connect(database)
                        try second.execute("BEGIN")
                        try second.execute("SET LOCAL ROLE reloc_reminder")
                        let count = try second.query("SELECT planned FROM reloc.remind_run('2015-01-06', 200)")
                            .scalar(Int.self)
                        try second.execute("COMMIT")
                        return count
                    })
                finished.signal()
            }
            Thread.sleep(forTimeInterval: 0.5)
            try first.execute("COMMIT")
            planned.set(0, .success(firstCount))
            finished.wait()
            let counts = try planned.all().map { try $0.get() }
            let ledger = try f.db.query("SELECT count(*) FROM reloc.reminder").scalar(Int.self)
            #expect(ledger > 10 && counts.reduce(0, +) == ledger, "\(counts) \(ledger)")
            let notOnce = try f.db.query(
                """
                SELECT count(*) FROM reloc.reminder r
                WHERE r.state <> 'composed'
                   OR NOT EXISTS (SELECT FROM reloc.reminder_message m
                                  WHERE m.id = r.message_id AND m.recipient_id = r.recipient_id)
                """
            ).scalar(Int.self)
            #expect(notOnce == 0)
        }
    }
}

/// Results of concurrent sessions, gathered under a lock.
final class PlannedCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Result<Int, any Error>] = [:]

    func set(_ index: Int, _ result: Result<Int, any Error>) { lock.withLock { results[index] = result } }

    func all() -> [Result<Int, any Error>] { lock.withLock { results.keys.sorted().map { results[$0]! } } }
}
