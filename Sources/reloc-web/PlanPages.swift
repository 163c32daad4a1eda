import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// 实施方案 (issue 16, page 3): the plans, and a plan's page with its dated steps (status
/// history), enterprises, sites, milestones and a timeline of due against done dates. JSON twins:
/// /api/v1/plans (the keys of `reloc plan list --format json`) and /api/v1/plans/CODE (those of
/// `reloc plan show CODE --format json`, with the lists of the page beside its `history`).
extension Web {
    struct PlanPage: Sendable {
        let plan: PGResult
        let history: PGResult
        let enterprises: PGResult
        let sites: PGResult
        let milestones: PGResult
        let today: String
    }

    func plan(_ context: WebContext, _ person: WebPerson) async throws -> PlanPage {
        let code = Spellings.halfwidth(context.parameters.get("code") ?? "").uppercased()
        return try await database(as: person) { db in
            let plans = Plans(db)
            let plan = try plans.show(code)
            var milestones = Milestones.Filter()
            milestones.plan = code
            return PlanPage(
                plan: plan, history: try plans.history(code),
                enterprises: try Enterprises(db).list(Enterprises.Filter(plan: code)),
                sites: try Sites(db).list(Sites.Filter(plan: code)), milestones: try Milestones(db).list(milestones),
                today: try AsOf.today.day(in: db))
        }
    }

    func plansPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let rows = try await database(as: signed.person) { db in try Plans(db).list() }
        let body = HTML.table(
            rows,
            columns: [
                ("code", "编号"), ("name", "方案"), ("city", "市（州）"), ("district", "区"), ("status", "状态"),
                ("compile_by", "编制时限"), ("basic_completion_by", "基本完成时限"), ("approval_doc", "批复文号"),
                ("enterprises", "企业数"),
            ], terms: ["status": PlanStatus.domain],
            link: { row, column in column == "code" || column == "name" ? "/plans/\(row["code"] ?? "")" : nil })
        return Reply.html(HTML.page(title: "实施方案", person: signed.person, csrf: signed.csrf, body: body))
    }

    func plansAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(JSON.rows(try await database(as: signed.person) { db in try Plans(db).list() }))
    }

    func planPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let page = try await plan(context, signed.person)
        guard let row = page.plan.rows.first else { throw WebFailure(status: .notFound, message: "没有这个方案") }
        let code = row["code"] ?? ""
        var body = HTML.table(
            page.plan,
            columns: [
                ("code", "编号"), ("name", "方案"), ("city_name", "市（州）"), ("district", "区"), ("status", "状态"),
                ("compile_by", "编制时限"), ("basic_completion_by", "基本完成时限"), ("approval_doc", "批复文号"),
                ("approved_on", "批复日期"), ("enterprises", "企业数"),
            ], terms: ["status": PlanStatus.domain])
        body += "<p class=\"note\"><a href=\"/audit/plan/\(HTML.escape(code))\">修改记录（审计）</a></p>"
        let rows = page.milestones.rows.map { milestone in
            Timeline.Row(
                label: milestone["title"] ?? "", due: milestone["due_on"], done: milestone["done_on"],
                href: "/milestones/\(milestone["id"] ?? "")")
        }
        body += "<h3>时间轴</h3>" + Timeline.svg(rows, today: page.today, title: "\(code) 节点：完成时限与完成日期")
        body += "<h3>节点</h3>" + milestoneTable(page.milestones)
        body += "<h3>步骤</h3>"
        body += HTML.table(
            page.history,
            columns: [
                ("from_status", "原状态"), ("to_status", "新状态"), ("on_date", "日期"), ("doc", "文号"), ("note", "说明"),
                ("changed_by", "单位"), ("undone_on", "撤销日期"), ("undone_because", "撤销原因"),
            ], terms: ["from_status": PlanStatus.domain, "to_status": PlanStatus.domain])
        body += "<h3>企业</h3>"
        body += HTML.table(
            page.enterprises,
            columns: [
                ("id", "编号"), ("name", "企业"), ("mode", "搬迁方式"), ("status", "状态"), ("park", "园区"),
                ("employees", "职工"),
            ], terms: ["mode": EnterpriseMode.domain, "status": EnterpriseStatus.domain])
        body += "<h3>地块</h3>" + siteTable(page.sites)
        return Reply.html(HTML.page(title: "实施方案 \(code)", person: signed.person, csrf: signed.csrf, body: body))
    }

    func planAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        let page = try await plan(context, signed.person)
        guard let row = page.plan.rows.first else { throw WebFailure(status: .notFound, message: "没有这个方案") }
        var fields = (0..<row.count).map { (row.columns.names[$0], JSON.value(row, at: $0)) }
        fields += [
            ("history", JSON.rows(page.history)), ("enterprise_list", JSON.rows(page.enterprises)),
            ("sites", JSON.rows(page.sites)), ("milestones", JSON.rows(page.milestones)),
        ]
        return Reply.json(JSON.object(fields))
    }

    func siteTable(_ sites: PGResult) -> String {
        HTML.table(
            sites,
            columns: [
                ("id", "编号"), ("name", "地块"), ("plan", "方案"), ("enterprise", "原企业"), ("area_ha", "面积（公顷）"),
                ("planned_reuse", "规划用途"), ("env_state", "环境状态"), ("released_on", "出让日期"),
            ], terms: ["planned_reuse": SiteReuse.domain, "env_state": SiteState.domain],
            link: { row, column in column == "id" || column == "name" ? "/sites/\(row["id"] ?? "")" : nil })
    }
}
