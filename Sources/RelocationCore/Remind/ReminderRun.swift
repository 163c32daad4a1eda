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
        /// Messages still to be sent that this run did not try: left by `--limit`, a retry of an
        /// earlier run not yet due, or being sent by another run (or a killed one whose lease
        /// has not run out).
        public var held = 0
        /// Unsent older messages this run's digests replaced.
        public var superseded = 0

        public var line: String {
            "\(dryRun ? "dry run, nothing recorded: " : "")remind \(asOf): planned \(planned), sent \(sent), retrying \(retrying), dead \(dead), no-contact \(noContact), held \(held), superseded \(superseded)"
        }

        /// 65 some died in this run (fix the contact, then `reloc remind retry ID`): a person must
        /// act, which matters more than waiting; else 75 (EX_TEMPFAIL) some still wait (retrying
        /// or held: a later run sends them); else 0, all delivered.
        public var exitStatus: Int32 {
            dead > 0 ? ExitStatus.dataError.rawValue : retrying + held > 0 ? 75 : 0
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

    public func run() throws -> Summary {
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
        summary.held = try store.held(excluding: retried)
        return summary
    }

    /// Delivers every message that is due, each tried once by this run.
    /// - Returns: the messages this run left for a retry.
    private func deliver(_ store: ReminderStore, into summary: inout Summary) throws -> [Int64] {
        let runner = UUID()
        var tried = 0
        // Only these need skipping: what else this run tried is sent, dead or no-contact.
        var retried: [Int64] = []
        while options.limit.map({ tried < $0 }) ?? true,
            let queued = try store.claim(runner: runner, lease: options.lease, skipping: retried)
        {
            let id = queued.message.messageID
            tried += 1
            // Where it goes is decided now: this run's --channel, else the recipient's contacts
            // as they are at this moment.
            let destinations =
                try options.channel.map { [$0.description] } ?? store.destinations(of: queued.recipientID)
            if destinations.isEmpty {
                if try store.markNoContact(id, runner: runner) { summary.noContact += 1 }
                continue
            }
            var delivered = queued.deliveredTo
            // The worst outcome over the destinations: one that is dead makes the message dead.
            var failure: (reason: String, dead: Bool)?
            for destination in destinations where !delivered.contains(destination) {
                let outcome: DeliveryOutcome
                do {
                    let channel = try options.channels.channel(for: destination)
                    outcome = options.retry.deliver(queued.message, through: channel).0
                } catch {
                    outcome = .dead("cannot deliver: \(error)")
                }
                switch outcome {
                case .sent: delivered.append(destination)
                case .retry(let reason) where failure?.dead != true: failure = ("\(destination): \(reason)", false)
                case .retry: break
                case .dead(let reason): failure = ("\(destination): \(reason)", true)
                }
            }
            let held: Bool
            if let failure {
                let dead = failure.dead || queued.attempts >= options.retry.maxAttempts
                held = try store.markFailed(
                    id, runner: runner, reason: failure.reason, dead: dead,
                    delay: options.retry.delayBeforeNextRun(attempts: queued.attempts), deliveredTo: delivered)
                if held && dead { summary.dead += 1 }
                if held && !dead {
                    summary.retrying += 1
                    retried.append(id)
                }
                logger.warning(
                    "remind.failed", metadata: ["message": "\(id)", "reason": "\(failure.reason)", "dead": "\(dead)"])
            } else {
                held = try store.markSent(id, runner: runner, deliveredTo: delivered)
                if held { summary.sent += 1 }
            }
            if !held {
                logger.warning(
                    "remind.claim_lost",
                    metadata: [
                        "message": "\(id)",
                        "hint": "the lease ran out and another run took the message over; raise --lease",
                    ])
            }
        }
        return retried
    }

    /// Plans and composes inside a transaction that is rolled back, printing the digests and
    /// where each would go now.
    private func dryRun(_ store: ReminderStore) throws -> Summary {
        try db.execute("BEGIN")
        defer { _ = try? db.execute("ROLLBACK") }
        let planned = try store.planAndCompose(
            asOf: options.asOf, toContacts: options.channel == nil, maxItems: options.maxItems, allowEarlier: true)
        for queued in try store.composedInThisTransaction() {
            let destinations =
                try options.channel.map { [$0.description] } ?? store.destinations(of: queued.recipientID)
            let to = destinations.isEmpty ? "no contact" : destinations.joined(separator: ", ")
            let text = "──── (dry run) to \(to): \(queued.message.subject)\n\(queued.message.text)\n"
            try FileDescriptorIO.writeAll(Array(text.utf8), to: STDOUT_FILENO)
        }
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

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let command = (environment["RELOC_SENDMAIL"] ?? "").split(separator: " ").map(String.init)
        sendmailCommand = command.isEmpty ? SendmailChannel.defaultCommand : command
        mailSender = environment["RELOC_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 } ?? SendmailChannel.defaultSender
        webhookTimeout = environment["RELOC_WEBHOOK_TIMEOUT"].flatMap(TimeInterval.init) ?? 15
    }

    public func channel(for address: String) throws -> any ReminderChannel {
        switch try ChannelAddress(parsing: address) {
        case .stdout: StandardOutputChannel()
        case .jsonl(let path): JSONLinesChannel(path: path)
        case .webhook(let url): WebhookChannel(url: url, timeout: webhookTimeout)
        case .email(let to): SendmailChannel(address: to, command: sendmailCommand, sender: mailSender)
        }
    }
}
