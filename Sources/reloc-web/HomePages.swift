import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// 总览: an organisation's overdue and due-soon work first; the province's counts per city and
/// per department and the overdue list. JSON twin: /api/v1/home.
extension Web {
    struct Home: Sendable {
        var counts: PGResult?
        var tasks: PGResult
        var milestones: PGResult
        /// More milestones than `homeMilestones` were due: the page and its twin say so.
        var milestonesCut: Bool
    }

    /// The milestones 总览 lists at most, the longest overdue first: a home page, not the
    /// register (a million milestones in make bench); the rest are in 我的任务 and the CLI.
    static let homeMilestones = 100

    /// 总览 as kept for a role: the page's body and its JSON twin, made once from one reading of
    /// the figures, so that a kept page costs a request its session's lookup and a copy, not 100
    /// rows rendered again (docs/performance-web.md).
    struct HomeView: Sendable {
        let html: String
        let json: String
    }

    /// The person's 总览, as their role reads it now, or as it read it at most twice
    /// RELOC_WEB_HOME_SECONDS ago (HomeCache).
    func home(for person: WebPerson) async throws -> HomeView {
        try await homeCache.home(role: person.role) { self.view(try await self.readHome(for: person)) }
    }

    func readHome(for person: WebPerson) async throws -> Home {
        try await database(as: person) { db in
            var tasks = Tasks.Filter()
            var milestones = Milestones.Filter()
            milestones.limit = Web.homeMilestones + 1  // one more, to know whether there are more
            if person.isProvince {
                tasks.overdue = true
                milestones.overdue = true
            } else {
                // Overdue or due within 30 days, either (`--overdue --due-within 30`).
                tasks.mine = true
                tasks.overdue = true
                tasks.dueWithinDays = 30
                milestones.mine = true
                milestones.overdue = true
                milestones.dueWithinDays = 30
            }
            let listed = try Milestones(db).list(milestones)
            return Home(
                counts: person.isProvince ? try Overview(db).countsByOrganisation() : nil,
                tasks: try Tasks(db).list(tasks), milestones: listed.prefix(Web.homeMilestones),
                milestonesCut: listed.rows.count > Web.homeMilestones)
        }
    }

    func homePage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let view = try await home(for: signed.person)
        return Reply.html(HTML.page(title: "总览", person: signed.person, csrf: signed.csrf, body: view.html))
    }

    func homeAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(try await home(for: signed.person).json)
    }

    /// The page's body and the JSON twin of one reading (both from the same figures).
    func view(_ home: Home) -> HomeView {
        var body = ""
        if let counts = home.counts {
            body += "<h3>各市（州）与省直部门</h3>"
            body += HTML.table(
                counts,
                columns: [
                    ("org", "单位代码"), ("org_name", "单位"), ("overdue", "逾期"), ("due_within_30_days", "30 天内到期"),
                    ("done_this_month", "本月完成"),
                ])
            body += "<h3>逾期任务</h3>"
        } else {
            body += "<h3>本单位逾期和 30 天内到期的任务</h3>"
        }
        body += taskTable(home.tasks)
        body += home.counts == nil ? "<h3>本单位逾期和 30 天内到期的节点</h3>" : "<h3>逾期节点</h3>"
        body += milestoneTable(home.milestones)
        if home.milestonesCut {
            body += "<p class=\"note\">只列出到期最早的 \(Web.homeMilestones) 项；全部见“我的任务”或 reloc milestone list。</p>"
        }
        var fields: [(String, String)] = []
        if let counts = home.counts { fields.append(("counts", JSON.rows(counts))) }
        fields.append(("tasks", JSON.rows(home.tasks)))
        fields.append(("milestones", JSON.rows(home.milestones)))
        fields.append(("milestones_cut", home.milestonesCut ? "true" : "false"))
        return HomeView(html: body, json: JSON.object(fields))
    }

    func taskTable(_ tasks: PGResult) -> String {
        HTML.table(
            tasks,
            columns: [
                ("number", "编号"), ("title", "任务"), ("lead", "牵头单位"), ("co", "配合单位"), ("percent", "进度（%）"),
                ("status", "状态"), ("due_on", "完成时限"), ("days_overdue", "逾期天数"),
            ],
            link: { row, column in
                column == "number" || column == "title" ? row["number"].map { "/tasks/\($0)" } : nil
            })
    }

    func milestoneTable(_ milestones: PGResult) -> String {
        HTML.table(
            milestones,
            columns: [
                ("id", "编号"), ("kind", "节点"), ("title", "名称"), ("attached_to", "所属"), ("owner", "负责单位"),
                ("due_on", "到期日"), ("done_on", "完成日"), ("state", "状态"), ("percent", "进度（%）"),
            ],
            link: { row, column in
                column == "id" || column == "title" ? row["id"].map { "/milestones/\($0)" } : nil
            })
    }
}
