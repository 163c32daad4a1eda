import Foundation

/// A value in command output, typed so JSON shows numbers as numbers and NULL as null.
public enum OutputValue: Sendable, Equatable {
    case text(String)
    case integer(Int)
    /// Exact decimal text (from `numeric`), printed as a JSON number.
    case decimal(String)
    case bool(Bool)
    /// JSON text (from `json`/`jsonb`), embedded as it is in JSON output and printed as text elsewhere.
    case json(String)
    case null

    public var plain: String {
        switch self {
        case .text(let text): text
        case .integer(let number): String(number)
        case .decimal(let text): text
        case .bool(let flag): flag ? "yes" : "no"
        case .json(let text): text
        case .null: ""
        }
    }

    /// The value in a CSV field: as `plain`, except that booleans are `true`/`false` as in JSON
    /// (CSV is read by programs; yes/no is for the table a person reads).
    public var csv: String {
        switch self {
        case .bool(let flag): flag ? "true" : "false"
        default: plain
        }
    }
}

/// What list and show commands print: columns with a JSON key and a header, and rows.
/// Rendered as an aligned table, a JSON array of objects (snake_case keys), or CSV.
public struct Listing: Sendable {
    public struct Column: Sendable {
        public let key: String
        public let header: String
        /// What the column holds, from its SQL type (Listing+PGResult): a workbook writes a date
        /// column's values as dates and a number column's as numbers, never guessing from text.
        public let kind: ColumnKind
        public init(_ key: String, _ header: String? = nil, kind: ColumnKind = .text) {
            self.key = key
            self.header = header ?? key
            self.kind = kind
        }
    }

    public let columns: [Column]
    public private(set) var rows: [[OutputValue]] = []

    public init(columns: [Column]) {
        self.columns = columns
    }

    public mutating func append(_ row: [OutputValue]) {
        precondition(row.count == columns.count, "a row must have one value per column")
        rows.append(row)
    }
}

/// A column's type, as its query declares it.
public enum ColumnKind: Sendable, Equatable {
    case text, integer, decimal, date, bool
}

public enum OutputFormat: String, Sendable, CaseIterable {
    /// xlsx: an Office Open XML workbook, written to `--output FILE` (XLSXOutput), never rendered
    /// as text.
    case table, json, csv, xlsx
}

extension Listing {
    public func render(_ format: OutputFormat, single: Bool = false) -> String {
        switch format {
        case .table: single ? renderRecord() : renderTable()
        case .json: single && rows.count == 1 ? JSONText.object(columns.map(\.key), rows[0]) : renderJSONArray()
        case .csv, .xlsx: renderCSV()
        }
    }

    /// Columns padded by display width, so Chinese text lines up (two columns per character).
    func renderTable() -> String {
        var widths = columns.map { DisplayWidth.of($0.header) }
        let cells = rows.map { $0.map { DisplayWidth.visible(Self.oneLine($0.plain)) } }
        for row in cells {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], DisplayWidth.of(cell)) }
        }
        func line(_ values: [String]) -> String {
            var text = ""
            for (index, value) in values.enumerated() {
                let isLast = index == values.count - 1
                text += value
                if !isLast { text += String(repeating: " ", count: widths[index] - DisplayWidth.of(value) + 2) }
            }
            return text
        }
        var lines = [line(columns.map(\.header)), line(widths.map { String(repeating: "-", count: $0) })]
        lines += cells.map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// One item: "header: value" lines, headers padded to one width.
    func renderRecord() -> String {
        let width = columns.map { DisplayWidth.of($0.header) }.max() ?? 0
        return rows.map { row in
            zip(columns, row).map { column, value in
                column.header + String(repeating: " ", count: width - DisplayWidth.of(column.header)) + "  "
                    + DisplayWidth.visible(Self.oneLine(value.plain))
            }.joined(separator: "\n") + "\n"
        }.joined(separator: "\n")
    }

    /// A line break (CR LF, CR or LF) as one space: a table's or a record's line is one line, and a
    /// raw CR would send the terminal's cursor back over what was printed (docs/output.md).
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) else { return text }
        var result = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\r": result.append(" ")
            case "\n" where previousWasCR: break  // CR LF is one break, already one space
            case "\n": result.append(" ")
            default: result.append(scalar)
            }
            previousWasCR = scalar == "\r"
        }
        return String(result)
    }

    func renderJSONArray() -> String {
        let keys = columns.map(\.key)
        guard !rows.isEmpty else { return "[]\n" }
        return "[\n" + rows.map { "  " + JSONText.object(keys, $0, newline: false) }.joined(separator: ",\n") + "\n]\n"
    }

    func renderCSV() -> String {
        var lines = [columns.map { CSVText.field($0.key) }.joined(separator: ",")]
        lines += rows.map { $0.map { CSVText.field($0.csv) }.joined(separator: ",") }
        return CSVText.lines(lines)
    }
}

/// RFC 4180 fields and records.
enum CSVText {
    /// A field with a comma, a quote, CR or LF is quoted, quotes doubled. Checked scalar by scalar:
    /// "\r\n" is one Swift Character, equal to neither "\r" nor "\n".
    static func field(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Records end with CR LF.
    static func lines(_ records: [String]) -> String {
        records.joined(separator: "\r\n") + "\r\n"
    }
}

/// A small JSON writer that keeps keys in the documented order (JSONSerialization does not).
enum JSONText {
    static func object(_ keys: [String], _ values: [OutputValue], newline: Bool = true) -> String {
        let members = zip(keys, values).map { string($0) + ": " + value($1) }
        return "{" + members.joined(separator: ", ") + "}" + (newline ? "\n" : "")
    }

    static func value(_ value: OutputValue) -> String {
        switch value {
        case .text(let text): string(text)
        case .integer(let number): String(number)
        case .decimal(let text): number(text)
        case .bool(let flag): flag ? "true" : "false"
        case .json(let text): text
        case .null: "null"
        }
    }

    /// A numeric value as a JSON number; PostgreSQL's NaN, Infinity and -Infinity have no JSON
    /// number, so they are written as strings ("NaN"), never as bare words (invalid JSON).
    static func number(_ text: String) -> String {
        let isNumber = text.range(of: #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"#, options: .regularExpression)
        return isNumber == nil ? string(text) : text
    }

    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
