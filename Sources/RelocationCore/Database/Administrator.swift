import LibPQClient

/// The `db` commands (migrate, status, seed) create roles, the schema and reference data: only
/// the database administrator may run them.
public enum Administrator {
    /// Runs `work` (a `db` command's, named by `command`, e.g. "db migrate"); a permission refusal
    /// means the login is not the administrator these commands are for, so that is what the user
    /// is told (exit 77), rather than which table PostgreSQL refused.
    public static func run<T>(_ command: String, on database: PGConnection, _ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as PGError where error.isPermissionDenied {
            throw refusal(command, database, error)
        } catch MigrationError.failed(_, let cause) where cause.isPermissionDenied {
            throw refusal(command, database, cause)
        } catch MigrationError.definitionFailed(_, let cause) where cause.isPermissionDenied {
            throw refusal(command, database, cause)
        }
    }

    private static func refusal(_ command: String, _ database: PGConnection, _ error: PGError) -> RelocError {
        let login = (try? database.query("SELECT session_user::text").scalar(String.self)).map { "login \($0)" }
        return RelocError.permissionDenied(
            "`reloc \(command)` must be run as the database administrator (a superuser, or the owner of the database with CREATEROLE), not as \(login ?? "this login") (\(error.message)); connect as the administrator, e.g. --database 'postgresql:///reloc?user=postgres'"
        )
    }
}
