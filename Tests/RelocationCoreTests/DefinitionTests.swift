import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// sql/definitions: the current text of every function, trigger binding and policy, applied after
/// the numbered migrations (docs/migrations.md).
@Suite("Repeatable definitions")
struct DefinitionTests {
    /// The audit triggers are attached by reloc.audit_table() from the numbered migrations: which
    /// tables are audited (and which columns are left out) is decided with the table. Constraint
    /// triggers (none yet) stay in migrations too: PostgreSQL cannot replace one.
    static let triggersMadeByMigrations: Set<String> = ["audit_row", "audit_insert"]

    static func definitionsText() throws -> String {
        try Definition.bundled().map(\.sql).joined(separator: "\n")
            .replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
    }

    @Test func everyFunctionTriggerAndPolicyHasItsTextInADefinitionsFile() throws {
        let text = try Self.definitionsText()
        #expect(try Definition.bundled().count >= 10)
        try TestDatabase.withConnection { db in
            let functions = try db.query(
                """
                SELECT proname::text, count(*)::int FROM pg_proc
                WHERE pronamespace = 'reloc'::regnamespace GROUP BY proname ORDER BY proname
                """
            ).decode((String, Int).self)
            #expect(functions.count > 90)
            for (name, overloads) in functions {
                let defined = text.components(separatedBy: "CREATE OR REPLACE FUNCTION reloc.\(name)(").count - 1
                #expect(
                    defined >= overloads, "function reloc.\(name): \(overloads) in the database, \(defined) defined")
            }
            for (name, table) in try db.query(
                "SELECT policyname::text, tablename::text FROM pg_policies WHERE schemaname = 'reloc'"
            ).decode((String, String).self) {
                #expect(
                    text.contains(
                        "DROP POLICY IF EXISTS \(name) ON reloc.\(table); CREATE POLICY \(name) ON reloc.\(table) "),
                    "policy \(name) on reloc.\(table)")
            }
            for (name, table) in try db.query(
                """
                SELECT t.tgname::text, c.relname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE c.relnamespace = 'reloc'::regnamespace AND NOT t.tgisinternal AND t.tgconstraint = 0
                """
            ).decode((String, String).self) where !Self.triggersMadeByMigrations.contains(name) {
                let pattern = #"CREATE OR REPLACE TRIGGER \#(name) [^;]* ON reloc\.\#(table) "#
                #expect(
                    text.range(of: pattern, options: .regularExpression) != nil, "trigger \(name) on reloc.\(table)")
            }
            #expect(
                try db.query("SELECT count(*)::int FROM pg_views WHERE schemaname = 'reloc'").scalar(Int.self) == 0,
                "a view of schema reloc: add it to a definitions file and to this test")
        }
    }

    @Test func applyingTheDefinitionsAgainChangesNothingInTheCatalog() throws {
        try TestDatabase.withConnection { db in
            let before = try Catalog.snapshot(db)
            try db.execute("UPDATE public.reloc_schema_definition SET checksum = repeat('0', 64)")
            let outcome = try MigrationRunner.bundled().apply(db)
            #expect(outcome.migrations.isEmpty)
            #expect(outcome.definitions.count == (try Definition.bundled().count))
            let after = try Catalog.snapshot(db)
            #expect(before.count == after.count)
            for (old, new) in zip(before, after) where old != new {
                Issue.record("changed by applying the definitions again:\n\(old)\n→\n\(new)")
            }
        }
    }

    static let greeting = Definition(
        order: 10, name: "greeting",
        sql: "CREATE OR REPLACE FUNCTION reloc.test_greeting() RETURNS text LANGUAGE sql RETURN 'hello';")

    @Test func definitionsAreAppliedWhenOneChangesOrAMigrationWasApplied() throws {
        try TestDatabase.withConnection { db in
            let migrations = try Migration.bundled()
            let runner = MigrationRunner(migrations: migrations, definitions: [Self.greeting])
            #expect(try runner.definitionStatus(db).allSatisfy(\.pending))
            #expect(try runner.apply(db).definitions == [Self.greeting])
            #expect(try db.query("SELECT reloc.test_greeting()").scalar(String.self) == "hello")
            // The shipped files' rows are gone: they are not this runner's definitions.
            #expect(
                try db.query("SELECT array_agg(file_name)::text FROM public.reloc_schema_definition").scalar(
                    String.self) == "{10_greeting.sql}")
            #expect(try runner.apply(db).definitions.isEmpty)
            #expect(try runner.definitionStatus(db).allSatisfy { !$0.pending && $0.applied != nil })

            let edited = Definition(
                order: 10, name: "greeting", sql: Self.greeting.sql.replacingOccurrences(of: "hello", with: "你好"))
            let editedRunner = MigrationRunner(migrations: migrations, definitions: [edited])
            #expect(try editedRunner.definitionStatus(db).allSatisfy(\.pending))
            #expect(try editedRunner.apply(db).definitions.count == 1)
            #expect(try db.query("SELECT reloc.test_greeting()").scalar(String.self) == "你好")

            // A migration that drops what a definitions file defines: the definitions follow it.
            let dropping = Migration(
                version: 9999, name: "drop_greeting", sql: "DROP FUNCTION reloc.test_greeting();")
            let outcome = try MigrationRunner(migrations: migrations + [dropping], definitions: [edited]).apply(db)
            #expect(outcome.migrations == [dropping])
            #expect(outcome.definitions == [edited])
            #expect(try db.query("SELECT reloc.test_greeting()").scalar(String.self) == "你好")
        }
    }

    @Test func aFailingDefinitionsFileRollsBackEveryFile() throws {
        try TestDatabase.withConnection { db in
            let broken = Definition(order: 20, name: "broken", sql: "SELECT 1/0;")
            let runner = MigrationRunner(migrations: try Migration.bundled(), definitions: [Self.greeting, broken])
            let error = try #require(throws: MigrationError.self) { try runner.apply(db) }
            guard case .definitionFailed(let file, let cause) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == "20_broken.sql")
            #expect(cause.sqlState == "22012")
            #expect(ErrorReport(error).status == .software)
            #expect(try db.query("SELECT to_regprocedure('reloc.test_greeting()') IS NULL").scalar(Bool.self))
            #expect(try runner.definitionStatus(db).allSatisfy(\.pending))
        }
    }

    @Test func twoFilesWithOneNumberAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-definitions-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { _ = try? FileManager.default.removeItem(at: folder) }
        for name in ["20_b.sql", "10_a.sql", "README.md", "1_short.sql", "30_Upper.sql"] {
            try "SELECT 1;".write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        #expect(try Definition.load(from: folder).map(\.fileName) == ["10_a.sql", "20_b.sql"])
        try "SELECT 2;".write(to: folder.appendingPathComponent("20_c.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.self) { try Definition.load(from: folder) }
        #expect(try Definition.load(from: folder.appendingPathComponent("none")).isEmpty)
    }

    /// Migrations 0001–0012 were released before sql/definitions existed. A later migration that
    /// creates a function, trigger binding, policy or view must say which definitions file holds
    /// its current text (`-- also in sql/definitions/NN_x.sql` on the line above), or the definitions,
    /// applied after it, would put the old text back.
    @Test func laterMigrationsDefineNothingThatTheDefinitionsDoNotHold() throws {
        let definitions = try Definition.bundled()
        let statement = try Regex(
            #"^\s*(CREATE\s+(OR\s+REPLACE\s+)?(FUNCTION\s+reloc\.|TRIGGER|POLICY|VIEW|MATERIALIZED\s+VIEW)|ALTER\s+POLICY)"#
        ).ignoresCase()
        for migration in try Migration.bundled() where migration.version > 12 {
            let lines = migration.sql.components(separatedBy: "\n")
            for (index, line) in lines.enumerated() where line.firstMatch(of: statement) != nil {
                let above = index > 0 ? lines[index - 1] : ""
                let named = definitions.first { above.contains("-- also in sql/definitions/\($0.fileName)") }
                #expect(
                    named != nil,
                    "\(migration.fileName) line \(index + 1) defines \(line.trimmingCharacters(in: .whitespaces)): put its text in a file of sql/definitions (docs/migrations.md) and say so on the line above"
                )
            }
        }
    }
}

@Suite("Migrate's timeouts")
struct MigrateTimeoutTests {
    @Test func aMigrationRunsLongerThanTheSessionsStatementTimeout() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            try db.execute("SET statement_timeout = '100ms'")
            let slow = Migration(
                version: 1, name: "slow", sql: "SELECT pg_sleep(0.5); CREATE TABLE public.slow (id int);")
            #expect(try MigrationRunner(migrations: [slow]).migrate(db) == [slow])
        }
    }

    @Test func aMigrationWaitingForATableLockGivesUpAndIsRolledBack() throws {
        try TestDatabase.with(migrated: false) { name in
            let db = try TestDatabase.connect(name)
            let table = Migration(version: 1, name: "table", sql: "CREATE TABLE public.busy (id int);")
            try MigrationRunner(migrations: [table]).migrate(db)
            // A reader in the middle of a long transaction holds the table for 4 s.
            let locked = DispatchSemaphore(value: 0)
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                defer { done.signal() }
                guard let reader = try? TestDatabase.connect(name) else {
                    locked.signal()
                    return
                }
                _ = try? reader.execute("BEGIN")
                _ = try? reader.execute("LOCK TABLE public.busy IN ACCESS SHARE MODE")
                locked.signal()
                _ = try? reader.execute("SELECT pg_sleep(4)")
                _ = try? reader.execute("COMMIT")
            }
            locked.wait()
            let alter = Migration(version: 2, name: "alter", sql: "ALTER TABLE public.busy ADD COLUMN note text;")
            let started = ContinuousClock.now
            let error = try #require(throws: MigrationError.self) {
                try MigrationRunner(migrations: [table, alter], ddlLockTimeoutSeconds: 1).migrate(db)
            }
            #expect(started.duration(to: .now) < .seconds(3))
            guard case .ddlLockTimeout(let file, 1) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == "0002_alter.sql")
            #expect(ErrorReport(error).status == .unavailable)
            #expect(
                try db.query("SELECT count(*)::int FROM public.reloc_schema_migration").scalar(Int.self) == 1)
            done.wait()
            #expect(try MigrationRunner(migrations: [table, alter]).migrate(db) == [alter])
        }
    }
}

/// What a definitions file can change, as text rows: functions (definition, owner, SECURITY
/// DEFINER, settings, grants, comment), policies, views, triggers, and the grants on tables.
enum Catalog {
    static func snapshot(_ db: PGConnection) throws -> [String] {
        try db.query(
            """
            SELECT format('function %s owner %s definer %s config %s acl %s comment %s: %s', p.oid::regprocedure,
                          pg_get_userbyid(p.proowner), p.prosecdef, p.proconfig, p.proacl,
                          obj_description(p.oid, 'pg_proc'), pg_get_functiondef(p.oid))
            FROM pg_proc p WHERE p.pronamespace = 'reloc'::regnamespace
            UNION ALL
            SELECT format('policy %s on %s: %s %s to %s using %s check %s', policyname, tablename, permissive, cmd,
                          roles, qual, with_check)
            FROM pg_policies WHERE schemaname = 'reloc'
            UNION ALL
            SELECT format('view %s: %s acl %s', c.oid::regclass, pg_get_viewdef(c.oid), c.relacl)
            FROM pg_class c WHERE c.relnamespace = 'reloc'::regnamespace AND c.relkind IN ('v', 'm')
            UNION ALL
            SELECT format('trigger %s on %s: %s %s comment %s', t.tgname, t.tgrelid::regclass, t.tgenabled,
                          pg_get_triggerdef(t.oid), obj_description(t.oid, 'pg_trigger'))
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = 'reloc'::regnamespace AND NOT t.tgisinternal
            UNION ALL
            SELECT format('relation %s: acl %s rls %s %s', c.oid::regclass, c.relacl, c.relrowsecurity,
                          c.relforcerowsecurity)
            FROM pg_class c WHERE c.relnamespace = 'reloc'::regnamespace
            ORDER BY 1
            """
        ).decode(String.self)
    }
}
