import ArgumentParser
import Foundation
import LibPQClient
import RelocationCore

extension CalendarDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// A decimal number on the command line, full-width digits accepted (２２．５).
struct DecimalArgument: ExpressibleByArgument, Sendable {
    let value: Decimal
    init?(argument: String) {
        guard let value = Decimal(exactText: argument.asciiDigits.trimmingCharacters(in: .whitespaces)) else {
            return nil
        }
        self.value = value
    }
}

extension Enterprises.Capacity: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// Checks a word against the allowed ones, so a typo is a usage error (64) naming the choices.
func requireOneOf(_ value: String?, _ allowed: [String], option: String) throws {
    guard let value, !allowed.contains(value) else { return }
    throw ValidationError("\(option) must be one of: \(allowed.joined(separator: ", ")) (got \"\(value)\")")
}

extension Listing {
    /// Prints a one-item result as an object (JSON) or a record (table).
    func printItem(_ format: OutputFormat) {
        Console.write(render(format, single: true))
    }
}

/// yes/no on the command line (also true/false, 是/否).
struct YesNo: ExpressibleByArgument, Sendable {
    let value: Bool
    init?(argument: String) {
        switch argument.lowercased() {
        case "yes", "y", "true", "1", "是": value = true
        case "no", "n", "false", "0", "否": value = false
        default: return nil
        }
    }
}

/// Tells a value ArgumentParser could not convert (an `ExpressibleByArgument` that returned nil,
/// a transform that threw) from other command-line mistakes. ArgumentParser's error types are
/// internal; their shape is read by reflection: a `parserError` whose case is `unableToParseValue`.
enum BadValue {
    static func isBadValue(_ error: any Error) -> Bool {
        guard let parserError = Mirror(reflecting: error).descendant("parserError") else { return false }
        return Mirror(reflecting: parserError).children.first?.label == "unableToParseValue"
    }
}
