import ArgumentParser
import Foundation
import RelocationCore

struct DbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Set up and inspect the database: migrations and reference data.",
        discussion: """
            Migrations ship inside reloc; `migrate` applies the pending ones in order, each file with \
            its history row in one transaction, under a lock so concurrent runs are safe, then the \
            repeatable definitions (functions, triggers, policies) when one of them changed. Run these \
            as the database administrator (a superuser, or the owner of the database with CREATEROLE).
            """,
        subcommands: [Migrate.self, Status.self, Seed.self]
    )

    struct Migrate: ConnectionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "migrate",
            abstract: "Apply pending migrations, then the definitions if one changed.",
            discussion: """
                No statement timeout applies (a migration may rewrite a large table), but a statement \
                that waits longer than --ddl-lock-timeout for a table's lock is rolled back, so that it \
                does not hold up everyone else's work behind it: run again when the database is quieter.
                """)

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions
        @ParentCommand var reloc: Reloc
        @Option(name: .long, help: "Seconds to wait for another migrate run to finish.")
        var lockTimeout: Int = 60
        @Option(name: .long, help: "Seconds a migration may wait for a table's lock before it is rolled back.")
        var ddlLockTimeout: Int = 10

        func validate() throws {
            // PostgreSQL reads lock_timeout = 0 as "no limit": the opposite of what a timeout is for.
            guard ddlLockTimeout >= 1 else {
                throw ValidationError("--ddl-lock-timeout: at least 1 second (0 would wait for ever)")
            }
        }

        func execute() throws {
            let database = try connection.connect()
            let runner = try MigrationRunner.bundled(
                lockTimeoutSeconds: lockTimeout, ddlLockTimeoutSeconds: ddlLockTimeout)
            let outcome = try Administrator.run("db migrate", on: database) {
                try runner.apply(database) { Console.write($0 + "\n") }
            }
            if outcome.migrations.isEmpty && outcome.definitions.isEmpty {
                Console.write(
                    "database is up to date: all \(runner.migrations.count) migrations and \(runner.definitions.count) definitions files already applied; nothing to do\n"
                )
            } else {
                Console.write(
                    "applied \(outcome.migrations.count) migration(s) and \(outcome.definitions.count) definitions file(s); \(runner.migrations.count) migrations in all\n"
                )
            }
        }
    }

    struct Status: ConnectionCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "List applied and pending migrations and definitions files.")

        @OptionGroup var connection: ConnectionOptions
        @ParentCommand var reloc: Reloc
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let database = try connection.connect()
            let runner = try MigrationRunner.bundled()
            var listing = Listing(columns: [
                .init("version"), .init("name"), .init("state"), .init("applied_at"), .init("applied_by"),
                .init("duration_ms"),
            ])
            let (migrations, definitions) = try Administrator.run("db status", on: database) {
                (try runner.status(database), try runner.definitionStatus(database))
            }
            for status in migrations {
                let applied = status.applied
                listing.append([
                    .text(String(format: "%04d", status.migration.version)), .text(status.migration.name),
                    .text(applied == nil ? "pending" : "applied"),
                    applied.map { .text(ISO8601DateFormatter().string(from: $0.appliedAt)) } ?? .null,
                    applied.map { .text($0.appliedBy) } ?? .null,
                    applied.map { .integer($0.durationMilliseconds) } ?? .null,
                ])
            }
            // Definitions have no version: they are applied again, all together, when one changes.
            for status in definitions {
                let applied = status.applied
                listing.append([
                    .text("definitions"), .text(status.definition.fileName),
                    .text(status.pending ? "pending" : "applied"),
                    applied.map { .text(ISO8601DateFormatter().string(from: $0.appliedAt)) } ?? .null,
                    applied.map { .text($0.appliedBy) } ?? .null,
                    applied.map { .integer($0.durationMilliseconds) } ?? .null,
                ])
            }
            try output.print(listing, .migrations)
        }
    }

    struct Seed: ConnectionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "seed",
            abstract: "Load a reference data set (e.g. jilin-2014); loading it again changes nothing.")

        @Argument(help: "The data set: one of \(ReferenceData.available().joined(separator: ", ")).")
        var name: String
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions
        @ParentCommand var reloc: Reloc

        func execute() throws {
            let database = try connection.connect()
            let summary = try Administrator.run("db seed", on: database) {
                try ReferenceData.load(name, into: database)
            }
            Console.write(summary + "\n")
        }
    }
}
