import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// 会话 (/admin/sessions): the province lists web sessions and ends one. Row-level security
/// decides (web_session's policies, 80_web.sql): another organisation reads none and ends none.
extension Web {
    func sessionsPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let sessions = try await sessionList(signed.person)
        var body = "<table><thead><tr><th>编号</th><th>登录名</th><th>单位</th><th>地址</th><th>登录时间</th>"
        body += "<th>最近访问</th><th>结束时间</th><th>结束人</th><th></th></tr></thead><tbody>"
        for row in sessions.rows {
            let id = row["id"] ?? ""
            body += "<tr>"
            for column in ["id", "login", "org", "address", "created_at", "last_seen_at", "ended_at", "ended_by"] {
                body += "<td>\(HTML.escape(row[column] ?? ""))</td>"
            }
            if row["ended_at"] == nil {
                body += """
                    <td><form method="post" action="/admin/sessions/\(HTML.escape(id))/end" class="inline">\
                    \(HTML.csrfField(signed.csrf))<button>结束</button></form></td>
                    """
            } else {
                body += "<td></td>"
            }
            body += "</tr>"
        }
        body += "</tbody></table>"
        return Reply.html(HTML.page(title: "网页会话", person: signed.person, csrf: signed.csrf, body: body))
    }

    func sessionsAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(JSON.rows(try await sessionList(signed.person)))
    }

    /// Only the province reads sessions: for anyone else the page is refused with the rule's
    /// words rather than shown empty.
    func sessionList(_ person: WebPerson) async throws -> PGResult {
        guard person.isProvince else { throw PermissionRefusal(rule: "web_session_writers") }
        return try await database(as: person) { db in try WebSessions(db).list() }
    }

    func endSession(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        try requireCSRF(try await Forms.body(request), signed)
        guard let id = Int64(context.parameters.get("id") ?? "") else {
            throw WebFailure(status: .notFound, message: "没有这个会话")
        }
        let ended = try await database(as: signed.person) { db in try WebSessions(db).endAsProvince(id: id) }
        guard ended else { throw WebFailure(status: .notFound, message: "没有这个未结束的会话（编号 \(id)）") }
        return Reply.redirect("/admin/sessions")
    }
}
