import Foundation
import LibPQClient

/// The day a listing is computed for ("today", overdue, due within): today in the programme's
/// zone (Asia/Shanghai unless RELOC_TIMEZONE says otherwise), a given date, or the date an instant
/// falls on in that zone, so that reports can be run for a past or future day.
public enum AsOf: Sendable, Equatable {
    case today
    case date(CalendarDate)
    /// An instant, e.g. 2014-12-31T17:00:00Z: its calendar date in the programme's zone.
    case instant(Date)

    /// Parses `YYYY-MM-DD` (full-width digits accepted) or an ISO 8601 date-time with a zone
    /// (`2014-12-31T17:00Z`, `2014-12-31T17:00:00+08:00`).
    public init?(_ text: String) {
        // Full-width digits (２０１４－１２－３１) are folded first: the one folding, Spellings.halfwidth.
        var ascii = Spellings.halfwidth(text).trimmingCharacters(in: .whitespaces)
        if let date = CalendarDate(ascii) {
            self = .date(date)
            return
        }
        // ISO8601DateFormatter wants seconds: 2014-12-31T17:00Z → 2014-12-31T17:00:00Z.
        if let match = ascii.range(of: #"T\d{2}:\d{2}(?=Z|[+-]|$)"#, options: .regularExpression) {
            ascii.insert(contentsOf: ":00", at: match.upperBound)
        }
        let formatter = ISO8601DateFormatter()
        if let instant = formatter.date(from: ascii) {
            self = .instant(instant)
            return
        }
        formatter.formatOptions.insert(.withFractionalSeconds)
        guard let instant = formatter.date(from: ascii) else { return nil }
        self = .instant(instant)
    }

    /// The SQL expression of the day (a `date`).
    public var sql: SQLQuery {
        switch self {
        case .today: "reloc.today()"
        case .date(let date): "\(date)::date"
        case .instant(let instant): "reloc.local_date(\(instant))"
        }
    }
}

extension AsOf {
    /// The day itself, as the database reckons it (`reloc.today()` in the session's zone for
    /// `.today`): what a page draws "today" at (the web desk's timelines).
    public func day(in db: PGConnection) throws -> String {
        try db.query("SELECT (\(sql))::text").scalar(String.self)
    }
}
