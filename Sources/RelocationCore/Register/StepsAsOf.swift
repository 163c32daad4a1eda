import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `plan show --as-of DATE` and `enterprise show --as-of DATE` (issue 14): the status on that day,
/// read from the status histories the database keeps (0007, 0011), and the steps recorded by then.
/// Without a step by the day a plan was drafting and an enterprise registered.
public struct StepsAsOf {
    let db: PGConnection
    let day: AsOf

    public init(_ db: PGConnection, day: AsOf) {
        self.db = db
        self.day = day
    }

    /// `code, as_of, status_on_the_day, approval_doc, approved_on` (the approval only if made by then).
    public func plan(_ code: String) throws -> PGResult {
        let result = try db.query(
            """
            WITH day AS (SELECT \(day.sql) AS as_of)
            SELECT p.code, day.as_of,
                   coalesce((SELECT c.to_status FROM reloc.plan_status_change c
                             WHERE c.plan_id = p.id AND c.on_date <= day.as_of
                               AND NOT EXISTS (SELECT FROM reloc.status_correction x WHERE x.undone_plan_step = c.id)
                             ORDER BY c.on_date DESC, c.id DESC LIMIT 1), 'drafting') AS status_on_the_day,
                   CASE WHEN p.approved_on <= day.as_of THEN p.approval_doc END AS approval_doc,
                   CASE WHEN p.approved_on <= day.as_of THEN p.approved_on END AS approved_on
            FROM reloc.plan p CROSS JOIN day
            WHERE p.code = \(code.uppercased())
            """)
        guard !result.rows.isEmpty else {
            throw RelocError.notFound("no plan \(code.uppercased()); see `reloc plan list`")
        }
        return result
    }

    /// The plan's steps dated on or before the day.
    public func planHistory(_ code: String) throws -> PGResult {
        try db.query(
            """
            SELECT c.from_status, c.to_status, c.on_date, c.doc, c.note, c.changed_by, c.changed_at,
                   x.on_date AS undone_on, x.reason AS undone_because
            FROM reloc.plan_status_change c JOIN reloc.plan p ON p.id = c.plan_id
            LEFT JOIN reloc.status_correction x ON x.undone_plan_step = c.id AND x.on_date <= \(day.sql)
            WHERE p.code = \(code.uppercased()) AND c.on_date <= \(day.sql)
            ORDER BY c.changed_at, c.id
            """)
    }

    /// `id, name, as_of, status_on_the_day`.
    public func enterprise(_ id: Int64) throws -> PGResult {
        let result = try db.query(
            """
            WITH day AS (SELECT \(day.sql) AS as_of)
            SELECT e.id, e.name, day.as_of,
                   coalesce((SELECT c.to_status FROM reloc.enterprise_status_change c
                             WHERE c.enterprise_id = e.id AND c.on_date <= day.as_of
                               AND NOT EXISTS (SELECT FROM reloc.status_correction x
                                               WHERE x.undone_enterprise_step = c.id)
                             ORDER BY c.on_date DESC, c.id DESC LIMIT 1), 'registered') AS status_on_the_day
            FROM reloc.enterprise e CROSS JOIN day
            WHERE e.id = \(id)
            """)
        guard !result.rows.isEmpty else {
            throw RelocError.notFound("no enterprise \(id); see `reloc enterprise list`")
        }
        return result
    }

    /// The enterprise's steps dated on or before the day.
    public func enterpriseHistory(_ id: Int64) throws -> PGResult {
        try db.query(
            """
            SELECT c.from_status, c.to_status, c.on_date, c.doc, c.note, c.changed_by, c.changed_at,
                   x.on_date AS undone_on, x.reason AS undone_because
            FROM reloc.enterprise_status_change c
            LEFT JOIN reloc.status_correction x ON x.undone_enterprise_step = c.id AND x.on_date <= \(day.sql)
            WHERE c.enterprise_id = \(id) AND c.on_date <= \(day.sql)
            ORDER BY c.id
            """)
    }
}
