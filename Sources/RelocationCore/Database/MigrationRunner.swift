import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Applies migrations in order, one transaction per file together with its history row, under
/// an advisory lock so that two `reloc db migrate` runs at once apply each file exactly once.
public struct MigrationRunner: Sendable {
    public struct Status: Sendable {
        public let migration: Migration
        public let applied: AppliedMigration?
    }

    public struct AppliedMigration: Sendable {
        public let version: Int
        public let name: String
        public let checksum: String
        public let appliedAt: Date
        public let appliedBy: String
        public let durationMilliseconds: Int
    }

    /// Arbitrary but fixed: every reloc process contends for this advisory lock key.
    static let lockKey: Int64 = 7_274_2014_0029
    static let historyTable = "public.reloc_schema_migration"

    public let migrations: [Migration]
    public var lockTimeoutSeconds: Int

    public init(migrations: [Migration], lockTimeoutSeconds: Int = 60) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.lockTimeoutSeconds = lockTimeoutSeconds
    }

    /// Applies what is pending and returns what was applied (empty: nothing to do).
    @discardableResult
    public func migrate(_ connection: PGConnection, log: (String) -> Void = { _ in }) throws -> [Migration] {
        try withLock(connection) {
            try createHistoryTable(connection)
            let applied = try verify(connection)
            var done: [Migration] = []
            for migration in migrations where applied[migration.version] == nil {
                let started = ContinuousClock.now
                do {
                    try connection.withTransaction { transaction in
                        try transaction.executeUnsafeScript(migration.sql)
                        // A migration works as reloc_owner; the history row is written as us.
                        try transaction.execute("RESET ROLE")
                        let elapsed = started.duration(to: .now)
                        let milliseconds = Int(
                            elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
                        try transaction.execute(
                            """
                            INSERT INTO public.reloc_schema_migration (version, name, checksum, duration_ms)
                            VALUES (\(migration.version), \(migration.name),
                                    encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex'), \(milliseconds))
                            """)
                    }
                } catch let error as PGError {
                    if error.kind == .connectionFailed || error.kind == .connectionLost { throw error }
                    throw MigrationError.failed(fileName: migration.fileName, error)
                }
                log("applied \(migration.fileName)")
                done.append(migration)
            }
            return done
        }
    }

    /// Every known migration with its history row, if applied. Also verifies the checksums.
    public func status(_ connection: PGConnection) throws -> [Status] {
        let exists = try connection.query("SELECT to_regclass('public.reloc_schema_migration') IS NOT NULL")
            .scalar(Bool.self)
        let applied = exists ? try verify(connection) : [:]
        return migrations.map { Status(migration: $0, applied: applied[$0.version]) }
    }

    /// Reads the history and refuses a changed or missing applied file.
    private func verify(_ connection: PGConnection) throws -> [Int: AppliedMigration] {
        let rows = try connection.query(
            """
            SELECT version, name, checksum, applied_at, applied_by, duration_ms
            FROM public.reloc_schema_migration ORDER BY version
            """)
        var applied: [Int: AppliedMigration] = [:]
        for row in rows.rows {
            let (version, name, checksum, appliedAt, appliedBy, duration) = try row.decode(
                (Int, String, String, Date, String, Int).self)
            applied[version] = AppliedMigration(
                version: version, name: name, checksum: checksum, appliedAt: appliedAt,
                appliedBy: appliedBy, durationMilliseconds: duration)
        }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for record in applied.values.sorted(by: { $0.version < $1.version }) {
            guard let migration = known[record.version] else {
                throw MigrationError.appliedButMissing(version: record.version, name: record.name)
            }
            let current = try checksum(of: migration.sql, connection)
            if current != record.checksum {
                throw MigrationError.checksumChanged(
                    fileName: migration.fileName, applied: record.checksum, current: current)
            }
        }
        return applied
    }

    /// SHA-256 of the file's UTF-8 bytes, computed by the server (no crypto dependency here).
    func checksum(of sql: String, _ connection: PGConnection) throws -> String {
        try connection.query("SELECT encode(sha256(convert_to(\(sql), 'UTF8')), 'hex')").scalar(String.self)
    }

    private func createHistoryTable(_ connection: PGConnection) throws {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS public.reloc_schema_migration (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                applied_at  timestamptz NOT NULL DEFAULT now(),
                applied_by  text NOT NULL DEFAULT session_user,
                duration_ms integer NOT NULL CHECK (duration_ms >= 0)
            )
            """)
    }

    /// Holds the session-level advisory lock around `body`, waiting at most `lockTimeoutSeconds`.
    private func withLock<T>(_ connection: PGConnection, _ body: () throws -> T) throws -> T {
        try connection.execute(SQLQuery(unsafeSQL: "SET lock_timeout = '\(lockTimeoutSeconds)s'"))
        do {
            try connection.execute("SELECT pg_advisory_lock(\(MigrationRunner.lockKey))")
        } catch let error as PGError where error.sqlState == "55P03" {
            throw MigrationError.lockTimeout(seconds: lockTimeoutSeconds)
        }
        try connection.execute("SET lock_timeout = 0")
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(MigrationRunner.lockKey))") }
        return try body()
    }
}
