/// Facts a person may not know yet (issue 14: unknown, not "no"): an enterprise's `mode` and
/// `listed_in_plan`, which the opinion does not give. NULL reads 未知/unknown where a person reads
/// it (CLI tables, the web desk); JSON keeps null and CSV an empty field.
public enum UnknownFacts {
    /// The columns (JSON keys) whose NULL means "not known".
    public static let columns: Set<String> = ["listed_in_plan", "mode"]

    public static func word(_ language: TermLanguage) -> String { language == .zh ? "未知" : "unknown" }

    /// Whether typed text is that word (未知 or unknown, any case or width, spaces around): what a
    /// filter (`enterprise list --mode unknown`) and an import cell read as "not known".
    public static func isWord(_ text: String) -> Bool {
        let typed = Spellings.trimmed(text).lowercased()
        return typed == word(.zh) || typed == word(.en)
    }
}
