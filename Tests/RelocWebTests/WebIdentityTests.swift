import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc_web

/// Who you are on the web desk: the PostgreSQL login and password, checked by PostgreSQL; each
/// request acts as the person's organisation; the person is recorded as the login, and nobody
/// but the web server's own role can name someone else.
@Suite("Web desk: identity")
struct WebIdentityTests {
    @Test func signInTakesTheLoginsOwnPasswordOnly() async throws {
        try await WebFixture.with { fixture in
            let login = try fixture.login("JL-FGW")
            let client = fixture.client()
            let wrong = try await client.signIn(login, password: "not the password")
            #expect(wrong.status == 401)
            #expect(wrong.body.contains("登录名或密码不正确"))
            #expect(client.cookie(Web.sessionCookie) == nil)
            let unknown = try await client.signIn("nobody_at_all", password: WebFixture.password)
            #expect(unknown.status == 401)
            // The server's own role and the administrator are not people: no session for them.
            let superuser = try await client.signIn("postgres", password: "")
            #expect(superuser.status == 401)

            let right = try await client.signIn(login, password: WebFixture.password)
            #expect(right.status == 303, "\(right.body)")
            #expect(right.header("Location") == "/")
            let cookie = try #require(right.headers("Set-Cookie").first { $0.hasPrefix("\(Web.sessionCookie)=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains("Secure"))
            let home = try await client.get("/")
            #expect(home.status == 200)
            #expect(home.body.contains("\(login) · JL-FGW"))
            // Only the token's hash is stored.
            let stored = try fixture.admin().query(
                "SELECT encode(token_hash, 'hex') FROM reloc.web_session WHERE login = \(login)"
            ).scalar(String.self)
            #expect(stored != client.cookie(Web.sessionCookie))
            #expect(stored.count == 64)
        }
    }

    @Test func cookiesAreSecureWhenTheSettingSaysSo() async throws {
        try await WebFixture.with(environment: ["RELOC_WEB_SECURE_COOKIES": "1"]) { fixture in
            let login = try fixture.login("JL-FGW")
            let right = try await fixture.client().signIn(login, password: WebFixture.password)
            let cookie = try #require(right.headers("Set-Cookie").first { $0.hasPrefix("\(Web.sessionCookie)=") })
            #expect(cookie.contains("; Secure"))
        }
    }

    /// reloc.acting_login() honours reloc.web_login only for the session user reloc_web.
    @Test func theLoginRecordedCannotBeForgedFromPsql() async throws {
        try await WebFixture.with { fixture in
            let person = try fixture.login("JL-FGW")
            let other = try fixture.login("JL-FGW")
            // A person in psql names someone else: still recorded as themself.
            let psql = try TestDatabase.connect(fixture.database, user: person)
            try psql.execute("SELECT set_config('reloc.web_login', \(other), false)")
            #expect(try psql.query("SELECT reloc.acting_login()").scalar(String.self) == person)
            try psql.execute(
                "INSERT INTO reloc.progress_report (task_id, percent, note) SELECT id, 10, 'psql' FROM reloc.task WHERE number = 2"
            )
            let admin = try fixture.admin()
            #expect(
                try admin.query("SELECT login FROM reloc.progress_report WHERE note = 'psql'").scalar(String.self)
                    == person)
            #expect(
                try admin.query(
                    "SELECT login FROM reloc.audit WHERE table_name = 'progress_report' ORDER BY id DESC LIMIT 1"
                ).scalar(String.self) == person)
            // A login that may SET ROLE reloc_web is still not the authenticator: session_user decides.
            try admin.execute("GRANT reloc_web TO \(identifier: other)")
            let member = try TestDatabase.connect(fixture.database, user: other)
            try member.execute("SET ROLE reloc_web")
            try member.execute("SELECT set_config('reloc.web_login', \(person), false)")
            #expect(try member.query("SELECT reloc.acting_login()").scalar(String.self) == other)
            // The authenticator itself: the setting when set, else itself.
            let server = try TestDatabase.connect(fixture.database, user: "reloc_web")
            #expect(try server.query("SELECT reloc.acting_login()").scalar(String.self) == "reloc_web")
            try server.execute("SELECT set_config('reloc.web_login', \(person), false)")
            #expect(try server.query("SELECT reloc.acting_login()").scalar(String.self) == person)
        }
    }

    /// The authenticator acts for nobody until a request sets a role: NOINHERIT.
    @Test func theAuthenticatorAloneReadsAndWritesNothingOfTheProgramme() async throws {
        try await WebFixture.with { fixture in
            let server = try TestDatabase.connect(fixture.database, user: "reloc_web")
            #expect(
                try server.query(
                    "SELECT pg_has_role('reloc_org_jl_fgw', 'MEMBER') AND NOT pg_has_role('reloc_org_jl_fgw', 'USAGE')"
                ).scalar(Bool.self))
            expectState("42501") { try server.query("SELECT count(*) FROM reloc.task") }
            expectState("42501") {
                try server.execute("INSERT INTO reloc.progress_report (task_id, percent, note) VALUES (1, 1, 'x')")
            }
            // SET ROLE to an organisation acts for it, as `reloc --as` does.
            try server.execute("SET ROLE reloc_org_jl_fgw")
            #expect(try server.query("SELECT count(*) FROM reloc.task").scalar(Int.self) > 0)
        }
    }

    /// A person reporting through the web is the login of the report and of its audit row.
    @Test func aReportThroughTheWebRecordsThePerson() async throws {
        try await WebFixture.with { fixture in
            let login = try fixture.login("JL-FGW")
            let client = try await fixture.signedIn(login)
            let page = try await client.get("/tasks/2")
            #expect(page.status == 200, "\(page.body)")
            let posted = try await client.post(
                "/tasks/2/progress",
                form: [
                    ("csrf", page.csrf ?? ""), ("percent", "40"), ("status", ""), ("note", "已完成前期调研"),
                    ("evidence", "吉发改〔2014〕1号；吉发改〔2014〕2号"),
                ])
            #expect(posted.status == 303, "\(posted.body)")
            let admin = try fixture.admin()
            let row = try admin.query(
                "SELECT login, (SELECT code FROM reloc.organisation WHERE id = org_id), array_to_string(evidence, '|') FROM reloc.progress_report WHERE note = '已完成前期调研'"
            ).rows
            #expect(row.first?.values == [login, "JL-FGW", "吉发改〔2014〕1号|吉发改〔2014〕2号"])
            #expect(
                try admin.query(
                    "SELECT login || ' ' || acting_role FROM reloc.audit WHERE table_name = 'progress_report' ORDER BY id DESC LIMIT 1"
                ).scalar(String.self) == "\(login) reloc_org_jl_fgw")
        }
    }
}

func expectState(
    _ state: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected SQLSTATE \(state), but it was allowed", sourceLocation: sourceLocation)
    } catch let error as PGError {
        #expect(error.sqlState == state, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected SQLSTATE \(state), got \(error)", sourceLocation: sourceLocation)
    }
}
