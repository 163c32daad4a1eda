import LibPQClient
import RelocTestSupport
import RelocationCore

/// A quarter of the Jilin seed on its own calendar (issue 15's scenario, for bulletins and the
/// evaluation): 春节 2015 (02-18..24 off, Sunday 02-15 and Saturday 02-28 worked), and milestones due
/// in 2015 on plans, enterprises' plans and the annex's tasks: done on time, done late, overdue,
/// not yet due. The calendar and the data are the test's own; the figures are checked against
/// SQL written here, not against reloc's functions.
enum SupervisionScenario {
    static func with(_ body: (String, PGConnection) throws -> Void) throws {
        try TestDatabase.with(.jilin2014) { name in
            let db = try TestDatabase.connect(name)
            for day in 18...24 {
                try db.execute(
                    "INSERT INTO reloc.calendar_day (day, kind, name) VALUES (\("2015-02-\(day)")::date, 'holiday', '春节')"
                )
            }
            try db.execute(
                """
                INSERT INTO reloc.calendar_day (day, kind, name) VALUES
                    ('2015-02-15', 'workday', '春节调休'), ('2015-02-28', 'workday', '春节调休')
                """)
            // Plans' milestones: (plan, title, due, done).
            let plans: [(String, String, String, String?)] = [
                ("CC-KC", "长春节点一", "2015-01-20", "2015-01-19"),
                ("CC-KC", "长春节点二", "2015-02-17", "2015-02-26"),
                ("CC-KC", "长春节点三", "2015-03-31", nil),
                ("SP-TD", "四平节点一", "2015-02-13", nil),
                ("SP-TD", "四平节点二", "2015-03-05", "2015-03-05"),
                ("JLS-HDW", "吉林节点一", "2015-03-16", nil),
                ("JLS-HDW", "吉林节点<b>|二*", "2015-02-10", "2015-04-20"),
                ("LY", "辽源节点一", "2015-04-30", nil),
            ]
            for (plan, title, due, done) in plans {
                try db.execute(
                    """
                    INSERT INTO reloc.milestone (kind, title, due_on, done_on, plan_id)
                    SELECT 'custom', \(title), \(due)::date, \(done)::date, p.id FROM reloc.plan p WHERE p.code = \(plan)
                    """)
            }
            // Tasks' milestones: (task number, title, due, done).
            let tasks: [(Int, String, String, String?)] = [
                (3, "工信任务节点", "2015-02-27", nil),
                (3, "工信任务节点二", "2015-01-30", "2015-01-30"),
                (1, "住建任务节点", "2015-03-20", "2015-03-27"),
            ]
            for (task, title, due, done) in tasks {
                try db.execute(
                    """
                    INSERT INTO reloc.milestone (kind, title, due_on, done_on, task_id)
                    SELECT 'custom', \(title), \(due)::date, \(done)::date, t.id FROM reloc.task t WHERE t.number = \(task)
                    """)
            }
            try body(name, db)
        }
    }

    /// Per city or department (code): due, on time, late, overdue, overdue working days, for the
    /// milestones due from `first` to `last`, as of `asOf` — computed here, independently.
    static func expected(_ db: PGConnection, first: String, last: String, asOf: String) throws -> [String: [Int]] {
        let rows = try db.query(
            """
            WITH m AS (
                SELECT m.* FROM reloc.milestone m WHERE m.due_on BETWEEN \(first)::date AND \(last)::date
            ), answer AS (
                SELECT p.city_id AS org, m.id FROM m JOIN reloc.plan p ON p.id = m.plan_id
                UNION SELECT e.city_id, m.id FROM m JOIN reloc.enterprise e ON e.id = m.enterprise_id
                UNION SELECT coalesce(o.parent_id, o.id), m.id FROM m JOIN reloc.organisation o ON o.id = m.owner_id
                      WHERE o.kind IN ('city', 'district')
                UNION SELECT coalesce(
                        (SELECT s.id FROM reloc.organisation s WHERE s.id = d.successor_id AND d.succeeded_on <= CURRENT_DATE),
                        d.id), m.id
                      FROM m JOIN reloc.task_assignment a ON a.task_id = m.task_id
                      JOIN reloc.organisation d ON d.id = a.org_id
            ), days AS (
                SELECT g::date AS day FROM generate_series(\(first)::date, \(asOf)::date, interval '1 day') g
                WHERE (extract(isodow FROM g) < 6
                       AND NOT EXISTS (SELECT FROM reloc.calendar_day c WHERE c.day = g::date AND c.kind = 'holiday'))
                   OR EXISTS (SELECT FROM reloc.calendar_day c WHERE c.day = g::date AND c.kind = 'workday')
            )
            SELECT o.code, count(*)::bigint,
                   count(*) FILTER (WHERE m.done_on <= \(asOf)::date AND m.done_on <= m.due_on)::bigint,
                   count(*) FILTER (WHERE m.done_on <= \(asOf)::date AND m.done_on > m.due_on)::bigint,
                   count(*) FILTER (WHERE (m.done_on IS NULL OR m.done_on > \(asOf)::date) AND m.due_on < \(asOf)::date)::bigint,
                   coalesce(sum((SELECT count(*) FROM days WHERE days.day > m.due_on))
                       FILTER (WHERE (m.done_on IS NULL OR m.done_on > \(asOf)::date) AND m.due_on < \(asOf)::date), 0)::bigint
            FROM answer a JOIN m ON m.id = a.id JOIN reloc.organisation o ON o.id = a.org
            WHERE o.kind IN ('city', 'department')
            GROUP BY o.code
            """
        ).decode((String, Int, Int, Int, Int, Int).self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, [$0.1, $0.2, $0.3, $0.4, $0.5]) })
    }
}
