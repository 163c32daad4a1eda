import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Applies migrations in order, one transaction per file together with its history row, then the
/// repeatable definitions (sql/definitions) when they are pending, all of them in one transaction;
/// under an advisory lock so that two `reloc db migrate` runs at once apply each file exactly once.
///
/// Timeouts: no statement timeout (a migration that rewrites a large table may take minutes; the
/// connection's RELOC_STATEMENT_TIMEOUT_MS is for commands), but a lock timeout on every statement:
/// an ALTER TABLE waiting behind a long transaction would queue every reader and writer of the
/// table behind it, so it gives up after `ddlLockTimeoutSeconds` and is rolled back instead.
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

    /// A definitions file and, when it was applied, its history row; `pending` when the file will
    /// be applied by the next `migrate` (changed, new, or a migration was applied since).
    public struct DefinitionStatus: Sendable {
        public let definition: Definition
        public let applied: AppliedDefinition?
        public let pending: Bool
    }

    public struct AppliedDefinition: Sendable {
        public let fileName: String
        public let checksum: String
        public let appliedAt: Date
        public let appliedBy: String
        public let durationMilliseconds: Int
    }

    /// What one `migrate` applied.
    public struct Outcome: Sendable {
        public let migrations: [Migration]
        /// Every definitions file when they were applied, else empty.
        public let definitions: [Definition]
    }

    /// Arbitrary but fixed: every reloc process contends for this advisory lock key.
    static let lockKey: Int64 = 7_274_2014_0029
    static let historyTable = "public.reloc_schema_migration"

    public let migrations: [Migration]
    public let definitions: [Definition]
    /// Longest wait for another `reloc db migrate` (the advisory lock).
    public var lockTimeoutSeconds: Int
    /// Longest wait for a table's lock while a migration or a definitions file runs.
    public var ddlLockTimeoutSeconds: Int

    public init(
        migrations: [Migration], definitions: [Definition] = [], lockTimeoutSeconds: Int = 60,
        ddlLockTimeoutSeconds: Int = 10
    ) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.definitions = definitions.sorted { $0.order < $1.order }
        self.lockTimeoutSeconds = lockTimeoutSeconds
        self.ddlLockTimeoutSeconds = ddlLockTimeoutSeconds
    }

    /// The migrations and definitions shipped inside the binary.
    public static func bundled(lockTimeoutSeconds: Int = 60, ddlLockTimeoutSeconds: Int = 10) throws
        -> MigrationRunner
    {
        MigrationRunner(
            migrations: try Migration.bundled(), definitions: try Definition.bundled(),
            lockTimeoutSeconds: lockTimeoutSeconds, ddlLockTimeoutSeconds: ddlLockTimeoutSeconds)
    }

    /// Applies what is pending and returns the migrations applied (empty: none).
    @discardableResult
    public func migrate(_ connection: PGConnection, log: (String) -> Void = { _ in }) throws -> [Migration] {
        try apply(connection, log: log).migrations
    }

    /// Applies the pending migrations, then the definitions if they are pending.
    @discardableResult
    public func apply(_ connection: PGConnection, log: (String) -> Void = { _ in }) throws -> Outcome {
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
                        try transaction.execute(
                            """
                            INSERT INTO public.reloc_schema_migration (version, name, checksum, duration_ms)
                            VALUES (\(migration.version), \(migration.name),
                                    encode(sha256(convert_to(\(migration.sql), 'UTF8')), 'hex'),
                                    \(Self.milliseconds(since: started)))
                            """)
                    }
                } catch let error as PGError {
                    if error.kind == .connectionFailed || error.kind == .connectionLost { throw error }
                    if error.sqlState == "55P03" {
                        throw MigrationError.ddlLockTimeout(
                            fileName: migration.fileName, seconds: ddlLockTimeoutSeconds)
                    }
                    throw MigrationError.failed(fileName: migration.fileName, error)
                }
                log("applied \(migration.fileName)")
                done.append(migration)
            }
            var definitionsDone: [Definition] = []
            if try definitionStatus(connection).contains(where: \.pending) {
                try applyDefinitions(connection)
                log("applied definitions \(definitions.map(\.fileName).joined(separator: ", "))")
                definitionsDone = definitions
            }
            return Outcome(migrations: done, definitions: definitionsDone)
        }
    }

    /// Every definitions file, in one transaction, each as reloc_owner (who owns every function and
    /// table), then their history rows: all of them or none.
    private func applyDefinitions(_ connection: PGConnection) throws {
        do {
            try connection.withTransaction { transaction in
                var milliseconds: [Int] = []
                for definition in definitions {
                    let started = ContinuousClock.now
                    try transaction.execute("SET LOCAL ROLE reloc_owner")
                    do {
                        try transaction.executeUnsafeScript(definition.sql)
                    } catch let error as PGError
                        where error.kind != .connectionFailed && error.kind != .connectionLost
                    {
                        if error.sqlState == "55P03" {
                            throw MigrationError.ddlLockTimeout(
                                fileName: "definitions/" + definition.fileName, seconds: ddlLockTimeoutSeconds)
                        }
                        throw MigrationError.definitionFailed(fileName: definition.fileName, error)
                    }
                    try transaction.execute("RESET ROLE")
                    milliseconds.append(Self.milliseconds(since: started))
                }
                // A file no longer shipped leaves its row behind no more (what it defined stays until
                // a migration drops it).
                try transaction.execute("DELETE FROM public.reloc_schema_definition")
                for (definition, milliseconds) in zip(definitions, milliseconds) {
                    try transaction.execute(
                        """
                        INSERT INTO public.reloc_schema_definition (file_name, checksum, duration_ms)
                        VALUES (\(definition.fileName), encode(sha256(convert_to(\(definition.sql), 'UTF8')), 'hex'),
                                \(milliseconds))
                        """)
                }
            }
        } catch let error as PGError where error.sqlState == "42P01" {
            throw MigrationError.definitionsWithoutHistory
        }
    }

    /// Every definitions file with its history row. All are pending when one is: a file changed or
    /// new, or a migration applied after the definitions were (it may have dropped a policy or a
    /// function with a table or column). Empty when there are no definitions.
    public func definitionStatus(_ connection: PGConnection) throws -> [DefinitionStatus] {
        guard !definitions.isEmpty else { return [] }
        guard
            try connection.query("SELECT to_regclass('public.reloc_schema_definition') IS NOT NULL").scalar(
                Bool.self)
        else {
            // Not migrated yet (migration 0015 makes the table): every file is to be applied.
            return definitions.map { DefinitionStatus(definition: $0, applied: nil, pending: true) }
        }
        var recorded: [String: AppliedDefinition] = [:]
        for row in try connection.query(
            """
            SELECT file_name, checksum, applied_at, applied_by, duration_ms FROM public.reloc_schema_definition
            """
        ).rows {
            let (fileName, checksum, appliedAt, appliedBy, duration) = try row.decode(
                (String, String, Date, String, Int).self)
            recorded[fileName] = AppliedDefinition(
                fileName: fileName, checksum: checksum, appliedAt: appliedAt, appliedBy: appliedBy,
                durationMilliseconds: duration)
        }
        let migratedSince = try connection.query(
            """
            SELECT coalesce((SELECT max(applied_at) FROM public.reloc_schema_migration)
                            > (SELECT min(applied_at) FROM public.reloc_schema_definition), true)
            """
        ).scalar(Bool.self)
        var changed = migratedSince
        for definition in definitions {
            let current = try checksum(of: definition.sql, connection)
            if recorded[definition.fileName]?.checksum != current { changed = true }
        }
        return definitions.map {
            DefinitionStatus(definition: $0, applied: recorded[$0.fileName], pending: changed)
        }
    }

    static func milliseconds(since started: ContinuousClock.Instant) -> Int {
        let elapsed = started.duration(to: .now)
        return Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
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

    /// Holds the session-level advisory lock around `body`, waiting at most `lockTimeoutSeconds`;
    /// inside, no statement timeout and a lock timeout of `ddlLockTimeoutSeconds` (see the type's
    /// comment). The session's own settings are restored afterwards.
    private func withLock<T>(_ connection: PGConnection, _ body: () throws -> T) throws -> T {
        defer {
            _ = try? connection.execute("RESET lock_timeout")
            _ = try? connection.execute("RESET statement_timeout")
        }
        try connection.execute("SET statement_timeout = 0")
        try connection.execute(SQLQuery(unsafeSQL: "SET lock_timeout = '\(max(0, lockTimeoutSeconds))s'"))
        do {
            try connection.execute("SELECT pg_advisory_lock(\(MigrationRunner.lockKey))")
        } catch let error as PGError where error.sqlState == "55P03" {
            throw MigrationError.lockTimeout(seconds: lockTimeoutSeconds)
        }
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(\(MigrationRunner.lockKey))") }
        try connection.execute(SQLQuery(unsafeSQL: "SET lock_timeout = '\(max(0, ddlLockTimeoutSeconds))s'"))
        return try body()
    }
}
