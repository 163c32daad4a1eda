import LibPQClient

/// The columns a store's `edit` sets: only the fields the caller gave. Column names come from
/// the store's own code, never from input; values are always bind parameters. Internal: callers
/// (the CLI) pass a typed `Edit`, never columns or SQL.
struct Changes: Sendable {
    private(set) var assignments: [SQLQuery] = []
    private var cleared: Set<String> = []

    init() {}

    mutating func set<Value: PGEncodable>(_ column: String, _ value: Value?) {
        guard let value else { return }
        assignments.append("\(identifier: column) = \(value)")
    }

    /// Sets a column to an SQL expression over the value, e.g. converting mu to hectares.
    mutating func set(_ column: String, expression: SQLQuery?) {
        guard let expression else { return }
        assignments.append("\(identifier: column) = \(expression)")
    }

    /// Sets a column to NULL: an optional field cleared (`--clear FIELD`). Once, however often it
    /// is asked (`--clear uscc --clear uscc`): PostgreSQL refuses two assignments to one column.
    mutating func clear(_ column: String) {
        guard cleared.insert(column).inserted else { return }
        assignments.append("\(identifier: column) = NULL")
    }

    var isEmpty: Bool { assignments.isEmpty }

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
    /// Runs an UPDATE of one row identified by the user. Zero rows changed means the row does not
    /// exist, or row-level security keeps it from the acting organisation: `existing` (a query
    /// that finds the row, readable by every organisation) tells which, so the user reads "no such
    /// row" (exit 65) or "not yours" (exit 77).
    func updateOne(_ query: SQLQuery, what: String, existing: SQLQuery) throws {
        guard try execute(query) == 0 else { return }
        if try self.query(existing).rows.isEmpty {
            throw RelocError.notFound("no \(what); check the id or code (the list commands show them)")
        }
        throw RelocError.permissionDenied(
            "\(what) is not yours to change: act as the organisation responsible for it (--as ORG), or ask the province"
        )
    }
}
