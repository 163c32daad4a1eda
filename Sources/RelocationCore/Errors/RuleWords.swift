import LibPQClient

/// The words of one rule, as `reloc.rule` keeps them (name = the constraint name an error carries).
public struct RuleWords: Sendable, Equatable {
    public let name: String
    public let message: String
    public let hint: String?

    public init(name: String, message: String, hint: String?) {
        self.name = name
        self.message = message
        self.hint = hint
    }
}

/// Where an error report finds a rule's words. PostgreSQL's own refusals (a unique key, a CHECK
/// backstop) carry only the constraint name; the words a user reads live in the database.
public protocol RuleBook: Sendable {
    /// The words of `rule`, or nil if there are none (or they cannot be read now).
    func words(for rule: String) -> RuleWords?
}

/// Reads rule words on a connection of its own, opened from the command's settings: the
/// connection that failed may be in an aborted transaction or gone. If the words cannot be read
/// (database down, no such rule) the report falls back to PostgreSQL's text — never to nothing.
public struct DatabaseRuleBook: RuleBook {
    public let settings: DatabaseSettings

    public init(settings: DatabaseSettings) {
        self.settings = settings
    }

    public func words(for rule: String) -> RuleWords? {
        guard let connection = try? settings.connect() else { return nil }
        return try? DatabaseRuleBook.words(for: rule, on: connection)
    }

    /// The words of `rule` read on `connection`; nil if `reloc.rule` has no such rule.
    public static func words(for rule: String, on connection: PGConnection) throws -> RuleWords? {
        let rows = try connection.query("SELECT message, hint FROM reloc.rule WHERE name = \(rule)").rows
        guard let row = rows.first else { return nil }
        return RuleWords(
            name: rule, message: try row.decode(String.self, at: 0), hint: try row.decode(String?.self, at: 1))
    }
}

/// A rule broken in input reloc checks before it reaches SQL (e.g. an amount too large for its
/// column, which PostgreSQL would only call a "numeric field overflow"). Reported like the
/// database's own refusal: the rule's words from `reloc.rule`, the detail, `[rule NAME]`, exit 65.
public struct RuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public let rule: String
    public let detail: String?

    public init(rule: String, detail: String? = nil) {
        self.rule = rule
        self.detail = detail
    }

    public var description: String {
        "rule \(rule) broken" + (detail.map { ": \($0)" } ?? "")
    }
}
