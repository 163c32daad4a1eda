import ArgumentParser
import LibPQClient
import RelocationCore

/// Options every command that talks to the database takes.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "PostgreSQL URL or key=value string (default: DATABASE_URL, then libpq's PG* variables).",
            valueName: "URL"))
    var database: String?

    func settings() -> DatabaseSettings {
        DatabaseSettings(url: database)
    }

    func connect() throws -> PGConnection {
        try settings().connect()
    }

}

/// The database plus the organisation to act for: what every register command takes.
struct SessionOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(
        name: .customLong("as"),
        help: ArgumentHelp(
            "Act as this organisation (its code, e.g. SP); the login must be a member of its role.",
            valueName: "ORG"),
        transform: Spellings.halfwidth)
    var actingAs: String?

    /// A session acting for `--as ORG` (or for the login itself).
    func open() throws -> RelocSession {
        try RelocSession(settings: connection.settings(), actingAs: actingAs)
    }
}

/// How lists and items are printed.
struct FormatOptions: ParsableArguments {
    @Option(
        name: .customLong("format"),
        help: "Output format: table, json, csv or xlsx (with --output FILE.xlsx); a bulletin also markdown or html.")
    var choice: FormatChoice = .table

    @Option(
        name: .long,
        help: ArgumentHelp("Write the output to this file (an .xlsx workbook with --format xlsx).", valueName: "FILE"))
    var output: String?

    @Flag(name: .long, help: "No progress on a terminal during long work (an import, an xlsx export).")
    var quiet = false

    /// The format of records. Markdown and HTML are a bulletin's only (`PrintsDocument`): every other
    /// command refuses them (RelocCommand.run) before it runs, so here they never reach a listing.
    var format: OutputFormat { choice.records ?? .table }
}

/// What `--format` may say: the formats of records, and the two of a document a person reads
/// (`reloc bulletin draft | show`).
enum FormatChoice: String, CaseIterable, ExpressibleByArgument {
    case table, json, csv, xlsx, markdown, html

    var records: OutputFormat? { OutputFormat(rawValue: rawValue) }

    /// Any case and width (`JSON`, `ｊｓｏｎ`), as every other choice option (docs/output.md).
    init?(argument: String) {
        self.init(rawValue: Spellings.halfwidth(Spellings.trimmed(argument)).lowercased())
    }
}

extension OutputFormat: ExpressibleByArgument {
    /// Any case and width (`JSON`, `ｊｓｏｎ`), as every other choice option (docs/output.md).
    public init?(argument: String) {
        self.init(rawValue: Spellings.halfwidth(Spellings.trimmed(argument)).lowercased())
    }
}
