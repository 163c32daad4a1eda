import ArgumentParser
import Foundation
import RelocationCore

extension CalendarDate: ExpressibleByArgument {
    public init?(argument: String) { self.init(Spellings.halfwidth(argument)) }
}

/// A decimal number on the command line, full-width digits accepted (２２．５).
struct DecimalArgument: ExpressibleByArgument, Sendable {
    let value: Decimal
    init?(argument: String) {
        guard let value = Decimal(exactText: Spellings.halfwidth(argument).trimmingCharacters(in: .whitespaces)) else {
            return nil
        }
        self.value = value
    }
}

extension Enterprises.Capacity: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

/// A whole number, 0 or more (`--due-within 0`, `--limit 10`). Read unconditionally, so `-1` is
/// this option's value, not taken for an option ("Missing value"): a bad value, exit 65, saying
/// what is wanted.
enum WholeNumber {
    struct Wanted: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ wanted: String) -> @Sendable (String) throws -> Int {
        { text in
            guard let value = Int(FullWidthArguments.asciiNumber(text) ?? text), value >= 0 else {
                throw Wanted(description: "want \(wanted)")
            }
            return value
        }
    }
}

/// What a create command prints, one rule for all (docs/output.md): the new row's id, the bare
/// number in a table (for scripts), `{"id": N}` in JSON, a header `id` and the row, CR LF ended,
/// in CSV. Rows known by a code (plans, parks, organisations) print their `code` the same way,
/// with the table's sentence (`added plan X`); a task its `number`, a login its `login`.
func printID(_ id: Int64, _ format: OutputFormat) {
    printCreated(key: "id", .integer(Int(id)), table: "\(id)", format)
}

func printCode(_ code: String, _ format: OutputFormat, table sentence: String) {
    printCreated(key: "code", .text(code), table: sentence, format)
}

func printCreated(key: String, _ value: OutputValue, table sentence: String, _ format: OutputFormat) {
    printCreated([(key, value)], table: sentence, format)
}

/// The same with more than the key: a webhook contact's signing secret, shown only when it is made.
func printCreated(_ fields: [(key: String, value: OutputValue)], table sentence: String, _ format: OutputFormat) {
    var listing = Listing(columns: fields.map { .init($0.key) })
    listing.append(fields.map(\.value))
    switch format {
    case .table: Console.write(sentence + "\n")
    case .json, .csv, .xlsx: Console.write(listing.render(format, single: true))
    }
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

    /// An option with a fixed list of choices (a `CaseIterable` enum: `--format`, `--clear`) that
    /// was given another word: ArgumentParser (our own client-side words, never the server's) then
    /// lists the choices. That is the command line's shape, usage (64), as docs/operations.md#exit-codes says.
    static func isUnknownChoice(_ message: String) -> Bool {
        message.contains("Please provide one of")
    }
}
