/// The supervision loop's words (督办, issue 15).

/// A day the working-day calendar marks (0020): a State Council holiday, or a weekend made a working
/// day (调休). Every other day is a working day from Monday to Friday.
public enum CalendarDayKind: String, Term {
    case holiday, workday
    public static let domain = "calendar_day.kind"
    public static let constraint: String? = "calendar_day_kind"
    public static var otherSpellings: [String: CalendarDayKind] {
        ["节假日": .holiday, "假日": .holiday, "休": .holiday, "调休上班": .workday, "班": .workday, "上班": .workday]
    }
    public var zh: String {
        switch self {
        case .holiday: "节假日"
        case .workday: "调休上班"
        }
    }
    public var en: String {
        switch self {
        case .holiday: "holiday"
        case .workday: "working weekend"
        }
    }
}

/// An extension request's state (延期申请, 0023): asked, then decided once by the province; lapsed
/// (0027) when its milestone was closed before the decision (set by the database only).
public enum ExtensionState: String, Term {
    case pending, approved, rejected, lapsed
    public static let domain = "extension_request.state"
    public static let constraint: String? = "extension_request_state"
    public var zh: String {
        switch self {
        case .pending: "待审批"
        case .approved: "已批准"
        case .rejected: "不予批准"
        case .lapsed: "已失效"
        }
    }
    public var en: String { rawValue }
}

/// A completion under review (办结审核, 0023): accepted is 销号, returned is 退办.
public enum CompletionReviewState: String, Term {
    case pending, accepted, returned
    public static let domain = "completion_review.state"
    public static let constraint: String? = "completion_review_state"
    public var zh: String {
        switch self {
        case .pending: "待审核"
        case .accepted: "已销号"
        case .returned: "已退办"
        }
    }
    public var en: String { rawValue }
}

/// A milestone's light on a day (红黄绿灯), as `reloc.milestone_lights` decides it (69_lights.sql):
/// computed, never stored, so no CHECK lists it; labelled from reloc.term (0023).
public enum MilestoneLight: String, Term {
    case red, yellow, green, done
    public static let domain = "milestone.light"
    public static let constraint: String? = nil
    public var zh: String {
        switch self {
        case .red: "红灯"
        case .yellow: "黄灯"
        case .green: "绿灯"
        case .done: "已办结"
        }
    }
    public var en: String { rawValue }
}
