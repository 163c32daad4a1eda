import LibPQClient

/// The board (督办看板, issue 15): milestones per light (红黄绿灯, `reloc.milestone_lights`) per city,
/// department or plan on a day, the total first, red first (`reloc.board`, 70_board.sql). The
/// province sees every row; an organisation its own.
public struct Board {
    public enum Unit: String, Sendable, CaseIterable {
        case city, department, plan
    }

    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// `code, name, red, yellow, green, done, total`; the first row is the total (code and name NULL).
    public func counts(by unit: Unit, asOf: AsOf) throws -> PGResult {
        try db.query(
            "SELECT b.code, b.name, b.red, b.yellow, b.green, b.done, b.total FROM reloc.board(\(unit.rawValue), \(asOf.sql)) b"
        )
    }
}
