import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// A database with the jilin-2014 reference data (tasks and milestones included), and the ways
/// to act on it: the core as an organisation, plain SQL as its role, the CLI.
struct ProgrammeFixture {
    let database: String

    static func with<T>(_ body: (ProgrammeFixture) throws -> T) throws -> T {
        try TestDatabase.with(.jilin2014) { name in try body(ProgrammeFixture(database: name)) }
    }

    func acting(_ code: String) throws -> PGConnection { try TestDatabase.connect(database, actingAs: code) }
    func admin() throws -> PGConnection { try TestDatabase.connect(database) }

    /// A department sharing task `number` (not its lead) whose assignment has not ended.
    func coAssignedDepartment(task number: Int) throws -> String {
        try admin().query(
            """
            SELECT o.code FROM reloc.task_assignment a JOIN reloc.task t ON t.id = a.task_id
            JOIN reloc.organisation o ON o.id = a.org_id
            WHERE t.number = \(number) AND NOT a.lead AND a.ended_on IS NULL ORDER BY a.position LIMIT 1
            """
        ).scalar(String.self)
    }

    func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> RelocCLI.Outcome {
        try RelocCLI.run(arguments, database: database, environment: environment)
    }

    /// The id of a seeded plan's milestone of a kind.
    func milestone(plan: String, kind: String = "plan-compiled") throws -> Int64 {
        try admin().query(
            "SELECT m.id FROM reloc.milestone m JOIN reloc.plan p ON p.id = m.plan_id WHERE p.code = \(plan) AND m.kind = \(kind)"
        ).scalar(Int64.self)
    }

    /// Plain SQL, as the role would type it: a report on a task by number.
    static func reportSQL(task number: Int, percent: Int = 10, note: String = "raw") -> SQLQuery {
        "INSERT INTO reloc.progress_report (task_id, percent, note) SELECT id, \(percent), \(note) FROM reloc.task WHERE number = \(number)"
    }

    static func reportSQL(milestone id: Int64, percent: Int = 10) -> SQLQuery {
        "INSERT INTO reloc.progress_report (milestone_id, percent, note) VALUES (\(id), \(percent), 'raw')"
    }
}

/// Expects PostgreSQL's refusal with a SQLSTATE (and, for rules, the constraint name).
func expectSQLState(
    _ state: String, constraint: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected SQLSTATE \(state), but it was allowed", sourceLocation: sourceLocation)
    } catch let error as PGError {
        #expect(error.sqlState == state, "\(error)", sourceLocation: sourceLocation)
        if let constraint { #expect(error.constraint == constraint, "\(error)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("expected a database error, got \(error)", sourceLocation: sourceLocation)
    }
}
