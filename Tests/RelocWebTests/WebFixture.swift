import Foundation
import Hummingbird
import LibPQClient
import Logging
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc_web

/// reloc-web serving a fresh seeded database (吉林 2014) on a free loopback port, as the
/// authenticator reloc_web, with sign-in checked over TCP where the cluster asks for passwords
/// (deploy/local-postgres.sh), and people's logins made as `reloc user add` makes them.
final class WebFixture: @unchecked Sendable {
    let database: String
    let port: Int
    let web: Web
    private var logins: [String] = []
    private let lock = NSLock()

    static let password = "correct horse battery"
    private static let counter = LoginCounter()

    private init(database: String, port: Int, web: Web) {
        self.database = database
        self.port = port
        self.web = web
    }

    static func with(
        environment extra: [String: String] = [:], _ body: (WebFixture) async throws -> Void
    ) async throws {
        let database = try TestDatabase.make(.jilin2014)
        defer { TestDatabase.drop(database) }
        let url = try TestDatabase.url(of: database).replacingOccurrences(of: "user=postgres", with: "user=reloc_web")
        // 总览 read afresh every time (HomeCache), unless a test asks otherwise: tests write
        // through SQL and read the page at once.
        var environment = ["RELOC_WEB_SIGNIN_URL": try signInURL(database), "RELOC_WEB_HOME_SECONDS": "0"]
        for (key, value) in extra { environment[key] = value }
        let settings = try WebSettings(
            arguments: ["--listen", "127.0.0.1:0", "--database", url], environment: environment)
        var logger = Logger(label: "reloc-web-test")
        logger.logLevel = .critical  // the tests read replies, not the server's log
        let web = try await Web(settings: settings, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: web.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            server.cancel()
            throw WebFixtureError("reloc-web did not start")
        }
        let fixture = WebFixture(database: database, port: port, web: web)
        do {
            try await body(fixture)
        } catch {
            await fixture.stop(server)
            throw error
        }
        await fixture.stop(server)
    }

    private func stop(_ server: Task<Void, any Error>) async {
        server.cancel()
        _ = try? await server.value
        await web.pool.close()
        let admin = try? TestDatabase.connect("postgres")
        for login in lock.withLock({ logins }) {
            _ = try? admin?.execute("DROP ROLE IF EXISTS \(identifier: login)")
        }
    }

    /// The cluster's TCP address (where logins need their passwords), for this test's database.
    static func signInURL(_ database: String) throws -> String {
        let admin = try TestDatabase.adminURL()
        guard let range = admin.range(of: #"port=[0-9]+"#, options: .regularExpression) else {
            throw WebFixtureError("DATABASE_URL names no port")
        }
        return "postgresql://127.0.0.1:\(admin[range].dropFirst(5))/\(database)"
    }

    /// A person's login in `organisation`, made by `reloc user add`'s store call.
    func login(_ organisation: String) throws -> String {
        let name = "web_\(ProcessInfo.processInfo.processIdentifier)_\(WebFixture.counter.next())"
        try Organisations(try admin()).addLogin(name, organisation: organisation, password: WebFixture.password)
        lock.withLock { logins.append(name) }
        return name
    }

    func admin() throws -> PGConnection { try TestDatabase.connect(database) }

    /// An enterprise 四平 registers through the CLI into its plan SP-TD (to close, 机械, 50
    /// employees), for a page to edit: its id.
    func registeredEnterprise(named name: String) throws -> Int64 {
        let made = try RelocCLI.run(
            [
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", name, "--mode", "close",
                "--industry", "机械", "--employees", "50",
            ], database: database)
        return try #require(Int64(made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(made.stderr)")
    }

    func client() -> HTTPTestClient { HTTPTestClient(port: port) }

    /// A client signed in as `login`.
    func signedIn(_ login: String, password: String = WebFixture.password) async throws -> HTTPTestClient {
        let client = client()
        let reply = try await client.signIn(login, password: password)
        #expect(reply.status == 303, "sign-in of \(login): \(reply.status) \(reply.body)")
        return client
    }
}

final class LoginCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.withLock {
            value += 1; return value
        }
    }
}

extension HTTPTestClient {
    /// The sign-in page, then its form posted.
    func signIn(_ login: String, password: String) async throws -> Reply {
        let page = try await get("/signin")
        return try await post(
            "/signin", form: [("csrf", page.csrf ?? ""), ("login", login), ("password", password)])
    }
}

struct WebFixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
