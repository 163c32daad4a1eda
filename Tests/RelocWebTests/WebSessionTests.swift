import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc_web

/// Sessions: server-side, revocable by the province, ended when idle or signed out; every form
/// carries the session's token; sign-in slows down after repeated failures.
@Suite("Web desk: sessions, CSRF, throttling")
struct WebSessionTests {
    @Test func signingOutEndsTheSession() async throws {
        try await WebFixture.with { fixture in
            let client = try await fixture.signedIn(try fixture.login("JL-FGW"))
            let token = try #require(client.cookie(Web.sessionCookie))
            let home = try await client.get("/")
            // Without the form's token, sign-out is refused and the session lives on.
            #expect(try await client.post("/signout", form: []).status == 403)
            #expect(try await client.get("/").status == 200)
            let out = try await client.post("/signout", form: [("csrf", home.csrf ?? "")])
            #expect(out.status == 303 && out.header("Location") == "/signin")
            #expect(client.cookie(Web.sessionCookie) == nil)
            // The old cookie, replayed, signs nobody in.
            client.setCookie(Web.sessionCookie, token)
            let replay = try await client.get("/")
            #expect(replay.status == 303 && replay.header("Location") == "/signin")
        }
    }

    @Test func anIdleSessionEnds() async throws {
        try await WebFixture.with { fixture in
            let login = try fixture.login("JL-FGW")
            let client = try await fixture.signedIn(login)
            #expect(try await client.get("/").status == 200)
            // As the server would see it 31 minutes later (only reloc_web writes more than the end).
            try TestDatabase.connect(fixture.database, user: "reloc_web").execute(
                "UPDATE reloc.web_session SET last_seen_at = now() - interval '31 minutes' WHERE login = \(login)")
            let idle = try await client.get("/")
            #expect(idle.status == 303 && idle.header("Location") == "/signin")
            #expect(
                try fixture.admin().query("SELECT ended_by FROM reloc.web_session WHERE login = \(login)").scalar(
                    String.self) == "reloc-web: idle")
        }
    }

    @Test func theProvinceListsAndEndsSessionsAndNobodyElseMay() async throws {
        try await WebFixture.with { fixture in
            let department = try fixture.login("JL-FGW")
            let deptClient = try await fixture.signedIn(department)
            let province = try fixture.login("JL")
            let provClient = try await fixture.signedIn(province)

            // A department: refused with the rule's words, on the page and in the API.
            let refused = try await deptClient.get("/admin/sessions")
            #expect(refused.status == 403)
            #expect(refused.body.contains("web sessions are written by the web server"))
            #expect(try await deptClient.get("/api/v1/sessions").status == 403)
            // …and in plain SQL as its organisation: reads nothing, ends nothing.
            let fgw = try TestDatabase.connect(fixture.database, actingAs: "JL-FGW")
            expectState("42501") { _ = try fgw.query("SELECT login FROM reloc.web_session") }
            expectState("42501") { try fgw.execute("UPDATE reloc.web_session SET ended_at = now()") }

            let list = try await provClient.get("/admin/sessions")
            #expect(list.status == 200)
            #expect(list.body.contains(department) && list.body.contains(province))
            let sessions = try await provClient.get("/api/v1/sessions")
            #expect(sessions.body.contains("\"login\":\"\(department)\""))
            #expect(!sessions.body.contains("token"), "the token's hash is not the province's to read")
            let id = try fixture.admin().query(
                "SELECT id FROM reloc.web_session WHERE login = \(department)"
            ).scalar(Int64.self)
            // Without the form's token: refused, the session lives on.
            #expect(try await provClient.post("/admin/sessions/\(id)/end", form: []).status == 403)
            #expect(try await deptClient.get("/").status == 200)
            let ended = try await provClient.post("/admin/sessions/\(id)/end", form: [("csrf", list.csrf ?? "")])
            #expect(ended.status == 303, "\(ended.body)")
            let after = try await deptClient.get("/")
            #expect(after.status == 303 && after.header("Location") == "/signin")
            // The database stamped who ended it: the province's person, not the server's role.
            #expect(
                try fixture.admin().query("SELECT ended_by FROM reloc.web_session WHERE id = \(id)").scalar(String.self)
                    == province)
            // The province in SQL may end a session and change nothing else of it.
            let jl = try TestDatabase.connect(fixture.database, actingAs: "JL")
            expectState("42501") { try jl.execute("UPDATE reloc.web_session SET login = 'someone'") }
            expectState("42501") { try jl.execute("DELETE FROM reloc.web_session") }
        }
    }

    /// Every request asks the database who the session's login acts for now
    /// (reloc.web_session_find, through web_person): a login taken out of its organisation is
    /// signed out at its very next request, and the lookup is the server's alone.
    @Test func aLoginTakenOutOfItsOrganisationIsSignedOutAtItsNextRequest() async throws {
        try await WebFixture.with { fixture in
            let login = try fixture.login("JL-FGW")
            let client = try await fixture.signedIn(login)
            let other = try await fixture.signedIn(try fixture.login("JL-FGW"))
            #expect(try await client.get("/").status == 200)
            try fixture.admin().executeUnsafeScript("REVOKE reloc_org_jl_fgw FROM \(login)")
            let after = try await client.get("/")
            #expect(after.status == 303 && after.header("Location") == "/signin")
            #expect(
                try fixture.admin().query("SELECT ended_by FROM reloc.web_session WHERE login = \(login)").scalar(
                    String.self) == "reloc-web: login no longer acts")
            // Another login of the same organisation goes on.
            #expect(try await other.get("/").status == 200)
            // An organisation's role cannot look sessions up (nor touch them through the lookup).
            let fgw = try TestDatabase.connect(fixture.database, actingAs: "JL-FGW")
            expectState("42501") { _ = try fgw.query("SELECT * FROM reloc.web_session_find('00', 30)") }
            expectState("42501") { _ = try fgw.query("SELECT * FROM reloc.web_person(\(login))") }
        }
    }

    @Test func formsWithoutTheSessionsTokenAreRefused() async throws {
        try await WebFixture.with { fixture in
            let client = try await fixture.signedIn(try fixture.login("JL-FGW"))
            let form = [("percent", "50"), ("note", "伪造")]
            let missing = try await client.post("/tasks/2/progress", form: form)
            #expect(missing.status == 403)
            #expect(missing.body.contains("CSRF"))
            let wrong = try await client.post(
                "/tasks/2/progress", form: form + [("csrf", String(repeating: "0", count: 64))])
            #expect(wrong.status == 403)
            // Another session's token is not this one's.
            let other = try await fixture.signedIn(try fixture.login("JL-FGW"))
            let otherToken = try await other.get("/").csrf ?? ""
            #expect(try await client.post("/tasks/2/progress", form: form + [("csrf", otherToken)]).status == 403)
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.progress_report").scalar(Int.self) == 0)
            // The sign-in form too: its token must equal its cookie's.
            let fresh = fixture.client()
            let signIn = try await fresh.post(
                "/signin", form: [("login", "x"), ("password", "y"), ("csrf", String(repeating: "a", count: 64))])
            #expect(signIn.status == 403)
        }
    }

    /// Attempts sent at once are counted as they come, before their passwords are checked
    /// (hostile review: 40 parallel guesses were all checked and the last signed in).
    @Test func attemptsSentAtOnceAreCountedToo() async throws {
        try await WebFixture.with { fixture in
            let login = try fixture.login("JL-FGW")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await fixture.client().signIn(login, password: "wrong password").status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 401 }.count == 5, "\(statuses.sorted())")
            #expect(statuses.filter { $0 == 429 }.count == 7, "\(statuses.sorted())")
            #expect(try await fixture.client().signIn(login, password: WebFixture.password).status == 429)
        }
    }

    @Test func signInIsThrottledPerLoginAndPerAddress() async throws {
        try await WebFixture.with(environment: ["RELOC_WEB_TRUST_PROXY": "1"]) { fixture in
            let login = try fixture.login("JL-FGW")
            let client = fixture.client()
            client.forwardedFor = "10.0.0.1"
            for _ in 0..<5 { #expect(try await client.signIn(login, password: "wrong password").status == 401) }
            // The sixth try is refused before the password is checked, even the right one.
            let throttled = try await client.signIn(login, password: WebFixture.password)
            #expect(throttled.status == 429)
            #expect(throttled.body.contains("15 分钟"))
            // From elsewhere too: the count is per login.
            let elsewhere = fixture.client()
            elsewhere.forwardedFor = "10.0.0.2"
            #expect(try await elsewhere.signIn(login, password: WebFixture.password).status == 429)
            // Per address: 20 failures for any logins from one address stop a 21st login there.
            let guesser = fixture.client()
            guesser.forwardedFor = "10.0.0.3"
            for n in 0..<20 { _ = try await guesser.signIn("guess_\(n)", password: "x") }
            let another = try fixture.login("JL-FGW")
            #expect(try await guesser.signIn(another, password: WebFixture.password).status == 429)
            let fromElsewhere = fixture.client()
            fromElsewhere.forwardedFor = "10.0.0.4"
            #expect(try await fromElsewhere.signIn(another, password: WebFixture.password).status == 303)
            // Failures older than 15 minutes no longer count.
            try fixture.admin().execute("UPDATE reloc.web_signin_failure SET at = at - interval '16 minutes'")
            #expect(try await client.signIn(login, password: WebFixture.password).status == 303)
        }
    }
}
