import RelocationCore

/// Each listing's table: the columns an official reads, within 120 terminal columns for the
/// reference data (jilin-2014), and the columns labelled by a term. JSON and CSV keep every key;
/// `--columns` shows any of them (docs/output.md).
extension TableView {
    static let enterprises = TableView(
        [
            ("id", "id"), ("name", "name"), ("city", "city"), ("plan", "plan"), ("mode", "mode"),
            ("status", "status"), ("priority", "priority"), ("park", "park"), ("high_risk", "high risk"),
            ("site_area_ha", "site ha"), ("employees", "employees"),
        ],
        terms: [
            "mode": EnterpriseMode.self, "status": EnterpriseStatus.self, "priority": EnterprisePriority.self,
            "high_risk": HighRiskClass.self,
        ],
        sheet: "企业台账")

    static let plans = TableView(
        [
            ("code", "code"), ("name", "name"), ("city", "city"), ("district", "district"), ("status", "status"),
            ("compile_by", "compile by"), ("basic_completion_by", "complete by"), ("enterprises", "enterprises"),
        ],
        terms: ["status": PlanStatus.self], sheet: "搬迁改造方案")

    static let parks = TableView(
        [
            ("code", "code"), ("name", "name"), ("city", "city"), ("kind", "kind"),
            ("legally_established", "established"), ("env_infrastructure_complete", "env infra"),
            ("planning_eia_passed", "planning EIA"), ("enterprises", "enterprises"),
        ],
        terms: ["kind": ParkKind.self], sheet: "园区")

    static let organisations = TableView(
        [
            ("code", "code"), ("name_zh", "name"), ("kind", "kind"), ("parent", "parent"),
            ("division_code", "division"), ("successor", "successor"), ("succeeded_on", "succeeded on"),
        ],
        terms: ["kind": OrganisationKind.self], sheet: "单位")

    static let tasks = TableView(
        [
            ("number", "no"), ("short_title", "title"), ("lead_name", "lead"), ("percent", "percent"),
            ("status", "status"), ("due_on", "due"), ("days_overdue", "days overdue"), ("light", "light"),
        ],
        terms: ["status": TaskStatus.self, "light": MilestoneLight.self], sheet: "任务")

    static let milestones = TableView(
        [
            ("id", "id"), ("kind", "kind"), ("short_title", "title"), ("attached_to", "attached to"),
            ("owner", "owner"), ("due_on", "due"), ("extensions", "ext"), ("state", "state"), ("days_left", "days"),
            ("light", "light"),
        ],
        terms: [
            "kind": MilestoneKind.self, "status": ProgressStatus.self, "state": MilestoneState.self,
            "light": MilestoneLight.self,
        ],
        sheet: "节点")

    static let extensionRequests = TableView(
        [
            ("id", "id"), ("milestone_id", "milestone"), ("requested_by", "by"), ("requested_on", "asked on"),
            ("due_on", "due"), ("requested_to", "to"), ("state", "state"), ("decided_to", "approved to"),
            ("reason", "reason"),
        ],
        terms: ["state": ExtensionState.self], sheet: "延期申请")

    static let completionReviews = TableView(
        [
            ("id", "id"), ("milestone_id", "milestone"), ("requested_by", "by"), ("requested_on", "submitted"),
            ("done_on", "done on"), ("evidence", "evidence"), ("state", "state"),
            ("waited_working_days", "waited (wd)"), ("decision_note", "note"),
        ],
        terms: ["state": CompletionReviewState.self], sheet: "办结审核")

    static let reviewKinds = TableView.all()

    static let sites = TableView(
        [
            ("id", "id"), ("name", "name"), ("city", "city"), ("plan", "plan"), ("enterprise", "enterprise"),
            ("area_ha", "ha"), ("planned_reuse", "reuse"), ("env_state", "environment"),
            ("released_on", "released on"),
        ],
        terms: ["planned_reuse": SiteReuse.self, "env_state": SiteState.self], sheet: "腾退地块")

    static let siteHistory = TableView.all(
        terms: ["from_state": SiteState.self, "to_state": SiteState.self], sheet: "地块状态历史")

    static let landQuotas = TableView.all(sheet: "用地指标")

    static let landUsage = TableView.all(sheet: "用地指标使用")

    static let landAllocations = TableView(
        [
            ("id", "id"), ("year", "year"), ("holder", "holder"), ("enterprise", "enterprise"), ("project", "project"),
            ("hectares", "ha"), ("mu", "mu"), ("supply", "supply"), ("allocated_on", "allocated on"), ("doc", "doc"),
            ("status", "status"),
        ],
        terms: ["supply": LandSupply.self], sheet: "用地供应")

    static let milestoneRules = TableView.all(terms: ["kind": MilestoneKind.self], sheet: "节点提醒规则")

    static let reminderRules = TableView(
        [
            ("kind", "kind"), ("days_before", "days before"), ("working_days_before", "working days before"),
            ("on_due_date", "on due"), ("overdue_first", "overdue from"), ("overdue_every", "every"),
            ("escalate_after", "escalate"), ("escalate_to_city", "to city"), ("source", "source"),
        ],
        terms: ["kind": MilestoneKind.self], sheet: "提醒规则")

    static let acknowledgements = TableView(
        [
            ("subject", "subject"), ("task", "task"), ("milestone_id", "milestone"), ("title", "title"), ("org", "org"),
            ("since", "since"), ("working_days", "wd"), ("acknowledged", "acknowledged"), ("late", "late"),
            ("acknowledged_on", "on"),
        ], sheet: "签收")

    static let contacts = TableView.all(terms: ["channel": ContactChannel.self], sheet: "联系人")

    static let calendarFeeds = TableView.all(sheet: "日历订阅")

    static let reminderHistory = TableView(
        [
            ("id", "id"), ("as_of", "as of"), ("org", "org"), ("state", "state"), ("attempts", "attempts"),
            ("items", "items"), ("sent_at", "sent at"), ("last_error", "last error"),
        ],
        terms: ["state": DeliveryState.self], sheet: "提醒记录")

    static let migrations = TableView.all(sheet: "数据库迁移")
}
