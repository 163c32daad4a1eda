import LibPQClient
import RelocationCore

/// Words for PostgreSQL's own permission refusals: the rule `<table>_writers` in `reloc.rule`
/// (0017). The words are RelocationCore's (RuleMessages), shared with reloc-web.
enum PermissionWords {
    static let actAs = RuleMessages.actAs

    static func words(for error: PGError, rules: (any RuleBook)?) -> String? {
        RuleMessages.permissionWords(for: error, rules: rules)
    }

    static func candidateTables(_ error: PGError) -> [String] { RuleMessages.candidateTables(error) }
}
