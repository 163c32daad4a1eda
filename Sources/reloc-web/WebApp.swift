import Foundation
import HTTPTypes
import Hummingbird
import LibPQClient
import Logging
import NIOCore
import RelocationCore

/// A request's context: Hummingbird's, plus the peer's address (the sign-in throttle's).
struct WebContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let peer: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Uploads (a CSV of enterprises) are at most 8 MB.
    var maxUploadSize: Int { 8 << 20 }
}

/// A signed-in request: the person and their session's form token.
struct Signed: Sendable {
    let person: WebPerson
    let sessionID: Int64
    let csrf: String
}

/// The web desk: its settings, the authenticator's connection pool, the rules' words, metrics.
final class Web: Sendable {
    let settings: WebSettings
    let pool: ConnectionPool
    let rules: CachedRuleBook
    let metrics = Metrics()
    let logger: Logger
    /// 总览's figures, kept a few seconds per role and day (HomeCache).
    let homeCache: HomeCache

    static let sessionCookie = "reloc_session"
    static let signInCookie = "reloc_signin"

    init(settings: WebSettings, logger: Logger = Logger(label: "reloc-web")) async throws {
        self.settings = settings
        self.logger = logger
        homeCache = HomeCache(seconds: settings.homeSeconds, zone: settings.zone)
        pool = ConnectionPool(settings: settings.database, size: settings.poolSize)
        let words = try await Web.database(pool) { db in try DatabaseRuleBook.all(on: db) }
        rules = CachedRuleBook(rules: words)
    }

    /// Runs `work` in one transaction on a pooled connection: as the authenticator, or, given a
    /// person, as their organisation's role with their login named (WebSessions.act).
    /// `transaction: false`, as the authenticator only: each statement of `work` commits on its
    /// own (a session's lookup is one statement: BEGIN and COMMIT would double its round trips).
    @discardableResult
    func database<T: Sendable>(
        as person: WebPerson? = nil, transaction: Bool = true, _ work: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        try await Web.database(pool, as: person, transaction: transaction, work)
    }

    @discardableResult
    static func database<T: Sendable>(
        _ pool: ConnectionPool, as person: WebPerson? = nil, transaction: Bool = true,
        _ work: @escaping @Sendable (PGConnection) throws -> T
    ) async throws -> T {
        let pooled = try await pool.checkout()
        do {
            let value = try await Blocking.run {
                if person == nil && !transaction { return try work(pooled.connection) }
                return try pooled.connection.withTransaction { db in
                    if let person { try WebSessions.act(as: person, on: db) }
                    return try work(db)
                }
            }
            await pool.checkin(pooled, healthy: true)
            return value
        } catch {
            await pool.checkin(pooled, healthy: pooled.connection.isConnected)
            throw error
        }
    }

    /// The client's address: the peer, or behind the TLS proxy (RELOC_WEB_TRUST_PROXY=1) the
    /// address nginx puts last in X-Forwarded-For.
    func address(_ request: Request, _ context: WebContext) -> String {
        if settings.trustProxy, let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!],
            let last = forwarded.split(separator: ",").last
        {
            return String(last.trimmingCharacters(in: .whitespaces).prefix(64))
        }
        return context.peer
    }

    /// The person behind the request's session cookie; otherwise to the sign-in page (pages) or
    /// 401 (the JSON API). An idle session is ended here.
    func signedIn(_ request: Request, api: Bool = false) async throws -> Signed {
        let token = Forms.cookies(request)[Web.sessionCookie] ?? ""
        let idleMinutes = settings.idleMinutes
        let found: WebSessions.Found? =
            WebSessions.isToken(token)
            ? try await database(transaction: false) { db in
                let sessions = WebSessions(db)
                let found = try sessions.find(token: token, idleMinutes: idleMinutes)
                if let found, found.idle || found.person == nil {
                    try sessions.end(
                        id: found.id, by: found.idle ? "reloc-web: idle" : "reloc-web: login no longer acts")
                }
                return found
            } : nil
        guard let found, !found.idle, let person = found.person else {
            if api { throw WebFailure(status: .unauthorized, message: "请先登录") }
            throw Redirect(location: "/signin")
        }
        return Signed(person: person, sessionID: found.id, csrf: found.csrf)
    }

    /// Every POST of a signed-in person carries the session's form token.
    func requireCSRF(_ fields: [String: String], _ signed: Signed) throws {
        guard Tokens.equal(fields["csrf"] ?? "", signed.csrf) else { throw Web.csrfRefused }
    }

    static let csrfRefused = WebFailure(
        status: .forbidden, message: "表单校验失败（CSRF）：请从本站页面重新提交")

    func cookie(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var cookie = "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if let maxAge { cookie += "; Max-Age=\(maxAge)" }
        if settings.secureCookies { cookie += "; Secure" }
        return cookie
    }
}

/// Responses.
enum Reply {
    static func html(_ text: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func text(_ text: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}
