import Foundation
import HTTPTypes
import Hummingbird
import LibPQClient
import RelocationCore

/// 企业 (issue 16, page 4): an enterprise's page, and the forms of `reloc enterprise register`,
/// `edit` and `advance`, through the same RelocationCore calls. Who may change what is
/// PostgreSQL's row-level security (30_register.sql): a form is not shown to an organisation it
/// would refuse (403 with the rule's words), and its POST is decided by the same policies
/// whatever the page showed. JSON twins under /api/v1/enterprises.
extension Web {
    /// The fields of an enterprise on its page, in the order of `reloc enterprise show`.
    static let enterpriseFields: [(String, String)] = [
        ("id", "编号"), ("name", "企业名称"), ("city", "市（州）"), ("plan", "方案"), ("mode", "搬迁方式"), ("status", "状态"),
        ("priority", "分类（§四(二)）"), ("park", "承接园区"), ("industry", "行业"), ("high_risk", "高风险类别"),
        ("uscc", "统一社会信用代码"), ("site_area_ha", "原厂址面积（公顷）"), ("employees", "职工人数"),
        ("surplus_workers", "富余职工"), ("capacity_old", "原产能"), ("capacity_new", "新产能"), ("capacity_unit", "产能单位"),
        ("listed_in_plan", "列入规划"), ("original_land_taken_back", "原土地已收回"), ("withdrawn_on", "撤销日期"),
        ("withdrawn_reason", "撤销原因"),
    ]

    static let enterpriseTerms: [String: String] = [
        "mode": EnterpriseMode.domain, "status": EnterpriseStatus.domain, "to_status": EnterpriseStatus.domain,
        "from_status": EnterpriseStatus.domain, "high_risk": HighRiskClass.domain,
        "priority": EnterprisePriority.domain,
    ]

    struct EnterpriseRecord: Sendable {
        let show: PGResult
        let steps: PGResult
        let mayChange: Bool
    }

    func enterpriseRecord(_ id: Int64, _ person: WebPerson) async throws -> EnterpriseRecord {
        try await database(as: person) { db in
            let enterprises = Enterprises(db)
            let show = try enterprises.show(id)
            return EnterpriseRecord(
                show: show, steps: try enterprises.steps(id), mayChange: try enterprises.mayChange(id))
        }
    }

    static func enterpriseID(_ context: WebContext) throws -> Int64 {
        guard let id = Int64(context.parameters.get("id") ?? ""), id > 0 else {
            throw WebFailure(status: .notFound, message: "没有这个企业")
        }
        return id
    }

    /// Another city's enterprise, or any for a department: the form is refused in the words of
    /// the policies' rule.
    static func notYourEnterprise(_ id: Int64, _ person: WebPerson) -> PermissionRefusal {
        PermissionRefusal(
            rule: "enterprise_writers", detail: "enterprise \(id) is not \(person.organisation)'s to change")
    }

    /// A form's token from its field, or for a script from the header X-CSRF-Token (/api/v1/me).
    func requireFormToken(_ request: Request, _ fields: [String: String], _ signed: Signed) throws {
        var fields = fields
        if fields["csrf"] == nil, let header = request.headers[HTTPField.Name("X-CSRF-Token")!] {
            fields["csrf"] = header
        }
        try requireCSRF(fields, signed)
    }

    // MARK: - The enterprise's page

    func enterprisePage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let id = try Web.enterpriseID(context)
        let record = try await enterpriseRecord(id, signed.person)
        let name = record.show.rows.first?["name"] ?? ""
        var body = ""
        if request.uri.queryParameters["edit"] == "unchanged" {
            body += "<p class=\"note\" role=\"status\">未修改：表单与记录相同，没有保存任何改动。</p>"
        }
        body += HTML.record(record.show, fields: Web.enterpriseFields, terms: Web.enterpriseTerms)
        if record.mayChange {
            body += """
                <p class="actions"><a href="/enterprises/\(id)/edit">修改</a> · <a href="/enterprises/\(id)/advance">推进</a></p>
                """
        }
        body += "<h3>状态记录</h3>"
        body += HTML.table(
            record.steps,
            columns: [
                ("from_status", "原状态"), ("to_status", "新状态"), ("on_date", "日期"), ("doc", "文号"), ("note", "说明"),
                ("changed_by", "记录人"), ("changed_at", "记录时间"), ("undone_on", "撤销日期"), ("undone_because", "撤销原因"),
            ], terms: Web.enterpriseTerms)
        body += HTML.auditLink("enterprise", String(id))
        return Reply.html(
            HTML.page(title: "企业 \(id) \(name)", person: signed.person, csrf: signed.csrf, body: body))
    }

    /// As `reloc enterprise show ID --format json`: the record, and its steps under `history`.
    func enterpriseJSON(_ record: EnterpriseRecord) throws -> String {
        guard let row = record.show.rows.first else { throw WebFailure(status: .notFound, message: "没有这个企业") }
        var text = JSON.object(row)
        text.removeLast()
        return text + ",\(JSON.string("history")):\(JSON.rows(record.steps))}"
    }

    func enterpriseAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(try enterpriseJSON(try await enterpriseRecord(try Web.enterpriseID(context), signed.person)))
    }

    // MARK: - Register (`reloc enterprise register`)

    struct Choices: Sendable {
        let plans: [(String, String)]
        let parks: [(String, String)]
    }

    /// The plans and parks to choose from; for an organisation that registers no enterprises (a
    /// provincial department) the form is refused in the rule's words. Row-level security refuses
    /// the POST of anyone into a plan not theirs (enterprise_register_*), whatever the page showed.
    func registerChoices(_ person: WebPerson) async throws -> Choices {
        try await database(as: person) { db in
            try Web.requireRegistrant(person, db)
            let plans = try Plans(db).list().rows.map { ($0["code"] ?? "", "\($0["code"] ?? "") \($0["name"] ?? "")") }
            let parks = try Parks(db).list().rows.map { ($0["code"] ?? "", "\($0["code"] ?? "") \($0["name"] ?? "")") }
            return Choices(plans: plans, parks: parks)
        }
    }

    /// A provincial department registers no enterprises: refused in the words of that rule, the
    /// same for the forms (GET) and for every POST (the register and upload forms and their
    /// twins), before row-level security refuses the rows in the words of another policy.
    static func requireRegistrant(_ person: WebPerson, _ db: PGConnection) throws {
        try Registrants.require(db)
    }

    func registerPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let choices = try await registerChoices(signed.person)
        return registerForm(signed, choices, values: [:], failure: nil)
    }

    func registerForm(_ signed: Signed, _ choices: Choices, values: [String: String], failure: WebFailure?)
        -> Response
    {
        var body = failure.map { "<p class=\"error\" role=\"alert\">\(HTML.escape($0.message))</p>" } ?? ""
        body += """
            <form method="post" action="/enterprises/new" class="report">
            \(HTML.csrfField(signed.csrf))
            \(EnterpriseFormFields.html(values, choices: choices))
            <button>登记</button>
            </form>
            <p class="note">多家企业可用 <a href="/enterprises/import">CSV 导入</a>。</p>
            """
        return Reply.html(
            HTML.page(title: "登记企业", person: signed.person, csrf: signed.csrf, body: body),
            status: failure?.status ?? .ok)
    }

    func register(_ fields: [String: String], _ person: WebPerson) async throws -> Int64 {
        try await database(as: person) { db in
            try Web.requireRegistrant(person, db)
            let form = EnterpriseFormFields(fields)
            var entry = Enterprises.Registration(
                plan: try form.required("plan", "方案"), name: try form.required("name", "企业名称"),
                mode: try form.choice(EnterpriseMode.self, "mode", "搬迁方式")?.rawValue)
            entry.park = form.text("park")
            entry.industry = form.text("industry")
            entry.highRisk = try form.choice(HighRiskClass.self, "high_risk", "高风险类别")?.rawValue
            entry.uscc = form.text("uscc")
            entry.siteHectares = try form.decimal("site_ha", "原厂址面积（公顷）")
            entry.siteMu = try form.decimal("site_mu", "原厂址面积（亩）")
            if entry.siteHectares != nil && entry.siteMu != nil {
                throw WebFailure(status: .badRequest, message: "原厂址面积：填公顷或亩，不要都填")
            }
            entry.employees = try form.integer("employees", "职工人数")
            entry.surplusWorkers = try form.integer("surplus_workers", "富余职工")
            entry.capacity = try Enterprises.Capacity.parse(form.text("capacity"), option: "原产能", in: db)
            entry.newCapacity = try Enterprises.Capacity.parse(form.text("new_capacity"), option: "新产能", in: db)
            entry.listedInPlan = try form.yesNo("listed_in_plan", "列入规划")
            entry.priority = try form.choice(EnterprisePriority.self, "priority", "分类")?.rawValue
            return try Enterprises(db).register(entry)
        }
    }

    func registerPost(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let fields = try await Forms.body(request)
        try requireCSRF(fields, signed)
        do {
            let id = try await register(fields, signed.person)
            return Reply.redirect("/enterprises/\(id)")
        } catch {
            // The form again, as typed, with the rule's words on top.
            let failure = Failures.from(error, rules: rules, logger: logger)
            let choices = try await registerChoices(signed.person)
            return registerForm(signed, choices, values: fields, failure: failure)
        }
    }

    /// As `reloc enterprise register … --format json`: {"id": N}, 201.
    func registerAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        let fields = try await Forms.body(request)
        try requireFormToken(request, fields, signed)
        let id = try await register(fields, signed.person)
        var response = Reply.json(JSON.object([("id", String(id))]), status: .created)
        response.headers[.location] = "/api/v1/enterprises/\(id)"
        return response
    }

    // MARK: - Edit (`reloc enterprise edit`)

    /// The record to edit, refused (403, the rule's words) to an organisation that may not change it.
    func editable(_ id: Int64, _ person: WebPerson) async throws -> (EnterpriseRecord, Choices) {
        let record = try await enterpriseRecord(id, person)
        guard record.mayChange else { throw Web.notYourEnterprise(id, person) }
        let choices = try await database(as: person) { db in
            Choices(
                plans: try Plans(db).list().rows.map { ($0["code"] ?? "", "\($0["code"] ?? "") \($0["name"] ?? "")") },
                parks: try Parks(db).list().rows.map { ($0["code"] ?? "", "\($0["code"] ?? "") \($0["name"] ?? "")") })
        }
        return (record, choices)
    }

    func editPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let id = try Web.enterpriseID(context)
        let (record, choices) = try await editable(id, signed.person)
        return editForm(signed, id, choices, values: EnterpriseFormFields.values(of: record.show), failure: nil)
    }

    func editForm(_ signed: Signed, _ id: Int64, _ choices: Choices, values: [String: String], failure: WebFailure?)
        -> Response
    {
        var body = failure.map { "<p class=\"error\" role=\"alert\">\(HTML.escape($0.message))</p>" } ?? ""
        body += """
            <form method="post" action="/enterprises/\(id)/edit" class="report">
            \(HTML.csrfField(signed.csrf))
            \(EnterpriseFormFields.html(values, choices: choices))
            <p class="note">只改动过的项目会保存；清空一项即清除它。方式改为关停或就地改造时，承接园区随之清除。</p>
            <button>保存</button>
            </form>
            <p><a href="/enterprises/\(id)">返回企业</a></p>
            """
        return Reply.html(
            HTML.page(title: "修改企业 \(id)", person: signed.person, csrf: signed.csrf, body: body),
            status: failure?.status ?? .ok)
    }

    /// Changes what the form changed: each field compared with the enterprise as it is now; an
    /// emptied optional field is cleared (`--clear`), an emptied name, plan or mode refused.
    /// False when nothing changed: nothing is written (the store would refuse an empty change as
    /// a usage error, but a form saved as shown is no mistake).
    @discardableResult
    func edit(_ id: Int64, _ fields: [String: String], _ person: WebPerson) async throws -> Bool {
        try await database(as: person) { db in
            let enterprises = Enterprises(db)
            let now = EnterpriseFormFields.values(of: try enterprises.show(id))
            let form = EnterpriseFormFields(fields)
            var touched = false
            // Changed: given, and other than the record both as typed and as read (full-width digits).
            func changed(_ key: String) -> Bool {
                guard let typed = fields[key] else { return false }
                let current = now[key] ?? ""
                let differs = Spellings.trimmed(typed) != current && form.raw(key) != current
                if differs { touched = true }
                return differs
            }
            var edit = Enterprises.Edit()
            if changed("name") { edit.name = try form.required("name", "企业名称") }
            if changed("plan") { edit.plan = try form.required("plan", "方案") }
            if changed("mode") { edit.mode = try form.required(EnterpriseMode.self, "mode", "搬迁方式") }
            var clear: [Enterprises.OptionalField] = []
            // The new value of a changed field, or nil: unchanged, or emptied (then cleared).
            func clearOr<T>(_ key: String, _ field: Enterprises.OptionalField, _ value: () throws -> T?) rethrows -> T?
            {
                guard changed(key) else { return nil }
                guard let value = try value() else {
                    clear.append(field)
                    return nil
                }
                return value
            }
            edit.park = clearOr("park", .park) { form.text("park") }
            edit.industry = clearOr("industry", .industry) { form.text("industry") }
            edit.highRisk = try clearOr("high_risk", .highRisk) {
                try form.choice(HighRiskClass.self, "high_risk", "高风险类别")
            }
            edit.uscc = clearOr("uscc", .uscc) { form.text("uscc") }
            if let mu = try form.decimal("site_mu", "原厂址面积（亩）") {
                touched = true
                edit.siteArea = .mu(mu)
            } else if let hectares = try clearOr("site_ha", .siteArea, { try form.decimal("site_ha", "原厂址面积（公顷）") }) {
                edit.siteArea = .hectares(hectares)
            }
            edit.employees = try clearOr("employees", .employees) { try form.integer("employees", "职工人数") }
            edit.surplusWorkers = try clearOr("surplus_workers", .surplusWorkers) {
                try form.integer("surplus_workers", "富余职工")
            }
            edit.capacity = try clearOr("capacity", .capacity) {
                try Enterprises.Capacity.parse(form.text("capacity"), option: "原产能", in: db)
            }
            edit.newCapacity = try clearOr("new_capacity", .newCapacity) {
                try Enterprises.Capacity.parse(form.text("new_capacity"), option: "新产能", in: db)
            }
            edit.listedInPlan = try clearOr("listed_in_plan", .listedInPlan) {
                try form.yesNo("listed_in_plan", "列入规划")
            }
            edit.priority = try clearOr("priority", .priority) {
                try form.choice(EnterprisePriority.self, "priority", "分类")
            }
            edit.clear = clear
            guard touched else {
                // Nothing to write; still refused to an organisation that may not change it.
                guard try enterprises.mayChange(id) else { throw Web.notYourEnterprise(id, person) }
                return false
            }
            try enterprises.edit(id, edit)
            return true
        }
    }

    func editPost(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let fields = try await Forms.body(request)
        try requireCSRF(fields, signed)
        let id = try Web.enterpriseID(context)
        do {
            let changed = try await edit(id, fields, signed.person)
            // Saved as shown: back to the enterprise, told that nothing changed.
            return Reply.redirect(changed ? "/enterprises/\(id)" : "/enterprises/\(id)?edit=unchanged")
        } catch {
            let failure = Failures.from(error, rules: rules, logger: logger)
            // Refused outright (not this organisation's, no such enterprise): the error page.
            guard failure.status == .badRequest || failure.status == .unprocessableContent else { throw failure }
            let (_, choices) = try await editable(id, signed.person)
            return editForm(signed, id, choices, values: fields, failure: failure)
        }
    }

    /// The enterprise as changed, as `reloc enterprise show ID --format json`.
    func editAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        let fields = try await Forms.body(request)
        try requireFormToken(request, fields, signed)
        let id = try Web.enterpriseID(context)
        try await edit(id, fields, signed.person)
        return Reply.json(try enterpriseJSON(try await enterpriseRecord(id, signed.person)))
    }

    // MARK: - Advance (`reloc enterprise advance ID --to STATUS [--on] [--doc] [--note]`)

    func advancePage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let id = try Web.enterpriseID(context)
        let record = try await enterpriseRecord(id, signed.person)
        guard record.mayChange else { throw Web.notYourEnterprise(id, signed.person) }
        return advanceForm(signed, id, record, values: [:], failure: nil)
    }

    func advanceForm(
        _ signed: Signed, _ id: Int64, _ record: EnterpriseRecord, values: [String: String], failure: WebFailure?
    ) -> Response {
        var body = failure.map { "<p class=\"error\" role=\"alert\">\(HTML.escape($0.message))</p>" } ?? ""
        body += HTML.record(
            record.show, fields: [("name", "企业名称"), ("mode", "搬迁方式"), ("status", "状态")], terms: Web.enterpriseTerms)
        let options = EnterpriseStatus.allCases.map {
            "<option value=\"\($0.rawValue)\"\(values["to"] == $0.rawValue ? " selected" : "")>\(HTML.escape($0.zh))</option>"
        }
        body += """
            <form method="post" action="/enterprises/\(id)/advance" class="report">
            \(HTML.csrfField(signed.csrf))
            <label>推进到 <select name="to" required>\(options.joined())</select></label>
            <label>日期 <input name="on" type="date" value="\(HTML.escape(values["on"] ?? ""))"></label>
            <label>文号 <input name="doc" value="\(HTML.escape(values["doc"] ?? ""))" placeholder="如 长政发〔2015〕3号"></label>
            <label>说明 <input name="note" value="\(HTML.escape(values["note"] ?? ""))"></label>
            <button>推进</button>
            </form>
            <p class="note">每种方式先核查工业遗产（§四(五)），再按方式：异地迁建 → 搬迁中 → 已搬迁；依法关停 → 关停中 → 已关停；\
            就地改造 → 改造中 → 已改造。日期默认今天，不能晚于今天。</p>
            <p><a href="/enterprises/\(id)">返回企业</a></p>
            """
        return Reply.html(
            HTML.page(title: "推进企业 \(id)", person: signed.person, csrf: signed.csrf, body: body),
            status: failure?.status ?? .ok)
    }

    func advance(_ id: Int64, _ fields: [String: String], _ person: WebPerson) async throws {
        let form = EnterpriseFormFields(fields)
        let to = try form.required(EnterpriseStatus.self, "to", "推进到")
        let on = try form.date("on", "日期")
        let doc = form.text("doc")
        let note = form.text("note")
        try await database(as: person) { db in
            try Enterprises(db).advance(id, to: to.rawValue, doc: doc, on: on, note: note)
        }
    }

    func advancePost(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let fields = try await Forms.body(request)
        try requireCSRF(fields, signed)
        let id = try Web.enterpriseID(context)
        do {
            try await advance(id, fields, signed.person)
            return Reply.redirect("/enterprises/\(id)")
        } catch {
            let failure = Failures.from(error, rules: rules, logger: logger)
            guard failure.status == .badRequest || failure.status == .unprocessableContent else { throw failure }
            return advanceForm(
                signed, id, try await enterpriseRecord(id, signed.person), values: fields, failure: failure)
        }
    }

    func advanceAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        let fields = try await Forms.body(request)
        try requireFormToken(request, fields, signed)
        let id = try Web.enterpriseID(context)
        try await advance(id, fields, signed.person)
        return Reply.json(try enterpriseJSON(try await enterpriseRecord(id, signed.person)))
    }

    // MARK: - Who am I (for scripts: the form token of the JSON API's POSTs)

    func meAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(
            JSON.object([
                ("login", JSON.string(signed.person.login)), ("org", JSON.string(signed.person.organisation)),
                ("is_province", signed.person.isProvince ? "true" : "false"), ("csrf", JSON.string(signed.csrf)),
            ]))
    }
}

/// An enterprise's form: its fields (the options of `reloc enterprise register` and `edit`), the
/// values a record shows in them, and the typed values read back, refused in Chinese words.
struct EnterpriseFormFields {
    let fields: [String: String]

    init(_ fields: [String: String]) { self.fields = fields }

    /// The field as typed, spaces around it and full-width digits and letters made plain.
    func raw(_ key: String) -> String { Spellings.trimmed(Spellings.halfwidth(fields[key] ?? "")) }

    /// Free text (a name, a 文号): only the spaces around it trimmed; nil when empty.
    func text(_ key: String) -> String? {
        let value = Spellings.trimmed(fields[key] ?? "")
        return value.isEmpty ? nil : value
    }

    func required(_ key: String, _ label: String) throws -> String {
        guard let value = text(key) else { throw WebFailure(status: .badRequest, message: "\(label)不能为空") }
        return value
    }

    func choice<T: Choice>(_ type: T.Type, _ key: String, _ label: String) throws -> T? {
        let value = raw(key)
        guard !value.isEmpty else { return nil }
        guard let choice = T(spelling: value) else {
            throw WebFailure(status: .badRequest, message: "\(label)“\(value)”不是可选的值")
        }
        return choice
    }

    func required<T: Choice>(_ type: T.Type, _ key: String, _ label: String) throws -> T {
        guard let value = try choice(type, key, label) else {
            throw WebFailure(status: .badRequest, message: "\(label)不能为空")
        }
        return value
    }

    func decimal(_ key: String, _ label: String) throws -> Decimal? {
        let value = raw(key)
        guard !value.isEmpty else { return nil }
        guard let number = Decimal(exactText: value) else {
            throw WebFailure(status: .badRequest, message: "\(label)应为数，如 12.5（得到“\(value)”）")
        }
        return number
    }

    func integer(_ key: String, _ label: String) throws -> Int? {
        let value = raw(key)
        guard !value.isEmpty else { return nil }
        guard let number = Int(value) else {
            throw WebFailure(status: .badRequest, message: "\(label)应为整数（得到“\(value)”）")
        }
        return number
    }

    func yesNo(_ key: String, _ label: String) throws -> Bool? {
        switch raw(key).lowercased() {
        case "": return nil
        case "yes", "是", "true", "t": return true
        case "no", "否", "false", "f": return false
        default: throw WebFailure(status: .badRequest, message: "\(label)应为“是”或“否”")
        }
    }

    func date(_ key: String, _ label: String) throws -> CalendarDate? {
        let value = raw(key)
        guard !value.isEmpty else { return nil }
        guard let date = CalendarDate(value) else {
            throw WebFailure(status: .badRequest, message: "\(label)应写作 2026-12-01（得到“\(value)”）")
        }
        return date
    }

    /// The values an enterprise (`Enterprises.show`) shows in the form's fields.
    static func values(of show: PGResult) -> [String: String] {
        guard let row = show.rows.first else { return [:] }
        func capacity(_ column: String) -> String {
            guard let amount = row[column] else { return "" }
            return "\(amount) \(row["capacity_unit"] ?? "")".trimmingCharacters(in: .whitespaces)
        }
        return [
            "name": row["name"] ?? "", "plan": row["plan"] ?? "", "mode": row["mode"] ?? "", "park": row["park"] ?? "",
            "industry": row["industry"] ?? "", "high_risk": row["high_risk"] ?? "", "uscc": row["uscc"] ?? "",
            "site_ha": row["site_area_ha"] ?? "", "site_mu": "", "employees": row["employees"] ?? "",
            "surplus_workers": row["surplus_workers"] ?? "", "capacity": capacity("capacity_old"),
            "new_capacity": capacity("capacity_new"),
            "listed_in_plan": row["listed_in_plan"] == "t" ? "yes" : row["listed_in_plan"] == "f" ? "no" : "",
            "priority": row["priority"] ?? "",
        ]
    }

    static func html(_ values: [String: String], choices: Web.Choices) -> String {
        func value(_ key: String) -> String { HTML.escape(values[key] ?? "") }
        func input(_ key: String, _ label: String, _ extra: String = "") -> String {
            "<label>\(label) <input name=\"\(key)\" value=\"\(value(key))\"\(extra)></label>"
        }
        func select(
            _ key: String, _ label: String, _ options: [(String, String)], empty: String?, required: Bool = false
        )
            -> String
        {
            var html = "<label>\(label) <select name=\"\(key)\"\(required ? " required" : "")>"
            if let empty { html += "<option value=\"\">\(HTML.escape(empty))</option>" }
            for (code, text) in options {
                let selected = (values[key] ?? "").uppercased() == code.uppercased() ? " selected" : ""
                html += "<option value=\"\(HTML.escape(code))\"\(selected)>\(HTML.escape(text))</option>"
            }
            return html + "</select></label>"
        }
        func terms<T: Term>(_ type: T.Type) -> [(String, String)] { T.allCases.map { ($0.rawValue, $0.zh) } }
        return [
            select("plan", "方案", choices.plans, empty: nil, required: true),
            input("name", "企业名称", " required maxlength=\"200\""),
            // Unknown until someone says which (issue 14, 0026): the empty choice registers it so; a
            // known mode cannot be emptied again (edit: required once changed).
            select("mode", "搬迁方式", terms(EnterpriseMode.self), empty: UnknownFacts.word(.zh)),
            select("park", "承接园区（异地迁建）", choices.parks, empty: "（无）"),
            input("industry", "行业"),
            select("high_risk", "高风险类别（§四(三)）", terms(HighRiskClass.self), empty: "（不是）"),
            input("uscc", "统一社会信用代码", " maxlength=\"40\""),
            input("site_ha", "原厂址面积（公顷）", " inputmode=\"decimal\""),
            input("site_mu", "或（亩）", " inputmode=\"decimal\""),
            input("employees", "职工人数", " inputmode=\"numeric\""),
            input("surplus_workers", "富余职工", " inputmode=\"numeric\""),
            input("capacity", "原产能（数与单位，如 30 万吨/年）"),
            input("new_capacity", "新产能（同一单位）"),
            select("listed_in_plan", "列入规划", [("yes", "是"), ("no", "否")], empty: "（未知）"),
            select("priority", "分类（§四(二)）", terms(EnterprisePriority.self), empty: "（未知）"),
        ].joined(separator: "\n")
    }
}
