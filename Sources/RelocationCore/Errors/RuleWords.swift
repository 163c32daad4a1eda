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
    /// The words of the first of `rules` (in that order) that has words.
    func words(forFirstOf rules: [String]) -> RuleWords?
}

extension RuleBook {
    public func words(forFirstOf rules: [String]) -> RuleWords? {
        for rule in rules {
            if let words = words(for: rule) { return words }
        }
        return nil
    }
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

    /// One query, one connection, for a list of candidates (the tables a refusal may name).
    public func words(forFirstOf rules: [String]) -> RuleWords? {
        guard !rules.isEmpty, let connection = try? settings.connect() else { return nil }
        return try? DatabaseRuleBook.words(forFirstOf: rules, on: connection)
    }

    /// The words of the first of `rules` that `reloc.rule` has, read on `connection`.
    public static func words(forFirstOf rules: [String], on connection: PGConnection) throws -> RuleWords? {
        let rows = try connection.query(
            """
            SELECT r.name, r.message, r.hint
            FROM unnest(\(rules)::text[]) WITH ORDINALITY AS c(name, rank) JOIN reloc.rule r ON r.name = c.name
            ORDER BY c.rank LIMIT 1
            """
        ).rows
        guard let row = rows.first else { return nil }
        return RuleWords(
            name: try row.decode(String.self, at: 0), message: try row.decode(String.self, at: 1),
            hint: try row.decode(String?.self, at: 2))
    }

    /// Every rule's words, by name (reloc-web reads them once at start).
    public static func all(on connection: PGConnection) throws -> [String: RuleWords] {
        var words: [String: RuleWords] = [:]
        for row in try connection.query("SELECT name, message, hint FROM reloc.rule").rows {
            let name = try row.decode(String.self, at: 0)
            words[name] = RuleWords(
                name: name, message: try row.decode(String.self, at: 1), hint: try row.decode(String?.self, at: 2))
        }
        return words
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

/// An organisation refused by a rule of who may do what (exit 77), which PostgreSQL enforced
/// without words of its own (row-level security, a column grant): the domain names the rule,
/// the report reads its words from `reloc.rule`, with the detail (whose plan it is).
public struct PermissionRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let rule: String
    public let detail: String?

    public init(rule: String, detail: String? = nil) {
        self.rule = rule
        self.detail = detail
    }

    public var description: String {
        "refused by rule \(rule)" + (detail.map { ": \($0)" } ?? "")
    }
}
