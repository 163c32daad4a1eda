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
