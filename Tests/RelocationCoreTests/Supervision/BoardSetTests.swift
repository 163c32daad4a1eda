import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The board counts groups of milestones, not milestones one by one (make bench: under 2 s over a
/// million, docs/performance-supervision.md). Its rows must be those of the plain reading: every
/// (unit, milestone) pair that answers, de-duplicated, joined to each milestone's light — computed
/// here, independently, for every unit kind, on days around the scenario's deadlines, as the
/// province, a city and a department.
@Suite("Board: the grouped count equals the plain one")
struct BoardSetTests {
    static func plain(_ db: PGConnection, by: String, day: String) throws -> [String] {
        try db.query(
            """
            WITH m AS (SELECT * FROM reloc.milestone), answer AS (
                SELECT p.city_id AS unit_id, m.id FROM m JOIN reloc.plan p ON p.id = m.plan_id
                UNION SELECT e.city_id, m.id FROM m JOIN reloc.enterprise e ON e.id = m.enterprise_id
                UNION SELECT CASE o.kind WHEN 'city' THEN o.id ELSE o.parent_id END, m.id
                      FROM m JOIN reloc.organisation o ON o.id = m.owner_id AND o.kind IN ('city', 'district')
                UNION SELECT h.id, m.id FROM m JOIN reloc.task_assignment a ON a.task_id = m.task_id
                      JOIN reloc.organisation h ON h.id = reloc.current_org(a.org_id) AND h.kind = 'department'
            ), by_unit AS (
                SELECT a.unit_id, a.id FROM answer a JOIN reloc.organisation o ON o.id = a.unit_id
                WHERE o.kind = \(by) AND \(by) <> 'plan'
                UNION ALL
                SELECT coalesce(m.plan_id, e.plan_id, t.plan_id), m.id FROM m
                LEFT JOIN reloc.enterprise e ON e.id = m.enterprise_id LEFT JOIN reloc.task t ON t.id = m.task_id
                WHERE \(by) = 'plan' AND coalesce(m.plan_id, e.plan_id, t.plan_id) IS NOT NULL
            ), unit AS (
                SELECT o.id, o.code, o.name_zh AS name FROM reloc.organisation o
                WHERE o.kind = \(by) AND (reloc.acting_is_province() OR o.id = ANY (reloc.acting_org_ids()))
                UNION ALL
                SELECT p.id, p.code, p.name FROM reloc.plan p
                WHERE \(by) = 'plan' AND (reloc.acting_is_province() OR p.city_id = ANY (reloc.acting_org_ids())
                                          OR p.district_id = ANY (reloc.acting_org_ids()))
            ), lit AS (
                SELECT u.code, u.name, b.id, l.light FROM by_unit b JOIN unit u ON u.id = b.unit_id
                JOIN reloc.milestone_lights(\(day)::date) l ON l.milestone_id = b.id
            )
            SELECT line FROM (
                SELECT concat_ws(',', code, count(*) FILTER (WHERE light = 'red'),
                                 count(*) FILTER (WHERE light = 'yellow'), count(*) FILTER (WHERE light = 'green'),
                                 count(*) FILTER (WHERE light = 'done'), count(*)) AS line
                FROM lit GROUP BY code
                UNION ALL
                -- The total: each milestone once, a row of zeros when the reader sees none.
                SELECT concat_ws(',', '-', count(*) FILTER (WHERE light = 'red'),
                                 count(*) FILTER (WHERE light = 'yellow'), count(*) FILTER (WHERE light = 'green'),
                                 count(*) FILTER (WHERE light = 'done'), count(*))
                FROM (SELECT DISTINCT id, light FROM lit) once
            ) x ORDER BY 1
            """
        ).decode(String.self)
    }

    static func board(_ db: PGConnection, by: String, day: String) throws -> [String] {
        try db.query(
            """
            SELECT concat_ws(',', coalesce(code, '-'), red, yellow, green, done, total)
            FROM reloc.board(\(by), \(day)::date) ORDER BY 1
            """
        ).decode(String.self)
    }

    /// The board reads an enterprise's city (or plan) from an array by the enterprise's id when the
    /// ids are dense (70_board.sql, reloc.board_counts): with an id missing (an insert rolled back)
    /// and with one far beyond the rest (the join again), it must still count each milestone where
    /// the plain reading does.
    @Test func equalWithEnterpriseIdsMissingOrFar() throws {
        try SupervisionScenario.with { name, admin in
            // An enterprise of the last plan (numbered: names are unique in a plan) with a milestone.
            let enterpriseWithMilestone: SQLQuery = """
                WITH e AS (
                    INSERT INTO reloc.enterprise (plan_id, name, mode)
                    SELECT p.id, '缺号企业' || (SELECT count(*) FROM reloc.enterprise), 'close'
                    FROM reloc.plan p ORDER BY p.id DESC LIMIT 1 RETURNING id)
                INSERT INTO reloc.milestone (kind, title, due_on, enterprise_id)
                SELECT 'custom', '缺号节点', '2015-04-13', e.id FROM e
                """
            try admin.execute("BEGIN")
            try admin.execute(enterpriseWithMilestone)
            try admin.execute("ROLLBACK")
            try admin.execute(enterpriseWithMilestone)
            let db = try TestDatabase.connect(name, actingAs: "JL")
            for by in ["city", "plan"] {
                #expect(
                    try Self.board(db, by: by, day: "2015-04-10") == Self.plain(db, by: by, day: "2015-04-10"),
                    "\(by), an id missing")
            }
            try admin.execute(
                """
                WITH e AS (
                    INSERT INTO reloc.enterprise (id, plan_id, name, mode) OVERRIDING SYSTEM VALUE
                    SELECT (SELECT max(id) + 10000000 FROM reloc.enterprise), p.id, '远号企业', 'close'
                    FROM reloc.plan p ORDER BY p.id DESC LIMIT 1 RETURNING id)
                INSERT INTO reloc.milestone (kind, title, due_on, enterprise_id)
                SELECT 'custom', '远号节点', '2015-04-13', e.id FROM e
                """)
            for by in ["city", "plan"] {
                #expect(
                    try Self.board(db, by: by, day: "2015-04-10") == Self.plain(db, by: by, day: "2015-04-10"),
                    "\(by), an id far")
            }
            let counted = try Self.board(db, by: "city", day: "2015-04-10")
            #expect(counted.first { $0.hasPrefix("-,") } != nil, "\(counted)")
        }
    }

    @Test func equalForEveryUnitDayAndReader() throws {
        try SupervisionScenario.with { name, admin in
            // Owned by a district and by a city, an enterprise's milestone, a task with two holders:
            // every way of answering.
            try admin.execute(
                """
                INSERT INTO reloc.milestone (kind, title, due_on, plan_id, owner_id)
                SELECT 'custom', '区属节点', '2015-03-02', p.id, p.district_id FROM reloc.plan p
                WHERE p.district_id IS NOT NULL ORDER BY p.id LIMIT 1
                """)
            try admin.execute(
                """
                INSERT INTO reloc.milestone (kind, title, due_on, enterprise_id)
                SELECT 'custom', '企业节点', '2015-04-13', e.id FROM reloc.enterprise e ORDER BY e.id LIMIT 1
                """)
            for code in ["JL", "SP", "CC", "JL-GXT"] {
                let db = try TestDatabase.connect(name, actingAs: code)
                for by in ["city", "department", "plan"] {
                    for day in ["2014-12-31", "2015-02-26", "2015-04-10", "2015-04-14", "2023-01-01"] {
                        let plain = try Self.plain(db, by: by, day: day)
                        #expect(try Self.board(db, by: by, day: day) == plain, "\(code) \(by) \(day)")
                        #expect(plain.count > 1 || code != "JL", "\(code) \(by) \(day): \(plain)")
                    }
                }
            }
        }
    }
}
