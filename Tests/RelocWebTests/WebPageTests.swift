import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc_web

/// The pages: a department reports progress and the province sees it; another department is
/// refused with the rule's words, even when it forges the POST; every value is escaped; every
/// answer carries the security headers; the JSON twins have the CLI's keys.
@Suite("Web desk: pages")
struct WebPageTests {
    @Test func aDepartmentReportsAndTheProvinceSeesIt() async throws {
        try await WebFixture.with { fixture in
            let fgw = try fixture.login("JL-FGW")
            let client = try await fixture.signedIn(fgw)
            let mine = try await client.get("/tasks")
            #expect(mine.status == 200)
            #expect(mine.body.contains("href=\"/tasks/2\""), "task 2 is JL-FGW's")
            #expect(!mine.body.contains("href=\"/tasks/7\""), "task 7 is not JL-FGW's")
            let form = try await client.get("/tasks/2")
            let posted = try await client.post(
                "/tasks/2/progress",
                form: [
                    ("csrf", form.csrf ?? ""), ("percent", "100"), ("status", "done"), ("note", "已全部完成"),
                    ("evidence", "吉发改〔2014〕9号"),
                ])
            #expect(posted.status == 303 && posted.header("Location") == "/tasks/2", "\(posted.body)")
            let history = try await client.get("/tasks/2")
            #expect(history.body.contains("已全部完成") && history.body.contains(fgw))
            #expect(history.body.contains("吉发改〔2014〕9号") && history.body.contains("已完成"))
            let twin = try await client.get("/api/v1/tasks/2")
            #expect(twin.body.contains("\"login\":\"\(fgw)\"") && twin.body.contains("\"status\":\"done\""))

            let province = try await fixture.signedIn(try fixture.login("JL"))
            let home = try await province.get("/")
            #expect(home.status == 200)
            #expect(home.body.contains("各市（州）与省直部门") && home.body.contains("本月完成"))
            let counts = try await province.get("/api/v1/home")
            let row = try #require(
                counts.body.components(separatedBy: "},{").first { $0.contains("\"org\":\"JL-FGW\"") })
            #expect(row.contains("\"done_this_month\":1"), "\(row)")
            let cc = try #require(counts.body.components(separatedBy: "},{").first { $0.contains("\"org\":\"CC\"") })
            #expect(cc.contains("\"done_this_month\":0"))
            // 长春's count holds its district 宽城区's overdue plan milestones.
            #expect(!cc.contains("\"overdue\":0,"), "\(cc)")
            // The overdue list links each item to its page.
            #expect(home.body.contains("href=\"/milestones/"))
        }
    }

    @Test func anotherDepartmentCannotOpenNorPostTheForm() async throws {
        try await WebFixture.with { fixture in
            let kjt = try await fixture.signedIn(try fixture.login("JL-KJT"))
            let page = try await kjt.get("/tasks/2")
            #expect(page.status == 403)
            #expect(page.body.contains("[rule progress_report_writers]"), "\(page.body)")
            #expect(!page.body.contains("name=\"percent\""))
            // Forged with this session's own valid token: PostgreSQL refuses, with its words.
            let token = try await kjt.get("/tasks").csrf ?? ""
            let forged = try await kjt.post(
                "/tasks/2/progress", form: [("csrf", token), ("percent", "10"), ("note", "越权")])
            #expect(forged.status == 403)
            #expect(forged.body.contains("task 2 is not yours to report on"), "\(forged.body)")
            #expect(!forged.body.contains("INSERT") && !forged.body.contains("SQLSTATE"))
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.progress_report").scalar(Int.self) == 0)
            // Its own task 5 it may.
            let own = try await kjt.get("/tasks/5")
            #expect(own.status == 200 && own.body.contains("name=\"percent\""))
            // A rule broken reads as the rule's words, not SQL (422).
            let bad = try await kjt.post("/tasks/5/progress", form: [("csrf", token), ("percent", "50"), ("note", "")])
            #expect(bad.status == 422, "\(bad.body)")
            #expect(bad.body.contains("[rule progress_note_not_blank]"))
        }
    }

    @Test func aCityMarksItsMilestoneDone() async throws {
        try await WebFixture.with { fixture in
            let city = try await fixture.signedIn(try fixture.login("CC-KC"))
            let page = try await city.get("/milestones/1")
            #expect(page.status == 200, "\(page.body)")
            let done = try await city.post(
                "/milestones/1/done", form: [("csrf", page.csrf ?? ""), ("on", "2026-11-30"), ("note", "")])
            #expect(done.status == 303, "\(done.body)")
            #expect(
                try fixture.admin().query("SELECT done_on::text FROM reloc.milestone WHERE id = 1").scalar(String.self)
                    == "2026-11-30")
            let other = try await fixture.signedIn(try fixture.login("SP"))
            let token = try await other.get("/").csrf ?? ""
            let forged = try await other.post("/milestones/1/done", form: [("csrf", token), ("on", "2026-11-29")])
            #expect(forged.status == 403, "\(forged.status) \(forged.body)")
            #expect(forged.body.contains("milestone 1 is not yours to change"))
            #expect(
                try fixture.admin().query("SELECT done_on::text FROM reloc.milestone WHERE id = 1").scalar(String.self)
                    == "2026-11-30")
        }
    }

    /// A milestone whose completion the province reviews is submitted with its 佐证文号 from the
    /// page (hostile review: the form had no evidence field, so it could never be closed there).
    @Test func aReviewedMilestoneIsSubmittedWithItsEvidence() async throws {
        try await WebFixture.with { fixture in
            let added = try RelocCLI.run(
                [
                    "--as", "JL", "milestone", "add", "--plan", "CC-KC", "--title", "审核节点", "--due", "2030-06-30",
                    "--owner", "CC-KC", "--format", "json",
                ], database: fixture.database)
            #expect(added.status == 0, "\(added.stderr)")
            let id = try #require(Int64(added.stdout.filter(\.isNumber)))
            let city = try await fixture.signedIn(try fixture.login("CC-KC"))
            let page = try await city.get("/milestones/\(id)")
            #expect(page.body.contains("name=\"evidence\""), "\(page.body)")
            let done = try await city.post(
                "/milestones/\(id)/done",
                form: [("csrf", page.csrf ?? ""), ("on", "2026-11-30"), ("evidence", "长政发〔2015〕3号")])
            #expect(done.status == 303, "\(done.body)")
            let submitted = try fixture.admin().query(
                "SELECT state, evidence::text FROM reloc.completion_review WHERE milestone_id = \(id)"
            ).decode((String, String).self)
            #expect(
                submitted.first?.0 == "pending" && submitted.first?.1.contains("长政发〔2015〕3号") == true, "\(submitted)")
        }
    }

    @Test func valuesAreEscaped() async throws {
        try await WebFixture.with { fixture in
            let client = try await fixture.signedIn(try fixture.login("JL-FGW"))
            let form = try await client.get("/tasks/2")
            let posted = try await client.post(
                "/tasks/2/progress",
                form: [("csrf", form.csrf ?? ""), ("percent", "5"), ("note", "<script>alert(1)</script> & \"引号\"")])
            #expect(posted.status == 303, "\(posted.body)")
            let page = try await client.get("/tasks/2")
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;引号&quot;"))
            #expect(!page.body.contains("<script>"))
            let json = try await client.get("/api/v1/tasks/2")
            #expect(json.body.contains("\\u003cscript\\u003e") && !json.body.contains("<script>"))
        }
        // Control characters are shown as their pictures, bidirectional overrides as entities.
        #expect(HTML.escape("a\u{0}b\u{1}c\u{7F}") == "a\u{2400}b\u{2401}c\u{2421}")
        #expect(HTML.escape("x\u{202E}y") == "x&#x202E;y")
        #expect(HTML.escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;")
    }

    @Test func everyAnswerCarriesTheSecurityHeaders() async throws {
        try await WebFixture.with { fixture in
            let client = fixture.client()
            let signedIn = try await fixture.signedIn(try fixture.login("JL-FGW"))
            for reply in [
                try await client.get("/signin"), try await client.get("/"), try await client.get("/no/such/page"),
                try await client.get("/healthz"), try await signedIn.get("/tasks"), try await signedIn.get("/tasks/3"),
                try await signedIn.get("/api/v1/tasks"),
            ] {
                #expect(reply.header("Content-Security-Policy")?.contains("default-src 'self'") == true)
                #expect(reply.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
                #expect(reply.header("X-Frame-Options") == "DENY")
                #expect(reply.header("X-Content-Type-Options") == "nosniff")
                #expect(reply.header("Referrer-Policy") == "same-origin")
            }
            let missing = try await signedIn.get("/no/such/page")
            #expect(missing.status == 404 && missing.body.contains("没有这个页面"))
            #expect(try await client.get("/api/v1/home").status == 401)
            let css = try await client.get("/static/reloc.css")
            #expect(css.status == 200 && css.body.contains("@media print"))
        }
    }

    @Test func theJSONTwinsHaveTheCLIsKeys() async throws {
        try await WebFixture.with { fixture in
            for (organisation, path, command) in [
                ("JL-FGW", "/api/v1/tasks", ["task", "list", "--mine"]),
                ("CC-KC", "/api/v1/milestones", ["milestone", "list", "--mine"]),
            ] {
                let client = try await fixture.signedIn(try fixture.login(organisation))
                let web = try await client.get(path)
                #expect(web.status == 200)
                let cli = try RelocCLI.run(
                    ["--as", organisation] + command + ["--format", "json"], database: fixture.database)
                #expect(cli.status == 0, "\(cli.stderr)")
                let webRows = try #require(
                    try JSONSerialization.jsonObject(with: Data(web.body.utf8)) as? [[String: Any]])
                let cliRows = try #require(
                    try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [[String: Any]])
                try #require(!webRows.isEmpty && webRows.count == cliRows.count, "\(path)")
                #expect(Set(webRows[0].keys) == Set(cliRows[0].keys), "\(path)")
                #expect(webRows.map { "\($0["title"] ?? "")" } == cliRows.map { "\($0["title"] ?? "")" })
            }
        }
    }

    @Test func healthAndMetrics() async throws {
        try await WebFixture.with { fixture in
            let client = fixture.client()
            let health = try await client.get("/healthz")
            #expect(health.status == 200 && health.body == "ok\n")
            _ = try await client.get("/signin")
            let metrics = try await client.get("/metrics")
            #expect(metrics.status == 200)
            #expect(
                metrics.body.contains("reloc_web_requests_total{route=\"/signin\",method=\"GET\",status=\"200\"} 1"))
            #expect(
                metrics.body.contains("reloc_web_request_duration_seconds_bucket{route=\"/healthz\",le=\"+Inf\"} 1"))
            #expect(metrics.body.contains("reloc_web_pool_connections{state=\"max\"} 8"))
            // A database whose migrations are behind this build is not healthy.
            try fixture.admin().execute(
                "DELETE FROM public.reloc_schema_migration WHERE version = (SELECT max(version) FROM public.reloc_schema_migration)"
            )
            let behind = try await client.get("/healthz")
            #expect(behind.status == 503 && behind.body.contains("pending"))
        }
    }
}

/// The CLI starts light: it links none of the web stack (issue 16).
@Suite("Web desk: the CLI does not link it")
struct WebLinkTests {
    @Test func theCLIBinaryHasNoHummingbirdOrNIO() throws {
        let cli = try RelocCLI.binary()
        let web = cli.deletingLastPathComponent().appendingPathComponent("reloc-web")
        let cliBytes = try Data(contentsOf: cli)
        let webBytes = try Data(contentsOf: web)
        for module in ["HummingbirdCore", "NIOPosix"] {
            #expect(cliBytes.range(of: Data(module.utf8)) == nil, "reloc links \(module)")
            // …while reloc-web does: the check can fail.
            #expect(webBytes.range(of: Data(module.utf8)) != nil, "reloc-web lacks \(module)?")
        }
    }
}

/// 企业: the register with the CLI's filters; a name that is markup reads as typed.
@Suite("Web desk: enterprises")
struct WebEnterpriseTests {
    @Test func theRegisterListsWithTheCLIsFiltersAndEscapesNames() async throws {
        try await WebFixture.with { fixture in
            let registered = try RelocCLI.run(
                [
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "<script>alert(1)</script>厂",
                    "--mode", "close",
                ], database: fixture.database)
            #expect(registered.status == 0, "\(registered.stderr)")
            let client = try await fixture.signedIn(try fixture.login("SP"))
            let page = try await client.get("/enterprises?plan=SP-TD")
            #expect(page.status == 200)
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;厂") && !page.body.contains("<script>"))
            #expect(page.body.contains("依法关停"), "modes by their Chinese names")
            let web = try await client.get("/api/v1/enterprises?plan=SP-TD")
            let cli = try RelocCLI.run(
                ["enterprise", "list", "--plan", "SP-TD", "--format", "json"], database: fixture.database)
            let webRows = try #require(try JSONSerialization.jsonObject(with: Data(web.body.utf8)) as? [[String: Any]])
            let cliRows = try #require(
                try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [[String: Any]])
            try #require(!webRows.isEmpty && webRows.count == cliRows.count)
            #expect(Set(webRows[0].keys) == Set(cliRows[0].keys))
            // A filter naming nothing is refused with the CLI's words, not SQL.
            let unknown = try await client.get("/enterprises?plan=NO-SUCH")
            #expect(unknown.status == 404 && unknown.body.contains("NO-SUCH"))
        }
    }
}
