import Foundation
import LibPQClient

/// Errors of reloc's own making (as opposed to the database's), each of a kind a caller can act
/// on (the CLI maps them to exit statuses: Sources/reloc/Support/ErrorReport.swift).
public enum RelocError: Error, Sendable, CustomStringConvertible {
    /// Input that breaks a rule or cannot be read (exit 65).
    case invalidInput(String)
    /// Something named that does not exist (exit 65).
    case notFound(String)
    /// Refused for lack of authority (exit 77).
    case permissionDenied(String)

    public var description: String {
        switch self {
        case .invalidInput(let message), .notFound(let message), .permissionDenied(let message): message
        }
    }
}

extension PGError {
    /// True for PostgreSQL's own permission refusal (a grant, a row-level security policy:
    /// SQLSTATE 42501 without a HINT), false for one our SQL raised with its words (those carry
    /// a HINT). A store that knows which rule of who may do what was meant names it
    /// (`PermissionRefusal`).
    public var isPostgreSQLsOwnRefusal: Bool {
        sqlState == "42501" && (hint ?? "").trimmingCharacters(in: .whitespaces).isEmpty
    }
}
