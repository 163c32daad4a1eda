import LibPQClient

/// The reminder rules the province edits (`reloc remind rules list | set`).
public struct ReminderRules {
    public static let kinds = ["default"] + MilestoneKind.codes
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// The default row, then the rule in force for every kind of milestone (`source`: own or default).
    public func list() throws -> PGResult {
        try db.query(
            """
            SELECT milestone_kind AS kind, array_to_string(days_before, ',') AS days_before, on_due_date,
                   overdue_first, overdue_every, escalate_after, escalate_to_city, source,
                   array_to_string(working_days_before, ',') AS working_days_before
            FROM (
                SELECT 0 AS position, r.milestone_kind, r.days_before, r.on_due_date, r.overdue_first, r.overdue_every,
                       r.escalate_after, r.escalate_to_city, 'default' AS source, r.working_days_before::int[]
                FROM reloc.reminder_rule r WHERE r.milestone_kind = 'default'
                UNION ALL
                SELECT 1, f.milestone_kind, f.days_before, f.on_due_date, f.overdue_first, f.overdue_every,
                       f.escalate_after, f.escalate_to_city, CASE WHEN f.own_rule THEN 'own' ELSE 'default' END,
                       f.working_days_before
                FROM reloc.reminder_rules_in_force() f
            ) AS rules
            ORDER BY position, kind
            """)
    }

    /// What `rules set` changes; nil leaves a setting as it is (a new kind starts from the default row).
    public struct Change: Sendable {
        public var daysBefore: [Int]?
        /// Reminders before the due date in working days (`--before 5wd,1wd`, issue 15); given
        /// together with daysBefore by `--before` (a list without `wd` clears them).
        public var workingDaysBefore: [Int]?
        public var onDueDate: Bool?
        public var overdueFirst: Int?
        public var overdueEvery: Int?
        /// .some(nil): never escalate.
        public var escalateAfter: Int??
        public var escalateToCity: Bool?

        public init(
            daysBefore: [Int]? = nil, onDueDate: Bool? = nil, overdueFirst: Int? = nil, overdueEvery: Int? = nil,
            escalateAfter: Int?? = nil, escalateToCity: Bool? = nil
        ) {
            self.daysBefore = daysBefore
            self.onDueDate = onDueDate
            self.overdueFirst = overdueFirst
            self.overdueEvery = overdueEvery
            self.escalateAfter = escalateAfter
            self.escalateToCity = escalateToCity
        }
    }

    /// Sets the rule of `kind` (`default` or a kind of milestone); province only (42501 otherwise).
    public func set(kind: String, _ change: Change) throws {
        let kind = kind.lowercased()
        guard ReminderRules.kinds.contains(kind) else {
            throw RelocError.invalidInput(
                "unknown kind \"\(kind)\": use default or one of \(ReminderRules.kinds.dropFirst().joined(separator: ", "))"
            )
        }
        let setsEscalation = change.escalateAfter != nil
        let escalateAfter: Int? = change.escalateAfter ?? nil
        try db.execute(
            """
            INSERT INTO reloc.reminder_rule AS r (milestone_kind, days_before, on_due_date, overdue_first, overdue_every,
                                                  escalate_after, escalate_to_city, working_days_before)
            SELECT \(kind), coalesce(\(change.daysBefore)::int[], d.days_before), coalesce(\(change.onDueDate), d.on_due_date),
                   coalesce(\(change.overdueFirst)::int, d.overdue_first), coalesce(\(change.overdueEvery)::int, d.overdue_every),
                   CASE WHEN \(setsEscalation) THEN \(escalateAfter)::int ELSE d.escalate_after END,
                   coalesce(\(change.escalateToCity), d.escalate_to_city),
                   coalesce(\(change.workingDaysBefore)::bigint[], d.working_days_before)
            FROM reloc.reminder_rule d WHERE d.milestone_kind = 'default'
            ON CONFLICT (milestone_kind) DO UPDATE SET
                days_before = coalesce(\(change.daysBefore)::int[], r.days_before),
                on_due_date = coalesce(\(change.onDueDate), r.on_due_date),
                overdue_first = coalesce(\(change.overdueFirst)::int, r.overdue_first),
                overdue_every = coalesce(\(change.overdueEvery)::int, r.overdue_every),
                escalate_after = CASE WHEN \(setsEscalation) THEN \(escalateAfter)::int ELSE r.escalate_after END,
                escalate_to_city = coalesce(\(change.escalateToCity), r.escalate_to_city),
                working_days_before = coalesce(\(change.workingDaysBefore)::bigint[], r.working_days_before)
            """)
    }
}
