#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A Swift value that can be sent as a query parameter. Values travel in PostgreSQL's text
/// format; `pgType` tells the server the type when it cannot infer it (0 lets it infer).
public protocol PGEncodable: Sendable {
    /// The parameter's text, or nil for SQL NULL.
    var pgText: String? { get }
    static var pgType: UInt32 { get }
}

extension String: PGEncodable {
    public var pgText: String? { self }
    public static var pgType: UInt32 { PGType.text }
}

extension Substring: PGEncodable {
    public var pgText: String? { String(self) }
    public static var pgType: UInt32 { PGType.text }
}

extension Int: PGEncodable {
    public var pgText: String? { String(self) }
    public static var pgType: UInt32 { PGType.int8 }
}

extension Int64: PGEncodable {
    public var pgText: String? { String(self) }
    public static var pgType: UInt32 { PGType.int8 }
}

extension Int32: PGEncodable {
    public var pgText: String? { String(self) }
    public static var pgType: UInt32 { PGType.int4 }
}

extension Int16: PGEncodable {
    public var pgText: String? { String(self) }
    public static var pgType: UInt32 { PGType.int2 }
}

extension Bool: PGEncodable {
    public var pgText: String? { self ? "t" : "f" }
    public static var pgType: UInt32 { PGType.bool }
}

extension Double: PGEncodable {
    public var pgText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return "\(self)"  // Swift prints the shortest text that reads back to the same Double
    }
    public static var pgType: UInt32 { PGType.float8 }
}

extension Decimal: PGEncodable {
    /// Decimal's description is locale-independent and exact ("12345678901234567890.123").
    public var pgText: String? { isNaN ? "NaN" : description }
    public static var pgType: UInt32 { PGType.numeric }
}

extension UUID: PGEncodable {
    public var pgText: String? { uuidString.lowercased() }
    public static var pgType: UInt32 { PGType.uuid }
}

extension CalendarDate: PGEncodable {
    public var pgText: String? { description }
    public static var pgType: UInt32 { PGType.date }
}

extension Date: PGEncodable {
    /// UTC with microseconds, the precision of timestamptz.
    public var pgText: String? { PGTimestamp.format(self) }
    public static var pgType: UInt32 { PGType.timestamptz }
}

extension Optional: PGEncodable where Wrapped: PGEncodable {
    public var pgText: String? { self?.pgText }
    public static var pgType: UInt32 { Wrapped.pgType }
}

extension Array: PGEncodable where Element: PGArrayElement {
    /// An array literal: {"a","b",NULL}; every element quoted and escaped.
    public var pgText: String? {
        let items = map { element -> String in
            guard let text = element.pgText else { return "NULL" }
            var quoted = "\""
            for character in text {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "\""
        }
        return "{" + items.joined(separator: ",") + "}"
    }
    public static var pgType: UInt32 { Element.pgArrayType }
}

/// Element types that may be sent as an array parameter (e.g. `WHERE code = ANY(\(codes))`).
public protocol PGArrayElement: PGEncodable {
    static var pgArrayType: UInt32 { get }
}

extension String: PGArrayElement {
    public static var pgArrayType: UInt32 { PGType.textArray }
}

extension Int64: PGArrayElement {
    public static var pgArrayType: UInt32 { PGType.int8Array }
}

extension Int: PGArrayElement {
    public static var pgArrayType: UInt32 { PGType.int8Array }
}
