import Foundation
import LibPQClient

/// Turns any error into the one line reloc prints on stderr and the exit status, so users read
/// what went wrong and what to do, never a raw SQL error alone or a stack trace.
public struct ErrorReport: Sendable, Equatable {
    public let status: ExitStatus
    public let message: String

    public init(status: ExitStatus, message: String) {
        self.status = status
        self.message = message
    }

    public static let startLocalDatabase =
        "start one with `deploy/local-postgres.sh start` and `eval \"$(deploy/local-postgres.sh env)\"`, or set DATABASE_URL / --database"

    public init(_ error: any Error) {
        switch error {
        case let error as RelocError:
            switch error {
            case .invalidInput, .notFound: self.init(status: .dataError, message: error.description)
            case .permissionDenied: self.init(status: .noPermission, message: error.description)
            }
        case let error as MigrationError:
            switch error {
            case .duplicateVersion, .checksumChanged, .appliedButMissing:
                self.init(status: .dataError, message: error.description)
            case .lockTimeout: self.init(status: .unavailable, message: error.description)
            case .failed(_, let cause) where cause.kind == .connectionLost:
                self.init(status: .unavailable, message: error.description)
            case .failed: self.init(status: .software, message: error.description)
            }
        case let error as PGError:
            self = ErrorReport.fromDatabase(error)
        default:
            self.init(status: .software, message: "internal error: \(error)")
        }
    }

    static func fromDatabase(_ error: PGError) -> ErrorReport {
        switch error.kind {
        case .connectionFailed:
            let target = error.target.map { " (\($0))" } ?? ""
            return ErrorReport(
                status: .unavailable,
                message: "cannot connect to the database\(target): \(oneLine(error.message)); \(startLocalDatabase)")
        case .connectionLost:
            return ErrorReport(
                status: .unavailable, message: "lost the database connection: \(oneLine(error.message)); try again")
        case .decoding, .usage:
            return ErrorReport(status: .software, message: "internal error: \(error.message)")
        case .server:
            break
        }
        let state = error.sqlState ?? ""
        let hint = error.hint.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : " — \($0)" } ?? ""
        switch state {
        case "42501":
            return ErrorReport(
                status: .noPermission,
                message:
                    "permission denied: \(oneLine(error.message))\(hint.isEmpty ? " — act as an organisation that may do this (--as ORG)" : hint)"
            )
        case _ where state.hasPrefix("23") || state.hasPrefix("22") || state == "P0001":
            let rule = error.constraint.map { " [rule \($0)]" } ?? ""
            let detail = error.detail.map { ": \(oneLine($0))" } ?? ""
            return ErrorReport(status: .dataError, message: "\(oneLine(error.message))\(detail)\(rule)\(hint)")
        case "P0002":  // no_data_found: something named does not exist
            return ErrorReport(status: .dataError, message: "\(oneLine(error.message))\(hint)")
        case "57014":
            return ErrorReport(
                status: .unavailable,
                message:
                    "the database cancelled the command (statement timeout; raise RELOC_STATEMENT_TIMEOUT_MS): \(oneLine(error.message))"
            )
        case "57P01", "57P02", "57P03", "53300":
            return ErrorReport(
                status: .unavailable, message: "the database is not available: \(oneLine(error.message))")
        default:
            return ErrorReport(status: .software, message: "database error \(state): \(oneLine(error.message))\(hint)")
        }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
