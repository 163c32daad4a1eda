/// Terminal column width of text: CJK ideographs, kana, hangul, full-width forms and most emoji
/// take two columns; combining marks and zero-width characters none (after Unicode's East Asian
/// Width property, UAX #11, W and F classes).
public enum DisplayWidth {
    public static func of(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if value == 0x200B || (0xFE00...0xFE0F).contains(value) { return 0 }
        return isWide(value) ? 2 : 1
    }

    static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// The text with every C0/C1 control character (ESC, BEL, CR, DEL, …) written as a visible
    /// escape (`\x1b`), so a value never drives the terminal (e.g. `ESC ] 0;title BEL`), and every
    /// invisible format character the database refuses in one-line text (U+202E turning the line
    /// around, U+200B hiding in a name) as `\u202e`; a new line becomes a space, or stays when
    /// `keepingNewlines` (a record's multi-line note, an error report), as does a tab then.
    /// CJK and every other visible character stay as they are.
    public static func visible(_ text: String, keepingNewlines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) || isInvisibleFormat($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\n" {
                out.append(keepingNewlines ? "\n" : " ")
            } else if scalar == "\t" && keepingNewlines {
                out.append(scalar)
            } else if isControl(scalar) {
                out.append(contentsOf: String(format: "\\x%02x", scalar.value).unicodeScalars)
            } else if isInvisibleFormat(scalar) {
                out.append(contentsOf: String(format: "\\u%04x", scalar.value).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// The invisible characters (format, default-ignorable, separators) reloc.is_clean_text refuses in one-line text.
    static func isInvisibleFormat(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0xAD, 0x34F, 0x61C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B...0x180F, 0x200B...0x200F, 0x2028...0x202E,
            0x2060...0x206F, 0x2800, 0x3164, 0xFE00...0xFE0F, 0xFEFF, 0xFFA0, 0xFFF0...0xFFFB, 0x1D173...0x1D17A,
            0xE0000...0xE0FFF:
            return true
        default: return false
        }
    }
}
