import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// 我的任务: the tasks and milestones of the person's organisation (`--mine`), each with its
/// progress form and full history; a milestone can be marked done. Whether a report may be made
/// is PostgreSQL's decision (progress_report's trigger and policies): the page only hides the
/// form from those it would refuse.
extension Web {
    func myWork(_ person: WebPerson) async throws -> (tasks: PGResult, milestones: PGResult) {
        try await database(as: person) { db in
            var tasks = Tasks.Filter()
            tasks.mine = true
            var milestones = Milestones.Filter()
            milestones.mine = true
            return (try Tasks(db).list(tasks), try Milestones(db).list(milestones))
        }
    }

    func tasksPage(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let work = try await myWork(signed.person)
        let body = "<h3>任务</h3>" + taskTable(work.tasks) + "<h3>节点</h3>" + milestoneTable(work.milestones)
        return Reply.html(HTML.page(title: "我的任务", person: signed.person, csrf: signed.csrf, body: body))
    }

    func tasksAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(JSON.rows(try await myWork(signed.person).tasks))
    }

    func milestonesAPI(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        return Reply.json(JSON.rows(try await myWork(signed.person).milestones))
    }

    struct Subject: Sendable {
        let subject: RelocationCore.Progress.Subject
        let show: PGResult
        let history: PGResult
        let mayReport: Bool
    }

    /// A task or milestone, its history, and whether the acting organisation may report on it
    /// (its own work, or the province's); 404 when it does not exist.
    func subject(_ subject: RelocationCore.Progress.Subject, _ person: WebPerson) async throws -> Subject {
        try await database(as: person) { db in
            let show: PGResult
            var mine = person.isProvince
            switch subject {
            case .task(let number):
                show = try Tasks(db).show(number)
                if !mine {
                    var filter = Tasks.Filter()
                    filter.mine = true
                    mine = try Tasks(db).list(filter).rows.contains { $0["number"] == String(number) }
                }
            case .milestone(let id):
                show = try Milestones(db).show(id)
                if !mine {
                    var filter = Milestones.Filter()
                    filter.mine = true
                    filter.id = id
                    mine = !(try Milestones(db).list(filter).rows.isEmpty)
                }
            }
            return Subject(
                subject: subject, show: show, history: try RelocationCore.Progress(db).history(of: subject),
                mayReport: mine)
        }
    }

    static func subject(_ context: WebContext, _ kind: String) throws -> RelocationCore.Progress.Subject {
        let text = context.parameters.get("id") ?? ""
        switch kind {
        case "task":
            guard let number = Int(text), number > 0 else { throw WebFailure(status: .notFound, message: "没有这个任务") }
            return .task(number)
        default:
            guard let id = Int64(text), id > 0 else { throw WebFailure(status: .notFound, message: "没有这个节点") }
            return .milestone(id)
        }
    }

    static func path(_ subject: RelocationCore.Progress.Subject) -> String {
        switch subject {
        case .task(let number): "/tasks/\(number)"
        case .milestone(let id): "/milestones/\(id)"
        }
    }

    func notYours(_ subject: RelocationCore.Progress.Subject, _ person: WebPerson) -> PermissionRefusal {
        let what: String
        switch subject {
        case .task(let number): what = "task \(number)"
        case .milestone(let id): what = "milestone \(id)"
        }
        return PermissionRefusal(
            rule: "progress_report_writers", detail: "\(what) is not \(person.organisation)'s to report on")
    }

    /// The progress form, and for a milestone (unless `markDone` is false) the form that marks it done.
    func progressForms(_ subject: RelocationCore.Progress.Subject, path: String, csrf: String, markDone: Bool = true)
        -> String
    {
        let options = ProgressStatus.allCases.map { "<option value=\"\($0.rawValue)\">\(HTML.escape($0.zh))</option>" }
        var forms = """
            <h3>报告进展</h3>
            <form method="post" action="\(path)/progress" class="report">
            \(HTML.csrfField(csrf))
            <label>进度（%） <input name="percent" inputmode="decimal" required></label>
            <label>状态 <select name="status"><option value="">（按进度）</option>\(options.joined())</select></label>
            <label>说明 <textarea name="note" rows="3" required></textarea></label>
            <label>佐证文号 <input name="evidence" placeholder="如 吉政办发〔2014〕29号；多个以分号隔开"></label>
            <button>提交</button>
            </form>
            """
        if case .milestone = subject, markDone {
            forms += """
                <h3>标记完成</h3>
                <form method="post" action="\(path)/done" class="done">
                \(HTML.csrfField(csrf))
                <label>完成日期 <input name="on" type="date"></label>
                <label>说明 <input name="note"></label>
                <label>佐证文号 <input name="evidence" placeholder="须经省里审核的节点必填；多个以分号隔开"></label>
                <button>标记完成</button>
                </form>
                """
        }
        return forms
    }

    func subjectPage(_ request: Request, _ context: WebContext, kind: String) async throws -> Response {
        let signed = try await signedIn(request)
        let subject = try Web.subject(context, kind)
        let found = try await self.subject(subject, signed.person)
        // Another organisation's progress form is not shown (403 with the rule's words); its POST
        // is refused by PostgreSQL whatever the page showed.
        guard found.mayReport else { throw notYours(subject, signed.person) }
        let path = Web.path(subject)
        var body: String
        switch subject {
        case .task:
            body = HTML.table(
                found.show,
                columns: [
                    ("number", "编号"), ("title", "任务"), ("lead", "牵头单位"), ("percent", "进度（%）"), ("status", "状态"),
                    ("due_on", "完成时限"), ("days_overdue", "逾期天数"), ("source_document", "依据"),
                ])
        case .milestone:
            body = milestoneTable(found.show)
        }
        // A milestone done takes no report (rule progress_on_open_milestone) and is done already;
        // one under review (办结审核) takes reports but not a second completion
        // (completion_review_one_pending): the page offers only what PostgreSQL would take.
        var doneOn: String?
        var underReview = false
        if case .milestone = subject {
            doneOn = found.show.rows.first?["done_on"]
            underReview = found.show.rows.first?["state"] == MilestoneState.underReview.rawValue
        }
        if let doneOn {
            // Who may reopen it depends on how it was closed (by hand, by its step, by the
            // province's acceptance): the rule's words say so when one tries.
            body += """
                <p class="note">本节点已于 \(HTML.escape(doneOn)) 完成，不再接受进展报告。\
                如工作需要继续，须先重新打开（reloc milestone reopen：由关闭它的单位或省里办理；\
                随步骤完成的节点，更正该步骤）。</p>
                """
        } else {
            body += progressForms(subject, path: path, csrf: signed.csrf, markDone: !underReview)
            if underReview {
                body += "<p class=\"note\">本节点的办结已提交省里审核（审核中）：审核前仍可报告进展，不能再次提交办结。</p>"
            }
        }
        body += "<h3>进展记录</h3>"
        body += HTML.table(
            found.history,
            columns: [
                ("reported_at", "时间"), ("org", "单位"), ("login", "报告人"), ("percent", "进度（%）"), ("status", "状态"),
                ("note", "说明"), ("evidence", "佐证文号"),
            ])
        body += HTML.auditLink(kind, found.show.rows.first?[kind == "task" ? "number" : "id"] ?? "")
        let title: String
        switch subject {
        case .task(let number): title = "任务 \(number)"
        case .milestone(let id): title = "节点 \(id)"
        }
        return Reply.html(HTML.page(title: title, person: signed.person, csrf: signed.csrf, body: body))
    }

    func subjectAPI(_ request: Request, _ context: WebContext, kind: String) async throws -> Response {
        let signed = try await signedIn(request, api: true)
        let subject = try Web.subject(context, kind)
        let found = try await self.subject(subject, signed.person)
        guard let row = found.show.rows.first else { throw WebFailure(status: .notFound, message: "没有") }
        return Reply.json(
            JSON.object([
                (kind, JSON.object(row)), ("history", JSON.rows(found.history)),
                ("may_report", found.mayReport ? "true" : "false"),
            ]))
    }

    func reportProgress(_ request: Request, _ context: WebContext, kind: String) async throws -> Response {
        let signed = try await signedIn(request)
        let fields = try await Forms.body(request)
        try requireCSRF(fields, signed)
        let subject = try Web.subject(context, kind)
        let percentText = Spellings.halfwidth(fields["percent"] ?? "").trimmingCharacters(in: .whitespaces)
        let status = (fields["status"] ?? "").isEmpty ? nil : fields["status"]
        // The whole field, exactly (as the CLI's --percent): Decimal(string:) read "1.2.3" as 1.2.
        guard let percent = Decimal(exactText: percentText) else {
            throw WebFailure(
                status: .badRequest, message: "进度应为 0 到 100 之间的数，如 40 或 62.5（得到“\(percentText)”）")
        }
        let evidence = Self.evidence(fields)
        let report = RelocationCore.Progress.Report(
            percent: percent, status: status, note: fields["note"] ?? "", evidence: evidence)
        _ = try await database(as: signed.person) { db in try RelocationCore.Progress(db).report(on: subject, report) }
        return Reply.redirect(Web.path(subject))
    }

    func markDone(_ request: Request, _ context: WebContext) async throws -> Response {
        let signed = try await signedIn(request)
        let fields = try await Forms.body(request)
        try requireCSRF(fields, signed)
        guard case .milestone(let id) = try Web.subject(context, "milestone") else {
            throw WebFailure(status: .notFound, message: "没有这个节点")
        }
        var day: CalendarDate?
        if let text = fields["on"], !text.isEmpty {
            guard let parsed = CalendarDate(Spellings.halfwidth(text)) else {
                throw WebFailure(status: .badRequest, message: "完成日期应写作 2026-12-01")
            }
            day = parsed
        }
        let note = (fields["note"] ?? "").isEmpty ? nil : fields["note"]
        let on = day
        // A reviewed milestone (办结审核) is submitted with its evidence, as `milestone done --evidence`.
        let evidence = Self.evidence(fields)
        _ = try await database(as: signed.person) { db in
            try Milestones(db).done(id, on: on, note: note, evidence: evidence)
        }
        return Reply.redirect("/milestones/\(id)")
    }

    /// The 佐证文号 field: several numbers separated by ；, ; or a new line.
    static func evidence(_ fields: [String: String]) -> [String] {
        (fields["evidence"] ?? "").split(whereSeparator: { ";；\n".contains($0) })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
