import ArgumentParser
import RelocationCore

/// `reloc ack …`: acknowledgement (签收, issue 15 督办) of a task assignment or an owned milestone
/// by the organisation concerned, once; what awaits it.
struct AckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge (签收) a task assignment or a milestone; list what awaits acknowledgement.",
        subcommands: [Task.self, Milestone.self, List.self])

    struct Task: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "task",
            abstract:
                "Acknowledge the acting department's assignment to a task (once; the department or its successor).")
        @Argument(help: "Task number.") var number: Int
        @Option(help: "A note with the acknowledgement.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            printID(try Acknowledgements(session.open().connection).acknowledgeTask(number, note: note), output.format)
        }
    }

    struct Milestone: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "milestone",
            abstract: "Acknowledge a milestone the acting organisation owns (once; the owner or its successor).")
        @Argument(help: "Milestone id.") var id: Int64
        @Option(help: "A note with the acknowledgement.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            printID(try Acknowledgements(session.open().connection).acknowledgeMilestone(id, note: note), output.format)
        }
    }

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract:
                "Task assignments and milestones that await or received acknowledgement, with working days since.",
            discussion: """
                Only what was assigned through reloc (task assign; milestone add for another organisation, the \
                owner): the reference data and the deadlines the database sets from the document or the province's \
                rules wait for no acknowledgement. late: not acknowledged within the setting acknowledge_within (working days).
                """)
        @Flag(help: "Only what has not been acknowledged.") var pending = false
        @Option(help: "Only what concerns this organisation (code).", transform: Spellings.halfwidth) var org: String?
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let filter = Acknowledgements.Filter(pending: pending, org: org, asOf: asOf.asOf)
            try output.print(Listing(Acknowledgements(session.open().connection).list(filter)), .acknowledgements)
        }
    }
}
