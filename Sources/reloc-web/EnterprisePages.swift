import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// 企业: the register as the organisation may read it, with the CLI's filters (`?plan=&city=&
/// mode=&status=`, as `reloc enterprise list`). JSON twin: /api/v1/enterprises.
extension Web {
    func enterprises(_ request: Request, _ person: WebPerson) async throws -> PGResult {
        let query = request.uri.queryParameters
        func value(_ name: String) -> String? {
            query[Substring(name)].map { Spellings.halfwidth(String($0)) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let filter = Enterprises.Filter(
            plan: value("plan"), city: value("city"), mode: value("mode"), status: value("status"))
        return try await database(as: person) { db in try Enterprises(db).list(filter) }
    }

    func enterprisesPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let rows = try await enterprises(request, signed.person)
        let query = request.uri.queryParameters
        func field(_ name: String, _ label: String) -> String {
            "<label>\(label) <input name=\"\(name)\" value=\"\(HTML.escape(query[Substring(name)].map(String.init) ?? ""))\"></label>"
        }
        var body = "<form method=\"get\" action=\"/enterprises\" class=\"filter\">"
        body += field("plan", "方案") + field("city", "市（州）") + field("mode", "方式") + field("status", "状态")
        body += "<button>筛选</button></form>"
        body +=
            "<p class=\"actions\"><a href=\"/enterprises/new\">登记企业</a> · <a href=\"/enterprises/import\">CSV 导入</a></p>"
        body += HTML.table(
            rows,
            columns: [
                ("id", "编号"), ("name", "企业"), ("city", "市（州）"), ("plan", "方案"), ("mode", "搬迁方式"),
                ("status", "状态"), ("park", "园区"), ("employees", "职工"),
            ],
            terms: ["mode": EnterpriseMode.domain, "status": EnterpriseStatus.domain],
            link: { row, column in
                column == "id" || column == "name" ? row["id"].map { "/enterprises/\($0)" } : nil
            })
        return Reply.html(HTML.page(title: "企业", person: signed.person, csrf: signed.csrf, body: body))
    }

    func enterprisesAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(JSON.rows(try await enterprises(request, signed.person)))
    }
}
