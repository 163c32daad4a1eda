import Foundation
import LibPQClient
import RelocationCore

/// Each test gets its own database, created from a template that was migrated once per test
/// run, so tests run in parallel and commit freely. The cluster is the one `make test` starts
/// (deploy/local-postgres.sh): DATABASE_URL must point at it as a superuser.
public enum TestDatabase {
    public struct Setup: Error, CustomStringConvertible {
        public let description: String
    }

    /// The administrative URL (the cluster's superuser), from DATABASE_URL.
    public static func adminURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            throw Setup(
                description:
                    "tests need a PostgreSQL: run `make test`, or `eval \"$(deploy/local-postgres.sh env)\"` after `deploy/local-postgres.sh start`"
            )
        }
        return url
    }

    public static func connect(_ database: String, timeZone: String? = nil, user: String? = nil) throws -> PGConnection
    {
        try PGConnection(.init(connectionString: adminURL(), timeZone: timeZone, databaseName: database, user: user))
    }

    /// A connection acting as an organisation, the way `reloc --as CODE` does.
    public static func connect(_ database: String, actingAs code: String) throws -> PGConnection {
        let connection = try connect(database)
        let role = try connection.query("SELECT role_name FROM reloc.organisation WHERE code = \(code)").scalar(
            String.self)
        try connection.execute("SET ROLE \(identifier: role)")
        return connection
    }

    /// A URL for `database` on the same server, for running the `reloc` binary against it.
    public static func url(of database: String) throws -> String {
        let admin = try adminURL()
        guard var components = URLComponents(string: admin), components.scheme?.hasPrefix("postgres") == true else {
            throw Setup(description: "DATABASE_URL must be a postgresql:// URL for the tests")
        }
        components.path = "/" + database
        return components.string!
    }

    /// What a test database starts with.
    public enum Contents: Sendable {
        case empty
        case migrated
        /// Migrated, with `reloc db seed jilin-2014` loaded.
        case jilin2014
    }

    private static let seededTemplate: Result<String, any Error> = Result {
        let name = "reloc_tpl_\(ProcessInfo.processInfo.processIdentifier)_jilin"
        let admin = try connect("postgres")
        try admin.execute("DROP DATABASE IF EXISTS \(identifier: name)")
        try admin.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: try template.get())")
        do {
            _ = try ReferenceData.load("jilin-2014", into: try connect(name))
        }
        return name
    }

    private static let template: Result<String, any Error> = Result {
        let name = "reloc_tpl_\(ProcessInfo.processInfo.processIdentifier)"
        let admin = try connect("postgres")
        try dropStaleDatabases(admin)
        try admin.execute("DROP DATABASE IF EXISTS \(identifier: name)")
        try admin.execute("CREATE DATABASE \(identifier: name)")
        do {
            let connection = try connect(name)
            try MigrationRunner.bundled().migrate(connection)
        }  // the template must have no connections left when it is copied
        return name
    }

    /// Databases left by earlier runs whose process is gone (e.g. after a crash).
    private static func dropStaleDatabases(_ admin: PGConnection) throws {
        let names = try admin.query(
            "SELECT datname FROM pg_database WHERE datname ~ '^reloc_(tpl|test)_[0-9]+'"
        ).decode((String).self)
        for name in names {
            let pid = name.split(separator: "_")[2]
            if !FileManager.default.fileExists(atPath: "/proc/\(pid)") {
                try admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
            }
        }
    }

    private static let counter = Counter()

    /// Runs `body` with the name of a new database: migrated (from the template) or empty.
    public static func with<T>(migrated: Bool = true, _ body: (String) throws -> T) throws -> T {
        try with(migrated ? .migrated : .empty, body)
    }

    public static func with<T>(_ contents: Contents, _ body: (String) throws -> T) throws -> T {
        let name = try make(contents)
        // A database that cannot be dropped now is dropped by the next run (dropStaleDatabases).
        defer { drop(name) }
        return try body(name)
    }

    /// A new database (for a test whose body is async: pair with `drop`).
    public static func make(_ contents: Contents) throws -> String {
        let name = "reloc_test_\(ProcessInfo.processInfo.processIdentifier)_\(counter.next())"
        let admin = try connect("postgres")
        switch contents {
        case .empty: try admin.execute("CREATE DATABASE \(identifier: name)")
        case .migrated:
            try admin.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: try template.get())")
        case .jilin2014:
            try admin.execute("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: try seededTemplate.get())")
        }
        return name
    }

    public static func drop(_ name: String) {
        _ = try? connect("postgres").execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
    }

    /// Same, with a connection to it.
    public static func withConnection<T>(migrated: Bool = true, _ body: (PGConnection) throws -> T) throws -> T {
        try with(migrated: migrated) { name in try body(try connect(name)) }
    }
}

/// A thread-safe counter for unique database names within one process.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
