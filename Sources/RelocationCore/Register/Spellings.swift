import Foundation

/// The spellings people type for a word or a code, read the same way by the command line and by
/// `enterprise import` (one parser for both): full-width forms (ＳＰ－ＴＤ, ０１) and ideographic
/// or no-break spaces as ASCII, surrounding spaces trimmed, and the Chinese words of the opinion
/// for modes (§四(二)) and high-risk classes (§四(三)) as their English keys.
public enum Spellings {
    public static let modeWords = ["就地改造": "in-situ", "异地迁建": "relocate", "依法关停": "close"]
    public static let highRiskWords = ["冶金": "metallurgy", "化工": "chemicals", "造纸": "paper", "危险品": "hazardous"]
    /// How land is supplied (§五(四)): 协议出让, 划拨, 招拍挂.
    public static let supplyWords = ["协议出让": "agreement", "划拨": "allocation", "招拍挂": "tender"]
    /// A progress report's status, in the digest's words (DigestText) and the short 正常.
    public static let progressWords = [
        "正常推进": "on-track", "正常": "on-track", "存在风险": "at-risk", "受阻": "blocked", "已完成": "done",
    ]

    /// Every enumerated option's word (one parser): trimmed, half-width, case-insensitive, or one of
    /// `words`, the Chinese terms its help shows, as its English key. Anything else comes back as
    /// typed (trimmed, lower case) for the caller's "must be one of".
    public static func choice(_ text: String, words: [String: String] = [:]) -> String {
        let word = trimmed(text)
        return words[word] ?? word.lowercased()
    }

    /// An enumerated option without Chinese terms (a status, a kind, a state).
    public static func word(_ text: String) -> String { choice(text) }

    /// --supply: agreement, allocation, tender, or 协议出让, 划拨, 招拍挂.
    public static func supply(_ text: String) -> String { choice(text, words: supplyWords) }

    /// A progress status: on-track, at-risk, blocked, done, or 正常推进 (正常), 存在风险, 受阻, 已完成.
    public static func progressStatus(_ text: String) -> String { choice(text, words: progressWords) }

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

    static func trimmed(_ text: String) -> String {
        halfwidth(text).trimmingCharacters(in: .whitespacesAndNewlines.union(["\u{FEFF}"]))
    }

    /// A mode: in-situ, relocate, close, or 就地改造, 异地迁建, 依法关停; any other text as typed
    /// (trimmed, lower case) for the caller's "must be one of".
    public static func mode(_ text: String) -> String { choice(text, words: modeWords) }

    public static func mode(_ text: String?) -> String? { text.map(mode) }

    /// A high-risk class: metallurgy, chemicals, paper, hazardous, or 冶金, 化工, 造纸, 危险品.
    public static func highRisk(_ text: String) -> String { choice(text, words: highRiskWords) }

    public static func highRisk(_ text: String?) -> String? { text.map(highRisk) }

    /// A code (plan, park, organisation): ＳＰ－ＴＤ, " sp-td " → SP-TD.
    public static func code(_ text: String) -> String {
        trimmed(text).uppercased()
    }

    /// One field of an import row, by its column, read as the command line reads that option.
    public static func importField(_ column: String, _ value: String) -> String {
        switch column {
        case "mode": mode(value)
        case "high_risk": highRisk(value)
        case "plan", "park": code(value)
        default: value
        }
    }
}
