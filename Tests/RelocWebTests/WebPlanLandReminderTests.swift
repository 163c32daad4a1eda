import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc_web

/// 实施方案, 用地 and 提醒 (issue 16, pages 3, 5, 6): a plan's page with its timeline, the land
/// bars, contacts added and removed with the form token, the province's job runs; everything
/// escaped; JSON twins with the keys of the CLI's `--format json` (the stores' columns).
@Suite("Web desk: plans, land, reminders")
struct WebPlanLandReminderTests {
    static func keys(_ json: String) throws -> Set<String> {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let object = (value as? [[String: Any]])?.first ?? (value as? [String: Any]) ?? [:]
        return Set(object.keys)
    }

    @Test func aPlanHasItsTimelineStepsAndListsEscaped() async throws {
        try await WebFixture.with { fixture in
            let admin = try fixture.admin()
            let ids = try admin.query(
                "SELECT m.id FROM reloc.milestone m JOIN reloc.plan p ON p.id = m.plan_id WHERE p.code = 'SP-TD' ORDER BY m.id"
            ).rows.compactMap { $0["id"] }
            let first = try #require(ids.first)
            try admin.execute(
                "UPDATE reloc.milestone SET title = '<script>alert(1)</script>' WHERE id = \(Int64(first)!)")
            // One done late: a red bar from its due date to its done date.
            _ = try Milestones(try TestDatabase.connect(fixture.database, actingAs: "JL")).done(
                Int64(first)!, on: CalendarDate(year: 2025, month: 6, day: 1), note: "已完成")
            let sp = try await fixture.signedIn(try fixture.login("SP"))
            let list = try await sp.get("/plans")
            #expect(list.status == 200 && list.body.contains("href=\"/plans/SP-TD\""))
            let page = try await sp.get("/plans/SP-TD")
            #expect(page.status == 200, "\(page.body)")
            #expect(page.body.contains("<svg") && page.body.contains("class=\"late\""), "a late completion")
            #expect(page.body.contains("class=\"overdue\""), "open milestones past their due date")
            #expect(!page.body.contains("<script>") && page.body.contains("&lt;script&gt;"))
            #expect(page.body.contains("href=\"/milestones/\(first)\""))
            #expect(page.body.contains("href=\"/audit/plan/SP-TD\""))
            #expect(!page.body.contains("http://") || !page.body.contains("src=\"http"), "no external assets")

            let cc = try TestDatabase.connect(fixture.database, actingAs: "SP")
            let planKeys = Set(try Plans(cc).list().columns.names)
            #expect(try Self.keys(try await sp.get("/api/v1/plans").body) == planKeys)
            let twin = try await sp.get("/api/v1/plans/SP-TD")
            let showKeys = Set(try Plans(cc).show("SP-TD").columns.names)
            #expect(try Self.keys(twin.body) == showKeys.union(["history", "enterprise_list", "sites", "milestones"]))
            #expect(twin.body.contains("\\u003cscript\\u003e"))
            #expect(try await sp.get("/plans/NO-SUCH").status == 404)
        }
    }

    @Test func landUsageIsDrawnAsBarsWithItsAllocationsAndSites() async throws {
        try await WebFixture.with { fixture in
            let province = try TestDatabase.connect(fixture.database, actingAs: "JL")
            _ = try LandQuotas(province).add(
                .init(holder: "CC", year: 2015, area: .hectares(Decimal(string: "40")!), doc: "吉国土资发〔2015〕1号"))
            _ = try LandAllocations(try TestDatabase.connect(fixture.database, actingAs: "CC")).allocate(
                .init(
                    holder: "CC", year: 2015, target: .project("铁北<配套>项目"), area: .hectares(Decimal(string: "10")!),
                    supply: "tender", on: CalendarDate(year: 2015, month: 3, day: 1), doc: "长国土〔2015〕8号"))
            let cc = try await fixture.signedIn(try fixture.login("CC"))
            let page = try await cc.get("/land?year=2015")
            #expect(page.status == 200, "\(page.body)")
            #expect(page.body.contains("class=\"quota\"") && page.body.contains("class=\"allocated\""))
            #expect(page.body.contains("10.00/40.00 公顷 25%"), "\(page.body)")
            #expect(page.body.contains("铁北&lt;配套&gt;项目"))
            let usage = try await cc.get("/api/v1/land/usage?year=2015")
            let actor = try TestDatabase.connect(fixture.database, actingAs: "CC")
            #expect(try Self.keys(usage.body) == Set(try LandQuotas(actor).usage(year: 2015).columns.names))
            let allocations = try await cc.get("/api/v1/land/allocations")
            #expect(try Self.keys(allocations.body) == Set(try LandAllocations(actor).list().columns.names))
            let sites = try await cc.get("/api/v1/sites")
            #expect(sites.status == 200)
            #expect(try await cc.get("/land?year=abc").status == 400)
        }
    }

    @Test func aSitesPageHasItsSteps() async throws {
        try await WebFixture.with { fixture in
            let id = try Sites(try TestDatabase.connect(fixture.database, actingAs: "SP")).add(
                .init(origin: .parcel(plan: "SP-TD", name: "铁东老厂区 1 号地块"), area: .hectares(Decimal(string: "3.5")!)))
            let sp = try await fixture.signedIn(try fixture.login("SP"))
            let page = try await sp.get("/sites/\(id)")
            #expect(page.status == 200 && page.body.contains("铁东老厂区 1 号地块"), "\(page.body)")
            #expect(page.body.contains("href=\"/audit/site/\(id)\""))
            let twin = try await sp.get("/api/v1/sites/\(id)")
            #expect(twin.body.contains("\"history\":["))
            #expect(try await sp.get("/sites/999999").status == 404)
        }
    }

    @Test func anOrganisationKeepsItsContactsAndOthersCannotTouchThem() async throws {
        try await WebFixture.with { fixture in
            let sp = try await fixture.signedIn(try fixture.login("SP"))
            let page = try await sp.get("/reminders")
            #expect(page.status == 200 && !page.body.contains("提醒任务运行"), "the job's runs are the province's")
            let token = try #require(page.csrf)
            // Without the form token: refused, nothing written.
            let forged = try await sp.post("/reminders/contacts", form: [("org", "SP"), ("email", "a@sp.example")])
            #expect(forged.status == 403)
            let added = try await sp.post(
                "/reminders/contacts",
                form: [("csrf", token), ("org", "SP"), ("email", "ghb@sp.example"), ("name", "规划科")])
            #expect(added.status == 303, "\(added.body)")
            let listed = try await sp.get("/reminders")
            #expect(listed.body.contains("ghb@sp.example") && listed.body.contains("规划科"))
            let admin = try fixture.admin()
            let id = try admin.query("SELECT id FROM reloc.reminder_contact WHERE address = 'ghb@sp.example'").scalar(
                Int64.self)
            // Another city adds none for 四平 and removes none of its.
            let cc = try await fixture.signedIn(try fixture.login("CC"))
            let ccToken = try #require(try await cc.get("/reminders").csrf)
            let foreign = try await cc.post(
                "/reminders/contacts", form: [("csrf", ccToken), ("org", "SP"), ("email", "x@cc.example")])
            #expect(foreign.status == 403, "\(foreign.body)")
            let removal = try await cc.post("/reminders/contacts/\(id)/remove", form: [("csrf", ccToken)])
            #expect(removal.status == 404, "\(removal.body)")
            #expect(!(try await cc.get("/reminders").body.contains("ghb@sp.example")))
            let json = try await sp.get("/api/v1/reminders/contacts")
            let actor = try TestDatabase.connect(fixture.database, actingAs: "SP")
            #expect(try Self.keys(json.body) == Set(try ReminderContacts(actor).list(org: "SP").columns.names))
            // Its own it removes.
            let removed = try await sp.post("/reminders/contacts/\(id)/remove", form: [("csrf", token)])
            #expect(removed.status == 303)
            #expect(try admin.query("SELECT count(*) FROM reloc.reminder_contact").scalar(Int.self) == 0)
        }
    }

    @Test func theProvinceSeesTheJobAndRetriesADeadMessage() async throws {
        try await WebFixture.with { fixture in
            let admin = try fixture.admin()
            try admin.execute(
                """
                INSERT INTO reloc.reminder_run (as_of, finished_at, planned, sent, retrying, dead, no_contact, held,
                                                superseded, waiting, exit_status)
                VALUES ('2026-11-30', now(), 3, 2, 0, 1, 0, 0, 0, 0, 0)
                """)
            let province = try await fixture.signedIn(try fixture.login("JL"))
            let page = try await province.get("/reminders")
            #expect(
                page.status == 200 && page.body.contains("提醒任务运行") && page.body.contains("2026-11-30"), "\(page.body)")
            let status = try await province.get("/api/v1/reminders/status")
            let keys = try Self.keys(status.body)
            #expect(keys.isSuperset(of: ["last_run", "dead", "waiting", "runs", "messages"]), "\(keys)")
            // A department's retry of anything is refused by the database's rules.
            let sp = try await fixture.signedIn(try fixture.login("SP"))
            let spToken = try #require(try await sp.get("/reminders").csrf)
            let retry = try await sp.post("/reminders/messages/1/retry", form: [("csrf", spToken)])
            #expect([403, 404].contains(retry.status), "\(retry.status) \(retry.body)")
        }
    }
}
