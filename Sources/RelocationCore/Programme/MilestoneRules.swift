import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The province's milestone rules per plan for enterprises registered to relocate (0011): a
/// `heritage-surveyed`, `relocation-started` or `relocation-completed` milestone due so many days
/// after registration, or on a fixed date. Without a rule (the default) nothing is created.
public struct MilestoneRules {
    public static let kinds = [MilestoneKind.heritageSurveyed, .relocationStarted, .relocationCompleted].map(\.rawValue)
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// `plan, kind, days_after, due_on`, by plan and kind.
    public func list(plan: String?) throws -> PGResult {
        try requirePlan(plan)
        return try db.query(
            """
            SELECT p.code AS plan, r.kind, r.days_after, r.due_on
            FROM reloc.milestone_rule r JOIN reloc.plan p ON p.id = r.plan_id
            WHERE (\(plan?.uppercased())::text IS NULL OR p.code = \(plan?.uppercased()))
            ORDER BY p.code, r.kind
            """)
    }

    public enum When: Sendable {
        case daysAfter(Int)
        case due(CalendarDate)
        case none
    }

    /// Sets (or with `.none` removes) the rule of one kind for a plan: province only (77 otherwise).
    public func set(plan: String, kind: String, _ when: When) throws {
        try requirePlan(plan)
        let code = plan.uppercased()
        switch when {
        case .none:
            if !MilestoneRules.kinds.contains(kind) {
                // The rule's own words, as for a rule set for an unknown kind.
                try db.execute("SELECT reloc.raise_rule('milestone_rule_kind', format('\"%s\"', \(kind)::text))")
            }
            try db.execute(
                """
                DELETE FROM reloc.milestone_rule
                WHERE plan_id = (SELECT id FROM reloc.plan WHERE code = \(code)) AND kind = \(kind)
                """)
        case .daysAfter(let days):
            try upsert(code, kind, days: days, due: nil)
        case .due(let date):
            try upsert(code, kind, days: nil, due: date)
        }
    }

    func upsert(_ plan: String, _ kind: String, days: Int?, due: CalendarDate?) throws {
        try db.execute(
            """
            INSERT INTO reloc.milestone_rule (plan_id, kind, days_after, due_on)
            SELECT id, \(kind), \(days), \(due)::date FROM reloc.plan WHERE code = \(plan)
            ON CONFLICT (plan_id, kind) DO UPDATE SET days_after = excluded.days_after, due_on = excluded.due_on
            """)
    }

    func requirePlan(_ plan: String?) throws {
        guard let code = plan?.uppercased() else { return }
        if try db.query("SELECT 1 FROM reloc.plan WHERE code = \(code)").rows.isEmpty {
            throw RelocError.notFound("no plan \(code); see `reloc plan list`")
        }
    }
}
