import LibPQClient

public enum MigrationError: Error, Sendable, CustomStringConvertible {
    case duplicateVersion(String, String)
    case checksumChanged(fileName: String, applied: String, current: String)
    case appliedButMissing(version: Int, name: String)
    case lockTimeout(seconds: Int)
    /// A migration or the definitions waited longer than `--ddl-lock-timeout` for a table's lock.
    case ddlLockTimeout(fileName: String, seconds: Int)
    case failed(fileName: String, PGError)
    /// A file of sql/definitions failed: every definitions file was rolled back with it.
    case definitionFailed(fileName: String, PGError)
    /// Definitions were given but migration 0015 (their history table) is not applied.
    case definitionsWithoutHistory

    public var description: String {
        switch self {
        case .duplicateVersion(let first, let second):
            "\(first) and \(second) share a number; renumber one of them"
        case .checksumChanged(let fileName, _, _):
            "migration \(fileName) was changed after it was applied; released migrations must not be edited — restore the file and put the change in a new migration"
        case .appliedButMissing(let version, let name):
            "migration \(String(format: "%04d", version))_\(name).sql is recorded as applied but is missing from this reloc; use the reloc release that applied it"
        case .lockTimeout(let seconds):
            "another `reloc db migrate` holds the migration lock on this database (waited \(seconds) s); wait for it to finish and run again"
        case .ddlLockTimeout(let fileName, let seconds):
            "\(fileName) waited \(seconds) s for a table lock that another session holds, and was rolled back (so that it does not stop everyone else's work behind it); run `reloc db migrate` again when the database is quieter, or give --ddl-lock-timeout more seconds"
        case .definitionFailed(let fileName, let error):
            "definitions file \(fileName) failed, and every definitions file was rolled back: \(error.message)"
                + (error.detail.map { " (\($0))" } ?? "")
        case .definitionsWithoutHistory:
            "sql/definitions needs migration 0015 (its history table public.reloc_schema_definition), which is not applied"
        case .failed(let fileName, let error):
            "migration \(fileName) failed and was rolled back: \(error.message)"
                + (error.detail.map { " (\($0))" } ?? "")
        }
    }
}
