import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc_web

/// 企业's forms (issue 16, page 4): register, edit, advance and the CSV upload, each as the CLI's
/// command through the same RelocationCore call, with its JSON twin; refused to an organisation
/// the policies refuse (403, the rule's words), the POST too when forged.
@Suite("Web desk: enterprise forms")
struct WebEnterpriseFormTests {
    func count(_ fixture: WebFixture, _ condition: String = "true") throws -> Int {
        try fixture.admin().query("SELECT count(*) FROM reloc.enterprise WHERE \(unsafeRaw: condition)").scalar(
            Int.self)
    }

    @Test func aCityRegistersAnEnterpriseAndItsTwinHasTheCLIsKeys() async throws {
        try await WebFixture.with { fixture in
            let city = try await fixture.signedIn(try fixture.login("SP"))
            let form = try await city.get("/enterprises/new")
            #expect(form.status == 200 && form.body.contains("name=\"plan\"") && form.body.contains("SP-TD"))
            let posted = try await city.post(
                "/enterprises/new",
                form: [
                    ("csrf", form.csrf ?? ""), ("plan", "SP-TD"), ("name", "四平网页登记厂"), ("mode", "relocate"),
                    ("park", ""), ("employees", "３００"), ("capacity", "30 万吨/年"), ("new_capacity", "20 万吨/年"),
                    ("listed_in_plan", "yes"),
                ])
            // Relocation needs a receiving park (§四(三)): the form again, as typed, with the rule's words.
            #expect(posted.status == 422, "\(posted.body)")
            #expect(posted.body.contains("[rule ") && posted.body.contains("四平网页登记厂"))
            #expect(!posted.body.contains("INSERT") && !posted.body.contains("SQLSTATE"))
            #expect(try count(fixture, "name = '四平网页登记厂'") == 0)
            let closed = try await city.post(
                "/enterprises/new",
                form: [
                    ("csrf", form.csrf ?? ""), ("plan", "SP-TD"), ("name", "四平网页登记厂"), ("mode", "close"),
                    ("employees", "３００"), ("capacity", "30 万吨/年"), ("listed_in_plan", "yes"),
                ])
            #expect(closed.status == 303, "\(closed.body)")
            let id = try fixture.admin().query("SELECT id FROM reloc.enterprise WHERE name = '四平网页登记厂'").scalar(
                Int64.self)
            #expect(closed.header("Location") == "/enterprises/\(id)")
            let row = try fixture.admin().query(
                "SELECT employees, capacity_old::text, capacity_old_unit, listed_in_plan FROM reloc.enterprise WHERE id = \(id)"
            ).decode((Int, String, String, Bool).self)
            #expect(row.first?.0 == 300 && row.first?.2 == "万吨/年" && row.first?.3 == true, "\(row)")
            let page = try await city.get("/enterprises/\(id)")
            #expect(
                page.status == 200 && page.body.contains("依法关停")
                    && page.body.contains("href=\"/audit/enterprise/\(id)\""))
            #expect(page.body.contains("href=\"/enterprises/\(id)/edit\""))

            // The twins: show as `reloc enterprise show ID --format json`; register as `--format json`.
            let twin = try await city.get("/api/v1/enterprises/\(id)")
            let cli = try RelocCLI.run(
                ["enterprise", "show", String(id), "--format", "json"], database: fixture.database)
            let web = try #require(try JSONSerialization.jsonObject(with: Data(twin.body.utf8)) as? [String: Any])
            let shown = try #require(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])
            #expect(Set(web.keys) == Set(shown.keys), "\(twin.body)")
            let registered = try await city.post(
                "/api/v1/enterprises",
                form: [("csrf", form.csrf ?? ""), ("plan", "sp-td"), ("name", "四平接口登记厂"), ("mode", "依法关停")])
            #expect(registered.status == 201, "\(registered.body)")
            let cliRegistered = try RelocCLI.run(
                [
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "四平命令登记厂", "--mode", "close",
                    "--format", "json",
                ], database: fixture.database)
            let apiKeys = try #require(
                try JSONSerialization.jsonObject(with: Data(registered.body.utf8)) as? [String: Any])
            let cliKeys = try #require(
                try JSONSerialization.jsonObject(with: Data(cliRegistered.stdout.utf8)) as? [String: Any])
            #expect(Set(apiKeys.keys) == Set(cliKeys.keys) && apiKeys["id"] != nil)
            // Without the token, refused before anything is written.
            let forged = try await city.post(
                "/api/v1/enterprises", form: [("plan", "SP-TD"), ("name", "四平无令牌厂"), ("mode", "close")])
            #expect(forged.status == 403)
            #expect(try count(fixture, "name = '四平无令牌厂'") == 0)
        }
    }

    /// An enterprise's mode is unknown until someone says which (issue 14, 0026): the form offers
    /// 未知, registers it so, and the page reads 未知, not an empty cell; editing leaves it unknown
    /// unless a mode is chosen.
    @Test func aModeLeftUnknownIsRegisteredAndReadAsUnknown() async throws {
        try await WebFixture.with { fixture in
            let city = try await fixture.signedIn(try fixture.login("SP"))
            let form = try await city.get("/enterprises/new")
            #expect(form.body.contains("<select name=\"mode\"><option value=\"\">未知</option>"), "\(form.body)")
            let posted = try await city.post(
                "/enterprises/new",
                form: [("csrf", form.csrf ?? ""), ("plan", "SP-TD"), ("name", "四平方式未定厂"), ("mode", "")])
            #expect(posted.status == 303, "\(posted.body)")
            let id = try fixture.admin().query("SELECT id FROM reloc.enterprise WHERE name = '四平方式未定厂'").scalar(
                Int64.self)
            #expect(try count(fixture, "id = \(id) AND mode IS NULL") == 1)
            let page = try await city.get("/enterprises/\(id)")
            #expect(page.body.contains("<th>搬迁方式</th><td>未知</td>"), "\(page.body)")
            let edit = try await city.get("/enterprises/\(id)/edit")
            let edited = try await city.post(
                "/enterprises/\(id)/edit",
                form: [
                    ("csrf", edit.csrf ?? ""), ("plan", "SP-TD"), ("name", "四平方式未定厂"), ("mode", ""), ("industry", "机械"),
                ])
            #expect(edited.status == 303, "\(edited.body)")
            #expect(try count(fixture, "id = \(id) AND mode IS NULL AND industry = '机械'") == 1)
        }
    }

    @Test func aDepartmentCannotOpenTheRegisterFormNorPostIt() async throws {
        try await WebFixture.with { fixture in
            let department = try await fixture.signedIn(try fixture.login("JL-KJT"))
            let before = try count(fixture)
            for path in ["/enterprises/new", "/enterprises/import"] {
                let page = try await department.get(path)
                #expect(page.status == 403, "\(path)")
                #expect(page.body.contains("[rule enterprise_register_department]"), "\(page.body)")
                #expect(!page.body.contains("name=\"plan\"") && !page.body.contains("type=\"file\""))
            }
            let token = try await department.get("/enterprises").csrf ?? ""
            let forged = try await department.post(
                "/enterprises/new", form: [("csrf", token), ("plan", "SP-TD"), ("name", "越权登记厂"), ("mode", "close")])
            #expect(forged.status == 403, "\(forged.body)")
            #expect(forged.body.contains("[rule enterprise_register_department]"))
            #expect(try count(fixture) == before)
        }
    }

    @Test func theCityEditsAndAdvancesAndAnotherIsRefused() async throws {
        try await WebFixture.with { fixture in
            let id = try fixture.registeredEnterprise(named: "四平编辑厂")
            let city = try await fixture.signedIn(try fixture.login("SP"))
            let form = try await city.get("/enterprises/\(id)/edit")
            #expect(form.status == 200 && form.body.contains("value=\"机械\""), "\(form.body)")
            // The fields as the form showed them, two changed: employees set, industry emptied (cleared).
            var fields = try #require(Self.formFields(form.body))
            fields["employees"] = "75"
            fields["industry"] = ""
            let saved = try await city.post("/enterprises/\(id)/edit", form: fields.sorted { $0.key < $1.key })
            #expect(saved.status == 303, "\(saved.body)")
            let row = try fixture.admin().query(
                "SELECT employees, industry FROM reloc.enterprise WHERE id = \(id)"
            ).decode((Int, String?).self)
            #expect(row.first?.0 == 75 && row.first?.1 == nil, "\(row)")
            // Only what changed was written: one update naming employees and industry.
            let changed = try fixture.admin().query(
                """
                SELECT string_agg(k, ',' ORDER BY k) FROM reloc.audit a, jsonb_object_keys(a.new_values) k
                WHERE a.table_name = 'enterprise' AND a.row_id = \(id) AND a.action = 'update' AND k <> 'updated_at'
                """
            ).scalar(String.self)
            #expect(changed == "employees,industry")

            // Advance, with the CLI's --on, --doc and --note.
            let advance = try await city.get("/enterprises/\(id)/advance")
            #expect(advance.status == 200)
            let skipped = try await city.post(
                "/enterprises/\(id)/advance", form: [("csrf", advance.csrf ?? ""), ("to", "closed")])
            #expect(skipped.status == 422 && skipped.body.contains("[rule enterprise_status_order]"), "\(skipped.body)")
            let stepped = try await city.post(
                "/enterprises/\(id)/advance",
                form: [
                    ("csrf", advance.csrf ?? ""), ("to", "heritage-surveyed"), ("on", "2015-03-02"),
                    ("doc", "四政办〔2015〕7号"), ("note", "遗产核查完毕"),
                ])
            #expect(stepped.status == 303, "\(stepped.body)")
            let step = try fixture.admin().query(
                "SELECT to_status, on_date::text, doc, note FROM reloc.enterprise_status_change WHERE enterprise_id = \(id)"
            ).decode((String, String, String?, String?).self)
            #expect(
                step.count == 1 && step[0].0 == "heritage-surveyed" && step[0].1 == "2015-03-02"
                    && step[0].2 == "四政办〔2015〕7号" && step[0].3 == "遗产核查完毕", "\(step)")
            let twin = try await city.post(
                "/api/v1/enterprises/\(id)/advance", form: [("csrf", advance.csrf ?? ""), ("to", "closing")])
            #expect(
                twin.status == 200 && twin.body.contains("\"status\":\"closing\"")
                    && twin.body.contains("\"history\":["))

            // Another city and a department: the forms refused with the rule's words, the POSTs too.
            for organisation in ["CC", "JL-KJT"] {
                let other = try await fixture.signedIn(try fixture.login(organisation))
                let page = try await other.get("/enterprises/\(id)")
                #expect(page.status == 200 && !page.body.contains("/enterprises/\(id)/edit"))
                for path in ["/enterprises/\(id)/edit", "/enterprises/\(id)/advance"] {
                    let refused = try await other.get(path)
                    #expect(refused.status == 403 && refused.body.contains("[rule enterprise_writers]"), "\(path)")
                    #expect(!refused.body.contains("name=\"csrf\" value=\"\(refused.csrf ?? "-")\" ><button>保存"))
                }
                let token = try await other.get("/enterprises").csrf ?? ""
                let edit = try await other.post("/enterprises/\(id)/edit", form: [("csrf", token), ("employees", "1")])
                #expect(edit.status == 403, "\(edit.body)")
                #expect(edit.body.contains("not yours to change") && !edit.body.contains("UPDATE"))
                let step = try await other.post(
                    "/enterprises/\(id)/advance", form: [("csrf", token), ("to", "closed")])
                #expect(step.status == 403 && step.body.contains("not yours to advance"), "\(step.body)")
            }
            #expect(
                try fixture.admin().query("SELECT employees::text || status FROM reloc.enterprise WHERE id = \(id)")
                    .scalar(String.self) == "75closing")
        }
    }

    @Test func aCSVWithBadLinesNamesEachAndWritesNothing() async throws {
        try await WebFixture.with { fixture in
            let city = try await fixture.signedIn(try fixture.login("SP"))
            let form = try await city.get("/enterprises/import")
            #expect(form.status == 200 && form.body.contains("enctype=\"multipart/form-data\""))
            let before = try count(fixture)
            let bad =
                "plan,name,mode\r\nSP-TD,上传甲厂,close\r\nSP-TD,上传乙厂,fly\r\nSP-TD,上传丙厂,in-situ\r\nCC-KC,上传丁厂,close\r\n"
            let reply = try await city.upload("/enterprises/import", csrf: form.csrf ?? "", file: "企业.csv", csv: bad)
            #expect(reply.status == 422, "\(reply.body)")
            #expect(reply.body.contains("有 2 行有误，未导入任何企业"))
            #expect(reply.body.contains("<li>第 3 行：") && reply.body.contains("<li>第 5 行："), "\(reply.body)")
            #expect(!reply.body.contains("<li>第 2 行") && !reply.body.contains("<li>第 4 行"))
            #expect(try count(fixture) == before)

            // GB18030 (Excel's CSV in Chinese) is read as such, and a good file is imported whole.
            let good = "plan,name,mode\nSP-TD,上传甲厂,close\nSP-TD,上传丙厂,in-situ\n"
            let gb = try #require(good.data(using: String.Encoding(rawValue: 0x8000_0632)))  // GB18030
            let imported = try await city.upload(
                "/enterprises/import", csrf: form.csrf ?? "", file: "gb.csv", bytes: Array(gb))
            #expect(imported.status == 200 && imported.body.contains("导入 2 家企业"), "\(imported.body)")
            #expect(imported.body.contains("GB18030"))
            #expect(try count(fixture) == before + 2)

            // The twin: the CSV as the body, the token in X-CSRF-Token; bad lines as JSON.
            let me = try await city.get("/api/v1/me")
            let token = try #require(
                (try JSONSerialization.jsonObject(with: Data(me.body.utf8)) as? [String: Any])?["csrf"] as? String)
            let api = try await city.send(
                "POST", "/api/v1/enterprises/import", bytes: Array(bad.replacingOccurrences(of: "上传", with: "接口").utf8),
                contentType: "text/csv",
                headers: [("X-CSRF-Token", token)])
            #expect(api.status == 422, "\(api.body)")
            let lines = try #require(
                (try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any])?["bad_lines"]
                    as? [[String: Any]])
            #expect(lines.map { $0["line"] as? Int } == [3, 5])
            let noToken = try await city.send(
                "POST", "/api/v1/enterprises/import", bytes: Array("plan,name,mode\nSP-TD,无令牌厂,close\n".utf8),
                contentType: "text/csv", headers: [])
            #expect(noToken.status == 403)
            #expect(try count(fixture) == before + 2)
        }
    }

    @Test func multipartBodiesAreRead() throws {
        let body = Array(
            "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nplan,name\r\nX,Y\r\n\r\n--XyZ--\r\n"
                .utf8)
        #expect(Multipart.boundary("multipart/form-data; boundary=XyZ") == "XyZ")
        #expect(Multipart.boundary("multipart/form-data; boundary=\"XyZ\"") == "XyZ")
        #expect(Multipart.boundary("text/csv") == nil)
        let parts = try Multipart.parse(body, boundary: "XyZ")
        #expect(parts.map(\.name) == ["csrf", "file"])
        #expect(parts[0].text == "abc" && parts[1].filename == "a.csv")
        #expect(parts[1].text == "plan,name\r\nX,Y\r\n")
        #expect(throws: Multipart.Malformed.self) { try Multipart.parse(Array("--XyZ\r\nno".utf8), boundary: "XyZ") }
    }

    /// The named inputs and selected options of the page's form with fields (its last form).
    static func formFields(_ html: String) -> [String: String]? {
        guard let start = html.range(of: "<form method=\"post\" action=\"/enterprises/", options: .backwards)
        else { return nil }
        guard let end = html.range(of: "</form>", range: start.upperBound..<html.endIndex) else { return nil }
        let form = String(html[start.lowerBound..<end.upperBound])
        var fields: [String: String] = [:]
        let input = try! NSRegularExpression(pattern: #"<input (?:type="hidden" )?name="([a-z_]+)" value="([^"]*)""#)
        for match in input.matches(in: form, range: NSRange(form.startIndex..., in: form)) {
            fields[String(form[Range(match.range(at: 1), in: form)!])] = String(
                form[Range(match.range(at: 2), in: form)!])
        }
        let select = try! NSRegularExpression(pattern: #"<select name="([a-z_]+)"[^>]*>(.*?)</select>"#)
        for match in select.matches(in: form, range: NSRange(form.startIndex..., in: form)) {
            let name = String(form[Range(match.range(at: 1), in: form)!])
            let options = String(form[Range(match.range(at: 2), in: form)!])
            let chosen = options.range(of: #"value="([^"]*)" selected"#, options: .regularExpression)
            fields[name] = chosen.map { String(options[$0].dropFirst(7).dropLast(10)) } ?? ""
        }
        return fields.mapValues {
            $0.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&amp;", with: "&")
        }
    }
}

/// 审计: a record's history, linked from every record page; the twin has `reloc audit`'s keys.
@Suite("Web desk: audit pages")
struct WebAuditTests {
    @Test func aRecordsHistoryIsLinkedAndReadAsRowLevelSecuritySays() async throws {
        try await WebFixture.with { fixture in
            let made = try RelocCLI.run(
                ["enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "四平审计厂", "--mode", "close"],
                database: fixture.database)
            let id = try #require(Int64(made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(made.stderr)")
            #expect(
                try RelocCLI.run(
                    ["enterprise", "edit", String(id), "--as", "SP", "--employees", "88"], database: fixture.database
                ).status == 0)
            let city = try await fixture.signedIn(try fixture.login("SP"))
            let page = try await city.get("/audit/enterprise/\(id)")
            #expect(page.status == 200, "\(page.body)")
            #expect(page.body.contains("新建") && page.body.contains("修改") && page.body.contains("employees: ∅→88"))
            #expect(page.body.contains("href=\"/enterprises/\(id)\""))
            let twin = try await city.get("/api/v1/audit/enterprise/\(id)")
            let cli = try RelocCLI.run(
                ["audit", "--as", "SP", "--table", "enterprise", "--key", String(id), "--format", "json"],
                database: fixture.database)
            let web = try #require(try JSONSerialization.jsonObject(with: Data(twin.body.utf8)) as? [[String: Any]])
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [[String: Any]])
            #expect(web.count == 2 && web.count == rows.count)
            #expect(Set(web[0].keys) == Set(rows[0].keys))

            // Every record page links its history: a task (by number), a milestone (by id).
            let fgw = try await fixture.signedIn(try fixture.login("JL-FGW"))
            #expect(try await fgw.get("/tasks/2").body.contains("href=\"/audit/task/2\""))
            let kc = try await fixture.signedIn(try fixture.login("CC-KC"))
            #expect(try await kc.get("/milestones/1").body.contains("href=\"/audit/milestone/1\""))
            // Another organisation reads none of SP's changes (row-level security on reloc.audit).
            let other = try await fgw.get("/api/v1/audit/enterprise/\(id)")
            #expect(other.status == 200 && other.body == "[]\n", "\(other.body)")
            // An unknown table is refused with the CLI's words.
            let unknown = try await city.get("/audit/nothing/1")
            #expect(unknown.status == 400 && unknown.body.contains("no audited table nothing"))
        }
    }
}

extension HTTPTestClient {
    /// A form with a file, as a browser sends it (multipart/form-data).
    func upload(_ path: String, csrf: String, file: String, csv: String) async throws -> Reply {
        try await upload(path, csrf: csrf, file: file, bytes: Array(csv.utf8))
    }

    func upload(_ path: String, csrf: String, file: String, bytes: [UInt8]) async throws -> Reply {
        let boundary = "----relocTestBoundary7MA4YWxkTrZu0gW"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf)\r\n".utf8)
        body += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file)\"\r\nContent-Type: text/csv\r\n\r\n"
                .utf8)
        body += bytes
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        return try await send(
            "POST", path, bytes: body, contentType: "multipart/form-data; boundary=\(boundary)", headers: [])
    }

    /// A request with a body of bytes and headers of its own, with the session's cookie (the
    /// JSON API's POSTs: a CSV body, the form token in X-CSRF-Token).
    func send(_ method: String, _ path: String, bytes: [UInt8], contentType: String, headers: [(String, String)])
        async throws -> Reply
    {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        let session = ["reloc_session", "reloc_signin"].compactMap { name in cookie(name).map { "\(name)=\($0)" } }
        if !session.isEmpty { request += "Cookie: \(session.joined(separator: "; "))\r\n" }
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "Content-Type: \(contentType)\r\nContent-Length: \(bytes.count)\r\n\r\n"
        let data = Array(request.utf8) + bytes
        let port = self.port
        let raw = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try HTTPTestClient.exchange(data, port: port) })
            }
        }
        return try HTTPTestClient.parse(raw)
    }
}
