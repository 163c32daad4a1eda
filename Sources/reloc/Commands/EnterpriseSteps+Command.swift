import ArgumentParser
import RelocationCore

extension EnterpriseCommand {
    /// `enterprise show ID --as-of DATE`: the status on that day and the steps recorded by then.
    static func show(_ id: Int64, asOf: AsOf, session: SessionOptions, output: FormatOptions) throws {
        let steps = StepsAsOf(try session.open().connection, day: asOf)
        let history = ItemWithSections.Section(
            key: "history", title: "status history", try Listing(steps.enterpriseHistory(id)))
        try output.print(
            ItemWithSections(try Listing(steps.enterprise(id)), sections: [history]), sheet: "企业",
            labelling: ItemTerms.enterprise)
    }
}

extension EnterpriseCommand {
    /// Issue 14: a step recorded in error is corrected by the province, never by editing history.
    struct Correct: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "correct",
            abstract: "Undo an enterprise's latest step, recorded in error (province only).",
            discussion: """
                --step names the status the step set, which must be the enterprise's latest step: two \
                corrections at once undo one step. The enterprise returns to the status before it, the \
                milestones the step closed reopen (and are chased again by the reminder job), and the step \
                stays in the status history, marked undone with the correction's date and reason (audited). \
                The correction is dated on or after the step and not in the future (rule status_correction, \
                exit 65); another organisation is refused (exit 77).
                """)
        @Argument(help: "Enterprise id.") var id: Int64
        @Option(help: "The status the step recorded in error set (the enterprise's current status).")
        var step: EnterpriseStatus
        @Option(help: "Why the step is undone (required).") var reason: String
        @Option(help: "Date of the correction (default today, Asia/Shanghai).") var on: CalendarDate?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Enterprises(session.open().connection).correct(id, step: step.rawValue, reason: reason, on: on)
            Console.write("undid the step of enterprise \(id) to \(step.rawValue)\n")
        }
    }
}
