import Foundation
import LibPQClient
import RelocationCore

/// The process exit statuses reloc uses (BSD sysexits.h).
enum ExitStatus: Int32, Sendable {
    case ok = 0
    case usage = 64
    case dataError = 65
    case unavailable = 69
    case software = 70
    case noPermission = 77
}

/// Turns any error into the one line reloc prints on stderr and the exit status, so users read
/// what went wrong and what to do, never a raw SQL error alone or a stack trace. The domain
/// (RelocationCore) returns typed errors; the exit statuses are the CLI's (docs/layers.md).
struct ErrorReport: Sendable, Equatable {
    let status: ExitStatus
    let message: String

    init(status: ExitStatus, message: String) {
        self.status = status
        self.message = message
    }

    static let startLocalDatabase =
        "start one with `deploy/local-postgres.sh start` and `eval \"$(deploy/local-postgres.sh env)\"`, or set DATABASE_URL / --database"

    /// `rules` finds the words of a rule PostgreSQL itself enforced (a unique key, a CHECK
    /// backstop), which its error names but does not explain; without it the report says what
    /// PostgreSQL said.
    init(_ error: any Error, rules: (any RuleBook)? = nil) {
        switch error {
        case let error as PermissionRefusal:
            self.init(status: .noPermission, message: ErrorReport.refusalMessage(error, rules: rules))
        case let error as RuleViolation:
            self.init(
                status: .dataError, message: ErrorReport.ruleMessage(error.rule, detail: error.detail, rules: rules))
        case let error as RelocError:
            switch error {
            case .invalidInput, .notFound: self.init(status: .dataError, message: error.description)
            case .permissionDenied: self.init(status: .noPermission, message: error.description)
            }
        case let error as OutputFileError:
            self.init(status: .usage, message: error.description)
        case let error as MigrationError:
            switch error {
            case .duplicateVersion, .checksumChanged, .appliedButMissing:
                self.init(status: .dataError, message: error.description)
            case .lockTimeout, .ddlLockTimeout: self.init(status: .unavailable, message: error.description)
            case .failed(_, let cause) where cause.kind == .connectionLost,
                .definitionFailed(_, let cause) where cause.kind == .connectionLost:
                self.init(status: .unavailable, message: error.description)
            case .failed, .definitionFailed, .definitionsWithoutHistory:
                self.init(status: .software, message: error.description)
            }
        case let error as PGError:
            self = ErrorReport.fromDatabase(error, rules: rules)
        default:
            self.init(status: .software, message: "internal error: \(error)")
        }
    }

    static func fromDatabase(_ error: PGError, rules: (any RuleBook)? = nil) -> ErrorReport {
        let atLimit = error.message.contains("too many connections") || error.message.contains("connection slots")
        switch error.kind {
        case .connectionFailed where atLimit, .loginRefused where atLimit:
            // The server runs but refuses more connections: say so, not "start one" nor "check the
            // login" (a server at its limit answers a ping, so the client files it as a refused login).
            let target = error.target.map { " (\($0))" } ?? ""
            return ErrorReport(
                status: .unavailable,
                message:
                    "the database\(target) refused the connection: \(oneLine(error.message)) (its connection limit is reached); try again later, or raise the limit (ALTER ROLE … CONNECTION LIMIT, max_connections)"
            )
        case .connectionFailed:
            let target = error.target.map { " (\($0))" } ?? ""
            return ErrorReport(
                status: .unavailable,
                message: "cannot connect to the database\(target): \(oneLine(error.message)); \(startLocalDatabase)")
        case .libraryUnavailable:
            // No server was tried: the message says what to install or set (RELOC_LIBPQ).
            return ErrorReport(status: .unavailable, message: oneLine(error.message))
        case .invalidConnectionString:
            return ErrorReport(
                status: .usage,
                message:
                    "the database URL (--database or DATABASE_URL, or libpq's PG* settings) cannot be read: \(oneLine(error.message)); write it as postgresql://[user@]host[:port]/database or as key=value pairs, with values libpq knows"
            )
        case .loginRefused:
            let login = error.login.map { "the login \($0)" } ?? "the login"
            let target = error.target.map { " (\($0))" } ?? ""
            return ErrorReport(
                status: .noPermission,
                message:
                    "the database server refused \(login)\(target): \(oneLine(error.message)); check the user name and password in --database or DATABASE_URL (or PGUSER, PGPASSWORD, ~/.pgpass) and that the database exists"
            )
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
            return ErrorReport(status: .noPermission, message: RuleMessages.permission(error, rules: rules))
        case "42710":  // duplicate_object: our create_login words it ("a login or role named … already exists")
            return ErrorReport(status: .dataError, message: "\(oneLine(error.message))\(hint)")
        case _ where state.hasPrefix("23") || state.hasPrefix("22") || state == "P0001":
            return ErrorReport(status: .dataError, message: RuleMessages.database(error, rules: rules))
        case "42P01", "3F000":
            // undefined_table, invalid_schema_name: reloc's SQL names only its own schema's
            // relations, so one missing means a database without reloc's schema, or one not yet
            // migrated to this version: nothing the user's data did, and `db migrate` fixes it.
            return ErrorReport(
                status: .unavailable,
                message:
                    "the database has no reloc schema (or is not migrated): run `reloc db migrate` as the administrator (\(oneLine(error.message)))"
            )
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

    // The words themselves are RelocationCore's (RuleMessages), shared with reloc-web.
    static func ruleMessage(_ rule: String, detail: String?, rules: (any RuleBook)?) -> String {
        RuleMessages.rule(rule, detail: detail, rules: rules)
    }

    static func refusalMessage(_ refusal: PermissionRefusal, rules: (any RuleBook)?) -> String {
        RuleMessages.refusal(refusal, rules: rules)
    }

    static func ruleMessage(_ words: RuleWords, detail: String?) -> String {
        RuleMessages.rule(words, detail: detail)
    }

    static func serverDetail(_ error: PGError) -> String? { RuleMessages.serverDetail(error) }

    static func hasText(_ text: String?) -> Bool { RuleMessages.hasText(text) }

    static func oneLine(_ text: String) -> String { RuleMessages.oneLine(text) }
}
