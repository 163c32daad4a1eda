import ArgumentParser
import RelocationCore

struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Key tasks (重点任务) of the departments, their assignments and progress.",
        subcommands: [
            List.self, Show.self, Add.self, Edit.self, Assign.self, Unassign.self, ProgressCommand.self,
            ProgressImportCommand.self,
        ]
    )

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List tasks with their lead, latest progress and due date.")
        @Flag(help: "Only tasks assigned to the acting organisation (or to its predecessors).") var mine = false
        @Option(
            help: "Only tasks of this department (or of the body it succeeded / that succeeded it).",
            transform: Spellings.halfwidth) var org: String?
        @OptionGroup var due: DueOptions
        @Option(
            help:
                "Only tasks whose latest status is this: \(TaskStatus.codes.joined(separator: ", ")) (or 正常推进, 存在风险, 受阻, 已完成)."
        )
        var status: TaskStatus?
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            var filter = Tasks.Filter()
            filter.mine = mine
            filter.organisation = org
            filter.overdue = due.overdue
            filter.dueWithinDays = due.dueWithin
            filter.status = status?.rawValue
            filter.asOf = asOf.asOf
            try output.print(ListingRows(Tasks(session.open().connection).rows(filter)), .tasks)
        }
    }

    struct Show: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show a task: its departments (as assigned and now), milestones and full progress history.")
        @Argument(help: "Task number.") var number: Int
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let db = try session.open().connection
            let tasks = Tasks(db)
            let task = try Listing(tasks.show(number, asOf: asOf.asOf))
            let assignments = try Listing(tasks.assignments(number, asOf: asOf.asOf))
            var filter = Milestones.Filter()
            filter.task = number
            filter.asOf = asOf.asOf
            let milestones = try Listing(Milestones(db).list(filter))
            let history = try Listing(Progress(db).history(of: .task(number), asOf: asOf.asOf))
            switch output.format {
            case .json:
                Console.write(
                    task.renderJSONObject(nested: [
                        ("assignments", assignments), ("milestones", milestones), ("progress", history),
                    ]))
            case .csv:
                Console.write(
                    ItemWithSections(
                        task,
                        sections: [
                            .init(key: "assignments", title: "", assignments),
                            .init(key: "milestones", title: "", milestones), .init(key: "progress", title: "", history),
                        ]
                    ).render(.csv))
            case .xlsx:
                try output.print(
                    ItemWithSections(
                        task,
                        sections: [
                            .init(key: "assignments", title: "", assignments),
                            .init(key: "milestones", title: "", milestones), .init(key: "progress", title: "", history),
                        ]), sheet: "任务")
            case .table:
                Console.write(task.render(.table, single: true))
                Console.write(
                    "\ndepartments (as assigned → holding the work now; ended ones last)\n" + assignments.render(.table)
                )
                Console.write("\nmilestones\n" + MilestoneCommand.table(milestones))
                Console.write("\nprogress history\n" + history.render(.table))
            }
        }
    }

    struct Add: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a task (province only); prints its number.")
        @Option(help: "Task number (default: the next free one).") var number: Int?
        @Option(help: "The task's wording.") var title: String
        @Option(help: "The plan it belongs to (default: province-wide).", transform: Spellings.halfwidth) var plan:
            String?
        @Option(help: "Due date.") var due: CalendarDate?
        @Option(help: "A note.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let added = try Tasks(session.open().connection).add(
                .init(number: number, title: title, plan: plan, dueOn: due, note: note))
            printCreated(key: "number", .integer(added), table: "\(added)", output.format)
        }
    }

    struct Edit: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Change a task's title, due date, plan or note (province only).")
        @Argument(help: "Task number.") var number: Int
        @Option(help: "The task's wording.") var title: String?
        @Option(help: "Due date.") var due: CalendarDate?
        @Option(help: "The plan it belongs to (code).", transform: Spellings.halfwidth) var plan: String?
        @Option(help: "A note.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Tasks(session.open().connection).edit(number, title: title, dueOn: due, plan: plan, note: note)
            Console.write("updated task \(number)\n")
        }
    }

    struct Assign: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "assign",
            abstract: "Assign a department to a task (province only); --lead makes it the lead.")
        @Argument(help: "Task number.") var number: Int
        @Option(help: "The department (organisation code).", transform: Spellings.halfwidth) var org: String
        @Flag(help: "Make it the lead department (the former lead becomes co-responsible).") var lead = false
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Tasks(session.open().connection).assign(number, organisation: org, lead: lead)
            Console.write("task \(number): \(org.uppercased()) assigned\(lead ? " as lead" : "")\n")
        }
    }

    struct Unassign: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "unassign",
            abstract:
                "End a department's assignment to a task on a day (province only); it stays in the task's history. The lead cannot be unassigned: make another lead first."
        )
        @Argument(help: "Task number.") var number: Int
        @Option(help: "The department (organisation code).", transform: Spellings.halfwidth) var org: String
        @Option(help: "The day the assignment ended (not in the future, not before it began).") var on: CalendarDate
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Tasks(session.open().connection).unassign(number, organisation: org, on: on)
            Console.write("task \(number): \(org.uppercased()) unassigned on \(on)\n")
        }
    }

    struct ProgressCommand: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "progress",
            abstract: "Report progress on a task (its departments, or the province); prints the report's id.")
        @Argument(help: "Task number.") var number: Int
        @OptionGroup var report: ReportOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let id = try Progress(session.open().connection).report(on: .task(number), report.report)
            printID(id, output.format)
        }
    }
}
