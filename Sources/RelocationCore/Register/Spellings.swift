import Foundation

/// The spellings people type for a word or a code, read the same way by the command line and by
/// `enterprise import` (one parser for both): full-width forms (ＳＰ－ＴＤ, ０１) and ideographic
/// or no-break spaces as ASCII, surrounding spaces trimmed. The words of an enumerated option
/// (a mode, §四(二); a high-risk class, §四(三); …) are its `Term`'s codes and labels (Words/).
public enum Spellings {
    /// A choice typed as its code or label (`Choice.init(spelling:)`) as its code; any other text
    /// as typed (trimmed, lower case), for the caller's "must be one of".
    public static func choice<C: Choice>(_ text: String, as type: C.Type) -> String {
        C(spelling: text)?.rawValue ?? trimmed(text).lowercased()
    }

    /// Full-width ASCII forms (U+FF01…U+FF5E) to ASCII; ideographic and no-break spaces to spaces.
    public static func halfwidth(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: result.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000, 0x00A0: result.unicodeScalars.append(" ")
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    public static func trimmed(_ text: String) -> String {
        halfwidth(text).trimmingCharacters(in: .whitespacesAndNewlines.union(["\u{FEFF}"]))
    }

    /// A code (plan, park, organisation): ＳＰ－ＴＤ, " sp-td " → SP-TD.
    public static func code(_ text: String) -> String {
        trimmed(text).uppercased()
    }

    /// One field of an import row, by its column, read as the command line reads that option.
    /// A fact that may be unknown (`UnknownFacts.columns`) given as the word 未知 or unknown is
    /// unknown, like an empty cell (the word the tables show reads back as what it shows).
    public static func importField(_ column: String, _ value: String) -> String {
        if UnknownFacts.columns.contains(column) && UnknownFacts.isWord(value) { return "" }
        return switch column {
        case "mode": choice(value, as: EnterpriseMode.self)
        case "high_risk": choice(value, as: HighRiskClass.self)
        case "plan", "park": code(value)
        default: value
        }
    }
}
