import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// A seeded database (jilin-2014) for the reminder job, with helpers to add milestones, run the
/// job in-process or through the CLI, and read the ledger.
struct RemindFixture {
    let database: String
    let db: PGConnection
    /// A jsonl file the in-process runs deliver to.
    let outbox: String

    static func with(_ body: (RemindFixture) throws -> Void) throws {
        try TestDatabase.with(.jilin2014) { name in
            let outbox = FileManager.default.temporaryDirectory.appendingPathComponent(
                "reloc-remind-\(UUID().uuidString).jsonl"
            ).path
            defer { try? FileManager.default.removeItem(atPath: outbox) }
            try body(RemindFixture(database: name, db: try TestDatabase.connect(name), outbox: outbox))
        }
    }

    static func date(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// Adds a milestone (as a superuser) attached to a plan, an enterprise (by name) or a task
    /// (by number); the owner defaults as the tasks migration says.
    @discardableResult
    func milestone(
        _ title: String, due: String, kind: String = "custom", plan: String? = nil, enterprise: String? = nil,
        task: Int? = nil, owner: String? = nil, done: String? = nil
    ) throws -> Int64 {
        try db.query(
            """
            INSERT INTO reloc.milestone (kind, title, due_on, plan_id, enterprise_id, task_id, owner_id, done_on)
            VALUES (\(kind), \(title), \(due)::date,
                    (SELECT id FROM reloc.plan WHERE code = \(plan)),
                    (SELECT id FROM reloc.enterprise WHERE name = \(enterprise)),
                    (SELECT id FROM reloc.task WHERE number = \(task)),
                    (SELECT id FROM reloc.organisation WHERE code = \(owner)), \(done)::date)
            RETURNING id
            """
        ).scalar(Int64.self)
    }

    /// One run of the job in this process, delivering to the fixture's jsonl file.
    @discardableResult
    func run(asOf: String?, channel: String? = nil, options: (inout ReminderRun.Options) -> Void = { _ in }) throws
        -> ReminderRun.Summary
    {
        var settings = ReminderRun.Options()
        settings.asOf = asOf.map(RemindFixture.date)
        settings.channel = try ChannelAddress(parsing: channel ?? "jsonl:\(outbox)")
        settings.retry = RetryPolicy(triesPerRun: 2, firstPause: 0.01, baseDelay: 0.5)
        options(&settings)
        // A fresh connection per run, as each scheduled run has its own.
        return try ReminderRun(TestDatabase.connect(database), options: settings).run()
    }

    /// The ledger rows of a milestone as "ORG occurrence", sorted.
    func ledger(_ milestone: Int64, plannedOn: String? = nil) throws -> [String] {
        try db.query(
            """
            SELECT o.code || ' ' || r.occurrence FROM reloc.reminder r JOIN reloc.organisation o ON o.id = r.recipient_id
            WHERE r.milestone_id = \(milestone) AND (\(plannedOn)::date IS NULL OR r.planned_on = \(plannedOn)::date)
            ORDER BY 1
            """
        ).decode((String).self)
    }

    /// The messages of the ledger: (recipient code, state, idempotency key).
    func messages() throws -> [(org: String, state: String, key: String)] {
        try db.query(
            """
            SELECT o.code, m.state, m.idempotency_key::text FROM reloc.reminder_message m
            JOIN reloc.organisation o ON o.id = m.recipient_id ORDER BY m.id
            """
        ).decode((String, String, String).self).map { (org: $0.0, state: $0.1, key: $0.2) }
    }

    /// The idempotency keys written to a jsonl file, in order.
    static func keys(inJSONLines path: String) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["idempotency_key"] as? String ?? ""
        }
    }

    /// The tests' webhooks listen on 127.0.0.1: the province's allow-list lets the job reach them.
    static let loopbackAllowed = ["RELOC_WEBHOOK_ALLOW": "127.0.0.1"]

    func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> RelocCLI.Outcome {
        try RelocCLI.run(
            arguments, database: database,
            environment: RemindFixture.loopbackAllowed.merging(environment) { _, given in given })
    }
}
