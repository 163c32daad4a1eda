#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Text forms of `timestamptz` under DateStyle ISO: "2026-11-24 20:24:27.123456+08" or "+05:30".
enum PGTimestamp {
    static func format(_ date: Date) -> String {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let micros = Int64(totalMicros)
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        // The epoch day arithmetic covers years 1...9999, the range PostgreSQL and we accept.
        guard let day = CalendarDate(daysSinceEpoch: days) else { return days < 0 ? "-infinity" : "infinity" }
        return String(
            format: "%@ %02d:%02d:%02d.%06d+00", day.description, secondOfDay / 3600,
            secondOfDay / 60 % 60, secondOfDay % 60, Int(fraction))
    }

    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        // yyyy-mm-dd hh:mm:ss[.ffffff](+|-)hh[:mm[:ss]]
        guard bytes.count >= 22, bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
            let day = CalendarDate(String(decoding: bytes[0..<10], as: UTF8.self)),
            let hour = number(bytes, 11, 2), bytes[13] == UInt8(ascii: ":"),
            let minute = number(bytes, 14, 2), bytes[16] == UInt8(ascii: ":"),
            let second = number(bytes, 17, 2)
        else { return nil }
        var index = 19
        var micros = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, let digit = digitValue(bytes[index]) {
                if digits < 6 { micros = micros * 10 + digit }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { micros *= 10 }
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
        else { return nil }
        let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
        index += 1
        guard let offsetHours = number(bytes, index, 2) else { return nil }
        index += 2
        var offsetSeconds = offsetHours * 3600
        for multiplier in [60, 1] where index < bytes.count {
            guard bytes[index] == UInt8(ascii: ":"), let part = number(bytes, index + 1, 2) else { return nil }
            offsetSeconds += part * multiplier
            index += 3
        }
        guard index == bytes.count else { return nil }
        let localSeconds = Int64(day.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        let utcSeconds = localSeconds - Int64(sign * offsetSeconds)
        return Date(timeIntervalSince1970: Double(utcSeconds) + Double(micros) / 1_000_000)
    }

    private static func digitValue(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[start..<start + count] {
            guard let digit = digitValue(byte) else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
