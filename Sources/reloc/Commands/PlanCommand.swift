import ArgumentParser
import RelocationCore

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "District implementation plans (实施方案) and their approval steps.",
        subcommands: [List.self, Show.self, Add.self, Edit.self, Advance.self, Correct.self, CorrectApproval.self]
    )

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List plans.")
        @Option(help: "Only plans of this city.") var city: String?
        @Option(help: "Only plans in this status.") var status: PlanStatus?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            try output.print(
                Listing(Plans(session.open().connection).list(city: city, status: status?.rawValue)), .plans)
        }
    }

    struct Show: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "Show a plan and its status history.")
        @Argument(help: "Plan code, e.g. SP-TD.", transform: Spellings.halfwidth) var code: String
        @Option(
            name: .customLong("as-of"),
            help: ArgumentHelp("The plan's status on this day and the steps recorded by then.", valueName: "DATE"))
        var asOf: AsOf?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            if let asOf {
                let steps = StepsAsOf(try session.open().connection, day: asOf)
                let history = ItemWithSections.Section(
                    key: "history", title: "status history", try Listing(steps.planHistory(code)))
                try output.print(
                    ItemWithSections(try Listing(steps.plan(code)), sections: [history]), sheet: "搬迁改造方案",
                    labelling: ItemTerms.plan)
                return
            }
            let plans = Plans(try session.open().connection)
            let history = ItemWithSections.Section(
                key: "history", title: "status history", try Listing(plans.history(code)))
            var sections = [history]
            // Only a corrected plan has this section: the province's corrections of its approval.
            let corrections = try plans.approvalCorrections(code)
            if !corrections.rows.isEmpty {
                sections.append(
                    ItemWithSections.Section(
                        key: "approval_corrections", title: "approval corrections", try Listing(corrections)))
            }
            try output.print(
                ItemWithSections(try Listing(plans.show(code)), sections: sections), sheet: "搬迁改造方案",
                labelling: ItemTerms.plan)
        }
    }

    struct Add: SessionCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a plan (province only).")
        @Argument(help: "Plan code, e.g. SP-TD.", transform: Spellings.halfwidth) var code: String
        @Option(help: "The city government (organisation code).") var city: String
        @Option(help: "Plan name, e.g. 四平市铁东区老工业区搬迁改造实施方案.") var name: String
        @Option(help: "Administrative division code of the district (6 digits).") var districtCode: String?
        @Option(help: "The district government (organisation code), if it is one.") var district: String?
        @Option(parsing: .unconditional, help: "Area in km².") var areaKm2: DecimalArgument?
        @Option(help: "Compile-by date (default 2014-12-31).") var compileBy: CalendarDate?
        @Option(help: "Basic-completion target (default 2022-12-31).") var basicCompletionBy: CalendarDate?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            try Plans(session.open().connection).add(
                .init(
                    code: code, name: name, city: city, district: district, divisionCode: districtCode,
                    areaKm2: areaKm2?.value, compileBy: compileBy, basicCompletionBy: basicCompletionBy))
            printCode(code.uppercased(), output.format, table: "added plan \(code.uppercased())")
        }
    }

    struct Edit: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Edit a plan's text and dates (the province, or the plan's own city).",
            discussion: """
                A plan's city and district are not edited here: they are given when the plan is added \
                (reloc plan add CODE --city CITY --district CODE, or --district-code 6 digits), one plan per \
                district (§五(三)); a city may have one plan waiting for its district to be coded \
                (rule plan_city_one_without_district).
                """)
        @Argument(help: "Plan code.", transform: Spellings.halfwidth) var code: String
        @Option(help: "Plan name.") var name: String?
        @Option(parsing: .unconditional, help: "Area in km².") var areaKm2: DecimalArgument?
        @Option(help: "Scope and targets (范围和目标).") var scope: String?
        @Option(help: "Functional layout (功能布局).") var layout: String?
        @Option(help: "Main tasks (主要任务).") var mainTasks: String?
        @Option(help: "Key projects (重点项目).") var keyProjects: String?
        @Option(help: "Organisation mode (组织方式).") var organisationMode: String?
        @Option(help: "Implementation schedule (实施进度).") var schedule: String?
        @Option(help: "Safeguards (保障措施).") var safeguards: String?
        @Option(help: "Compile-by date.") var compileBy: CalendarDate?
        @Option(help: "Basic-completion target.") var basicCompletionBy: CalendarDate?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            var edit = Plans.Edit()
            edit.name = name
            edit.areaKm2 = areaKm2?.value
            edit.scopeTargets = scope
            edit.functionalLayout = layout
            edit.mainTasks = mainTasks
            edit.keyProjects = keyProjects
            edit.organisationMode = organisationMode
            edit.schedule = schedule
            edit.safeguards = safeguards
            edit.compileBy = compileBy
            edit.basicCompletionBy = basicCompletionBy
            try Plans(session.open().connection).edit(code, edit)
            Console.write("updated plan \(code.uppercased())\n")
        }
    }

    struct Advance: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "advance",
            abstract: "Move a plan one step forward: \(PlanStatus.codes.joined(separator: " → ")).")
        @Argument(help: "Plan code.", transform: Spellings.halfwidth) var code: String
        @Option(help: "The next status.") var to: PlanStatus
        @Option(help: "Document number (文号), e.g. 四政发〔2015〕3号.") var doc: String?
        @Option(help: "Date of the step (default today, Asia/Shanghai).") var on: CalendarDate?
        @Option(help: "A note for the record.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Plans(session.open().connection).advance(code, to: to.rawValue, doc: doc, on: on, note: note)
            Console.write("plan \(code.uppercased()) is now \(to.rawValue)\n")
        }
    }

    struct CorrectApproval: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "correct-approval",
            abstract: "Correct a recorded approval's document number or date (province only).",
            discussion: """
                Once a plan is approved (plan advance --to approved), its approval document and date change \
                only this way: by the province, with a reason. The correction is dated (today), kept in the \
                plan's approval corrections and in the audit trail; the approval step in the status history \
                stays as recorded. The corrected date lies between the steps before and after the approval, \
                and not in the future (rule plan_status_dates; §四(一)).
                """)
        @Argument(help: "Plan code.", transform: Spellings.halfwidth) var code: String
        @Option(help: "The corrected approval document number (文号).") var doc: String?
        @Option(help: "The corrected approval date.") var on: CalendarDate?
        @Option(help: "Why the approval is corrected (required).") var reason: String
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Plans(session.open().connection).correctApproval(code, doc: doc, on: on, reason: reason)
            Console.write("corrected the approval of plan \(code.uppercased())\n")
        }
    }

    /// Issue 14: a step recorded in error is corrected by the province, never by editing history.
    struct Correct: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "correct",
            abstract: "Undo a plan's latest step, recorded in error (province only).",
            discussion: """
                --step names the status the step set, which must be the plan's latest step: two corrections \
                at once undo one step. The plan returns to the status before it (an undone approval clears \
                the approval document and date), the milestones the step closed reopen, and the step stays in \
                the status history, marked undone with the correction's date and reason (audited). The \
                correction is dated on or after the step and not in the future (rule status_correction, exit \
                65); another organisation is refused (exit 77). To correct only an approval's document or \
                date, use plan correct-approval.
                """)
        @Argument(help: "Plan code.", transform: Spellings.halfwidth) var code: String
        @Option(help: "The status the step recorded in error set (the plan's current status).") var step: PlanStatus
        @Option(help: "Why the step is undone (required).") var reason: String
        @Option(help: "Date of the correction (default today, Asia/Shanghai).") var on: CalendarDate?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Plans(session.open().connection).correctStep(code, step: step.rawValue, reason: reason, on: on)
            Console.write("undid the step of plan \(code.uppercased()) to \(step.rawValue)\n")
        }
    }
}
