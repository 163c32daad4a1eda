import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// 审计 (issue 16, page 7): a record's history, the audit rows the database wrote for it
/// (`reloc audit --table TABLE --key KEY`), at /audit/{table}/{key} — the key is the row's code
/// (plans, parks, organisations) or its id (a task's number), as `reloc audit --key` takes it.
/// Every record page links here (HTML.auditLink). Row-level security decides what is read: the
/// province every change, any other organisation the changes made while acting for it.
/// JSON twin: /api/v1/audit/{table}/{key}, the keys of `reloc audit … --format json`.
extension Web {
    /// The latest changes a page shows (oldest first); `?limit=N` for another number, 0 for all.
    static let auditLimit = 500

    static func auditFilter(_ request: Request, _ context: WebContext) throws -> AuditTrail.Filter {
        let table = context.parameters.get("table") ?? ""
        let key = context.parameters.get("key") ?? ""
        guard !table.isEmpty, !key.isEmpty else { throw WebFailure(status: .notFound, message: "没有这个记录") }
        var limit = auditLimit
        if let text = request.uri.queryParameters["limit"] {
            guard let number = Int(text), number >= 0 else {
                throw WebFailure(status: .badRequest, message: "limit 应为 0（全部）或正整数")
            }
            limit = number
        }
        return AuditTrail.Filter(table: table, key: Spellings.halfwidth(key), limit: limit == 0 ? nil : limit)
    }

    func auditPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let filter = try Web.auditFilter(request, context)
        let rows = try await database(as: signed.person) { db in try AuditTrail(db).summary(filter) }
        let table = filter.table ?? ""
        let key = filter.key ?? ""
        var body = ""
        if let path = HTML.recordPaths[table] {
            body += "<p><a href=\"\(HTML.escape(path + key))\">返回记录</a></p>"
        }
        if rows.rows.isEmpty {
            body += "<p class=\"empty\">无修改记录（或本单位无权查看）</p>"
        } else {
            body +=
                "<table class=\"audit\"><thead><tr><th>时间</th><th>登录名</th><th>单位</th><th>操作</th><th>内容</th></tr></thead><tbody>"
            for row in rows.rows {
                body += "<tr>"
                body += "<td>\(HTML.escape(row["time"] ?? ""))</td><td>\(HTML.escape(row["login"] ?? ""))</td>"
                body += "<td>\(HTML.escape(row["org"] ?? ""))</td>"
                body += "<td>\(HTML.escape(Web.auditActions[row["action"] ?? ""] ?? row["action"] ?? ""))</td>"
                body += "<td>\(HTML.escape(row["changes"] ?? ""))</td></tr>"
            }
            body += "</tbody></table>"
            if let limit = filter.limit, rows.rows.count == limit {
                body += "<p class=\"note\">只列出最近 \(limit) 条；<a href=\"?limit=0\">全部</a></p>"
            }
        }
        body += "<p class=\"note\">修改记录由数据库写入，任何人都不能改动。省政府看到全部修改；其他单位只看到本单位所做的修改。</p>"
        return Reply.html(
            HTML.page(title: "修改记录：\(table) \(key)", person: signed.person, csrf: signed.csrf, body: body))
    }

    static let auditActions = ["insert": "新建", "update": "修改", "delete": "删除"]

    func auditAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        let filter = try Web.auditFilter(request, context)
        return Reply.json(JSON.rows(try await database(as: signed.person) { db in try AuditTrail(db).entries(filter) }))
    }
}

extension HTML {
    /// Where a record of an audited table is shown, for the audit page's way back.
    static let recordPaths = ["enterprise": "/enterprises/", "task": "/tasks/", "milestone": "/milestones/"]

    /// The audit page's address for a record: /audit/{table}/{key}.
    static func auditPath(_ table: String, _ key: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        return "/audit/\(table)/\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)"
    }

    /// The link every record page carries to its history.
    static func auditLink(_ table: String, _ key: String) -> String {
        "<p class=\"audit-link\"><a href=\"\(escape(auditPath(table, key)))\">修改记录（审计）</a></p>"
    }

    /// One record as a two-column table: each field's heading and value, in `fields`' order.
    static func record(_ result: PGResult, fields: [(String, String)], terms: [String: String] = Labels.domains)
        -> String
    {
        guard let row = result.rows.first else { return "<p class=\"empty\">无</p>" }
        var html = "<table class=\"record\"><tbody>"
        for (name, heading) in fields where result.columns.names.contains(name) {
            html +=
                "<tr><th>\(escape(heading))</th><td>\(escape(Labels.value(row[name], column: name, terms: terms)))</td></tr>"
        }
        return html + "</tbody></table>"
    }
}
