import Foundation
import HTTPTypes
import Hummingbird
import LibPQClient
import NIOCore
import RelocationCore

/// 企业 → 导入: a CSV file of enterprises uploaded, all or nothing, through the import of
/// `reloc enterprise import` (EnterpriseImport: staged, checked by the database as the acting
/// organisation, inserted only if no line is bad). Every bad line is shown with its number;
/// nothing is written then. JSON twin: POST /api/v1/enterprises/import.
extension Web {
    /// What an upload came to: the count imported, or every bad line.
    struct Upload: Sendable {
        let file: String
        let outcome: EnterpriseImport.Outcome
        let note: String?
    }

    func importPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        _ = try await registerChoices(signed.person)  // a department registers none: 403, the rule's words
        return importForm(signed, message: nil, status: .ok)
    }

    func importForm(_ signed: Signed, message: String?, status: HTTPResponse.Status) -> Response {
        var body = message.map { "<p class=\"error\" role=\"alert\">\(HTML.escape($0))</p>" } ?? ""
        body += importFormBody(signed)
        body += """
            <p class="note">首行为列名，可按任意顺序：\(HTML.escape(EnterpriseImport.columns.joined(separator: ", ")))\
            （plan、name、mode 必填）。全部或全不：只要有一行有误，就不导入任何企业，并列出每个有误的行。</p>
            """
        return Reply.html(
            HTML.page(title: "导入企业", person: signed.person, csrf: signed.csrf, body: body), status: status)
    }

    /// The uploaded file: a form's `file` part (multipart/form-data, its token in `csrf`) or, for
    /// a script, the body itself (text/csv, the token in X-CSRF-Token).
    func uploadedCSV(_ request: Request, _ context: WebContext, _ signed: Signed) async throws -> (
        name: String, data: Data
    ) {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let bytes = Array(buffer.readableBytesView)
        let contentType = request.headers[.contentType] ?? ""
        guard let boundary = Multipart.boundary(contentType) else {
            try requireFormToken(request, [:], signed)
            return ("upload.csv", Data(bytes))
        }
        let parts: [Multipart.Part]
        do { parts = try Multipart.parse(bytes, boundary: boundary) } catch {
            throw WebFailure(status: .badRequest, message: "上传的表单无法读取：请从本站页面重新上传")
        }
        try requireFormToken(request, ["csrf": parts.first { $0.name == "csrf" }?.text ?? ""], signed)
        guard let file = parts.first(where: { $0.name == "file" }), !file.data.isEmpty else {
            throw WebFailure(status: .badRequest, message: "请选择要导入的 CSV 文件")
        }
        let name = (file.filename ?? "").split(separator: "/").last.map(String.init) ?? ""
        if name.lowercased().hasSuffix(".xlsx") || name.lowercased().hasSuffix(".xls") {
            throw WebFailure(
                status: .badRequest,
                message: "网页只收 CSV 文件：请在 Excel 中另存为 CSV（或用 reloc enterprise import 导入工作簿）")
        }
        return (name.isEmpty ? "upload.csv" : name, Data(file.data))
    }

    func receiveUpload(_ request: Request, _ context: WebContext, _ signed: Signed) async throws -> Upload {
        let (name, data) = try await uploadedCSV(request, context, signed)
        let (text, detected) = try CSVFile.read(data, named: name, encoding: nil)
        let outcome = try await database(as: signed.person) { db in
            try Web.requireRegistrant(signed.person, db)
            return try EnterpriseImport(db).run(csv: text, source: name)
        }
        return Upload(
            file: name, outcome: outcome,
            note: detected == .gb18030 ? "\(name) 不是 UTF-8 文本，已按 GB18030（Excel 中文版的 CSV）读取。" : nil)
    }

    func importPost(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let upload: Upload
        do {
            upload = try await receiveUpload(request, context, signed)
        } catch {
            let failure = Failures.from(error, rules: rules, logger: logger)
            // A bad file (its header, its encoding): the form again with the words; refusals, the error page.
            guard failure.status == .badRequest || failure.status == .unprocessableContent else { throw failure }
            return importForm(signed, message: failure.message, status: failure.status)
        }
        var body = upload.note.map { "<p class=\"note\">\(HTML.escape($0))</p>" } ?? ""
        switch upload.outcome {
        case .imported(let count):
            body += """
                <p class="done" role="status">已从 \(HTML.escape(upload.file)) 导入 \(count) 家企业。</p>
                <p><a href="/enterprises">企业列表</a></p>
                """
            return Reply.html(HTML.page(title: "导入企业", person: signed.person, csrf: signed.csrf, body: body))
        case .rejected(let lines):
            body += """
                <div class="error" role="alert"><p>\(HTML.escape(upload.file)) 有 \(lines.count) 行有误，\
                未导入任何企业：改正后重新上传整个文件。</p><ul class="bad-lines">
                """
            for line in lines {
                body += "<li>第 \(line.line) 行：\(HTML.escape(line.reason))</li>"
            }
            body += "</ul></div>"
            body += "<h3>重新上传</h3>" + importFormBody(signed)
            return Reply.html(
                HTML.page(title: "导入企业", person: signed.person, csrf: signed.csrf, body: body),
                status: .unprocessableContent)
        }
    }

    func importFormBody(_ signed: Signed) -> String {
        """
        <form method="post" action="/enterprises/import" enctype="multipart/form-data" class="report">
        \(HTML.csrfField(signed.csrf))
        <label>CSV 文件（UTF-8 或 GB18030，Excel 另存为 CSV 即可） <input type="file" name="file" accept=".csv,text/csv" required></label>
        <button>导入</button>
        </form>
        """
    }

    /// {"imported": N}, or 422 with every bad line: {"error": …, "status": 422, "bad_lines": [{"line", "reason"}]}.
    func importAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        let upload = try await receiveUpload(request, context, signed)
        switch upload.outcome {
        case .imported(let count):
            return Reply.json(JSON.object([("imported", String(count))]))
        case .rejected(let lines):
            let bad = lines.map { JSON.object([("line", String($0.line)), ("reason", JSON.string($0.reason))]) }
            return Reply.json(
                JSON.object([
                    ("error", JSON.string("\(lines.count) 行有误，未导入任何企业")), ("status", "422"),
                    ("bad_lines", "[" + bad.joined(separator: ",") + "]"),
                ]), status: .unprocessableContent)
        }
    }
}
