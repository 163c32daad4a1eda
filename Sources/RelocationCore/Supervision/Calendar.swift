import Foundation
import LibPQClient

/// The working-day calendar (工作日, issue 15 督办): the State Council's holidays and the weekends
/// made working days (调休), as the province imports them (`reloc calendar import`); every other
/// Monday to Friday works. reloc ships no holidays: each year's come from that year's notice.
public struct WorkingDayCalendar {
    /// The CSV header: `date,kind,name`, all three required (as `enterprise import`, the header row
    /// is required and its columns may stand in any order).
    public static let columns = ["date", "kind", "name"]

    public enum Outcome: Sendable, Equatable {
        /// Days of the file written (new or changed), days of its years removed, lines read.
        case imported(written: Int, removed: Int, lines: Int, years: [Int])
        case rejected([ImportBadLine])
    }

    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// All or nothing. The file is the calendar of every year it names: its days are written (a day
    /// already there with another kind or name is updated) and the days of those years the file
    /// does not list are removed, so importing a corrected notice replaces the year, importing the
    /// same file again changes nothing, and other years stay as they are. Every bad line is named.
    public func importCSV(_ text: String, source: String? = nil) throws -> Outcome {
        let file = try CSVImportFile(
            text, columns: WorkingDayCalendar.columns, required: WorkingDayCalendar.columns, source: source)
        let at = Dictionary(uniqueKeysWithValues: file.names.enumerated().map { ($1, $0) })
        var bad = file.bad
        var days: [(line: Int, day: CalendarDate, kind: CalendarDayKind, name: String)] = []
        var seen: [CalendarDate: Int] = [:]
        for record in file.records {
            let dateText = record.fields[at["date"]!]
            let kindText = record.fields[at["kind"]!]
            let name = record.fields[at["name"]!].trimmingCharacters(in: .whitespaces)
            guard let day = CalendarDate(Spellings.halfwidth(dateText).trimmingCharacters(in: .whitespaces)) else {
                bad.append(ImportBadLine(line: record.line, reason: "date \"\(dateText)\" is not a date (YYYY-MM-DD)"))
                continue
            }
            guard let kind = CalendarDayKind(spelling: kindText) else {
                bad.append(
                    ImportBadLine(
                        line: record.line,
                        reason: "kind \"\(kindText)\" is not holiday or workday (节假日 or 调休上班)"))
                continue
            }
            if let first = seen[day] {
                bad.append(ImportBadLine(line: record.line, reason: "\(day) is listed twice (first on line \(first))"))
                continue
            }
            seen[day] = record.line
            days.append((record.line, day, kind, name))
        }
        do {
            return try db.withTransaction { tx in
                var written = 0
                for entry in days {
                    // One savepoint per line: the database's words for each bad line, all of them.
                    do {
                        written += try tx.withTransaction { sp in
                            try sp.execute(
                                """
                                INSERT INTO reloc.calendar_day AS c (day, kind, name)
                                VALUES (\(entry.day)::date, \(entry.kind.rawValue), \(entry.name))
                                ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name
                                WHERE (c.kind, c.name) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.name)
                                """)
                        }
                    } catch let error as PGError where error.sqlState != "42501" && error.kind == .server {
                        let rule = error.constraint.map { " [rule \($0)]" } ?? ""
                        let detail = error.detail.flatMap { $0.isEmpty ? nil : ": \($0)" } ?? ""
                        bad.append(ImportBadLine(line: entry.line, reason: "\(error.message)\(detail)\(rule)"))
                    }
                }
                if !bad.isEmpty { throw Rejected(lines: bad) }  // rolls back: nothing is imported
                let years = Array(Set(days.map(\.day.year))).sorted()
                let listed = days.map(\.day.description)
                let removed = try tx.execute(
                    """
                    DELETE FROM reloc.calendar_day
                    WHERE extract(year FROM day)::int = ANY (\(years)::int[]) AND NOT (day::text = ANY (\(listed)::text[]))
                    """)
                return .imported(written: written, removed: removed, lines: days.count, years: years)
            }
        } catch let rejected as Rejected {
            return .rejected(rejected.lines.sorted { $0.line < $1.line })
        }
    }

    /// `encoding`: UTF-8 (default) or GB18030/GBK, as Excel saves CSV in Chinese (CSVFile).
    public func importFile(_ path: String, encoding: CSVEncoding = .utf8) throws -> Outcome {
        try importCSV(try CSVFile.text(of: path, encoding: encoding), source: path)
    }

    /// The days of a year the calendar marks (date, kind, name, weekday), in order.
    public func list(year: Int) throws -> PGResult {
        try db.query(
            """
            SELECT c.day AS date, c.kind, c.name, to_char(c.day, 'FMDy') AS weekday
            FROM reloc.calendar_day c
            WHERE c.day >= make_date(\(year)::int, 1, 1) AND c.day < make_date(\(year)::int + 1, 1, 1)
            ORDER BY c.day
            """)
    }

    /// The working days of a year, by the calendar (Monday to Friday, less its holidays, plus its
    /// weekends made working days).
    public func workingDays(year: Int) throws -> Int {
        try db.query(
            """
            SELECT reloc.working_days_between(make_date(\(year)::int, 1, 1) - 1, make_date(\(year)::int, 12, 31))
            """
        ).scalar(Int.self)
    }

    /// Working days after `from` up to and including `to` (negative when `to` is earlier).
    public func workingDays(from: CalendarDate, to: CalendarDate) throws -> Int {
        try db.query("SELECT reloc.working_days_between(\(from)::date, \(to)::date)").scalar(Int.self)
    }

    /// The n-th working day after `day` (n > 0), before it (n < 0), or `day` itself.
    public func addWorkingDays(_ day: CalendarDate, _ n: Int) throws -> CalendarDate {
        try db.query("SELECT reloc.add_working_days(\(day)::date, \(n)::int)").scalar(CalendarDate.self)
    }

    struct Rejected: Error {
        let lines: [ImportBadLine]
    }
}
