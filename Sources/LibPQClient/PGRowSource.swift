/// A query not yet run, with the connection to run it on: a store hands it out for a listing
/// that may be large, and the reader takes the rows a batch at a time as it writes them (`read`)
/// or all at once (`result`). Issue 17: an export of 100,000 enterprises in bounded memory.
public struct PGRowSource {
    public let connection: PGConnection
    let query: SQLQuery
    /// Rows per FETCH: a batch is what memory holds at once.
    public var batch = 1000

    public init(_ connection: PGConnection, _ query: SQLQuery) {
        self.connection = connection
        self.query = query
    }

    /// Every row at once.
    public func result() throws -> PGResult {
        try connection.query(query)
    }

    /// The columns, then each row, in order; returns the number of rows. The rows come from a
    /// cursor (DECLARE … FETCH n) in a transaction of their own, or under a savepoint of the one
    /// open: one snapshot for every row, and each FETCH a statement of its own, so the statement
    /// timeout bounds the server's work per batch, not the time the reader takes to write them
    /// all (libpq's single-row mode would keep one statement running for the whole export).
    @discardableResult
    public func read(columns: (PGColumns) throws -> Void, rows: (PGRow) throws -> Void) throws -> Int {
        let cursor = "reloc_rows_\(UInt32.random(in: 0...UInt32.max))"
        return try connection.withTransaction { db in
            try db.execute("DECLARE \(identifier: cursor) NO SCROLL CURSOR FOR \(query)")
            var count = 0
            var first = true
            while true {
                let fetched = try db.query("FETCH FORWARD \(unsafeRaw: String(batch)) FROM \(identifier: cursor)")
                if first {
                    first = false
                    try columns(fetched.columns)
                }
                for row in fetched.rows { try rows(row) }
                count += fetched.rows.count
                if fetched.rows.count < batch { break }
            }
            try db.execute("CLOSE \(identifier: cursor)")
            return count
        }
    }

    /// How many rows the query has, counted by the server without sending them (for a progress
    /// bar's total: a second query, so only worth asking when someone watches).
    public func count() throws -> Int {
        try connection.query("SELECT count(*) FROM (\(query)) AS listing").scalar(Int.self)
    }
}
