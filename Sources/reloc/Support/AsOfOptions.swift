import ArgumentParser
import RelocationCore

extension AsOf: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// `--as-of DATE`: the day "today", overdue and due-within are computed for (default: today in
/// Asia/Shanghai, or in RELOC_TIMEZONE).
struct AsOfOptions: ParsableArguments {
    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "Compute for this day (YYYY-MM-DD, or an instant such as 2014-12-31T17:00Z read in the programme's zone).",
            valueName: "DATE"))
    var asOf: AsOf = .today
}

/// `--overdue` and `--due-within DAYS`, shared by task and milestone lists.
struct DueOptions: ParsableArguments {
    @Flag(help: "Only what is overdue on the as-of day (with --due-within: either).") var overdue = false
    @Option(
        parsing: .unconditional, help: "Only what falls due within this many days of the as-of day (0 = today).",
        transform: WholeNumber.parse("a number of days, 0 or more"))
    var dueWithin: Int?
}

/// `--percent P [--status S] --note TEXT [--evidence 文号 …]`, shared by task and milestone progress.
struct ReportOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Percent complete, 0 to 100 (may be left out with --status done).")
    var percent: DecimalArgument?
    @Option(
        help: "on-track, at-risk, blocked or done (or 正常推进, 存在风险, 受阻, 已完成; default on-track; done at 100).")
    var status: ProgressStatus?
    @Option(help: "What happened.") var note: String
    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Document numbers (文号) that prove it; one or more.", valueName: "文号"))
    var evidence: [String] = []

    var report: Progress.Report {
        Progress.Report(percent: percent?.value, status: status?.rawValue, note: note, evidence: evidence)
    }
}
