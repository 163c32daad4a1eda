import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc_web

/// Findings of issue 16's review, each tried as a browser (or a script) would: a body over its
/// limit, a number typed loosely, a department's forged registrations, a form saved unchanged.
@Suite("Web desk: forms at their edges")
struct WebFormReviewTests {
    /// A form body over 1 MB (Forms.body) or an upload over 8 MB: 413 with words, not 500.
    @Test func aBodyOverItsLimitIsRefusedAsTooLarge() async throws {
        try await WebFixture.with { fixture in
            let client = try await fixture.signedIn(try fixture.login("JL-FGW"))
            let form = try await client.get("/tasks/2")
            let note = String(repeating: "a", count: (1 << 20) + 16)
            let page = try await client.post(
                "/tasks/2/progress", form: [("csrf", form.csrf ?? ""), ("percent", "5"), ("note", note)])
            #expect(page.status == 413, "\(page.status) \(page.body.prefix(300))")
            #expect(page.body.contains("提交的内容过大") && !page.body.contains("内部错误"))
            let twin = try await client.send(
                "POST", "/api/v1/enterprises/import", bytes: Array(repeating: UInt8(ascii: "a"), count: (8 << 20) + 1),
                contentType: "text/csv", headers: [("X-CSRF-Token", form.csrf ?? "")])
            #expect(twin.status == 413, "\(twin.status) \(twin.body.prefix(300))")
            #expect(twin.body.contains("\"status\":\"413\"") || twin.body.contains("\"status\":413"), "\(twin.body)")
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.progress_report").scalar(Int.self) == 0)
        }
    }

    /// `percent=1.2.3` was read as 1.2 (Decimal(string:) stops at what it cannot read).
    @Test func aPercentIsReadWholeOrRefused() async throws {
        try await WebFixture.with { fixture in
            let client = try await fixture.signedIn(try fixture.login("JL-FGW"))
            let form = try await client.get("/tasks/2")
            for typed in ["1.2.3", "12abc", "5%", "1e2", ""] {
                let reply = try await client.post(
                    "/tasks/2/progress", form: [("csrf", form.csrf ?? ""), ("percent", typed), ("note", "进展")])
                #expect(reply.status == 400, "\(typed): \(reply.status)")
                #expect(reply.body.contains("进度应为 0 到 100 之间的数"), "\(typed): \(reply.body)")
            }
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.progress_report").scalar(Int.self) == 0)
            // Full-width digits and spaces around are still read.
            let good = try await client.post(
                "/tasks/2/progress", form: [("csrf", form.csrf ?? ""), ("percent", " ６２．５ "), ("note", "进展")])
            #expect(good.status == 303, "\(good.body)")
            #expect(
                try fixture.admin().query("SELECT trim_scale(percent)::text FROM reloc.progress_report").scalar(
                    String.self)
                    == "62.5")
        }
    }

    /// A department's POSTs are refused in the words its forms show (enterprise_register_department),
    /// whichever way they come: the upload form, the register and upload twins.
    @Test func aDepartmentsPostsAreRefusedInTheFormsWords() async throws {
        try await WebFixture.with { fixture in
            let department = try await fixture.signedIn(try fixture.login("JL-KJT"))
            let token = try await department.get("/enterprises").csrf ?? ""
            let before = try fixture.admin().query("SELECT count(*) FROM reloc.enterprise").scalar(Int.self)
            let csv = "plan,name,mode\nSP-TD,越权导入厂,close\n"
            let upload = try await department.upload("/enterprises/import", csrf: token, file: "a.csv", csv: csv)
            #expect(upload.status == 403, "\(upload.status) \(upload.body)")
            #expect(upload.body.contains("[rule enterprise_register_department]"), "\(upload.body)")
            let importTwin = try await department.send(
                "POST", "/api/v1/enterprises/import", bytes: Array(csv.utf8), contentType: "text/csv",
                headers: [("X-CSRF-Token", token)])
            #expect(importTwin.status == 403, "\(importTwin.body)")
            #expect(importTwin.body.contains("[rule enterprise_register_department]"), "\(importTwin.body)")
            let registerTwin = try await department.post(
                "/api/v1/enterprises", form: [("csrf", token), ("plan", "SP-TD"), ("name", "越权登记厂"), ("mode", "close")])
            #expect(registerTwin.status == 403, "\(registerTwin.body)")
            #expect(registerTwin.body.contains("[rule enterprise_register_department]"), "\(registerTwin.body)")
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.enterprise").scalar(Int.self) == before)
        }
    }

    /// The edit form saved as shown: nothing written, back to the enterprise with 未修改 (not 400);
    /// its twin answers the enterprise as it is. Another city's unchanged POST is still refused.
    @Test func anEditSavedUnchangedIsANoOp() async throws {
        try await WebFixture.with { fixture in
            let id = try fixture.registeredEnterprise(named: "四平原样厂")
            let audited = {
                try fixture.admin().query(
                    "SELECT count(*) FROM reloc.audit WHERE table_name = 'enterprise' AND row_id = \(id)"
                ).scalar(Int.self)
            }
            let before = try audited()
            let city = try await fixture.signedIn(try fixture.login("SP"))
            let form = try await city.get("/enterprises/\(id)/edit")
            let fields = try #require(WebEnterpriseFormTests.formFields(form.body))
            let saved = try await city.post("/enterprises/\(id)/edit", form: fields.sorted { $0.key < $1.key })
            #expect(saved.status == 303, "\(saved.status) \(saved.body)")
            let location = try #require(saved.header("Location"))
            #expect(location == "/enterprises/\(id)?edit=unchanged")
            let page = try await city.get(location)
            #expect(page.status == 200 && page.body.contains("未修改"), "\(page.body)")
            #expect(!(try await city.get("/enterprises/\(id)")).body.contains("未修改"))
            let twin = try await city.post("/api/v1/enterprises/\(id)/edit", form: fields.sorted { $0.key < $1.key })
            #expect(twin.status == 200 && twin.body.contains("四平原样厂"), "\(twin.status) \(twin.body)")
            #expect(try audited() == before)

            let other = try await fixture.signedIn(try fixture.login("CC"))
            let token = try await other.get("/enterprises").csrf ?? ""
            var forged = fields
            forged["csrf"] = token
            let refused = try await other.post("/enterprises/\(id)/edit", form: forged.sorted { $0.key < $1.key })
            #expect(refused.status == 403 && refused.body.contains("[rule enterprise_writers]"), "\(refused.body)")
        }
    }

    /// 总览 lists at most 100 milestones, the earliest due first, and says so: a home page over a
    /// million milestones (make bench) is not the register. The JSON twin the same.
    @Test func theHomePageListsAHundredMilestonesAtMost() async throws {
        try await WebFixture.with { fixture in
            _ = try fixture.admin().execute(
                """
                INSERT INTO reloc.milestone (kind, title, due_on, task_id, owner_id)
                SELECT 'custom', '逾期节点' || i, DATE '2015-01-01' + i, t.id, o.id
                FROM generate_series(1, 150) i, reloc.task t, reloc.organisation o
                WHERE t.number = 2 AND o.code = 'JL-FGW'
                """)
            for organisation in ["JL-FGW", "JL"] {
                let client = try await fixture.signedIn(try fixture.login(organisation))
                let home = try await client.get("/")
                #expect(home.status == 200)
                let listed = Set(
                    home.body.matches(of: /href="\/milestones\/([0-9]+)"/).map { String($0.output.1) })
                #expect(listed.count == Web.homeMilestones, "\(organisation): \(listed.count)")
                #expect(home.body.contains("只列出到期最早的 100 项"), "\(organisation)")
                // The earliest due first: the first of the 150, not the last.
                #expect(home.body.contains("逾期节点1<") && !home.body.contains("逾期节点150<"), "\(organisation)")
                let twin = try await client.get("/api/v1/home")
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(twin.body.utf8)) as? [String: Any])
                #expect((object["milestones"] as? [Any])?.count == Web.homeMilestones)
                #expect(object["milestones_cut"] as? Bool == true, "\(organisation): the twin says more are due")
            }
        }
    }

    /// Exactly a hundred due: all are listed and nothing says some are left out; one more, and
    /// the page and its twin say so.
    @Test func theHomePageSaysSoOnlyWhenMilestonesAreLeftOut() async throws {
        try await WebFixture.with { fixture in
            let client = try await fixture.signedIn(try fixture.login("JL-FGW"))
            func home() async throws -> (page: String, listed: Int, cut: Bool?) {
                let page = try await client.get("/").body
                let twin = try await client.get("/api/v1/home")
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(twin.body.utf8)) as? [String: Any])
                return (page, (object["milestones"] as? [Any])?.count ?? -1, object["milestones_cut"] as? Bool)
            }
            func add(_ count: Int, from first: Int) throws {
                _ = try fixture.admin().execute(
                    """
                    INSERT INTO reloc.milestone (kind, title, due_on, task_id, owner_id)
                    SELECT 'custom', '逾期节点' || i, DATE '2015-01-01' + i, t.id, o.id
                    FROM generate_series(\(first)::int, \(first + count - 1)::int) i, reloc.task t, reloc.organisation o
                    WHERE t.number = 2 AND o.code = 'JL-FGW'
                    """)
            }
            let already = try await home().listed
            #expect(already >= 0 && already < Web.homeMilestones)
            try add(Web.homeMilestones - already, from: 1)
            let full = try await home()
            #expect(full.listed == Web.homeMilestones)
            #expect(full.cut == false)
            #expect(!full.page.contains("只列出到期最早的"))
            try add(1, from: 1000)
            let over = try await home()
            #expect(over.listed == Web.homeMilestones)
            #expect(over.cut == true)
            #expect(over.page.contains("只列出到期最早的 100 项"))
        }
    }
}
