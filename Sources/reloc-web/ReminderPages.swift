import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// 提醒 (issue 16, page 6): an organisation's contacts (added and removed here, as `reloc remind
/// contact add|remove`) and the messages sent to it; for the province also the job's runs, the
/// dead and waiting messages, and retry (`reloc remind status`, `reloc remind retry`). Row-level
/// security decides what is seen and changed, as for `--as ORG`. JSON twins:
/// /api/v1/reminders/contacts (`remind contact list`), /api/v1/reminders/messages (`remind
/// history`), /api/v1/reminders/status (`remind status`).
extension Web {
    struct ReminderPage: Sendable {
        let contacts: PGResult
        let messages: PGResult
        let status: (summary: PGResult, runs: PGResult, messages: PGResult)?
    }

    func reminders(_ person: WebPerson) async throws -> ReminderPage {
        try await database(as: person) { db in
            let org: String? = person.isProvince ? nil : person.organisation
            let history = ReminderHistory(db)
            return ReminderPage(
                contacts: try ReminderContacts(db).list(org: org),
                messages: try history.list(org: org, state: nil, since: nil, limit: 100),
                status: person.isProvince ? try history.status() : nil)
        }
    }

    func remindersPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let page = try await reminders(signed.person)
        let csrf = HTML.csrfField(signed.csrf)
        var body = "<h3>联系人</h3>"
        body += HTML.table(
            page.contacts,
            columns: [
                ("id", "编号"), ("org", "单位"), ("channel", "方式"), ("address", "地址"), ("name", "接收人"),
                ("created_at", "添加时间"),
            ], terms: ["channel": ContactChannel.domain])
        for row in page.contacts.rows {
            let id = HTML.escape(row["id"] ?? "")
            body += """
                <form method="post" action="/reminders/contacts/\(id)/remove" class="inline">\(csrf)\
                <button>删除联系人 \(id)</button></form>
                """
        }
        body += """
            <h3>添加联系人</h3>
            <form method="post" action="/reminders/contacts" class="report">\(csrf)
            <label>单位编码 <input name="org" value="\(HTML.escape(signed.person.organisation))" required></label>
            <label>电子邮箱 <input name="email" type="email"></label>
            <label>或 Webhook 地址 <input name="webhook" placeholder="https://…"></label>
            <label>接收人 <input name="name" placeholder="如 规划科"></label>
            <button>添加</button>
            </form>
            """
        body += "<h3>提醒消息</h3>" + messageTable(page.messages, retry: nil)
        if let status = page.status {
            body += "<h3>提醒任务运行（每日最后一次）</h3>"
            body += HTML.table(
                status.runs,
                columns: [
                    ("as_of", "日期"), ("finished_at", "结束时间"), ("planned", "计划"), ("sent", "已发送"),
                    ("retrying", "重试中"), ("dead", "失败"), ("no_contact", "无联系人"), ("waiting", "等待"),
                    ("exit_status", "退出码"),
                ])
            body += "<h3>失败与等待的消息</h3>" + messageTable(status.messages, retry: signed.csrf)
        }
        return Reply.html(HTML.page(title: "提醒", person: signed.person, csrf: signed.csrf, body: body))
    }

    func messageTable(_ messages: PGResult, retry csrf: String?) -> String {
        var html = HTML.table(
            messages,
            columns: [
                ("id", "编号"), ("as_of", "日期"), ("org", "单位"), ("state", "状态"), ("attempts", "尝试次数"),
                ("sent_at", "发送时间"), ("last_error", "最近错误"),
            ], terms: ["state": DeliveryState.domain])
        if let csrf {
            for row in messages.rows where row["state"] == "dead" {
                let id = HTML.escape(row["id"] ?? "")
                html += """
                    <form method="post" action="/reminders/messages/\(id)/retry" class="inline">\(HTML.csrfField(csrf))\
                    <button>重试消息 \(id)</button></form>
                    """
            }
        }
        return html
    }

    func contactsAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(JSON.rows(try await reminders(signed.person).contacts))
    }

    func messagesAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(JSON.rows(try await reminders(signed.person).messages))
    }

    func reminderStatusAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        let status = try await database(as: signed.person) { db in try ReminderHistory(db).status() }
        var fields: [(String, String)] = []
        if let row = status.summary.rows.first {
            fields = (0..<row.count).map { (row.columns.names[$0], JSON.value(row, at: $0)) }
        }
        fields += [("runs", JSON.rows(status.runs)), ("messages", JSON.rows(status.messages))]
        return Reply.json(JSON.object(fields))
    }

    func addContact(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let fields = try await Forms.body(request)
        try requireCSRF(fields, signed)
        let email = (fields["email"] ?? "").trimmingCharacters(in: .whitespaces)
        let webhook = (fields["webhook"] ?? "").trimmingCharacters(in: .whitespaces)
        guard email.isEmpty != webhook.isEmpty else {
            throw WebFailure(status: .badRequest, message: "请填写电子邮箱或 Webhook 地址之一")
        }
        let channel: ChannelAddress
        do {
            channel =
                email.isEmpty
                ? .webhook(try ChannelAddress.webhookURL(webhook)) : .email(try ChannelAddress.emailAddress(email))
        } catch let error as RelocError {
            throw WebFailure(status: .badRequest, message: error.description)
        }
        let org = Spellings.halfwidth(fields["org"] ?? signed.person.organisation)
        let name = (fields["name"] ?? "").isEmpty ? nil : fields["name"]
        let added = try await database(as: signed.person) { db in
            try ReminderContacts(db).add(org: org, channel: channel, name: name)
        }
        guard let secret = added.secret else { return Reply.redirect("/reminders") }
        // A webhook's signing secret is shown this once (docs/usage/remind.md), as by the CLI.
        let body = """
            <p>已添加联系人 \(added.id)。签名密钥只显示这一次，请交给接收方保存：</p>
            <p><code>\(HTML.escape(secret))</code></p><p><a href="/reminders">返回提醒</a></p>
            """
        return Reply.html(HTML.page(title: "提醒", person: signed.person, csrf: signed.csrf, body: body))
    }

    func removeContact(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let fields = try await Forms.body(request)
        try requireCSRF(fields, signed)
        guard let id = Int64(context.parameters.get("id") ?? "") else {
            throw WebFailure(status: .notFound, message: "没有这个联系人")
        }
        try await database(as: signed.person) { db in try ReminderContacts(db).remove(id: id) }
        return Reply.redirect("/reminders")
    }

    func retryMessage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let fields = try await Forms.body(request)
        try requireCSRF(fields, signed)
        guard let id = Int64(context.parameters.get("id") ?? "") else {
            throw WebFailure(status: .notFound, message: "没有这条消息")
        }
        try await database(as: signed.person) { db in try ReminderHistory(db).retry(id: id) }
        return Reply.redirect("/reminders")
    }

    /// The routes of 实施方案, 用地, 提醒 and the calendar feed (issues 16 and 17).
    func addPlanLandReminderRoutes(_ router: Router<WebContext>) {
        router.get("/plans", use: plansPage)
        router.get("/api/v1/plans", use: plansAPI)
        router.get("/plans/:code", use: planPage)
        router.get("/api/v1/plans/:code", use: planAPI)
        router.get("/land", use: landPage)
        router.get("/api/v1/land/usage", use: landUsageAPI)
        router.get("/api/v1/land/allocations", use: landAllocationsAPI)
        router.get("/api/v1/sites", use: sitesAPI)
        router.get("/sites/:id", use: sitePage)
        router.get("/api/v1/sites/:id", use: siteAPI)
        router.get("/reminders", use: remindersPage)
        router.get("/api/v1/reminders/contacts", use: contactsAPI)
        router.get("/api/v1/reminders/messages", use: messagesAPI)
        router.get("/api/v1/reminders/status", use: reminderStatusAPI)
        router.post("/reminders/contacts", use: addContact)
        router.post("/reminders/contacts/:id/remove", use: removeContact)
        router.post("/reminders/messages/:id/retry", use: retryMessage)
        router.get("/calendar/:file", use: calendarFeed)
    }
}
