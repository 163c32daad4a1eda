import Foundation
import LibPQClient
import Logging

/// One run of the reminder job: plan and compose (one transaction), then deliver every message
/// that is due, one claim at a time.
public struct ReminderRun {
    public struct Options: Sendable {
        /// The day to plan for; nil: today in Asia/Shanghai.
        public var asOf: CalendarDate?
        /// Plan and show, then roll back: nothing is recorded or sent.
        public var dryRun = false
        /// Send every message this run delivers there instead of the recipients' contacts
        /// (decided when each is sent; a message sent there counts as delivered).
        public var channel: ChannelAddress?
        /// Deliver at most this many messages (the rest wait for the next run).
        public var limit: Int?
        /// The most items one digest lists; the rest are counted ("另有N项").
        public var maxItems = 200
        /// How long a claim holds a message before another run may take it over.
        public var lease: TimeInterval = 300
        public var retry = RetryPolicy()
        public var channels = ChannelFactory()

        public init() {}
    }

    /// What the run did: the one line it prints, and its exit status.
    public struct Summary: Sendable, Hashable {
        public var asOf: CalendarDate
        public var dryRun: Bool
        /// New ledger rows (reminders planned).
        public var planned = 0
        public var sent = 0
        /// Messages this run tried and left for a retry in a later run (a temporary failure).
        public var retrying = 0
        /// Messages that failed for good in this run.
        public var dead = 0
        /// Messages recorded without a contact in this run.
        public var noContact = 0
        /// Messages due now that this run did not try: left by `--limit`, or being sent by another
        /// run (or a killed one whose lease has not run out). A rerun soon sends them.
        public var held = 0
        /// Unsent older messages this run's digests replaced.
        public var superseded = 0
        /// Messages waiting for a retry time in the future (this run's retries included): a later
        /// run sends them; no rerun now can.
        public var waiting = 0

        public var line: String {
            "\(dryRun ? "dry run, nothing recorded: " : "")remind \(asOf): planned \(planned), sent \(sent), retrying \(retrying), dead \(dead), no-contact \(noContact), held \(held), superseded \(superseded), waiting \(waiting)"
        }

        /// What a scheduler acts on: 75 (EX_TEMPFAIL) when a rerun soon would do more (messages
        /// due now were held by another run or by --limit); else 0 — the run's own work is done,
        /// even with dead messages (a person acts on them: `reloc remind status`, the province's
        /// next digest) or messages waiting for a backoff no rerun can shorten.
        public var exitStatus: Int32 { held > 0 ? 75 : 0 }

        /// `--summary-json PATH`: the counts and the exit status, for monitoring.
        public func json() throws -> Data {
            let object: [String: Any] = [
                "as_of": asOf.description, "dry_run": dryRun, "planned": planned, "sent": sent, "retrying": retrying,
                "dead": dead, "no_contact": noContact, "held": held, "superseded": superseded, "waiting": waiting,
                "exit_status": Int(exitStatus),
            ]
            return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        }
    }

    let db: PGConnection
    let options: Options
    let logger: Logger

    public init(_ db: PGConnection, options: Options, logger: Logger = Logger(label: "reloc.remind")) {
        self.db = db
        self.options = options
        self.logger = logger
    }

    /// The run cannot go on now (another session holds a lock it needs): exit 75, a rerun later
    /// will do the work.
    public struct TryLater: Error, CustomStringConvertible, Sendable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    public func run() throws -> Summary {
        do {
            return try runLocked()
        } catch let error as PGError where error.sqlState == "55P03" {
            logger.warning("remind.lock_timeout", metadata: ["error": "\(error)"])
            throw TryLater(
                "a table the job needs is locked by another session (waited \(ReminderStore.lockTimeoutSeconds) s); try later"
            )
        }
    }

    private func runLocked() throws -> Summary {
        let store = ReminderStore(db)
        try store.actAsJob()
        if options.dryRun { return try dryRun(store) }
        let planned = try db.withTransaction(retries: 3) { _ in
            try store.planAndCompose(
                asOf: options.asOf, toContacts: options.channel == nil, maxItems: options.maxItems)
        }
        var summary = Summary(
            asOf: planned.asOf, dryRun: false, planned: planned.reminders, noContact: planned.noContact,
            superseded: planned.superseded)
        let retried = try deliver(store, into: &summary)
        (summary.held, summary.waiting) = try store.unsent(excluding: retried)
        try store.recordRun(summary)
        return summary
    }

    /// The share of the lease one message may take, all its destinations and tries included
    /// (the rest is margin for the database round trips and a channel's own grace): a claim is
    /// never outlived by its sending, so no other run takes a message over while it is sent.
    static let sendingShareOfLease = 0.7

    /// Delivers every message that is due, each tried once by this run.
    /// - Returns: the messages this run left for a retry.
    private func deliver(_ store: ReminderStore, into summary: inout Summary) throws -> [Int64] {
        let runner = UUID()
        var tried = 0
        summary.dead += try store.buryExhausted(maxAttempts: options.retry.maxAttempts)
        // Only these need skipping: what else this run tried is sent, dead or no-contact.
        var retried: [Int64] = []
        while options.limit.map({ tried < $0 }) ?? true,
            let queued = try store.claim(
                runner: runner, lease: options.lease, maxAttempts: options.retry.maxAttempts, skipping: retried)
        {
            let id = queued.message.messageID
            let deadline = Date().addingTimeInterval(options.lease * ReminderRun.sendingShareOfLease)
            tried += 1
            // Where it goes is decided now: this run's --channel, else the recipient's contacts
            // as they are at this moment.
            let destinations =
                try options.channel.map { [(destination: $0.description, secret: String?.none)] }
                ?? store.destinations(of: queued.recipientID)
            if destinations.isEmpty {
                if try store.markNoContact(id, runner: runner) { summary.noContact += 1 }
                continue
            }
            // The worst outcome over the destinations: one that is dead makes the message dead.
            var failure: (reason: String, dead: Bool)?
            var held = true
            for (destination, secret) in destinations {
                // The claim is renewed before each destination; lost, the run stops sending it.
                guard let delivered = try store.renew(id, runner: runner, lease: options.lease) else {
                    held = false
                    break
                }
                if delivered.contains(destination) { continue }
                let outcome = send(queued.message, to: destination, secret: secret, until: deadline)
                // Credentials in a URL are never recorded where organisations read.
                let shown = ChannelAddress.redacted(destination)
                switch outcome {
                case .sent: try store.recordDelivery(id, to: destination)
                case .retry(let reason) where failure?.dead != true: failure = ("\(shown): \(reason)", false)
                case .retry: break
                case .dead(let reason): failure = ("\(shown): \(reason)", true)
                }
            }
            if held, let failure {
                let dead = failure.dead || queued.attempts >= options.retry.maxAttempts
                held = try store.markFailed(
                    id, runner: runner, reason: failure.reason, dead: dead,
                    delay: options.retry.delayBeforeNextRun(attempts: queued.attempts))
                if held && dead { summary.dead += 1 }
                if held && !dead {
                    summary.retrying += 1
                    retried.append(id)
                }
                logger.warning(
                    "remind.failed", metadata: ["message": "\(id)", "reason": "\(failure.reason)", "dead": "\(dead)"])
            } else if held {
                held = try store.markSent(id, runner: runner)
                if held { summary.sent += 1 }
            }
            if !held {
                logger.warning(
                    "remind.claim_lost",
                    metadata: [
                        "message": "\(id)",
                        "hint": "another run took the message over; the destinations that accepted it are recorded",
                    ])
            }
        }
        return retried
    }

    /// Sends a message to one destination, trying again within the run on a temporary failure,
    /// but never past `deadline`: each try gets at most the time left.
    private func send(_ message: ReminderMessage, to destination: String, secret: String?, until deadline: Date)
        -> DeliveryOutcome
    {
        var tries = 0
        var last = DeliveryOutcome.retry("no time left for this message within the lease (--lease)")
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left >= 0.2 else { return last }
            tries += 1
            do {
                last = try options.channels.channel(for: destination, timeLimit: left, secret: secret).deliver(message)
            } catch {
                return .dead("cannot deliver: \(error)")
            }
            guard case .retry = last, tries < options.retry.triesPerRun else { return last }
            let pause = options.retry.pauseWithinRun(after: tries)
            guard deadline.timeIntervalSinceNow > pause + 0.2 else { return last }
            Thread.sleep(forTimeInterval: pause)
        }
    }

    /// Plans and composes inside a transaction that is rolled back, then prints the digests and
    /// where each would go now. Nothing is printed before the rollback, and the planning lock is
    /// not taken: a dry run piped to a pager never holds anything a real run waits for.
    private func dryRun(_ store: ReminderStore) throws -> Summary {
        var text = ""
        try db.execute("BEGIN")
        let planned: ReminderStore.Planned
        do {
            planned = try store.planAndCompose(
                asOf: options.asOf, toContacts: options.channel == nil, maxItems: options.maxItems,
                allowEarlier: true, locking: false)
            for queued in try store.composedInThisTransaction() {
                let destinations =
                    try options.channel.map { [$0.description] }
                    ?? store.destinations(of: queued.recipientID).map { ChannelAddress.redacted($0.destination) }
                let to = destinations.isEmpty ? "no contact" : destinations.joined(separator: ", ")
                text += "──── (dry run) to \(to): \(queued.message.subject)\n\(queued.message.text)\n"
            }
        } catch {
            _ = try? db.execute("ROLLBACK")
            throw error
        }
        try db.execute("ROLLBACK")
        try FileDescriptorIO.writeAll(Array(text.utf8), to: STDOUT_FILENO)
        return Summary(
            asOf: planned.asOf, dryRun: true, planned: planned.reminders, noContact: planned.noContact,
            superseded: planned.superseded)
    }
}

/// Makes the channel for a message's address, with the deployment's settings.
public struct ChannelFactory: Sendable {
    /// The sendmail command (`RELOC_SENDMAIL`, default `/usr/sbin/sendmail -t -i`).
    public var sendmailCommand: [String]
    /// The From: mailbox (`RELOC_MAIL_FROM`).
    public var mailSender: String
    /// Seconds a webhook may take to answer (`RELOC_WEBHOOK_TIMEOUT`, default 15).
    public var webhookTimeout: TimeInterval
    /// Internal addresses the province allows webhooks to reach (`RELOC_WEBHOOK_ALLOW`).
    public var webhookAddresses: WebhookAddressPolicy

    /// The settings as given, defaults for what is missing; nothing is checked (see `validated`).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let command = (environment["RELOC_SENDMAIL"] ?? "").split(separator: " ").map(String.init)
        sendmailCommand = command.isEmpty ? SendmailChannel.defaultCommand : command
        mailSender = environment["RELOC_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 } ?? SendmailChannel.defaultSender
        webhookTimeout = environment["RELOC_WEBHOOK_TIMEOUT"].flatMap(TimeInterval.init) ?? 15
        webhookAddresses =
            (try? WebhookAddressPolicy(setting: environment["RELOC_WEBHOOK_ALLOW"])) ?? WebhookAddressPolicy()
    }

    /// The settings, each checked before anything is planned or sent (the job's start).
    /// - Throws: `RelocError.invalidInput` naming the setting: a From: with a line break or a
    ///   control character (it would inject headers such as Bcc: into every mail), a timeout that
    ///   is not a number of seconds in 0 < t ≤ 600, an allow-list entry that is not an address.
    public static func validated(environment: [String: String]) throws -> ChannelFactory {
        if let from = environment["RELOC_MAIL_FROM"], !from.isEmpty { _ = try ChannelAddress.mailbox(from) }
        if let text = environment["RELOC_WEBHOOK_TIMEOUT"] {
            guard let seconds = TimeInterval(text.trimmingCharacters(in: .whitespaces)), seconds.isFinite,
                seconds > 0, seconds <= 600
            else {
                throw RelocError.invalidInput(
                    "RELOC_WEBHOOK_TIMEOUT must be a number of seconds greater than 0 and at most 600 (got \"\(text)\")"
                )
            }
        }
        _ = try WebhookAddressPolicy(setting: environment["RELOC_WEBHOOK_ALLOW"])
        return ChannelFactory(environment: environment)
    }

    /// - Parameter timeLimit: the longest one try may take (what is left of the message's share
    ///   of the lease); the channel's own timeout when shorter.
    /// - Parameter secret: a webhook contact's signing secret.
    public func channel(for address: String, timeLimit: TimeInterval = .infinity, secret: String? = nil) throws
        -> any ReminderChannel
    {
        switch try ChannelAddress(parsing: address) {
        case .stdout: StandardOutputChannel()
        case .jsonl(let path): JSONLinesChannel(path: path)
        case .webhook(let url):
            WebhookChannel(
                url: url, timeout: min(webhookTimeout, timeLimit), secret: secret, addresses: webhookAddresses)
        case .email(let to):
            SendmailChannel(address: to, command: sendmailCommand, sender: mailSender, timeout: min(60, timeLimit))
        }
    }
}
