import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// 登录 and 退出: the PostgreSQL login and password `reloc user add` created, checked by
/// PostgreSQL itself (a connection as that login); reloc keeps no password.
extension Web {
    func signInPage(_ request: Request, _ context: WebContext) async throws -> Response {
        signInForm(request, message: nil, status: .ok)
    }

    /// The form carries a token equal to a cookie of its own (the session's token does not exist
    /// yet): a form posted from another site has neither.
    func signInForm(_ request: Request, message: String?, status: HTTPResponse.Status, login: String = "")
        -> Response
    {
        var token = Forms.cookies(request)[Web.signInCookie] ?? ""
        var cookies: [String] = []
        if !WebSessions.isToken(token) {
            token = Tokens.make()
            cookies.append(cookie(Web.signInCookie, token))
        }
        let error = message.map { "<p class=\"error\" role=\"alert\">\(HTML.escape($0))</p>" } ?? ""
        let body = """
            \(error)
            <form method="post" action="/signin" class="signin">
            \(HTML.csrfField(token))
            <label>登录名 <input name="login" autocomplete="username" required value="\(HTML.escape(login))"></label>
            <label>密码 <input name="password" type="password" autocomplete="current-password" required></label>
            <button>登录</button>
            </form>
            <p class="note">使用省里以 <code>reloc user add</code> 为您建立的数据库登录名和密码。</p>
            """
        return Reply.html(HTML.page(title: "登录", person: nil, csrf: nil, body: body), status: status, cookies: cookies)
    }

    func signIn(_ request: Request, _ context: WebContext) async throws -> Response {
        let fields = try await Forms.body(request)
        guard Tokens.equal(fields["csrf"] ?? "", Forms.cookies(request)[Web.signInCookie] ?? "") else {
            throw Web.csrfRefused
        }
        let login = (fields["login"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let password = fields["password"] ?? ""
        let address = address(request, context)
        let recordedLogin = String(login.prefix(63))
        let allowed = try await database { db in
            try WebSessions(db).beginAttempt(login: recordedLogin, address: address)
        }
        guard allowed else {
            return signInForm(
                request, message: "登录失败次数过多：请 15 分钟后再试。", status: .tooManyRequests, login: login)
        }
        var person: WebPerson?
        if WebSessions.isLoginName(login), !password.isEmpty {
            if try await passwordAccepted(login: login, password: password) {
                person = try await database { db in try WebSessions(db).person(login: login) }
            }
        }
        guard let person else {
            return signInForm(request, message: "登录名或密码不正确。", status: .unauthorized, login: login)
        }
        let token = Tokens.make()
        try await database { db in try WebSessions(db).open(token: token, for: person, address: address) }
        logger.info("signed in", metadata: ["login": "\(person.login)", "org": "\(person.organisation)"])
        return Reply.redirect(
            "/", cookies: [cookie(Web.sessionCookie, token), cookie(Web.signInCookie, "", maxAge: 0)])
    }

    /// PostgreSQL's own check: a connection as the login with the password, closed at once.
    /// Refused logins are false; a server that let the login in without asking for the password
    /// (pg_hba.conf `trust`) proves nothing, so the sign-in is refused as misconfigured.
    func passwordAccepted(login: String, password: String) async throws -> Bool {
        var configuration = PGConnection.Configuration(
            connectionString: settings.signInURL ?? settings.database.url, statementTimeoutMilliseconds: 5_000,
            applicationName: "reloc-web sign-in", user: login)
        configuration.password = password
        let checked = configuration
        let outcome: Result<Bool, PGError> = try await Blocking.run {
            do {
                let connection = try PGConnection(checked)
                return .success(connection.usedPassword)
            } catch let error as PGError {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(true): return true
        case .success(false):
            logger.error(
                "sign-in check: the server did not ask for a password; set RELOC_WEB_SIGNIN_URL to a server address where pg_hba.conf asks for one (scram-sha-256)"
            )
            throw WebFailure(status: .serviceUnavailable, message: "登录暂不可用：服务器未配置密码校验，请联系管理员")
        case .failure(let error) where error.kind == .loginRefused:
            return false
        case .failure(let error):
            throw error
        }
    }

    func signOut(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        try requireCSRF(try await Forms.body(request), signed)
        let login = signed.person.login
        try await database { db in try WebSessions(db).end(id: signed.sessionID, by: login) }
        return Reply.redirect("/signin", cookies: [cookie(Web.sessionCookie, "", maxAge: 0)])
    }
}
