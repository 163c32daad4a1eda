import ArgumentParser
import RelocationCore

/// `reloc audit`: who changed what in the programme's tables, and when.
struct AuditCommand: SessionCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Who changed what in the programme's tables (plans, parks, enterprises …), and when.",
        discussion: """
            Every insert, update and delete is recorded by the database with the login, the organisation \
            acted for (--as) and the time; nobody can change the record. The province sees every change, \
            any other organisation the changes made while acting for it.

            The table shows the latest changes, oldest first: time (Asia/Shanghai), login, org, table, \
            key (the row's code or id), action and, for an update, each changed column as old→new. \
            --format json gives every change in full: old and new rows, and the changed columns.
            """
    )

    @Option(help: "Only changes to this table, e.g. enterprise, plan, park, organisation.") var table: String?
    @Option(help: "Only changes to this row: its code (plans, parks, organisations) or its id.") var key: String?
    @Option(
        help: ArgumentHelp("Only changes made acting for this organisation.", valueName: "CODE"),
        transform: Spellings.halfwidth) var org: String?
    @Option(help: ArgumentHelp("Only changes on or after this day (YYYY-MM-DD).", valueName: "DATE"))
    var since: CalendarDate?
    @Option(
        parsing: .unconditional, help: "Show at most the latest N changes (0: all).",
        transform: WholeNumber.parse("a number of changes, 0 (all) or more"))
    var limit: Int = 100
    @OptionGroup var session: SessionOptions
    @OptionGroup var output: FormatOptions

    func execute() throws {
        let trail = AuditTrail(try session.open().connection)
        let filter = AuditTrail.Filter(
            table: table, key: key, organisation: org, since: since, limit: limit == 0 ? nil : limit)
        if output.format == .table { return try output.print(Listing(trail.summary(filter)), sheet: "审计记录") }
        try output.print(ListingRows(trail.entryRows(filter)), sheet: "审计记录")
    }
}
