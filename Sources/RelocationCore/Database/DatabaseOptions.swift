import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How reloc finds its database: `--database`, else `DATABASE_URL`, else libpq's own `PG*`
/// variables and service files (nil connection string).
public struct DatabaseSettings: Sendable {
    public var url: String?
    public var statementTimeoutMilliseconds: Int
    /// The zone whose calendar date is "today" for deadlines (`RELOC_TIMEZONE`); nil keeps
    /// Asia/Shanghai (or a database's own `reloc.timezone` setting).
    public var deadlineTimeZone: String?
    /// `RELOC_STATEMENT_TIMEOUT_MS` as given when it is not a whole number of milliseconds ≥ 0:
    /// refused at connect rather than silently replaced by the default.
    var invalidStatementTimeout: String?

    /// The programme keeps China Standard Time: "today" and deadlines are read in Asia/Shanghai.
    public static let programmeTimeZone = "Asia/Shanghai"

    public init(url: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.url = url ?? environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let timeout = environment["RELOC_STATEMENT_TIMEOUT_MS"].flatMap { $0.isEmpty ? nil : $0 }
        self.statementTimeoutMilliseconds = timeout.flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil } ?? 60_000
        if let timeout, Int(timeout).map({ $0 >= 0 }) != true { invalidStatementTimeout = timeout }
        self.deadlineTimeZone = environment["RELOC_TIMEZONE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func connect() throws -> PGConnection {
        if let invalidStatementTimeout {
            throw RelocError.invalidInput(
                "RELOC_STATEMENT_TIMEOUT_MS is \"\(invalidStatementTimeout)\": give a whole number of milliseconds (0 = no limit), or unset it for the default 60000"
            )
        }
        let connection = try PGConnection(
            PGConnection.Configuration(
                connectionString: url, statementTimeoutMilliseconds: statementTimeoutMilliseconds,
                timeZone: DatabaseSettings.programmeTimeZone))
        if let zone = deadlineTimeZone {
            try DatabaseSettings.setDeadlineTimeZone(zone, on: connection)
        }
        return connection
    }

    /// Sets the session's `reloc.timezone` (read by `reloc.today()`), after checking that
    /// PostgreSQL knows the zone and that it is a place on earth: PostgreSQL also takes POSIX
    /// specs up to ±167 hours (`<X>-167` is a week ahead), which would move "today" (the
    /// database refuses them too, in `reloc.today()`).
    static func setDeadlineTimeZone(_ zone: String, on connection: PGConnection) throws {
        let onEarth: Bool
        do {
            onEarth = try connection.query(
                """
                SELECT (now() AT TIME ZONE \(zone)) - (now() AT TIME ZONE 'UTC')
                       BETWEEN interval '-14 hours' AND interval '14 hours'
                """
            ).scalar(Bool.self)
        } catch let error as PGError where error.sqlState == "22023" {
            throw RelocError.invalidInput(
                "RELOC_TIMEZONE=\(zone) is not a time zone PostgreSQL knows; use a name such as Asia/Shanghai or UTC")
        }
        guard onEarth else {
            throw RelocError.invalidInput(
                "RELOC_TIMEZONE=\(zone) is more than 14 hours from UTC (no zone on earth is); use a name such as Asia/Shanghai or UTC"
            )
        }
        try connection.execute("SELECT set_config('reloc.timezone', \(zone), false)")
    }
}
