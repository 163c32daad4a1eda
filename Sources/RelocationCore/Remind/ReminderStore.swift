import Foundation
import LibPQClient

/// The reminder ledger and message queue in the database (0006_remind.sql), as the job sees it.
/// Planning and composing happen in one short transaction under an advisory lock; delivery
/// claims one message at a time with `FOR UPDATE SKIP LOCKED` and a lease, outside any
/// transaction, so two runs share the work and a killed run's message is taken over.
public struct ReminderStore {
    /// The job's database role (0001, 0006): reads the register, writes only the ledger.
    public static let jobRole = "reloc_reminder"
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// Acts as the job's role, unless the login already is it: the run then has exactly the
    /// job's privileges, even when started by an administrator.
    /// - Throws: `RelocError.permissionDenied` when the login may not act as `reloc_reminder`.
    public func actAsJob() throws {
        let current = try db.query("SELECT current_user::text").scalar(String.self)
        guard current != ReminderStore.jobRole else { return }
        do {
            try db.execute("SET ROLE \(identifier: ReminderStore.jobRole)")
        } catch let error as PGError where error.sqlState == "42501" {
            throw RelocError.permissionDenied(
                "\(current) may not run the reminder job: make the job's login a member of \(ReminderStore.jobRole) (GRANT \(ReminderStore.jobRole) TO \(current))"
            )
        }
    }

    /// What planning and composing produced.
    public struct Planned: Sendable, Hashable {
        public var asOf: CalendarDate
        /// New ledger rows.
        public var reminders: Int
        /// Messages queued for delivery.
        public var messages: Int
        /// Recipients recorded without a contact.
        public var noContact: Int
    }

    /// Plans the reminders due as of `asOf` (default: today in Asia/Shanghai) and composes them
    /// into messages, in the current transaction (the caller commits, or rolls back a dry run).
    /// - Parameter channel: send every digest there instead of the recipients' contacts.
    /// - Parameter maxItems: the most items one digest lists (the rest are counted as omitted).
    public func planAndCompose(asOf: CalendarDate?, channel: ChannelAddress?, maxItems: Int = 200) throws -> Planned {
        // One planner at a time: a second run waits here, then finds nothing new to plan.
        try db.execute("SELECT pg_advisory_xact_lock(hashtext('reloc.remind'))")
        let date = try db.query("SELECT coalesce(\(asOf)::date, reloc.today())").scalar(CalendarDate.self)
        let reminders = try db.query("SELECT reloc.remind_plan(\(date))").scalar(Int.self)
        let row = try db.query(
            "SELECT messages, no_contact FROM reloc.remind_compose(\(date), \(channel?.description), \(maxItems)::int)"
        ).rows[0]
        return Planned(
            asOf: date, reminders: reminders, messages: try row.decode(Int.self, at: 0),
            noContact: try row.decode(Int.self, at: 1))
    }

    /// Messages composed by the current transaction (for a dry run to show before rolling back).
    public func composedInThisTransaction() throws -> [QueuedMessage] {
        try db.query(
            """
            SELECT id, idempotency_key::text, channel, digest::text, attempts FROM reloc.reminder_message
            WHERE created_at = now() ORDER BY id
            """
        ).rows.map(QueuedMessage.init)
    }

    /// A message taken from the queue.
    public struct QueuedMessage: Sendable {
        public var message: ReminderMessage
        /// Where it goes; nil for a no-contact record.
        public var channel: String?
        /// Attempts including this one.
        public var attempts: Int

        init(_ row: PGRow) throws {
            let digest = try JSONDecoder().decode(
                ReminderDigest.self, from: Data(try row.decode(String.self, at: 3).utf8))
            message = ReminderMessage(
                idempotencyKey: try row.decode(String.self, at: 1), messageID: try row.decode(Int64.self, at: 0),
                digest: digest)
            channel = try row.decode(String?.self, at: 2)
            attempts = try row.decode(Int.self, at: 4)
        }
    }

    /// Claims the next message that is due (new, due for a retry, or left by a run whose lease
    /// ran out), for `lease` seconds. One statement, committed at once: the claim is visible to
    /// other runs before anything is sent.
    public func claim(runner: UUID, lease: TimeInterval) throws -> QueuedMessage? {
        try db.query(
            """
            UPDATE reloc.reminder_message m
            SET state = 'sending', claimed_by = \(runner), lease_until = now() + make_interval(secs => \(lease)),
                attempts = m.attempts + 1
            WHERE m.id = (
                SELECT q.id FROM reloc.reminder_message q
                WHERE (q.state IN ('pending', 'retrying') AND q.next_attempt_at <= now())
                   OR (q.state = 'sending' AND q.lease_until < now())
                ORDER BY q.next_attempt_at, q.id
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING m.id, m.idempotency_key::text, m.channel, m.digest::text, m.attempts
            """
        ).rows.first.map(QueuedMessage.init)
    }

    /// Records a sent message, only if `runner` still holds its claim.
    /// - Returns: false when the claim was lost (the lease ran out and another run took it).
    public func markSent(_ id: Int64, runner: UUID) throws -> Bool {
        try db.execute(
            """
            UPDATE reloc.reminder_message
            SET state = 'sent', sent_at = now(), claimed_by = NULL, lease_until = NULL, last_error = NULL
            WHERE id = \(id) AND state = 'sending' AND claimed_by = \(runner)
            """) == 1
    }

    /// Records a failed delivery: retried after `delay` seconds, or dead when `dead` (a
    /// permanent failure or the last attempt). Only while `runner` holds the claim.
    public func markFailed(_ id: Int64, runner: UUID, reason: String, dead: Bool, delay: TimeInterval) throws -> Bool {
        try db.execute(
            """
            UPDATE reloc.reminder_message
            SET state = \(dead ? "dead" : "retrying"), claimed_by = NULL, lease_until = NULL, last_error = \(reason),
                next_attempt_at = now() + make_interval(secs => \(delay))
            WHERE id = \(id) AND state = 'sending' AND claimed_by = \(runner)
            """) == 1
    }

    /// Messages waiting for a later run: a retry not yet due, or left by `--limit`. A message
    /// another run is sending is that run's to report (if it dies, its lease runs out and a later
    /// run takes the message over).
    public func waiting() throws -> Int {
        try db.query(
            """
            SELECT count(*) FROM reloc.reminder_message
            WHERE state IN ('pending', 'retrying') OR (state = 'sending' AND lease_until < now())
            """
        ).scalar(Int.self)
    }
}
