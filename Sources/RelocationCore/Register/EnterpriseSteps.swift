import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An enterprise's steps (registered → heritage-surveyed → relocating/closing/renovating → done),
/// each dated and documented and kept by the database in `reloc.enterprise_status_change` (0011),
/// like a plan's. A step closes the enterprise's milestones it satisfies (reloc.milestone_step).
extension Enterprises {
    /// Moves the enterprise one step forward on a date (default today, programme calendar), with its
    /// document number (文号) and a note. The database checks the order and the date and refuses a
    /// repeated step (enterprise_status_order, enterprise_status_dates: exit 65).
    public func advance(_ id: Int64, to status: String, doc: String?, on date: CalendarDate?, note: String?) throws {
        try db.execute("SELECT reloc.advance_enterprise(\(id), \(status), \(doc), \(date)::date, \(note))")
    }

    /// The province undoes the enterprise's latest step, recorded in error (`step`: the status it
    /// set), with a reason and a date (default today): the enterprise returns to the status before it
    /// and the milestones the step closed reopen. The step stays in the history, marked undone
    /// (status_correction: exit 65; not the province: 77).
    public func correct(_ id: Int64, step: String, reason: String, on date: CalendarDate?) throws {
        try db.execute("SELECT reloc.correct_enterprise_step(\(id), \(step), \(reason), \(date)::date)")
    }

    /// The enterprise's recorded steps, oldest first; a step undone by a correction says when and why.
    public func steps(_ id: Int64) throws -> PGResult {
        try db.query(
            """
            SELECT c.from_status, c.to_status, c.on_date, c.doc, c.note, c.changed_by, c.changed_at,
                   x.on_date AS undone_on, x.reason AS undone_because
            FROM reloc.enterprise_status_change c
            LEFT JOIN reloc.status_correction x ON x.undone_enterprise_step = c.id
            WHERE c.enterprise_id = \(id)
            ORDER BY c.id
            """)
    }
}
