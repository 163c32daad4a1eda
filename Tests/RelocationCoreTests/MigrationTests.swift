import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

@Suite("Migrations")
struct MigrationTests {
    static let slowTable = Migration(
        version: 1, name: "slow_table", sql: "SELECT pg_sleep(0.3); CREATE TABLE public.once_only (id int);")
    static let second = Migration(version: 2, name: "second", sql: "CREATE TABLE public.second (id int);")

    @Test func migrateTwiceIsANoOp() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let runner = MigrationRunner(migrations: try Migration.bundled())
            let first = try runner.migrate(db)
            #expect(first.count == runner.migrations.count)
            #expect(try runner.migrate(db).isEmpty)
            let history = try db.query("SELECT count(*) FROM public.reloc_schema_migration").scalar(Int.self)
            #expect(history == runner.migrations.count)
            #expect(try runner.status(db).allSatisfy { $0.applied != nil })
        }
    }

    @Test func concurrentRunsApplyEachFileOnce() throws {
        try TestDatabase.with(migrated: false) { name in
            let runner = MigrationRunner(migrations: [Self.slowTable, Self.second])
            let results = Results()
            let group = DispatchGroup()
            for _ in 0..<3 {
                group.enter()
                DispatchQueue.global().async {
                    defer { group.leave() }
                    results.add(Result { try runner.migrate(try TestDatabase.connect(name)).count })
                }
            }
            group.wait()
            let counts = try results.all.map { try $0.get() }
            #expect(counts.sorted() == [0, 0, 2])
            let db = try TestDatabase.connect(name)
            #expect(try db.query("SELECT count(*) FROM public.reloc_schema_migration").scalar(Int.self) == 2)
        }
    }

    @Test func aFailingMigrationLeavesNoTrace() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let broken = Migration(
                version: 2, name: "broken", sql: "CREATE TABLE public.half_done (id int); SELECT 1/0;")
            let runner = MigrationRunner(migrations: [Self.second.renumbered(1), broken])
            let error = try #require(throws: MigrationError.self) { try runner.migrate(db) }
            guard case .failed(let file, let cause) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(file == "0002_broken.sql")
            #expect(cause.sqlState == "22012")
            #expect(ErrorReport(error).status == .software)
            #expect(try db.query("SELECT to_regclass('public.half_done') IS NULL").scalar(Bool.self))
            #expect(
                try db.query("SELECT array_agg(version)::text FROM public.reloc_schema_migration").scalar(String.self)
                    == "{1}")
        }
    }

    @Test func anEditedAppliedFileIsRefused() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            try MigrationRunner(migrations: [Self.second]).migrate(db)
            let edited = Migration(version: 2, name: "second", sql: Self.second.sql + "\n-- an afterthought\n")
            let error = try #require(throws: MigrationError.self) {
                try MigrationRunner(migrations: [edited]).migrate(db)
            }
            #expect(error.description.contains("0002_second.sql"))
            #expect(ErrorReport(error).status == .dataError)
            #expect(throws: MigrationError.self) { try MigrationRunner(migrations: [edited]).status(db) }
        }
    }

    @Test func anAppliedFileThatIsMissingIsRefused() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            try MigrationRunner(migrations: [Self.slowTable.renumbered(1), Self.second]).migrate(db)
            let error = try #require(throws: MigrationError.self) {
                try MigrationRunner(migrations: [Self.slowTable.renumbered(1)]).migrate(db)
            }
            #expect(error.description.contains("0002_second.sql"))
            #expect(ErrorReport(error).status == .dataError)
        }
    }

    @Test func fileNamesAreParsedStrictly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-migrations-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { _ = try? FileManager.default.removeItem(at: folder) }
        for (name, body) in [("0002_b.sql", "B"), ("0001_a.sql", "A"), ("README.md", "x"), ("12_short.sql", "x")] {
            try body.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        #expect(try Migration.load(from: folder).map(\.fileName) == ["0001_a.sql", "0002_b.sql"])
        try "C".write(to: folder.appendingPathComponent("0002_c.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.self) { try Migration.load(from: folder) }
    }
}

extension Migration {
    func renumbered(_ version: Int) -> Migration { Migration(version: version, name: name, sql: sql) }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<Int, any Error>] = []

    func add(_ value: Result<Int, any Error>) {
        lock.lock()
        defer { lock.unlock() }
        values.append(value)
    }

    var all: [Result<Int, any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}
