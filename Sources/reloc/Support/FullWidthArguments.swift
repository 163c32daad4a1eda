import RelocationCore

/// The documents write numbers in full-width digits (２０１４, １１), and people type them that
/// way: an argument that is a number, an id or a date written in full-width digits (with `．` or
/// `－`) is read as its ASCII form, wherever it stands (`enterprise show ２`, `--on ２０１４－１２－３１`).
/// Anything with a letter in it stays exactly as typed (a name such as ＴＣＬ or 第１车间): codes
/// typed full-width (ＳＰ－ＴＤ) are folded by their own options (`transform: Spellings.halfwidth`),
/// enumerated words by their enums (Choice).
enum FullWidthArguments {
    static func normalised(_ arguments: [String]) -> [String] {
        arguments.map { argument in
            guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
                return asciiNumber(argument) ?? argument
            }
            let value = String(argument[argument.index(after: equals)...])
            return asciiNumber(value).map { String(argument[...equals]) + $0 } ?? argument
        }
    }

    /// The ASCII form of a full-width number, id or date; nil for anything else.
    /// Which arguments are folded is decided here; the folding itself is the product's one,
    /// `Spellings.halfwidth`.
    static func asciiNumber(_ text: String) -> String? {
        var sawFullWidth = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xFF10...0xFF19, 0xFF0E, 0xFF0D:  // ０-９ ． －
                sawFullWidth = true
            case 0x30...0x39, 0x2E, 0x2D:
                continue
            default:
                return nil
            }
        }
        return sawFullWidth ? Spellings.halfwidth(text) : nil
    }
}
