import ArgumentParser
import Foundation
import Logging
import RelocationCore

struct RemindCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remind",
        abstract: "The daily reminder job: every office hears about its deadlines (节点) once, on time.",
        discussion: """
            Channels: stdout, jsonl:PATH, webhook:URL, email:ADDRESS. E-mail goes through RELOC_SENDMAIL
            (default "/usr/sbin/sendmail -t -i") from RELOC_MAIL_FROM; webhooks wait RELOC_WEBHOOK_TIMEOUT seconds.
            """,
        subcommands: [Run.self, Status.self, Rules.self, Contact.self, History.self, Retry.self]
    )

    struct Run: ConnectionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Plan today's reminders and deliver every message that is due (what the scheduler starts).",
            discussion: """
                Prints one line: planned, sent, retrying, dead, no-contact, held, superseded, waiting. Exit 0 when
                the run's own work is done: everything it could send was sent, or died (a person acts: reloc remind
                status; the province's next digest lists them), or waits for a retry time no rerun can shorten;
                75 when a rerun soon would do more (held: messages due now that another run was sending, or left
                by --limit); 64 a setting is wrong (named); 69 the database is unavailable, 77 the login may not
                act as reloc_reminder. A run plans forward only: --as-of earlier than a day already planned is
                refused (65) unless --dry-run.
                """)
        @Option(help: "Plan as of this day (YYYY-MM-DD; default today in Asia/Shanghai).") var asOf: CalendarDate?
        @Flag(help: "Show the digests that would be composed; record and send nothing.") var dryRun = false
        @Option(
            help:
                "Send what this run delivers to this channel instead of the recipients' contacts (stdout, jsonl:PATH, …); it counts as delivered: try on a copy of the database or with --dry-run."
        )
        var channel: String?
        @Option(help: "Deliver at most N messages in this run.") var limit: Int?
        @Option(help: "Seconds a run holds a message it is sending before another run may take it over.")
        var lease: Double = 300
        @Option(help: "Runs that try a failing message before it is dead.") var maxAttempts: Int = 8
        @Option(help: "The most items one digest lists; the rest are counted (另有N项).") var maxItems: Int = 200
        @Option(help: "Seconds before the first retry in a later run (doubled each time, with jitter).")
        var retryAfter: Double = 300
        @Option(help: "Also write the run's counts and exit status as JSON to this file (for monitoring).")
        var summaryJson: String?
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions
        @ParentCommand var reloc: Reloc

        func validate() throws {
            if let limit, limit < 0 { throw ValidationError("--limit is a number of messages, 0 or more") }
            // A lease bounds how long one message may take (70 % of it, ReminderRun): under 2 s no
            // webhook could answer; over a day a killed run's messages would wait too long.
            if !(lease.isFinite && lease >= 2 && lease <= 86_400) {
                throw ValidationError("--lease is a number of seconds from 2 to 86400 (got \(lease))")
            }
            if maxAttempts < 1 { throw ValidationError("--max-attempts is at least 1") }
            if maxItems < 1 { throw ValidationError("--max-items is at least 1") }
            if !(retryAfter.isFinite && retryAfter >= 0 && retryAfter <= 86_400) {
                throw ValidationError("--retry-after is a number of seconds from 0 to 86400 (got \(retryAfter))")
            }
            if let channel {
                do { _ = try ChannelAddress(parsing: channel) } catch { throw ValidationError("\(error)") }
            }
            // Checked now, not after everything is sent (the run would be recorded as done, then
            // exit 70 on writing).
            if let summaryJson {
                let file = URL(fileURLWithPath: summaryJson)
                let directory = file.deletingLastPathComponent().path
                var isDirectory: ObjCBool = false
                let files = FileManager.default
                guard files.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
                    files.isWritableFile(atPath: directory),
                    !files.fileExists(atPath: file.path, isDirectory: &isDirectory) || !isDirectory.boolValue
                else {
                    throw ValidationError(
                        "--summary-json \(summaryJson): not a file that can be written in an existing directory")
                }
            }
            // Every setting is checked at start (exit 64 naming it), before anything is planned.
            do {
                _ = try ChannelFactory.validated(environment: ProcessInfo.processInfo.environment)
            } catch { throw ValidationError("\(error)") }
        }

        func execute() throws {
            var options = ReminderRun.Options()
            options.asOf = asOf
            options.dryRun = dryRun
            options.channel = try channel.map(ChannelAddress.init(parsing:))
            options.limit = limit
            options.lease = lease
            options.maxItems = maxItems
            options.retry = RetryPolicy(baseDelay: retryAfter, maxAttempts: maxAttempts)
            options.channels = try ChannelFactory.validated(environment: ProcessInfo.processInfo.environment)
            var logger = Logger(label: "reloc.remind")
            logger.logLevel = .warning
            // A run that fails leaves no summary (never the previous run's, which would pass for
            // this one's): the file is removed now and written at the end.
            if let summaryJson { try? FileManager.default.removeItem(atPath: summaryJson) }
            let summary: ReminderRun.Summary
            do {
                summary = try ReminderRun(connection.connect(), options: options, logger: logger).run()
            } catch let later as ReminderRun.TryLater {
                Console.error("reloc: \(later.description)")
                throw ExitCode(75)
            }
            Console.write(summary.line + "\n")
            if let summaryJson {
                try summary.json().write(to: URL(fileURLWithPath: summaryJson), options: .atomic)
            }
            if summary.exitStatus != 0 { throw ExitCode(summary.exitStatus) }
        }
    }

    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules",
            abstract: "When reminders are sent, per kind of milestone.", subcommands: [List.self, Set.self])

        struct List: SessionCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: "List the rules in force for every kind of milestone.")
            @OptionGroup var session: SessionOptions
            @OptionGroup var output: ListingOptions

            func execute() throws {
                try output.print(Listing(ReminderRules(session.open().connection).list()), .reminderRules)
            }
        }

        struct Set: SessionCommand, PrintsSentence {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Set the rule of one kind of milestone, or the default (province only).",
                discussion: "Settings not given stay as they are; a kind without its own rule starts from the default.")
            @Argument(help: "default, or a kind of milestone (plan-compiled, site-released, …).") var kind = "default"
            @Option(help: "Days before the due date, e.g. 30,7,1; in working days with wd, e.g. 5wd,1wd.")
            var before: String?
            @Option(help: "A reminder on the due date: yes or no.") var onDue: YesNo?
            @Option(help: "The first overdue reminder, days after the due date.") var overdueFirst: Int?
            @Option(help: "Then an overdue reminder every N days.") var overdueEvery: Int?
            @Option(help: "Escalate to the province when this many days overdue, or \"never\".") var escalateAfter:
                String?
            @Option(help: "Escalate to the city government too: yes or no.") var escalateToCity: YesNo?
            @OptionGroup var session: SessionOptions
            @OptionGroup(visibility: .hidden) var output: FormatOptions

            func execute() throws {
                var change = ReminderRules.Change(
                    onDueDate: onDue?.value, overdueFirst: overdueFirst, overdueEvery: overdueEvery,
                    escalateToCity: escalateToCity?.value)
                if let before {
                    let days = Spellings.halfwidth(before).lowercased().split(whereSeparator: {
                        $0 == "," || $0 == " "
                    })
                    // 5wd: five working days before (reloc.add_working_days, the calendar's).
                    let working = days.filter { $0.hasSuffix("wd") }.compactMap { Int($0.dropLast(2)) }
                    let numbers = days.filter { !$0.hasSuffix("wd") }.compactMap { Int($0) }
                    guard numbers.count + working.count == days.count else {
                        throw ValidationError(
                            "--before is a list of days, e.g. 30,7,1, or working days, e.g. 5wd,1wd (got \"\(before)\")"
                        )
                    }
                    change.daysBefore = numbers
                    change.workingDaysBefore = working
                }
                if let escalateAfter {
                    if escalateAfter == "never" {
                        change.escalateAfter = .some(nil)
                    } else if let days = Int(Spellings.halfwidth(escalateAfter)) {
                        change.escalateAfter = .some(days)
                    } else {
                        throw ValidationError(
                            "--escalate-after is a number of days or \"never\" (got \"\(escalateAfter)\")")
                    }
                }
                try ReminderRules(session.open().connection).set(kind: kind, change)
                Console.write("set the reminder rule for \(kind.lowercased())\n")
            }
        }
    }

    struct Contact: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "contact",
            abstract: "Where an organisation's reminders go.", subcommands: [Add.self, List.self, Remove.self])

        struct Add: SessionCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Add an e-mail address or a webhook for an organisation (itself or the province).")
            @Argument(help: "Organisation code, e.g. SP.", transform: Spellings.halfwidth) var org: String
            @Option(help: "E-mail address.") var email: String?
            @Option(help: "Webhook URL (http:// or https://).") var webhook: String?
            @Option(help: "Who reads it, e.g. 规划科.") var name: String?
            @OptionGroup var session: SessionOptions
            @OptionGroup var output: FormatOptions

            func validate() throws {
                guard (email == nil) != (webhook == nil) else {
                    throw ValidationError("give one of --email or --webhook")
                }
            }

            func execute() throws {
                let channel =
                    try email.map { ChannelAddress.email(try ChannelAddress.emailAddress($0)) }
                    ?? .webhook(try ChannelAddress.webhookURL(webhook ?? ""))
                let added = try ReminderContacts(session.open().connection).add(org: org, channel: channel, name: name)
                var sentence =
                    "added contact \(added.id) for \(org.uppercased()): \(ChannelAddress.redacted(channel.description))"
                var fields: [(key: String, value: OutputValue)] = [("id", .integer(Int(added.id)))]
                if let secret = added.secret {
                    // Shown this once: the receiver checks X-Reloc-Signature with it (docs/usage/remind.md).
                    sentence += "\nsigning secret (shown only now; keep it with the receiver): \(secret)"
                    fields.append(("secret", .text(secret)))
                }
                printCreated(fields, table: sentence, output.format)
            }
        }

        struct List: SessionCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List contacts.")
            @Option(help: "Only this organisation's.", transform: Spellings.halfwidth) var org: String?
            @OptionGroup var session: SessionOptions
            @OptionGroup var output: ListingOptions

            func execute() throws {
                try output.print(Listing(ReminderContacts(session.open().connection).list(org: org)), .contacts)
            }
        }

        struct Remove: SessionCommand, PrintsSentence {
            static let configuration = CommandConfiguration(
                commandName: "remove", abstract: "Remove a contact (by its id in the list).")
            @Argument(help: "Contact id.") var id: Int64
            @OptionGroup var session: SessionOptions
            @OptionGroup(visibility: .hidden) var output: FormatOptions

            func execute() throws {
                try ReminderContacts(session.open().connection).remove(id: id)
                Console.write("removed contact \(id)\n")
            }
        }
    }

    struct Status: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Did the job run, and what needs a person: the last run of each day, dead and waiting messages.")
        @Option(help: "Days of runs to show.") var days: Int = 14
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func validate() throws {
            if days < 1 { throw ValidationError("--days is at least 1") }
        }

        func execute() throws {
            let status = try ReminderHistory(session.open().connection).status(days: days)
            let view = ItemWithSections(
                try Listing(status.summary),
                sections: [
                    .init(key: "runs", title: "runs (the last of each day)", try Listing(status.runs)),
                    .init(key: "messages", title: "dead and waiting messages", try Listing(status.messages)),
                ])
            try output.print(view, sheet: "提醒状态")
        }
    }

    struct History: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: "The messages the job composed and what became of them (how to check that it ran).")
        @Option(help: "Only messages to this organisation.", transform: Spellings.halfwidth) var org: String?
        @Option(
            help: "Only messages in this state: pending, sending, retrying, sent, dead, no-contact, superseded.")
        var state: DeliveryState?
        @Option(help: "Only runs on or after this day (YYYY-MM-DD).") var since: CalendarDate?
        @Option(
            parsing: .unconditional, help: "The latest N messages (0: all).",
            transform: WholeNumber.parse("a number of messages, 0 (all) or more"))
        var limit: Int = 100
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let result = try ReminderHistory(session.open().connection).list(
                org: org, state: state?.rawValue, since: since, limit: limit == 0 ? nil : limit)
            try output.print(Listing(result), .reminderHistory)
        }
    }

    struct Retry: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract:
                "Put a dead or retrying message back in the queue; the next run sends it (same idempotency key) to the recipient's contacts as they are then."
        )
        @Argument(help: "Message id (see reloc remind history).") var id: Int64
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try ReminderHistory(session.open().connection).retry(id: id)
            Console.write("message \(id) is queued; the next `reloc remind run` sends it\n")
        }
    }
}
