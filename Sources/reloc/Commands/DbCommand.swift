import ArgumentParser
import Foundation
import LibPQClient
import RelocationCore

struct DbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Set up and inspect the database: migrations and reference data.",
        discussion: """
            Migrations ship inside reloc; `migrate` applies the pending ones in order, each file with \
            its history row in one transaction, under a lock so concurrent runs are safe. Run these as \
            the database administrator (a superuser, or the owner of the database with CREATEROLE).
            """,
        subcommands: [Migrate.self, Status.self, Seed.self]
    )

    struct Migrate: ConnectionCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations.")

        @OptionGroup var connection: ConnectionOptions
        @Option(name: .long, help: "Seconds to wait for another migrate run to finish.")
        var lockTimeout: Int = 60

        func execute() throws {
            let database = try connection.connect()
            let runner = MigrationRunner(migrations: try Migration.bundled(), lockTimeoutSeconds: lockTimeout)
            let applied = try asAdministrator("db migrate", database) {
                try runner.migrate(database) { Console.write($0 + "\n") }
            }
            if applied.isEmpty {
                Console.write(
                    "database is up to date: all \(runner.migrations.count) migrations already applied; nothing to do\n"
                )
            } else {
                Console.write("applied \(applied.count) migration(s); \(runner.migrations.count) in all\n")
            }
        }
    }

    struct Status: ConnectionCommand {
        static let configuration = CommandConfiguration(abstract: "List applied and pending migrations.")

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let database = try connection.connect()
            let runner = MigrationRunner(migrations: try Migration.bundled())
            var listing = Listing(columns: [
                .init("version"), .init("name"), .init("state"), .init("applied_at"), .init("applied_by"),
                .init("duration_ms"),
            ])
            for status in try asAdministrator("db status", database, { try runner.status(database) }) {
                let applied = status.applied
                listing.append([
                    .text(String(format: "%04d", status.migration.version)), .text(status.migration.name),
                    .text(applied == nil ? "pending" : "applied"),
                    applied.map { .text(ISO8601DateFormatter().string(from: $0.appliedAt)) } ?? .null,
                    applied.map { .text($0.appliedBy) } ?? .null,
                    applied.map { .integer($0.durationMilliseconds) } ?? .null,
                ])
            }
            try output.print(listing, .migrations)
        }
    }

    struct Seed: ConnectionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a reference data set (e.g. jilin-2014); loading it again changes nothing.")

        @Argument(help: "The data set: one of \(ReferenceData.available().joined(separator: ", ")).")
        var name: String
        @OptionGroup var connection: ConnectionOptions

        func execute() throws {
            let database = try connection.connect()
            let summary = try asAdministrator("db seed", database) { try ReferenceData.load(name, into: database) }
            Console.write(summary + "\n")
        }
    }
}

/// Runs a `db` command's work; a permission refusal means the login is not the database
/// administrator these commands are for (they create roles, the schema and reference data), so the
/// user is told that rather than which table PostgreSQL refused.
func asAdministrator<T>(_ command: String, _ database: PGConnection, _ work: () throws -> T) throws -> T {
    do {
        return try work()
    } catch let error as PGError where error.isPermissionDenied {
        throw notAdministrator(command, database, error)
    } catch MigrationError.failed(_, let cause) where cause.isPermissionDenied {
        throw notAdministrator(command, database, cause)
    }
}

private func notAdministrator(_ command: String, _ database: PGConnection, _ error: PGError) -> RelocError {
    let login = (try? database.query("SELECT session_user::text").scalar(String.self)).map { "login \($0)" }
    return RelocError.permissionDenied(
        "`reloc \(command)` must be run as the database administrator (a superuser, or the owner of the database with CREATEROLE), not as \(login ?? "this login") (\(error.message)); connect as the administrator, e.g. --database 'postgresql:///reloc?user=postgres'"
    )
}
