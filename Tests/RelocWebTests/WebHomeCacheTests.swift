import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc_web

/// 总览's figures are kept a few seconds per acting role and day (HomeCache, issue 16's load):
/// never shown to another role, dropped by the server's own writes, and honest about the rest
/// (a change made elsewhere shows when the lifetime is over).
@Suite("总览 kept a few seconds (HomeCache)")
struct WebHomeCacheTests {
    /// The province's overdue count for a department, from the JSON twin.
    static func overdue(_ body: String, of organisation: String) throws -> String {
        let row = try #require(body.components(separatedBy: "},{").first { $0.contains("\"org\":\"\(organisation)\"") })
        let match = try #require(row.firstMatch(of: /"overdue":([0-9]+)/))
        return String(match.output.1)
    }

    static func addOverdue(_ fixture: WebFixture, title: String) throws {
        _ = try fixture.admin().execute(
            """
            INSERT INTO reloc.milestone (kind, title, due_on, task_id, owner_id)
            SELECT 'custom', \(title), DATE '2015-01-01', t.id, o.id
            FROM reloc.task t, reloc.organisation o WHERE t.number = 2 AND o.code = 'JL-FGW'
            """)
    }

    @Test func keptPerRoleDroppedByTheServersWritesAndReadAgainWhenOld() async throws {
        try await WebFixture.with(environment: ["RELOC_WEB_HOME_SECONDS": "3"]) { fixture in
            let province = try await fixture.signedIn(try fixture.login("JL"))
            let fgw = try await fixture.signedIn(try fixture.login("JL-FGW"))
            let kjt = try await fixture.signedIn(try fixture.login("JL-KJT"))
            let fgw2 = try await fixture.signedIn(try fixture.login("JL-FGW"))  // signing in is a POST
            let before = try Self.overdue(try await province.get("/api/v1/home").body, of: "JL-FGW")
            #expect(!(try await fgw.get("/").body.contains("缓存节点一")))

            // Written elsewhere (psql, the CLI): the kept figures are shown until they are old.
            try Self.addOverdue(fixture, title: "缓存节点一")
            #expect(try Self.overdue(try await province.get("/api/v1/home").body, of: "JL-FGW") == before)
            #expect(!(try await fgw.get("/").body.contains("缓存节点一")), "JL-FGW's own page is kept too")
            // Never another role's: JL-KJT's first reading is its own (task 2 is not its).
            #expect(!(try await kjt.get("/").body.contains("缓存节点一")))
            // A second login of the same organisation shares its role's figures.
            #expect(!(try await fgw2.get("/").body.contains("缓存节点一")))

            // After the lifetime (and one reading), the change shows.
            try await Task.sleep(for: .seconds(3.5))
            _ = try await fgw.get("/")  // begins the new reading; may still show the old figures
            var seen = false
            for _ in 0..<20 where !seen {
                seen = try await fgw.get("/").body.contains("缓存节点一")
                if !seen { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(seen, "read again once old")

            // The server's own write (a progress report, any POST) drops what is kept: the next
            // page reads afresh, whatever the lifetime.
            var kept = before
            for _ in 0..<30 where kept == before {
                kept = try Self.overdue(try await province.get("/api/v1/home").body, of: "JL-FGW")
                if kept == before { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(kept != before, "the province's figures read again once old")
            try Self.addOverdue(fixture, title: "缓存节点二")
            #expect(try Self.overdue(try await province.get("/api/v1/home").body, of: "JL-FGW") == kept)
            let form = try await fgw.get("/tasks/2")
            let posted = try await fgw.post(
                "/tasks/2/progress",
                form: [("csrf", form.csrf ?? ""), ("percent", "40"), ("status", "on-track"), ("note", "推进中")])
            #expect(posted.status == 303, "\(posted.body)")
            #expect(
                try Self.overdue(try await province.get("/api/v1/home").body, of: "JL-FGW") == String(Int(kept)! + 1))
        }
    }

    /// A kept page is never more than twice the lifetime old: the first request after a quiet
    /// spell waits for a new reading rather than being shown the last visit's page (hostile
    /// review: a change made 110 s before was still missing with a 30 s lifetime).
    @Test func afterAQuietSpellTheFirstRequestIsNotShownAnOldPage() async throws {
        try await WebFixture.with(environment: ["RELOC_WEB_HOME_SECONDS": "1"]) { fixture in
            let fgw = try await fixture.signedIn(try fixture.login("JL-FGW"))
            let province = try await fixture.signedIn(try fixture.login("JL"))
            let before = try Self.overdue(try await province.get("/api/v1/home").body, of: "JL-FGW")
            #expect(!(try await fgw.get("/").body.contains("静默节点")))
            try Self.addOverdue(fixture, title: "静默节点")
            try await Task.sleep(for: .seconds(2.5))  // more than twice the lifetime, nobody asking
            #expect(try await fgw.get("/").body.contains("静默节点"), "the first request after the quiet spell")
            #expect(
                try Self.overdue(try await province.get("/api/v1/home").body, of: "JL-FGW") == String(Int(before)! + 1))
        }
    }

    /// RELOC_WEB_HOME_SECONDS is checked as the other settings are.
    @Test func theLifetimeIsASettingWithBounds() throws {
        let url = "postgresql:///reloc"
        #expect(try WebSettings(arguments: ["--database", url], environment: [:]).homeSeconds == 5)
        #expect(
            try WebSettings(arguments: ["--database", url], environment: ["RELOC_WEB_HOME_SECONDS": "0"]).homeSeconds
                == 0)
        #expect(throws: WebSettingsError.self) {
            try WebSettings(arguments: ["--database", url], environment: ["RELOC_WEB_HOME_SECONDS": "61"])
        }
    }
}
