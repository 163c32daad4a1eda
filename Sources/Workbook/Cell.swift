/// A cell of a worksheet, typed by its column (the caller knows which columns hold numbers and
/// dates; nothing here guesses a type from text).
public enum Cell: Sendable, Equatable {
    /// Text, written as a shared string.
    case text(String)
    /// A number in its exact decimal text (`12.5000`, `-3`, `1e3`): written as it is.
    case number(String)
    case integer(Int)
    /// A calendar day, written as Excel's day serial with the `yyyy-mm-dd` number format.
    case date(year: Int, month: Int, day: Int)
    case bool(Bool)
    case empty

    /// A number's text as a spreadsheet number, or as text when it is not one (PostgreSQL's
    /// `NaN` and `Infinity` have no spreadsheet number).
    public static func decimal(_ text: String) -> Cell {
        isDecimalNumber(text) ? .number(text) : .text(text)
    }

    /// `yyyy-mm-dd` as a date cell, or as text when it is not a plain date (`infinity`, a year
    /// beyond 9999, a day before 1900 that no spreadsheet serial counts).
    public static func day(_ text: String) -> Cell {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            year >= 1900, (1...12).contains(month), (1...31).contains(day)
        else { return .text(text) }
        return .date(year: year, month: month, day: day)
    }

    static func isDecimalNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        var digits = 0
        var seenDot = false
        var seenExponent = false
        var previous: UInt8 = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: ".") where !seenDot && !seenExponent: seenDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard !seenExponent, digits > 0 else { return false }
                seenExponent = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E") else { return false }
            default: return false
            }
            previous = byte
        }
        return digits > 0 && previous != UInt8(ascii: "e") && previous != UInt8(ascii: "E")
    }
}

/// Excel's day serial: days since 1899-12-30 (the 1900 date system, whose phantom 1900-02-29 makes
/// every day from 1900-03-01 on come out right when counted from that epoch).
enum DaySerial {
    static func serial(year: Int, month: Int, day: Int) -> Int {
        daysFromCivil(year, month, day) - daysFromCivil(1899, 12, 30)
    }

    static func civil(_ serial: Int) -> (year: Int, month: Int, day: Int) {
        civilFromDays(serial + daysFromCivil(1899, 12, 30))
    }

    /// Howard Hinnant's days_from_civil (proleptic Gregorian), days since 1970-01-01.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
