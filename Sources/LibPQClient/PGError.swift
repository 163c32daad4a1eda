import CLibPQ

/// Every failure the client reports: a server error with its diagnostic fields, a connection that
/// could not be made or was lost, or a value that could not be decoded.
public struct PGError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached (or is starting or shutting down).
        case connectionFailed
        /// libpq itself could not be loaded (not installed, or RELOC_LIBPQ names no usable file):
        /// no connection can be made until it is; `message` says why and what to do.
        case libraryUnavailable
        /// The connection string (URL or key=value) cannot be parsed: nothing was tried.
        case invalidConnectionString
        /// The server answered but refused the login (authentication failed, no such role or
        /// database, no pg_hba.conf entry): starting a server will not help; `login` names who.
        case loginRefused
        /// The connection broke during a command.
        case connectionLost
        /// The server answered with an error (see `sqlState`).
        case server
        /// A result value did not fit the requested Swift type.
        case decoding
        /// The client was used wrongly (e.g. a column name that does not exist).
        case usage
    }

    public var kind: Kind
    public var message: String
    /// Five-character SQLSTATE, e.g. "23505" for a unique violation.
    public var sqlState: String?
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var schema: String?
    public var table: String?
    public var column: String?
    /// For connection errors: where we tried to connect ("host:port" or the socket directory).
    public var target: String?
    /// For a refused login: the login (user name) that was refused.
    public var login: String?
    /// Severity as the server sent it, in its language (e.g. "ERROR", "错误"); see `severityCode`.
    public var severity: String?
    /// Severity never translated ("ERROR", "FATAL", "PANIC"; PostgreSQL 9.6+).
    public var severityCode: String?
    /// The server's CONTEXT (where in a function the error arose), and the object names it gives.
    public var context: String?
    public var dataType: String?
    /// Where in the statement sent the error lies: a 1-based character offset (libpq's
    /// PG_DIAG_STATEMENT_POSITION), e.g. the misspelt column of a SELECT.
    public var position: Int?
    /// The same inside a statement the server ran for us (a PL/pgSQL function's query), which
    /// `internalQuery` holds.
    public var internalPosition: Int?
    public var internalQuery: String?

    public init(
        kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, schema: String? = nil, table: String? = nil,
        column: String? = nil, target: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.schema = schema
        self.table = table
        self.column = column
        self.target = target
    }

    public var description: String {
        var text = message
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        if let constraint { text += " [constraint \(constraint)]" }
        if let detail { text += " — \(detail)" }
        if let hint { text += " Hint: \(hint)" }
        if let target, kind == .connectionFailed || kind == .connectionLost || kind == .loginRefused {
            text += " [\(target)]"
        }
        return text
    }

    /// SQLSTATE class, the first two characters ("23" integrity, "42" access or syntax, "40" rollback).
    public var sqlStateClass: String? { sqlState.map { String($0.prefix(2)) } }

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isPermissionDenied: Bool { sqlState == "42501" }
    /// Serialization failure or deadlock: the transaction may succeed if run again.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    static func decoding(_ message: String, column: String? = nil) -> PGError {
        PGError(kind: .decoding, message: message, column: column)
    }

    static func usage(_ message: String) -> PGError {
        PGError(kind: .usage, message: message)
    }

    /// Reads the diagnostic fields of a failed result. The PG_DIAG_* macros do not import into
    /// Swift, so the field codes are spelled out here (libpq's postgres_ext.h).
    static func fromResult(_ result: OpaquePointer, connection: OpaquePointer?) -> PGError {
        func field(_ code: Character) -> String? {
            guard let ascii = code.asciiValue, let raw = PQresultErrorField(result, Int32(ascii)) else {
                return nil
            }
            return String(cString: raw)
        }
        let primary = field("M") ?? String(cString: PQresultErrorMessage(result)).trimmed
        var error = PGError(
            kind: .server, message: primary, sqlState: field("C"), detail: field("D"),
            hint: field("H"), constraint: field("n"), schema: field("s"), table: field("t"),
            column: field("c"))
        error.severity = field("S")
        error.severityCode = field("V")
        error.context = field("W")
        error.dataType = field("d")
        error.position = field("P").flatMap { Int($0) }
        error.internalPosition = field("p").flatMap { Int($0) }
        error.internalQuery = field("q")
        if error.sqlState == nil, let connection, PQstatus(connection) == CONNECTION_BAD {
            error.kind = .connectionLost
            error.message = String(cString: PQerrorMessage(connection)).trimmed
        }
        return error
    }
}

extension String {
    var trimmed: String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        return String(scalars)
    }
}
