import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Progress reports (进展) on tasks and milestones: append-only, each with who (organisation and
/// login), when, percent, status, note and evidence (文号). The latest report is the current state.
public struct Progress {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    public enum Subject: Sendable, Equatable {
        /// A task by its number.
        case task(Int)
        case milestone(Int64)

        var description: String {
            switch self {
            case .task(let number): "task \(number)"
            case .milestone(let id): "milestone \(id)"
            }
        }
    }

    public struct Report: Sendable {
        public var percent: Decimal?
        public var status: String?
        public var note: String
        public var evidence: [String]

        /// Without a percent, `done` means 100.
        public init(percent: Decimal?, status: String? = nil, note: String, evidence: [String] = []) {
            self.percent = percent
            self.status = status
            self.note = note
            self.evidence = evidence
        }
    }

    /// Records a report as the acting organisation; returns its id. The database refuses (42501)
    /// a report on something not the reporter's, and (23514) a percent out of range.
    public func report(on subject: Subject, _ report: Report) throws -> Int64 {
        let percent = report.percent ?? (report.status == "done" ? 100 : nil)
        guard let percent else { throw RelocError.invalidInput("give --percent (0 to 100), or --status done") }
        let target: SQLQuery
        switch subject {
        case .task(let number): target = "(SELECT id FROM reloc.task WHERE number = \(number)), NULL"
        case .milestone(let id): target = "NULL, (SELECT id FROM reloc.milestone WHERE id = \(id))"
        }
        let exists: SQLQuery
        switch subject {
        case .task(let number): exists = "SELECT 1 FROM reloc.task WHERE number = \(number)"
        case .milestone(let id): exists = "SELECT 1 FROM reloc.milestone WHERE id = \(id)"
        }
        if try db.query(exists).rows.isEmpty {
            throw RelocError.notFound(
                "no \(subject.description); see `reloc \(subject.description.split(separator: " ")[0]) list`")
        }
        return try db.query(
            """
            INSERT INTO reloc.progress_report (task_id, milestone_id, percent, status, note, evidence)
            VALUES (\(target), \(percent), \(report.status), \(report.note), \(report.evidence))
            RETURNING id
            """
        ).scalar(Int64.self)
    }

    /// Every report made by the as-of day (in the programme's zone), oldest first:
    /// `id, reported_at, org, org_name, login, percent, status, note, evidence`.
    public func history(of subject: Subject, asOf: AsOf = .today) throws -> PGResult {
        let condition: SQLQuery
        switch subject {
        case .task(let number): condition = "r.task_id = (SELECT id FROM reloc.task WHERE number = \(number))"
        case .milestone(let id): condition = "r.milestone_id = \(id)"
        }
        return try db.query(
            """
            SELECT r.id, r.reported_at, o.code AS org, o.name_zh AS org_name, r.login, trim_scale(r.percent) AS percent,
                   r.status, r.note, array_to_string(r.evidence, '; ') AS evidence
            FROM reloc.progress_report r
            JOIN reloc.organisation o ON o.id = r.org_id
            WHERE \(condition) AND reloc.local_date(r.reported_at) <= \(asOf.sql)
            ORDER BY r.reported_at, r.id
            """)
    }
}
