import LibPQClient

/// The columns an `edit` command sets: only the options the user gave. Column names come from
/// our code, never from input; values are always bind parameters.
public struct Changes: Sendable {
    private(set) var assignments: [SQLQuery] = []

    public init() {}

    public mutating func set<Value: PGEncodable>(_ column: String, _ value: Value?) {
        guard let value else { return }
        assignments.append("\(identifier: column) = \(value)")
    }

    /// Sets a column to an SQL expression over the value, e.g. converting mu to hectares.
    public mutating func set(_ column: String, expression: SQLQuery?) {
        guard let expression else { return }
        assignments.append("\(identifier: column) = \(expression)")
    }

    public var isEmpty: Bool { assignments.isEmpty }

    /// `UPDATE table SET … WHERE condition`; throws when nothing was given to change.
    func update(_ table: String, where condition: SQLQuery) throws -> SQLQuery {
        guard !assignments.isEmpty else { throw RelocError.invalidInput("nothing to change: give at least one option") }
        var query: SQLQuery = "UPDATE \(unsafeRaw: table) SET "
        for (index, assignment) in assignments.enumerated() {
            if index > 0 { query.append(", ") }
            query.append(assignment)
        }
        query.append(" WHERE ")
        query.append(condition)
        return query
    }
}

extension PGConnection {
    /// Runs an UPDATE of one row identified by the user; zero rows means it does not exist, or
    /// row-level security hides it from the acting organisation.
    func updateOne(_ query: SQLQuery, what: String) throws {
        if try execute(query) == 0 {
            throw RelocError.notFound("\(what) does not exist or is not yours to change")
        }
    }
}
