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

/// How lists and items are printed.
struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: OutputFormat = .table
}

extension OutputFormat: ExpressibleByArgument {}
