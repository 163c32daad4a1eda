import LibPQClient

public enum MigrationError: Error, Sendable, CustomStringConvertible {
    case duplicateVersion(String, String)
    case checksumChanged(fileName: String, applied: String, current: String)
    case appliedButMissing(version: Int, name: String)
    case lockTimeout(seconds: Int)
    case failed(fileName: String, PGError)

    public var description: String {
        switch self {
        case .duplicateVersion(let first, let second):
            "migrations \(first) and \(second) share a version number; renumber one of them"
        case .checksumChanged(let fileName, _, _):
            "migration \(fileName) was changed after it was applied; released migrations must not be edited — restore the file and put the change in a new migration"
        case .appliedButMissing(let version, let name):
            "migration \(String(format: "%04d", version))_\(name).sql is recorded as applied but is missing from this reloc; use the reloc release that applied it"
        case .lockTimeout(let seconds):
            "another `reloc db migrate` holds the migration lock on this database (waited \(seconds) s); wait for it to finish and run again"
        case .failed(let fileName, let error):
            "migration \(fileName) failed and was rolled back: \(error.message)"
                + (error.detail.map { " (\($0))" } ?? "")
        }
    }
}
