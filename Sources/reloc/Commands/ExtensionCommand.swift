import ArgumentParser
import RelocationCore

/// `reloc extension …`: extension requests (延期申请, issue 15 督办).
struct ExtensionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extension",
        abstract: "Extension requests (延期申请): asked before a milestone's due date, decided by the province.",
        subcommands: [Request.self, List.self, Approve.self, Reject.self])

    struct Request: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "Ask for a later due date (a body that may close the milestone); prints the request's id.",
            discussion: """
                Taken up to the due date (plus the province's grace in working days, `extension_grace`), at most \
                one pending per milestone, for a date after the current due date.
                """)
        @Argument(help: "Milestone id.") var milestone: Int64
        @Option(help: "The due date asked for.") var to: CalendarDate
        @Option(help: "Why the milestone cannot be met on time.") var reason: String
        @Option(
            parsing: .upToNextOption,
            help: ArgumentHelp("Document numbers (文号) that support it; one or more.", valueName: "文号"))
        var evidence: [String] = []
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let id = try Extensions(session.open().connection).request(
                .init(milestone: milestone, to: to, reason: reason, evidence: evidence))
            printID(id, output.format)
        }
    }

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List extension requests, oldest first.")
        @Flag(help: "Only those waiting for the province's decision.") var pending = false
        @Option(help: "Only this milestone's (id).") var milestone: Int64?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let listing = try Listing(
                Extensions(session.open().connection).list(pendingOnly: pending, milestone: milestone))
            try output.print(listing, .extensionRequests)
        }
    }

    struct Approve: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "approve",
            abstract: "Approve a pending request (province only): the milestone's due date moves.")
        @Argument(help: "Request id.") var id: Int64
        @Option(help: "The new due date (default: the date asked).") var to: CalendarDate?
        @Option(help: "A note.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Extensions(session.open().connection).approve(id, to: to, note: note)
            Console.write("extension request \(id) approved\n")
        }
    }

    struct Reject: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "reject",
            abstract: "Reject a pending request (province only), saying why; the milestone is unchanged.")
        @Argument(help: "Request id.") var id: Int64
        @Option(help: "Why.") var note: String
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Extensions(session.open().connection).reject(id, note: note)
            Console.write("extension request \(id) rejected\n")
        }
    }
}
