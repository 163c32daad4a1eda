import ArgumentParser
import RelocationCore

struct MilestoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "milestone",
        abstract: "Milestones (节点): dated deadlines on plans, enterprises, tasks and vacated sites.",
        subcommands: [
            List.self, Show.self, Add.self, Edit.self, Done.self, Reopen.self, ProgressCommand.self,
            MilestoneRulesCommand.self, ICal.self, ICalFeed.self,
        ]
    )

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List milestones by due date.")
        @Flag(help: "Only the acting organisation's: owned, of its plans and enterprises, or of its tasks.") var mine =
            false
        @Option(help: "Only milestones of this plan (code).", transform: Spellings.halfwidth) var plan: String?
        @Option(help: "Only milestones of this enterprise (id).") var enterprise: Int64?
        @Option(help: "Only milestones of this task (number).") var task: Int?
        @Option(help: "Only milestones of this vacated site (id).") var site: Int64?
        @OptionGroup var due: DueOptions
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            var filter = Milestones.Filter()
            filter.mine = mine
            filter.plan = plan
            filter.enterprise = enterprise
            filter.task = task
            filter.site = site
            filter.overdue = due.overdue
            filter.dueWithinDays = due.dueWithin
            filter.asOf = asOf.asOf
            try output.print(ListingRows(Milestones(session.open().connection).rows(filter)), .milestones)
        }
    }

    static func table(_ listing: Listing) -> String { TableView.milestones.table(listing) }

    struct Show: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a milestone and its progress history.")
        @Argument(help: "Milestone id.") var id: Int64
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let db = try session.open().connection
            let milestone = try Listing(Milestones(db).show(id, asOf: asOf.asOf))
            let history = try Listing(Progress(db).history(of: .milestone(id), asOf: asOf.asOf))
            switch output.format {
            case .json: Console.write(milestone.renderJSONObject(nested: [("progress", history)]))
            case .csv:
                Console.write(
                    ItemWithSections(milestone, sections: [.init(key: "progress", title: "", history)]).render(.csv))
            case .xlsx:
                try output.print(
                    ItemWithSections(milestone, sections: [.init(key: "progress", title: "", history)]), sheet: "节点")
            case .table:
                Console.write(milestone.render(.table, single: true))
                Console.write("\nprogress history\n" + history.render(.table))
            }
        }
    }

    struct Add: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a milestone to one plan, enterprise, task or vacated site; prints its id.",
            discussion:
                "Kinds: \(MilestoneKind.codes.joined(separator: ", ")). The owner defaults from what it is attached to."
        )
        @Option(help: "Kind (default custom).") var kind: MilestoneKind = .custom
        @Option(help: "What is to be done.") var title: String
        @Option(help: "Due date.") var due: CalendarDate
        @Option(help: "Attach to this plan (code).", transform: Spellings.halfwidth) var plan: String?
        @Option(help: "Attach to this enterprise (id).") var enterprise: Int64?
        @Option(help: "Attach to this task (number).") var task: Int?
        @Option(help: "Attach to this vacated site (id).") var site: Int64?
        @Option(help: "Owner organisation (code).", transform: Spellings.halfwidth) var owner: String?
        @Option(help: "A note.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func validate() throws {
            if [plan != nil, enterprise != nil, task != nil, site != nil].filter({ $0 }).count != 1 {
                throw ValidationError(
                    "attach the milestone to exactly one of --plan CODE, --enterprise ID, --task N, --site ID")
            }
        }

        func execute() throws {
            let id = try Milestones(session.open().connection).add(
                .init(
                    kind: kind.rawValue, title: title, dueOn: due, plan: plan, enterprise: enterprise, task: task,
                    site: site,
                    owner: owner, note: note))
            printID(id, output.format)
        }
    }

    struct Edit: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Change a milestone's title, due date, kind or owner (province only) or its note.")
        @Argument(help: "Milestone id.") var id: Int64
        @Option(help: "What is to be done.") var title: String?
        @Option(help: "Due date (the province alone moves it).") var due: CalendarDate?
        @Option(help: "Kind.") var kind: MilestoneKind?
        @Option(help: "Owner organisation (code): one the milestone concerns.", transform: Spellings.halfwidth)
        var owner: String?
        @Option(help: "A note.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Milestones(session.open().connection).edit(
                id, .init(title: title, dueOn: due, kind: kind?.rawValue, owner: owner, note: note))
            Console.write("updated milestone \(id)\n")
        }
    }

    struct Done: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "done",
            abstract: "Mark a milestone done, or submit its completion for review (办结审核).",
            discussion: """
                A milestone the province reviews (reloc review kinds), closed by a body other than the province, \
                is not closed: its completion is submitted with --evidence and stays under review until the \
                province accepts it (reloc review accept) or returns it (reloc review return).
                """)
        @Argument(help: "Milestone id.") var id: Int64
        @Option(help: "The day it was done (default today, Asia/Shanghai).") var on: CalendarDate?
        @Option(help: "A note.") var note: String?
        @Option(
            parsing: .upToNextOption,
            help: ArgumentHelp("Evidence (文号) of a completion submitted for review; one or more.", valueName: "文号"))
        var evidence: [String] = []
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            switch try Milestones(session.open().connection).done(id, on: on, note: note, evidence: evidence) {
            case .done: Console.write("milestone \(id) done\n")
            case .submitted(let review):
                Console.write("milestone \(id) submitted for review (办结审核): completion \(review)\n")
            }
        }
    }

    struct Reopen: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "reopen", abstract: "Open a milestone marked done again.")
        @Argument(help: "Milestone id.") var id: Int64
        @Option(help: "Why.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Milestones(session.open().connection).reopen(id, note: note)
            Console.write("milestone \(id) reopened\n")
        }
    }

    struct ProgressCommand: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "progress", abstract: "Report progress on a milestone; prints the report's id.")
        @Argument(help: "Milestone id.") var id: Int64
        @OptionGroup var report: ReportOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let reportID = try Progress(session.open().connection).report(on: .milestone(id), report.report)
            printID(reportID, output.format)
        }
    }
}
