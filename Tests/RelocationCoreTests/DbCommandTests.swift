import Foundation
import RelocTestSupport
import RelocationCore
import Testing

@Suite("reloc db, as a user runs it")
struct DbCommandTests {
    @Test func migrateThenStatusThenMigrateAgain() throws {
        try TestDatabase.with(migrated: false) { name in
            let first = try RelocCLI.run(["db", "migrate"], database: name)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("applied 0001_foundation.sql"))
            #expect(first.stdout.contains("applied definitions 10_values.sql"), "\(first.stdout)")
            let again = try RelocCLI.run(["db", "migrate"], database: name)
            #expect(again.status == 0)
            #expect(again.stdout.contains("nothing to do"))
            let status = try RelocCLI.run(["db", "status", "--format", "json"], database: name)
            #expect(status.status == 0)
            #expect(status.stdout.contains("\"state\": \"applied\""))
            #expect(!status.stdout.contains("\"state\": \"pending\""))
            #expect(status.stdout.contains("\"name\": \"60_remind.sql\""), "\(status.stdout)")
            // An edited definitions file is pending until the next migrate applies it.
            let db = try TestDatabase.connect(name)
            try db.execute("UPDATE public.reloc_schema_definition SET checksum = repeat('0', 64)")
            let pending = try RelocCLI.run(["db", "status", "--format", "csv"], database: name)
            #expect(pending.stdout.contains("definitions,60_remind.sql,pending"), "\(pending.stdout)")
            let reapplied = try RelocCLI.run(["db", "migrate"], database: name)
            let count = try Definition.bundled().count
            #expect(
                reapplied.stdout.contains("applied 0 migration(s) and \(count) definitions file(s)"),
                "\(reapplied.stdout)")
        }
    }

    @Test func sharedOptionsMayStandBeforeTheSubcommand() throws {
        try TestDatabase.with(.jilin2014) { name in
            let url = try TestDatabase.url(of: name)
            let status = try RelocCLI.run(["--database", url, "--format", "json", "db", "status"], database: nil)
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.hasPrefix("["))
            let refused = try RelocCLI.run(
                ["--as", "SP", "enterprise", "register", "--plan", "CC-KC", "--name", "越界", "--mode", "close"],
                database: name)
            #expect(refused.status == 77, "\(refused.stderr)")
            let unknown = try RelocCLI.run(["--bogus", "db", "status"], database: name)
            #expect(unknown.status == 64)
        }
    }

    /// lock_timeout = 0 is "no limit" to PostgreSQL: a DDL lock timeout of 0 (or less) is refused.
    @Test func aDDLLockTimeoutOfZeroIsUsage() throws {
        for value in ["0", "-1"] {
            let outcome = try RelocCLI.run(["db", "migrate", "--ddl-lock-timeout=\(value)"], database: nil)
            #expect(outcome.status == 64, "\(value): \(outcome.stderr)")
            #expect(outcome.stderr.contains("--ddl-lock-timeout"), "\(outcome.stderr)")
        }
    }

    @Test func anUnreachableDatabaseExits69WithOneLine() throws {
        let outcome = try RelocCLI.run(
            ["db", "status"], database: nil,
            environment: ["DATABASE_URL": "postgresql:///reloc?host=/nonexistent&port=5999"])
        #expect(outcome.status == 69)
        #expect(outcome.stderr.contains("/nonexistent"))
        #expect(outcome.stderr.contains("deploy/local-postgres.sh start"))
        #expect(outcome.stderr.split(separator: "\n").count == 1)
    }

    @Test func anEditedShippedMigrationExits65NamingTheFile() throws {
        try TestDatabase.with(migrated: true) { name in
            let copy = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-sql-\(UUID())")
            defer { _ = try? FileManager.default.removeItem(at: copy) }
            let migrations = copy.appendingPathComponent("migrations")
            try FileManager.default.createDirectory(at: migrations, withIntermediateDirectories: true)
            let original = try MigrationFiles.shipped()
            for (file, text) in original {
                let changed = file == "0001_foundation.sql" ? text + "\n-- edited\n" : text
                try changed.write(to: migrations.appendingPathComponent(file), atomically: true, encoding: .utf8)
            }
            let outcome = try RelocCLI.run(
                ["db", "migrate"], database: name, environment: ["RELOC_SQL_DIR": copy.path])
            #expect(outcome.status == 65)
            #expect(outcome.stderr.contains("0001_foundation.sql"))
        }
    }

    @Test func usageErrorsExit64() throws {
        let outcome = try RelocCLI.run(["db", "no-such-command"], database: nil)
        #expect(outcome.status == 64)
        let help = try RelocCLI.run(["db", "--help"], database: nil)
        #expect(help.status == 0)
        #expect(help.stdout.contains("migrate"))
        // A value checked while the command runs is a usage error too, not an internal one.
        try TestDatabase.with(.migrated) { name in
            let badMode = try RelocCLI.run(["enterprise", "list", "--mode", "bogus"], database: name)
            #expect(badMode.status == 64, "\(badMode.stderr)")
            // The list filters by a mode or by none known (issue 14: unknown).
            #expect(badMode.stderr.contains("Please provide one of 'in-situ', 'relocate', 'close' or 'unknown'"))
        }
    }
}

enum MigrationFiles {
    static func shipped() throws -> [(String, String)] {
        let folder = try ShippedSQL.directory().appendingPathComponent("migrations")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            ($0, try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8))
        }
    }
}

@Suite("Settings from the environment are checked, never silently replaced")
struct EnvironmentSettingsTests {
    @Test func aMistypedSQLFolderOrTimeoutIsRefused() throws {
        try TestDatabase.with(.migrated) { name in
            let folder = try RelocCLI.run(
                ["db", "status"], database: name, environment: ["RELOC_SQL_DIR": "/nonexistent/sql"])
            #expect(folder.status == 65, "\(folder.stderr)")
            #expect(folder.stderr.contains("RELOC_SQL_DIR is /nonexistent/sql"))
            for value in ["abc", "-5"] {
                let timeout = try RelocCLI.run(
                    ["plan", "list"], database: name, environment: ["RELOC_STATEMENT_TIMEOUT_MS": value])
                #expect(timeout.status == 65, "\(value): \(timeout.stderr)")
            }
            let none = try RelocCLI.run(
                ["plan", "list"], database: name, environment: ["RELOC_STATEMENT_TIMEOUT_MS": "0"])
            #expect(none.status == 0, "\(none.stderr)")
        }
    }
}
