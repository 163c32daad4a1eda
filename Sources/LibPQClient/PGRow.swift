/// The columns of a result: names and PostgreSQL types, shared by all its rows.
public struct PGColumns: Sendable {
    public let names: [String]
    public let types: [UInt32]
    private let indexByName: [String: Int]

    init(names: [String], types: [UInt32]) {
        self.names = names
        self.types = types
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        indexByName = index
    }

    public func index(of name: String) -> Int? { indexByName[name] }
}

/// One row of a result, in PostgreSQL's text format, decoded on demand.
public struct PGRow: Sendable {
    public let columns: PGColumns
    /// The raw text of each column; nil is SQL NULL.
    public let values: [String?]

    public init(columns: PGColumns, values: [String?]) {
        self.columns = columns
        self.values = values
    }

    public var count: Int { values.count }

    /// The column at `index` as `T`.
    public func decode<T: PGDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard values.indices.contains(index) else {
            throw PGError.usage("column index \(index) is out of range: the row has \(values.count) columns")
        }
        let name = columns.names[index]
        guard let text = values[index] else { return try T.decodeNull(type: columns.types[index], column: name) }
        return try T.decode(pgText: text, type: columns.types[index], column: name)
    }

    /// The column named `name` as `T`.
    public func decode<T: PGDecodable>(_ type: T.Type = T.self, column name: String) throws -> T {
        guard let index = columns.index(of: name) else {
            throw PGError.usage(
                "the result has no column \"\(name)\" (it has: \(columns.names.joined(separator: ", ")))")
        }
        return try decode(type, at: index)
    }

    /// The whole row as a tuple, checked column by column: `let (id, name) = try row.decode((Int, String).self)`.
    public func decode<each T: PGDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var expected = 0
        for _ in repeat (each T).self { expected += 1 }
        guard expected == values.count else {
            throw PGError.usage("the row has \(values.count) columns, but \(expected) types were asked for")
        }
        var index = 0
        func next<U: PGDecodable>(_ type: U.Type) throws -> U {
            defer { index += 1 }
            return try decode(type, at: index)
        }
        return (repeat try next((each T).self))
    }

    /// Raw text by column name (nil for NULL or a missing column); for display code.
    public subscript(name: String) -> String? {
        columns.index(of: name).flatMap { values[$0] }
    }
}

/// A complete result: the columns, the rows, and the command's row count.
public struct PGResult: Sendable {
    public let columns: PGColumns
    public let rows: [PGRow]
    /// Rows affected by INSERT/UPDATE/DELETE/COPY (PQcmdTuples), or the rows returned.
    public let affectedRows: Int

    /// Decodes each row as a tuple.
    public func decode<each T: PGDecodable>(_ types: (repeat each T).Type) throws -> [(repeat each T)] {
        try rows.map { try $0.decode(types) }
    }

    /// The single value of a one-row, one-column result (e.g. `SELECT count(*)`).
    public func scalar<T: PGDecodable>(_ type: T.Type = T.self) throws -> T {
        guard rows.count == 1, columns.names.count == 1 else {
            throw PGError.usage(
                "expected one row of one column, got \(rows.count) rows of \(columns.names.count) columns")
        }
        return try rows[0].decode(type, at: 0)
    }
}

extension PGResult {
    /// The first `count` rows (a page of a longer result: a caller that asked for one row more
    /// than it shows, to know whether there are more).
    public func prefix(_ count: Int) -> PGResult {
        PGResult(columns: columns, rows: Array(rows.prefix(count)), affectedRows: min(affectedRows, count))
    }
}
