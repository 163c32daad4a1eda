import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// 用地 (issue 16, page 5): quota usage per holder and year as bars, the allocations, the sites,
/// and a site's page with its steps (its environmental record). `?year=&holder=` filter as
/// `reloc land usage`. JSON twins: /api/v1/land/usage (`reloc land usage`), /api/v1/land/allocations
/// (`reloc land allocations`), /api/v1/sites (`reloc site list`), /api/v1/sites/ID (`reloc site
/// show`, its `history`).
extension Web {
    struct LandPage: Sendable {
        let usage: PGResult
        let allocations: PGResult
        let sites: PGResult
    }

    func landFilter(_ request: Request) throws -> (year: Int?, holder: String?) {
        let query = request.uri.queryParameters
        let yearText = query["year"].map { Spellings.halfwidth(String($0)) } ?? ""
        let holderText = query["holder"].map { Spellings.halfwidth(String($0)) } ?? ""
        var year: Int?
        if !yearText.isEmpty {
            guard let parsed = Int(yearText), (1900...2200).contains(parsed) else {
                throw WebFailure(status: .badRequest, message: "年度应写作 2015")
            }
            year = parsed
        }
        return (year, holderText.isEmpty ? nil : holderText)
    }

    func land(_ request: Request, _ person: WebPerson) async throws -> LandPage {
        let filter = try landFilter(request)
        return try await database(as: person) { db in
            LandPage(
                usage: try LandQuotas(db).usage(year: filter.year, holder: filter.holder),
                allocations: try LandAllocations(db).list(year: filter.year, holder: filter.holder),
                sites: try Sites(db).list())
        }
    }

    func landPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let page = try await land(request, signed.person)
        let query = request.uri.queryParameters
        func field(_ name: String, _ label: String) -> String {
            "<label>\(label) <input name=\"\(name)\" value=\"\(HTML.escape(query[Substring(name)].map(String.init) ?? ""))\"></label>"
        }
        var body = "<form method=\"get\" action=\"/land\" class=\"filter\">"
        body += field("year", "年度") + field("holder", "指标持有者（市州或园区编码）") + "<button>筛选</button></form>"
        let bars = page.usage.rows.map { row in
            Timeline.Bar(
                label: "\(row["year"] ?? "") \(row["holder_name"] ?? row["holder"] ?? "")",
                quota: Double(row["quota_ha"] ?? "") ?? 0, allocated: Double(row["allocated_ha"] ?? "") ?? 0)
        }
        body += "<h3>指标使用</h3>" + Timeline.bars(bars, title: "用地指标：已安排与指标（公顷）")
        body += HTML.table(
            page.usage,
            columns: [
                ("year", "年度"), ("holder", "编码"), ("holder_name", "持有者"), ("quota_ha", "指标（公顷）"),
                ("allocated_ha", "已安排（公顷）"), ("remaining_ha", "剩余（公顷）"), ("remaining_mu", "剩余（亩）"),
            ])
        body += "<h3>安排</h3>"
        body += HTML.table(
            page.allocations,
            columns: [
                ("id", "编号"), ("year", "年度"), ("holder_name", "持有者"), ("enterprise", "企业"), ("project", "项目"),
                ("hectares", "面积（公顷）"), ("supply", "供地方式"), ("allocated_on", "安排日期"), ("doc", "文号"),
            ], terms: ["supply": LandSupply.domain])
        body += "<h3>地块</h3>" + siteTable(page.sites)
        return Reply.html(HTML.page(title: "用地", person: signed.person, csrf: signed.csrf, body: body))
    }

    func landUsageAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(JSON.rows(try await land(request, signed.person).usage))
    }

    func landAllocationsAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(JSON.rows(try await land(request, signed.person).allocations))
    }

    func sitesAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(JSON.rows(try await database(as: signed.person) { db in try Sites(db).list() }))
    }

    func site(_ context: WebContext, _ person: WebPerson) async throws -> (
        site: PGResult, history: PGResult, milestones: PGResult
    ) {
        guard let id = Int64(context.parameters.get("id") ?? ""), id > 0 else {
            throw WebFailure(status: .notFound, message: "没有这个地块")
        }
        return try await database(as: person) { db in
            let sites = Sites(db)
            var milestones = Milestones.Filter()
            milestones.site = id
            return (try sites.show(id), try sites.history(id), try Milestones(db).list(milestones))
        }
    }

    func sitePage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let found = try await site(context, signed.person)
        let id = found.site.rows.first?["id"] ?? ""
        var body = siteTable(found.site)
        body += "<p class=\"note\"><a href=\"/audit/site/\(HTML.escape(id))\">修改记录（审计）</a></p>"
        body += "<h3>步骤</h3>"
        body += HTML.table(
            found.history,
            columns: [
                ("from_state", "原状态"), ("to_state", "新状态"), ("on_date", "日期"), ("doc", "文号"), ("note", "说明"),
                ("changed_by", "单位"), ("changed_by_login", "经办人"),
            ], terms: ["from_state": SiteState.domain, "to_state": SiteState.domain])
        body += "<h3>节点</h3>" + milestoneTable(found.milestones)
        return Reply.html(HTML.page(title: "地块 \(id)", person: signed.person, csrf: signed.csrf, body: body))
    }

    func siteAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        let found = try await site(context, signed.person)
        guard let row = found.site.rows.first else { throw WebFailure(status: .notFound, message: "没有这个地块") }
        var fields = (0..<row.count).map { (row.columns.names[$0], JSON.value(row, at: $0)) }
        fields.append(("history", JSON.rows(found.history)))
        return Reply.json(JSON.object(fields))
    }
}
