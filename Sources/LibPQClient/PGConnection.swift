import CLibPQ
import Foundation
import Logging

/// One libpq connection. It is not Sendable: a connection belongs to one task (or thread) at a
/// time, as libpq requires; open one per task. It is closed when the object goes away.
public final class PGConnection {
    public struct Configuration: Sendable {
        /// A `postgresql://` URL or a `key=value …` string; nil leaves everything to libpq's `PG*`
        /// environment variables and service files.
        public var connectionString: String?
        /// Overrides the database named by the connection string (e.g. a test's own database).
        public var databaseName: String?
        /// Overrides the user named by the connection string.
        public var user: String?
        /// A password for `user` (reloc-web's sign-in check); never logged or shown.
        public var password: String?
        /// Longest a single statement may run, in milliseconds (0 = no limit).
        public var statementTimeoutMilliseconds: Int
        public var applicationName: String
        /// Session time zone; reloc's programme keeps Asia/Shanghai time.
        public var timeZone: String?
        /// Where the server's notices and warnings are logged (see `noticeLogger`).
        public var logger: Logger

        public init(
            connectionString: String? = nil, statementTimeoutMilliseconds: Int = 60_000,
            applicationName: String = "reloc", timeZone: String? = nil, databaseName: String? = nil,
            user: String? = nil, logger: Logger = Logger(label: "postgresql")
        ) {
            self.logger = logger
            self.user = user
            self.connectionString = connectionString
            self.databaseName = databaseName
            self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
            self.applicationName = applicationName
            self.timeZone = timeZone
        }
    }

    let handle: OpaquePointer
    public let configuration: Configuration
    let notices: NoticeSink

    /// Connects, pinning the session to UTF-8, ISO dates and the statement timeout.
    public init(_ configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        try PGConnection.loadLibrary()
        var options = "-c DateStyle=ISO,YMD -c IntervalStyle=iso_8601 -c client_min_messages=warning"
        options += " -c statement_timeout=\(max(0, configuration.statementTimeoutMilliseconds))"
        // No JIT compilation: reloc's statements are short, but a set-returning function in them
        // (the traffic lights, 69_lights.sql) is costed above jit_above_cost, and compiling the
        // plan took 2.7 s of a 13-milestone `task list` (3.2 s → 0.5 s without). Every face
        // (CLI, web desk, reminder job) connects here.
        options += " -c jit=off"
        if let zone = configuration.timeZone {
            options += " -c TimeZone=" + zone.replacingOccurrences(of: " ", with: "\\ ")
        }
        // With expand_dbname, `dbname` may hold a whole URL or key=value string; the keys after it
        // override what it says about encoding and session settings.
        var pairs: [(String, String)] = []
        if let string = configuration.connectionString, !string.isEmpty { pairs.append(("dbname", string)) }
        // Only the first `dbname` is expanded as a connection string; a second one is a plain name.
        if let name = configuration.databaseName { pairs.append(("dbname", name)) }
        if let user = configuration.user { pairs.append(("user", user)) }
        if let password = configuration.password { pairs.append(("password", password)) }
        pairs += [
            ("client_encoding", "UTF8"),
            ("application_name", configuration.applicationName),
            ("options", options),
        ]
        let keys = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            keys.forEach { free($0) }
            values.forEach { free($0) }
        }
        if let string = configuration.connectionString, !string.isEmpty {
            try PGConnection.checkParses(string)
        }
        let keyPointers = keys.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        guard let connection = PQconnectdbParams(keyPointers, valuePointers, 1) else {
            throw PGError(kind: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            var error = PGError(
                kind: .connectionFailed, message: String(cString: PQerrorMessage(connection)).trimmed,
                target: PGConnection.target(of: connection, configured: configuration.connectionString))
            // Decided by libpq's ping categories, not by the (translated) message text. A server
            // that answers a ping accepts connections: this one refused the login, which no server
            // start fixes. PQPING_NO_ATTEMPT: libpq did not try, the settings themselves are bad
            // (a value PQconninfoParse accepts but connecting rejects, e.g. sslmode=bogus): the
            // caller's mistake, reported with libpq's reason.
            switch PQpingParams(keyPointers, valuePointers, 1) {
            case PQPING_OK:
                error.kind = .loginRefused
                error.login = PQuser(connection).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
            case PQPING_NO_ATTEMPT:
                error.kind = .invalidConnectionString
                error.target = nil
            default:
                break
            }
            PQfinish(connection)
            throw error
        }
        handle = connection
        notices = NoticeSink(logger: configuration.logger)
        PGConnection.installNoticeReceiver(connection, sink: notices)
    }

    deinit {
        PQfinish(handle)
    }

    /// libpq is loaded when the first connection is opened, not at start (CLibPQ.h): a command
    /// that connects to nothing pays nothing for it. Without it no connection can be made.
    static func loadLibrary() throws {
        guard let reason = reloc_libpq_load() else { return }
        throw PGError(
            kind: .libraryUnavailable,
            message:
                "libpq could not be loaded: \(String(cString: reason)); install libpq (Debian/Ubuntu: libpq5) or set RELOC_LIBPQ to the path of libpq.so.5"
        )
    }

    /// A URL or key=value string libpq cannot read is the caller's mistake, reported with
    /// libpq's reason (e.g. `missing "=" after "not"`), not as an unreachable server.
    static func checkParses(_ string: String) throws {
        var message: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse(string, &message) else {
            let reason = message.map { String(cString: $0).trimmed } ?? "out of memory"
            if let message { PQfreemem(message) }
            throw PGError(kind: .invalidConnectionString, message: reason)
        }
        PQconninfoFree(options)
    }

    /// Where the session is connected, for messages: "host:port/dbname".
    public var target: String { PGConnection.target(of: handle, configured: nil) }

    static func target(of connection: OpaquePointer, configured: String?) -> String {
        func text(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
            pointer.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let host = text(PQhost(connection)) ?? "localhost"
        let port = text(PQport(connection)) ?? "5432"
        let database = text(PQdb(connection)) ?? "?"
        // A unix-socket "host" is a directory; say so rather than print host:port.
        let place = host.hasPrefix("/") ? "socket \(host)/.s.PGSQL.\(port)" : "\(host):\(port)"
        return "\(place) database \(database)"
    }

    // MARK: - Queries

    /// Runs a parameterized statement and returns its whole result.
    @discardableResult
    public func query(_ query: SQLQuery) throws -> PGResult {
        let result = try execParams(query)
        defer { PQclear(result) }
        return try collect(result)
    }

    /// Runs a statement for its effect; returns the number of rows it affected.
    @discardableResult
    public func execute(_ query: SQLQuery) throws -> Int {
        try self.query(query).affectedRows
    }

    /// Runs a script of several statements as one simple-protocol message (migrations, seeds).
    /// No parameters are possible here, which is why the name says `unsafe`: the script must come
    /// from the program or its shipped files, never from a user.
    public func executeUnsafeScript(_ script: String) throws {
        guard let result = PQexec(handle, script) else { throw lastConnectionError() }
        defer { PQclear(result) }
        try check(result)
        // A multi-statement script returns only the last result; earlier errors abort it.
        while let extra = PQgetResult(handle) { PQclear(extra) }
    }

    private func execParams(_ query: SQLQuery) throws -> OpaquePointer {
        let sent = withParameters(query) { count, types, values in
            PQexecParams(handle, query.sql, count, types, values, nil, nil, 0)
        }
        guard let result = sent else { throw lastConnectionError() }
        do {
            try check(result)
        } catch {
            PQclear(result)
            throw error
        }
        return result
    }

    /// Hands libpq the parameters as C strings that live for the whole call (text format).
    func withParameters<T>(
        _ query: SQLQuery, _ body: (Int32, [Oid], [UnsafePointer<CChar>?]) throws -> T
    ) rethrows -> T {
        let buffers: [UnsafeMutablePointer<CChar>?] = query.parameters.map { $0.map { strdup($0) } }
        defer { buffers.forEach { free($0) } }
        return try body(Int32(buffers.count), query.parameterTypes.map { Oid($0) }, buffers.map { UnsafePointer($0) })
    }

    func check(_ result: OpaquePointer) throws {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE, PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_EMPTY_QUERY:
            return
        default:
            throw PGError.fromResult(result, connection: handle)
        }
    }

    func collect(_ result: OpaquePointer) throws -> PGResult {
        let columns = PGConnection.columns(of: result)
        let rowCount = Int(PQntuples(result))
        var rows: [PGRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            rows.append(
                PGRow(
                    columns: columns,
                    values: PGConnection.values(of: result, row: Int32(row), count: columns.names.count)))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? rowCount
        return PGResult(columns: columns, rows: rows, affectedRows: affected)
    }

    static func columns(of result: OpaquePointer) -> PGColumns {
        let count = Int(PQnfields(result))
        return PGColumns(
            names: (0..<count).map { String(cString: PQfname(result, Int32($0))) },
            types: (0..<count).map { UInt32(PQftype(result, Int32($0))) })
    }

    static func values(of result: OpaquePointer, row: Int32, count: Int) -> [String?] {
        (0..<count).map { column -> String? in
            let index = Int32(column)
            if PQgetisnull(result, row, index) == 1 { return nil }
            let length = Int(PQgetlength(result, row, index))
            return PQgetvalue(result, row, index).withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
        }
    }

    func lastConnectionError() -> PGError {
        let bad = PQstatus(handle) == CONNECTION_BAD
        return PGError(
            kind: bad ? .connectionLost : .server, message: String(cString: PQerrorMessage(handle)).trimmed,
            target: bad ? target : nil)
    }

    /// Whether the session is still usable.
    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// True if the server asked for the password and it was accepted (PQconnectionUsedPassword):
    /// false when pg_hba.conf trusted the login without one, which reloc-web refuses to rely on.
    public var usedPassword: Bool { PQconnectionUsedPassword(handle) == 1 }

    /// The server's version number, e.g. 150018.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Hashes a password client-side (SCRAM-SHA-256 by the server's setting), so the clear text
    /// never reaches the server or its logs.
    public func encryptPassword(_ password: String, user: String) throws -> String {
        guard let hashed = PQencryptPasswordConn(handle, password, user, nil) else {
            throw lastConnectionError()
        }
        defer { PQfreemem(hashed) }
        return String(cString: hashed)
    }
}
