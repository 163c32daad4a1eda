#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A Swift type that a result column can be decoded into. Decoding checks the column's
/// PostgreSQL type, so reading a `date` as an `Int` is an error naming the column, not a guess.
public protocol PGDecodable {
    static func decode(pgText text: String, type: UInt32, column: String) throws -> Self
    /// Called for SQL NULL; only optionals accept it.
    static func decodeNull(type: UInt32, column: String) throws -> Self
}

extension PGDecodable {
    public static func decodeNull(type: UInt32, column: String) throws -> Self {
        throw PGError.decoding(
            "column \"\(column)\" is NULL; decode it as \(Self.self)? to accept NULL", column: column)
    }

    static func mismatch(_ type: UInt32, _ column: String) -> PGError {
        PGError.decoding(
            "column \"\(column)\" is \(PGType.name(of: type)), which does not decode as \(Self.self)",
            column: column)
    }

    static func malformed(_ text: String, _ column: String) -> PGError {
        PGError.decoding("column \"\(column)\": \"\(text.prefix(40))\" is not a valid \(Self.self)", column: column)
    }
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    public static func decode(pgText text: String, type: UInt32, column: String) throws -> Self {
        try Wrapped.decode(pgText: text, type: type, column: column)
    }
    public static func decodeNull(type: UInt32, column: String) throws -> Self { nil }
}

extension String: PGDecodable {
    public static func decode(pgText text: String, type: UInt32, column: String) throws -> String {
        guard PGType.texts.contains(type) else { throw mismatch(type, column) }
        return text
    }
}

/// Integers decode from smallint, integer, bigint and oid, and refuse values that do not fit.
private protocol PGInteger: FixedWidthInteger, PGDecodable {}

extension PGInteger {
    public static func decode(pgText text: String, type: UInt32, column: String) throws -> Self {
        guard PGType.integers.contains(type) else { throw mismatch(type, column) }
        guard let value = Self(text) else {
            throw PGError.decoding("column \"\(column)\": \(text) does not fit in \(Self.self)", column: column)
        }
        return value
    }
}

extension Int: PGInteger {}
extension Int64: PGInteger {}
extension Int32: PGInteger {}
extension Int16: PGInteger {}

extension Bool: PGDecodable {
    public static func decode(pgText text: String, type: UInt32, column: String) throws -> Bool {
        guard type == PGType.bool else { throw mismatch(type, column) }
        switch text {
        case "t": return true
        case "f": return false
        default: throw malformed(text, column)
        }
    }
}

extension Double: PGDecodable {
    public static func decode(pgText text: String, type: UInt32, column: String) throws -> Double {
        guard type == PGType.float8 || type == PGType.float4 || PGType.integers.contains(type) else {
            throw mismatch(type, column)
        }
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else { throw malformed(text, column) }
            return value
        }
    }
}

extension Decimal: PGDecodable {
    /// `numeric` arrives as exact decimal text and is parsed digit by digit: no floating point on
    /// the way. Decimal holds 38 significant digits; a value that needs more is refused, not rounded.
    public static func decode(pgText text: String, type: UInt32, column: String) throws -> Decimal {
        guard type == PGType.numeric || PGType.integers.contains(type) else { throw mismatch(type, column) }
        guard let value = Decimal(exactText: text) else {
            throw PGError.decoding(
                "column \"\(column)\": \(text.prefix(50)) is not a finite decimal of at most 38 significant digits",
                column: column)
        }
        return value
    }
}

extension Decimal {
    /// Parses "-12345.678" exactly, or returns nil (NaN, infinity, exponents, > 38 digits).
    public init?(exactText text: String) {
        var digits: [UInt8] = []
        var negative = false
        var fractionDigits = 0
        var seenPoint = false
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "-") where index == 0: negative = true
            case UInt8(ascii: "+") where index == 0: break
            case UInt8(ascii: "."):
                guard !seenPoint else { return nil }
                seenPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte - UInt8(ascii: "0"))
                if seenPoint { fractionDigits += 1 }
            default: return nil
            }
        }
        guard !digits.isEmpty else { return nil }
        // Trailing fractional zeros and leading zeros carry no value.
        while fractionDigits > 0, digits.last == 0 {
            digits.removeLast()
            fractionDigits -= 1
        }
        while digits.count > 1, digits.first == 0 { digits.removeFirst() }
        guard digits.count <= 38, fractionDigits <= 127 else { return nil }
        // Integer arithmetic on Decimal is exact within its 38 digits: add the digits in chunks
        // of up to 18, then place the decimal point by exponent.
        var significand = Decimal(0)
        var start = 0
        while start < digits.count {
            let chunk = digits[start..<min(start + 18, digits.count)]
            let chunkValue = chunk.reduce(UInt64(0)) { $0 * 10 + UInt64($1) }
            var scale = Decimal(1)
            for _ in chunk { scale *= 10 }
            significand = significand * scale + Decimal(chunkValue)
            start += chunk.count
        }
        self.init(
            sign: negative && !significand.isZero ? .minus : .plus, exponent: -fractionDigits, significand: significand)
    }
}

extension UUID: PGDecodable {
    public static func decode(pgText text: String, type: UInt32, column: String) throws -> UUID {
        guard type == PGType.uuid else { throw mismatch(type, column) }
        guard let value = UUID(uuidString: text) else { throw malformed(text, column) }
        return value
    }
}

extension CalendarDate: PGDecodable {
    public static func decode(pgText text: String, type: UInt32, column: String) throws -> CalendarDate {
        guard type == PGType.date else { throw mismatch(type, column) }
        guard let value = CalendarDate(text) else { throw malformed(text, column) }
        return value
    }
}

extension Date: PGDecodable {
    /// Only `timestamptz`: a `timestamp` without zone names no instant, and a `date` is a
    /// `CalendarDate`.
    public static func decode(pgText text: String, type: UInt32, column: String) throws -> Date {
        guard type == PGType.timestamptz else { throw mismatch(type, column) }
        guard let value = PGTimestamp.parse(text) else { throw malformed(text, column) }
        return value
    }
}
