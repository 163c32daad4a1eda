import ArgumentParser
import RelocationCore

/// `reloc review …`: completion review (办结审核): accept (销号) or return (退办) a completion, and
/// which milestones the province reviews (issue 15 督办).
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Completion review (办结审核): the province accepts (销号) or returns (退办) completions.",
        subcommands: [List.self, Accept.self, Return.self, Kinds.self])

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List completions submitted for review, oldest first (default: pending only).")
        @Flag(help: "Decided ones too.") var all = false
        @Option(help: "Only this milestone's (id).") var milestone: Int64?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let listing = try Listing(
                Reviews(session.open().connection).list(pendingOnly: !all, milestone: milestone))
            try output.print(listing, .completionReviews)
        }
    }

    struct Accept: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "accept",
            abstract: "销号: accept a completion (province only); the milestone is closed on the day submitted.")
        @Argument(help: "Completion id (reloc review list).") var id: Int64
        @Option(help: "A note.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Reviews(session.open().connection).accept(id, note: note)
            Console.write("completion \(id) accepted (销号)\n")
        }
    }

    struct Return: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "return",
            abstract: "退办: return a completion (province only), saying why; the milestone is open again.")
        @Argument(help: "Completion id (reloc review list).") var id: Int64
        @Option(help: "Why it is returned.") var reason: String
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Reviews(session.open().connection).giveBack(id, reason: reason)
            Console.write("completion \(id) returned (退办)\n")
        }
    }

    struct Kinds: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kinds",
            abstract: "Which milestones the province reviews: kinds, and every task's milestone.",
            subcommands: [Show.self, Set.self], defaultSubcommand: Show.self)

        struct Show: SessionCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "List each kind (and tasks) with whether it is reviewed.")
            @OptionGroup var session: SessionOptions
            @OptionGroup var output: ListingOptions

            func execute() throws {
                try output.print(Listing(Reviews(session.open().connection).kinds()), .reviewKinds)
            }
        }

        struct Set: SessionCommand, PrintsSentence {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Set the reviewed kinds to exactly those given (province only).",
                discussion: """
                    Kinds: \(MilestoneKind.codes.joined(separator: ", ")). --tasks / --no-tasks: whether every \
                    task's milestone is reviewed whatever its kind (default: unchanged). Milestones a recorded \
                    step closes are never reviewed.
                    """)
            @Argument(help: "Kinds of milestone (none: no kind).") var kinds: [MilestoneKind] = []
            @Flag(inversion: .prefixedNo, help: "Review every task's milestone.") var tasks: Bool?
            @OptionGroup var session: SessionOptions
            @OptionGroup(visibility: .hidden) var output: FormatOptions

            func execute() throws {
                try Reviews(session.open().connection).setKinds(kinds.map(\.rawValue), tasks: tasks)
                Console.write(
                    "reviewed kinds: \(kinds.isEmpty ? "none" : kinds.map(\.rawValue).joined(separator: ", "))\n")
            }
        }
    }
}
