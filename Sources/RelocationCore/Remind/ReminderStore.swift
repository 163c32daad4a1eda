import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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
        try db.execute(SQLQuery(unsafeSQL: "SET lock_timeout = '\(ReminderStore.lockTimeoutSeconds)s'"))
        guard current != ReminderStore.jobRole else { return }
        do {
            try db.execute("SET ROLE \(identifier: ReminderStore.jobRole)")
        } catch let error as PGError where error.sqlState == "42501" {
            throw RelocError.permissionDenied(
                "\(current) may not run the reminder job: make the job's login a member of \(ReminderStore.jobRole) (GRANT \(ReminderStore.jobRole) TO \(current))"
            )
        }
    }

    /// How long one of the job's statements waits for a lock another session holds (an
    /// organisation may LOCK a table it may DELETE from, PostgreSQL's rule): past it the run
    /// stops with 75 ("try later"), not a statement timeout after a minute.
    public static let lockTimeoutSeconds = 5

    /// What planning and composing produced.
    public struct Planned: Sendable, Hashable {
        public var asOf: CalendarDate
        /// New ledger rows.
        public var reminders: Int
        /// Messages composed (one per recipient with reminders).
        public var messages: Int
        /// Messages recorded as no-contact: their recipient has no contact (only when the run has
        /// no `--channel`).
        public var noContact: Int
        /// Unsent older messages replaced by this run's digests.
        public var superseded: Int
    }

    /// Plans the reminders due as of `asOf` (default: today in Asia/Shanghai) and composes them
    /// into messages, in the current transaction (the caller commits, or rolls back a dry run).
    /// - Parameter toContacts: the run sends to the recipients' contacts (no `--channel`): the
    ///   messages waiting for delivery whose recipient has none are recorded as no-contact now.
    /// - Parameter maxItems: the most items one digest lists (the rest are counted as omitted).
    /// - Parameter allowEarlier: plan for a day earlier than one already planned (a dry run
    ///   only: recorded, it would send reminders older than those already sent).
    /// - Throws: `RelocError.invalidInput` when `asOf` is earlier than the latest day planned.
    /// - Parameter locking: take the planning lock (a dry run, rolled back, does not).
    public func planAndCompose(
        asOf: CalendarDate?, toContacts: Bool, maxItems: Int = 200, allowEarlier: Bool = false, locking: Bool = true
    ) throws -> Planned {
        // One planner at a time: a second run waits here (at most the job's lock_timeout), then
        // finds nothing new to plan. A row only the job may lock (0010), not an advisory lock
        // any login could take and hold.
        if locking {
            do {
                try db.execute("SELECT FROM reloc.reminder_job_lock FOR UPDATE")
            } catch let error as PGError where error.sqlState == "55P03" {
                throw ReminderRun.TryLater(
                    "another reminder run is planning (the job's lock is held by another session); try later")
            }
        }
        let date = try db.query("SELECT coalesce(\(asOf)::date, reloc.today())").scalar(CalendarDate.self)
        if !allowEarlier,
            let latest = try db.query("SELECT max(planned_on) FROM reloc.reminder").scalar(CalendarDate?.self),
            date < latest
        {
            throw RelocError.invalidInput(
                "reminders are already planned as of \(latest): a run as of \(date) would send older reminders again; run as of \(latest) or later (--dry-run to look at an earlier day)"
            )
        }
        // Planning and composing in one call (0013): each new reminder is written once, in its
        // final state, instead of inserted by remind_plan and rewritten by remind_compose.
        let row = try db.query("SELECT planned, messages, superseded FROM reloc.remind_run(\(date), \(maxItems)::int)")
            .rows[0]
        let noContact = toContacts ? try recordNoContact() : 0
        return Planned(
            asOf: date, reminders: try row.decode(Int.self, at: 0), messages: try row.decode(Int.self, at: 1),
            noContact: noContact, superseded: try row.decode(Int.self, at: 2))
    }

    /// Records as no-contact the messages waiting for their first delivery whose recipient has no
    /// contact now: reminders recorded, not silently dropped, and reported.
    private func recordNoContact() throws -> Int {
        try db.execute(
            """
            UPDATE reloc.reminder_message m SET state = 'no-contact'
            WHERE m.state = 'pending' AND m.next_attempt_at <= now()
              AND NOT EXISTS (SELECT FROM reloc.reminder_contact c WHERE c.org_id = m.recipient_id)
            """)
    }

    /// Messages composed by the current transaction (for a dry run to show before rolling back).
    public func composedInThisTransaction() throws -> [QueuedMessage] {
        try db.query(
            """
            SELECT id, idempotency_key::text, recipient_id, digest::text, attempts, to_json(delivered_to)::text, state
            FROM reloc.reminder_message
            WHERE created_at = now() ORDER BY id
            """
        ).rows.map(QueuedMessage.init)
    }

    /// Where a recipient's messages go now: its contacts as `email:ADDRESS` and `webhook:URL`,
    /// with a webhook's signing secret.
    public func destinations(of recipientID: Int64) throws -> [(destination: String, secret: String?)] {
        try db.query(
            """
            SELECT channel || ':' || address, secret FROM reloc.reminder_contact WHERE org_id = \(recipientID) ORDER BY id
            """
        ).decode((String, String?).self).map { (destination: $0.0, secret: $0.1) }
    }

    /// A message taken from the queue.
    public struct QueuedMessage: Sendable {
        public var message: ReminderMessage
        public var recipientID: Int64
        /// Attempts including this one.
        public var attempts: Int
        /// Destinations that already accepted it (a retry skips them).
        public var deliveredTo: [String]
        public var state: String

        init(_ row: PGRow) throws {
            let digest = try JSONDecoder().decode(
                ReminderDigest.self, from: Data(try row.decode(String.self, at: 3).utf8))
            message = ReminderMessage(
                idempotencyKey: try row.decode(String.self, at: 1), messageID: try row.decode(Int64.self, at: 0),
                digest: digest)
            recipientID = try row.decode(Int64.self, at: 2)
            attempts = try row.decode(Int.self, at: 4)
            deliveredTo = try JSONDecoder().decode([String].self, from: Data(try row.decode(String.self, at: 5).utf8))
            state = try row.decode(String.self, at: 6)
        }
    }

    /// Claims the next message that is due (new, due for a retry, or left by a run whose lease
    /// ran out) and has had fewer than `maxAttempts` attempts, for `lease` seconds, except those
    /// in `skipping` (this run left them for a retry: a run tries a message once, even when its
    /// backoff is shorter than the run). One statement, committed at once: the claim is visible
    /// to other runs before anything is sent.
    public func claim(runner: UUID, lease: TimeInterval, maxAttempts: Int = .max, skipping: [Int64] = []) throws
        -> QueuedMessage?
    {
        try db.query(
            """
            UPDATE reloc.reminder_message m
            SET state = 'sending', claimed_by = \(runner), lease_until = now() + make_interval(secs => \(lease)),
                attempts = m.attempts + 1
            WHERE m.id = (
                SELECT q.id FROM reloc.reminder_message q
                WHERE ((q.state IN ('pending', 'retrying') AND q.next_attempt_at <= now())
                       OR (q.state = 'sending' AND q.lease_until < now()))
                  AND q.attempts < \(maxAttempts)
                  AND NOT (q.id = ANY (\(skipping)))
                ORDER BY q.next_attempt_at, q.id
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING m.id, m.idempotency_key::text, m.recipient_id, m.digest::text, m.attempts,
                      to_json(m.delivered_to)::text, m.state
            """
        ).rows.first.map(QueuedMessage.init)
    }

    /// Messages that have had all their attempts and are waiting for another (a run killed on the
    /// last attempt, whose lease ran out; or `--max-attempts` lowered) are dead: attempts never
    /// exceed the maximum, and a person sees them (`reloc remind history --state dead`).
    /// - Returns: how many.
    public func buryExhausted(maxAttempts: Int) throws -> Int {
        try db.execute(
            """
            UPDATE reloc.reminder_message
            SET state = 'dead', claimed_by = NULL, lease_until = NULL,
                last_error = coalesce(last_error || '; ', '') || 'no attempt left (' || attempts || ' of ' || \(maxAttempts) || ')'
            WHERE attempts >= \(maxAttempts)
              AND (state IN ('pending', 'retrying') OR (state = 'sending' AND lease_until < now()))
            """)
    }

    /// Renews this run's claim for another `lease` seconds, before each destination.
    /// - Returns: the destinations that have accepted the message so far (another run may have
    ///   recorded some), or nil when the claim is lost: the run must not send it any more.
    public func renew(_ id: Int64, runner: UUID, lease: TimeInterval) throws -> [String]? {
        guard
            let row = try db.query(
                """
                UPDATE reloc.reminder_message SET lease_until = now() + make_interval(secs => \(lease))
                WHERE id = \(id) AND state = 'sending' AND claimed_by = \(runner)
                RETURNING to_json(delivered_to)::text
                """
            ).rows.first
        else { return nil }
        return try JSONDecoder().decode([String].self, from: Data(try row.decode(String.self, at: 0).utf8))
    }

    /// Records at once that `destination` accepted the message, whoever holds the claim now: no
    /// later claim sends it there again.
    public func recordDelivery(_ id: Int64, to destination: String) throws {
        try db.execute(
            """
            UPDATE reloc.reminder_message SET delivered_to = delivered_to || ARRAY[\(destination)::text]
            WHERE id = \(id) AND NOT (\(destination)::text = ANY (delivered_to))
            """)
    }

    /// Records a sent message (every destination accepted it: each recorded by `recordDelivery`),
    /// only if `runner` still holds its claim.
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
    /// permanent failure or the last attempt); the destinations that accepted it meanwhile are
    /// already recorded. Only while `runner` holds the claim.
    public func markFailed(_ id: Int64, runner: UUID, reason: String, dead: Bool, delay: TimeInterval) throws -> Bool {
        try db.execute(
            """
            UPDATE reloc.reminder_message
            SET state = \(dead ? "dead" : "retrying"), claimed_by = NULL, lease_until = NULL, last_error = \(reason),
                next_attempt_at = now() + make_interval(secs => \(delay))
            WHERE id = \(id) AND state = 'sending' AND claimed_by = \(runner)
            """) == 1
    }

    /// Records a claimed message as no-contact: its recipient has no contact any more (and the
    /// run has no `--channel`). Only while `runner` holds the claim.
    public func markNoContact(_ id: Int64, runner: UUID) throws -> Bool {
        try db.execute(
            """
            UPDATE reloc.reminder_message
            SET state = 'no-contact', claimed_by = NULL, lease_until = NULL, last_error = 'no contact'
            WHERE id = \(id) AND state = 'sending' AND claimed_by = \(runner)
            """) == 1
    }

    /// Messages still to be sent that this run did not finish, apart from `excluding` (those it
    /// tried and left for a retry): `held`, due now but not tried (left by `--limit`, or being
    /// sent by another run, alive or killed with its lease not yet run out); `waiting`, waiting
    /// for a retry time still to come.
    public func unsent(excluding: [Int64]) throws -> (held: Int, waiting: Int) {
        let row = try db.query(
            """
            SELECT count(*) FILTER (WHERE state = 'sending' OR next_attempt_at <= now()),
                   count(*) FILTER (WHERE state <> 'sending' AND next_attempt_at > now())
            FROM reloc.reminder_message
            WHERE state IN ('pending', 'retrying', 'sending')
              AND (NOT (id = ANY (\(excluding))) OR next_attempt_at > now())
            """
        ).rows[0]
        return (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1))
    }

    /// Records the run's outcome (`reloc remind status`).
    public func recordRun(_ summary: ReminderRun.Summary) throws {
        try db.execute(
            """
            INSERT INTO reloc.reminder_run (as_of, planned, sent, retrying, dead, no_contact, held, superseded, waiting,
                                            exit_status)
            VALUES (\(summary.asOf), \(summary.planned), \(summary.sent), \(summary.retrying), \(summary.dead),
                    \(summary.noContact), \(summary.held), \(summary.superseded), \(summary.waiting),
                    \(Int(summary.exitStatus)))
            """)
    }
}
