import LibPQClient
import RelocationCore

/// Words for PostgreSQL's own permission refusals ("permission denied for table park", "new row
/// violates row-level security policy for table "site""), which name a table, not the thing a
/// user knows nor who may change it. Who may is said by the database: the rule `<table>_writers`
/// in `reloc.rule` (0017), read like every other rule's words.
enum PermissionWords {
    /// Said when the database's words cannot be read (it is down, or the table has none).
    static let actAs = "act as an organisation that may do this (--as ORG)"

    /// The words for a refusal PostgreSQL worded itself, or nil for one of our own (those carry a
    /// HINT saying what was refused and what to do). Decided without reading PostgreSQL's sentence,
    /// which is in the server's language (lc_messages): a grant refusal and a row-level security
    /// refusal are both SQLSTATE 42501 and name the table only inside that sentence, so the table
    /// is looked for among the identifiers the message holds (identifiers are never translated).
    static func words(for error: PGError, rules: (any RuleBook)?) -> String? {
        guard error.isPostgreSQLsOwnRefusal else { return nil }
        let message = ErrorReport.oneLine(error.message)
        if let words = rules?.words(forFirstOf: candidateTables(error).map { "\($0)_writers" }) {
            return "permission denied: \(ErrorReport.ruleMessage(words, detail: nil))"
        }
        return "permission denied: \(message) — \(actAs)"
    }

    /// The tables the refusal may be about, most likely first: the TABLE field when the server
    /// sends one, then the identifiers of the message, longest first ("plan_status_change" before
    /// "plan"), in any language's sentence around them.
    static func candidateTables(_ error: PGError) -> [String] {
        let message = ErrorReport.oneLine(error.message)
        let words = Set(
            message.split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) }.map(String.init)
        ).filter { $0.first?.isLetter == true && $0 == $0.lowercased() }
        var candidates = error.table.map { [$0] } ?? []
        candidates += words.sorted { ($0.count, $1) > ($1.count, $0) }.filter { !candidates.contains($0) }
        return candidates
    }
}
