import LibPQClient

/// Bulletins (通报, issue 15): the figures of a period computed by the database
/// (`reloc.bulletin_figures`, JSON), and the bulletins the province has issued, stored with those
/// figures frozen (`reloc.issue_bulletin`; never changed afterwards).
public struct Bulletins {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// The figures of `period` (2015-01, 2015-Q1, 2015) on the as-of day, as the JSON text the
    /// database composed (the same text an issue stores).
    public func draft(period: String, asOf: AsOf) throws -> String {
        try db.query("SELECT reloc.bulletin_figures(\(period), \(asOf.sql))::text").scalar(String.self)
    }

    /// Issues a bulletin (province only: 42501 otherwise) and returns its id.
    public func issue(number: String, period: String, asOf: AsOf?) throws -> Int64 {
        let day: SQLQuery = asOf?.sql ?? "NULL::date"
        return try db.query("SELECT reloc.issue_bulletin(\(number), \(period), \(day))").scalar(Int64.self)
    }

    /// `number, period, period_start, period_end, as_of, issued_at, issued_by`, the latest first.
    public func list() throws -> PGResult {
        try db.query(
            """
            SELECT b.number, b.period, b.period_start, b.period_end, b.as_of, b.issued_at, b.issued_by
            FROM reloc.bulletin b ORDER BY b.issued_at DESC, b.id DESC
            """)
    }

    /// An issued bulletin: its number and its stored figures, exactly as stored.
    public func show(number: String) throws -> (number: String, figures: String) {
        let rows = try db.query("SELECT b.number, b.figures::text FROM reloc.bulletin b WHERE b.number = \(number)")
            .decode((String, String).self)
        guard let row = rows.first else {
            throw RelocError.notFound("no bulletin \(number); see `reloc bulletin list`")
        }
        return (row.0, row.1)
    }
}
