import Foundation  // NSRegularExpression, regular-expression replacing: not in FoundationEssentials
import LibPQClient

/// The words a person reads when a rule or a right refuses something, for every face of reloc:
/// the CLI's one stderr line (its ErrorReport adds the exit status) and reloc-web's error page.
/// Built from `reloc.rule` (through a RuleBook) and the error's fields, never from PostgreSQL's
/// translated sentence alone, never with SQL.
public enum RuleMessages {
    /// Said when the database's words cannot be read (it is down, or the table has none).
    public static let actAs = "act as an organisation that may do this (--as ORG)"

    /// "WORDS: DETAIL [rule NAME] — HINT" for a rule broken, its words read from `rules`.
    public static func rule(_ rule: String, detail: String?, rules: (any RuleBook)?) -> String {
        guard let words = rules?.words(for: rule) else {
            return "rule \(rule) broken" + (detail.map { ": \($0)" } ?? "") + " [rule \(rule)]"
        }
        return self.rule(words, detail: detail)
    }

    /// "WORDS: DETAIL [rule NAME] — HINT" for a refusal by a rule of who may do what.
    public static func refusal(_ refusal: PermissionRefusal, rules: (any RuleBook)?) -> String {
        guard let words = rules?.words(for: refusal.rule) else {
            return "permission denied by rule \(refusal.rule)" + (refusal.detail.map { ": \($0)" } ?? "")
                + " [rule \(refusal.rule)] — \(actAs)"
        }
        return rule(words, detail: refusal.detail)
    }

    public static func rule(_ words: RuleWords, detail: String?) -> String {
        // Rules for unique keys say "(SQLSTATE 23505)" in their words, for readers of the table.
        let message = words.message.replacingOccurrences(
            of: #"\s*\(SQLSTATE [0-9A-Z]{5}\)"#, with: "", options: .regularExpression)
        let detail = detail.flatMap { $0.isEmpty ? nil : ": \(oneLine($0))" } ?? ""
        let hint = words.hint.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : " — \($0)" } ?? ""
        return "\(message)\(detail) [rule \(words.name)]\(hint)"
    }

    /// A refusal of bad data or a rule (SQLSTATE 23xxx, 22xxx, P0001): for PostgreSQL's own text
    /// ("duplicate key value violates unique constraint …") the rule's words instead, with the
    /// server's detail where it names the value. Our own SQL's words for a particular case (e.g.
    /// create_login's "JL-GTT has been succeeded by JL-ZRT") carry a HINT, which PostgreSQL's own
    /// never do: kept as said.
    public static func database(_ error: PGError, rules: (any RuleBook)?) -> String {
        let hint = error.hint.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : " — \($0)" } ?? ""
        if let rule = error.constraint, let words = rules?.words(for: rule), words.message != error.message,
            !hasText(error.hint)
        {
            return self.rule(words, detail: serverDetail(error))
        }
        let rule = error.constraint.map { " [rule \($0)]" } ?? ""
        let detail = error.detail.map { ": \(oneLine($0))" } ?? ""
        return "\(oneLine(error.message))\(detail)\(rule)\(hint)"
    }

    /// Words for a permission refusal (SQLSTATE 42501): the `<table>_writers` rule for
    /// PostgreSQL's own, our own words (with their HINT) otherwise.
    public static func permission(_ error: PGError, rules: (any RuleBook)?) -> String {
        if let words = permissionWords(for: error, rules: rules) { return words }
        let hint = error.hint.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : " — \($0)" } ?? ""
        // A refusal our SQL names after a rule (CONSTRAINT, e.g. acknowledgement_by_concerned):
        // its detail (who is concerned) and the rule's name, as for a broken rule.
        let named =
            error.constraint.map { rule in
                (error.detail.flatMap { hasText($0) ? ": \(oneLine($0))" : nil } ?? "") + " [rule \(rule)]"
            } ?? ""
        return "permission denied: \(oneLine(error.message))\(named)\(hint.isEmpty ? " — \(actAs)" : hint)"
    }

    /// The words for a refusal PostgreSQL worded itself, or nil for one of our own (those carry a
    /// HINT saying what was refused and what to do). Decided without reading PostgreSQL's sentence,
    /// which is in the server's language (lc_messages): a grant refusal and a row-level security
    /// refusal are both SQLSTATE 42501 and name the table only inside that sentence, so the table
    /// is looked for among the identifiers the message holds (identifiers are never translated).
    public static func permissionWords(for error: PGError, rules: (any RuleBook)?) -> String? {
        guard error.isPostgreSQLsOwnRefusal else { return nil }
        let message = oneLine(error.message)
        if let words = rules?.words(forFirstOf: candidateTables(error).map { "\($0)_writers" }) {
            return "permission denied: \(rule(words, detail: nil))"
        }
        return "permission denied: \(message) — \(actAs)"
    }

    /// The tables the refusal may be about, most likely first: the TABLE field when the server
    /// sends one, then the identifiers of the message, longest first ("plan_status_change" before
    /// "plan"), in any language's sentence around them.
    public static func candidateTables(_ error: PGError) -> [String] {
        let message = oneLine(error.message)
        let words = Set(
            message.split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) }.map(String.init)
        ).filter { $0.first?.isLetter == true && $0 == $0.lowercased() }
        var candidates = error.table.map { [$0] } ?? []
        candidates += words.sorted { ($0.count, $1) > ($1.count, $0) }.filter { !candidates.contains($0) }
        return candidates
    }

    /// The part of PostgreSQL's DETAIL worth reading: which value is taken ("Key (code)=(SP-TD)
    /// already exists." → "code SP-TD is taken"), or which is missing; not "Failing row contains …".
    /// Read by SQLSTATE and the "(columns)=(values)" shape, never by the sentence around them,
    /// which is in the server's language (lc_messages).
    public static func serverDetail(_ error: PGError) -> String? {
        guard let detail = error.detail.map(oneLine), !detail.isEmpty else { return nil }
        switch error.sqlState {
        case "23514", "23502": return nil  // the failing row, in full: noise
        case "23505", "23503":
            guard let expression = try? NSRegularExpression(pattern: #"\((.+)\)=\((.*)\)"#),
                let match = expression.firstMatch(in: detail, range: NSRange(detail.startIndex..., in: detail)),
                let columns = Range(match.range(at: 1), in: detail), let values = Range(match.range(at: 2), in: detail)
            else { return detail }
            // An internal id ("city_id 22 is taken") tells a user nothing; the rule's words do.
            if detail[columns].split(separator: ",").contains(where: { $0.hasSuffix("_id") }) { return nil }
            let what = "\(detail[columns]) \(detail[values])"
            return error.sqlState == "23505" ? "\(what) is taken" : "\(what) does not exist"
        default: return detail
        }
    }

    public static func hasText(_ text: String?) -> Bool {
        !(text ?? "").trimmingCharacters(in: .whitespaces).isEmpty
    }

    public static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
