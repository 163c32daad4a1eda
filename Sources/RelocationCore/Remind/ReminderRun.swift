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
        /// Send every digest there instead of the recipients' contacts.
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
        /// Messages waiting for a later run (a retry not yet due, a limit, an abandoned claim).
        public var retrying = 0
        /// Messages that failed for good in this run.
        public var dead = 0
        /// Recipients recorded without a contact in this run.
        public var noContact = 0

        public var line: String {
            "\(dryRun ? "dry run, nothing recorded: " : "")remind \(asOf): planned \(planned), sent \(sent), retrying \(retrying), dead \(dead), no-contact \(noContact)"
        }

        /// 0 all delivered; 75 (EX_TEMPFAIL) some wait for a retry; 65 some are dead (fix the
        /// contact, then `reloc remind retry ID`).
        public var exitStatus: Int32 {
            retrying > 0 ? 75 : dead > 0 ? ExitStatus.dataError.rawValue : 0
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
            try store.planAndCompose(asOf: options.asOf, channel: options.channel, maxItems: options.maxItems)
        }
        var summary = Summary(
            asOf: planned.asOf, dryRun: false, planned: planned.reminders, noContact: planned.noContact)
        try deliver(store, into: &summary)
        summary.retrying = try store.waiting()
        return summary
    }

    private func deliver(_ store: ReminderStore, into summary: inout Summary) throws {
        let runner = UUID()
        var taken = 0
        while options.limit.map({ taken < $0 }) ?? true,
            let queued = try store.claim(runner: runner, lease: options.lease)
        {
            taken += 1
            let outcome: DeliveryOutcome
            do {
                // A queued message always has a channel (no-contact records are never queued).
                let channel = try options.channels.channel(for: queued.channel ?? "")
                outcome = options.retry.deliver(queued.message, through: channel).0
            } catch {
                outcome = .dead("cannot deliver to \"\(queued.channel ?? "")\": \(error)")
            }
            let id = queued.message.messageID
            let held: Bool
            switch outcome {
            case .sent:
                held = try store.markSent(id, runner: runner)
                if held { summary.sent += 1 }
            case .retry(let reason), .dead(let reason):
                var dead = queued.attempts >= options.retry.maxAttempts
                if case .dead = outcome { dead = true }
                held = try store.markFailed(
                    id, runner: runner, reason: reason, dead: dead,
                    delay: options.retry.delayBeforeNextRun(attempts: queued.attempts))
                if held && dead { summary.dead += 1 }
                logger.warning(
                    "remind.failed",
                    metadata: [
                        "message": "\(id)", "channel": "\(queued.channel ?? "")", "reason": "\(reason)",
                        "dead": "\(dead)",
                    ])
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
    }

    /// Plans and composes inside a transaction that is rolled back, printing the digests.
    private func dryRun(_ store: ReminderStore) throws -> Summary {
        try db.execute("BEGIN")
        defer { _ = try? db.execute("ROLLBACK") }
        let planned = try store.planAndCompose(asOf: options.asOf, channel: options.channel, maxItems: options.maxItems)
        for queued in try store.composedInThisTransaction() {
            let text =
                "──── (dry run) to \(queued.channel ?? "no contact"): \(queued.message.subject)\n\(queued.message.text)\n"
            try FileDescriptorIO.writeAll(Array(text.utf8), to: STDOUT_FILENO)
        }
        return Summary(asOf: planned.asOf, dryRun: true, planned: planned.reminders, noContact: planned.noContact)
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
