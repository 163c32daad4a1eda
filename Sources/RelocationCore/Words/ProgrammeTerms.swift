/// The programme's words: a progress report's status (the digest's words), a task's latest status,
/// and the kinds of milestones (§三, §四).

/// A progress report: 正常推进, 存在风险, 受阻, 已完成 (and the short 正常).
public enum ProgressStatus: String, Term {
    case onTrack = "on-track", atRisk = "at-risk", blocked, done
    public static let domain = "progress.status"
    public static let constraint: String? = "progress_status_check"
    public static var otherSpellings: [String: ProgressStatus] { ["正常": .onTrack] }
    public var zh: String {
        switch self {
        case .onTrack: "正常推进"
        case .atRisk: "存在风险"
        case .blocked: "受阻"
        case .done: "已完成"
        }
    }
    public var en: String {
        switch self {
        case .onTrack: "on track"
        case .atRisk: "at risk"
        case .blocked: "blocked"
        case .done: "done"
        }
    }
}

/// A task's latest status: its latest report's, or not-reported (computed, never stored).
public enum TaskStatus: String, Term {
    case onTrack = "on-track", atRisk = "at-risk", blocked, done, notReported = "not-reported"
    public static let domain = "task.status"
    public static let constraint: String? = "progress_status_check"
    public static let derivedCodes: Set<String> = ["not-reported"]
    public static var otherSpellings: [String: TaskStatus] { ["正常": .onTrack] }
    public var zh: String {
        switch self {
        case .notReported: "未报告"
        default: ProgressStatus(rawValue: rawValue)!.zh
        }
    }
    public var en: String {
        switch self {
        case .notReported: "not reported"
        default: ProgressStatus(rawValue: rawValue)!.en
        }
    }
}

/// The dated steps a milestone tracks (§三, §四(一), §四(五), §四(六)), or a date a plan sets.
public enum MilestoneKind: String, Term {
    case planCompiled = "plan-compiled", riskAssessed = "risk-assessed", approved,
        relocationStarted = "relocation-started", relocationCompleted = "relocation-completed",
        heritageSurveyed = "heritage-surveyed", siteAssessed = "site-assessed", siteReleased = "site-released",
        basicCompletion = "basic-completion", custom
    public static let domain = "milestone.kind"
    public static let constraint: String? = "milestone_kind_check"
    public var zh: String {
        switch self {
        case .planCompiled: "方案编制完成"
        case .riskAssessed: "社会稳定风险评估"
        case .approved: "方案批准"
        case .relocationStarted: "开始搬迁"
        case .relocationCompleted: "完成搬迁"
        case .heritageSurveyed: "工业遗产核查认定"
        case .siteAssessed: "场地环境调查评估"
        case .siteReleased: "腾退场地再利用"
        case .basicCompletion: "基本完成"
        case .custom: "其他"
        }
    }
    public var en: String {
        switch self {
        case .planCompiled: "plan compiled"
        case .riskAssessed: "risk assessed"
        case .approved: "plan approved"
        case .relocationStarted: "relocation started"
        case .relocationCompleted: "relocation completed"
        case .heritageSurveyed: "heritage surveyed"
        case .siteAssessed: "site assessed"
        case .siteReleased: "site released"
        case .basicCompletion: "basic completion"
        case .custom: "other"
        }
    }
}

/// A milestone's state as `milestone list` computes it on a day (Milestones.swift): in no table,
/// so no CHECK lists it; labelled from reloc.term (0019) like every other code. `under-review`
/// (0023): its completion is submitted and the province has not yet accepted or returned it.
public enum MilestoneState: String, Term {
    case open, dueToday = "due-today", overdue, underReview = "under-review", done
    public static let domain = "milestone.state"
    public static let constraint: String? = nil
    public var zh: String {
        switch self {
        case .open: "未到期"
        case .dueToday: "今日到期"
        case .overdue: "已逾期"
        case .underReview: "审核中"
        case .done: "已完成"
        }
    }
    public var en: String {
        switch self {
        case .open: "open"
        case .dueToday: "due today"
        case .overdue: "overdue"
        case .underReview: "under review"
        case .done: "done"
        }
    }
}
