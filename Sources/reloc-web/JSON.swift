import Foundation
import LibPQClient

/// The JSON twins of pages: a result's rows as objects keyed by their column names, values typed
/// as the CLI's `--format json` types them (numbers stay numbers, NULL is null, times ISO 8601).
enum JSON {
    static func rows(_ result: PGResult) -> String {
        "[" + result.rows.map { object($0) }.joined(separator: ",") + "]"
    }

    static func object(_ row: PGRow) -> String {
        var fields: [String] = []
        for index in 0..<row.count {
            fields.append("\(string(row.columns.names[index])):\(value(row, at: index))")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// `{"key": value, …}` from already-encoded values, in order.
    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    static func value(_ row: PGRow, at index: Int) -> String {
        guard let text = row.values[index] else { return "null" }
        switch row.columns.types[index] {
        case PGType.int2, PGType.int4, PGType.int8: return text
        case PGType.numeric:
            return Double(text).map { $0.isFinite } == true ? text : string(text)
        case PGType.bool: return text == "t" ? "true" : "false"
        case PGType.json, PGType.jsonb: return text
        case PGType.timestamptz:
            guard let date = try? row.decode(Date.self, at: index) else { return string(text) }
            return string(ISO8601DateFormatter().string(from: date))
        default: return string(text)
        }
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
            // < > & escaped too, so a JSON body never reads as markup if sniffed as HTML.
            case "<", ">", "&", "\u{2028}", "\u{2029}": out += String(format: "\\u%04x", scalar.value)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
