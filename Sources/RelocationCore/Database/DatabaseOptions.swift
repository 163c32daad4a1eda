import Foundation
import LibPQClient

/// How reloc finds its database: `--database`, else `DATABASE_URL`, else libpq's own `PG*`
/// variables and service files (nil connection string).
public struct DatabaseSettings: Sendable {
    public var url: String?
    public var statementTimeoutMilliseconds: Int

    /// The programme keeps China Standard Time: "today" and deadlines are read in Asia/Shanghai.
    public static let programmeTimeZone = "Asia/Shanghai"

    public init(url: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.url = url ?? environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        self.statementTimeoutMilliseconds =
            environment["RELOC_STATEMENT_TIMEOUT_MS"].flatMap { Int($0) } ?? 60_000
    }

    public func connect() throws -> PGConnection {
        try PGConnection(
            PGConnection.Configuration(
                connectionString: url, statementTimeoutMilliseconds: statementTimeoutMilliseconds,
                timeZone: DatabaseSettings.programmeTimeZone))
    }
}
