import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// A year of the Jilin seed on its own calendar (issue 15's scenario): the quarter of
/// `SupervisionScenario` and, for the rest of 2015, milestones the province sets for cities and
/// departments, acknowledged (签收) by their owners, completed through review (a completion returned,
/// 退办, then accepted, 销号), two extensions (one approved, one rejected); twelve monthly bulletins
/// drafted and four issued; the year's evaluation computed and published. Every figure is checked
/// against SQL written here, from the tables, not against reloc's functions.
@Suite("Supervision: a year of the Jilin seed")
struct SupervisionYearTests {
    /// The test's own 2015 calendar beyond the scenario's 春节 (for the test only: not holiday data reloc ships).
    static let calendar: [(String, String, String)] = [
        ("2015-01-01", "holiday", "元旦"), ("2015-01-02", "holiday", "元旦"), ("2015-01-03", "holiday", "元旦"),
        ("2015-01-04", "workday", "元旦调休"),
        ("2015-04-06", "holiday", "清明节"), ("2015-05-01", "holiday", "劳动节"),
        ("2015-06-22", "holiday", "端午节"),
        ("2015-09-03", "holiday", "纪念日"), ("2015-09-04", "holiday", "纪念日"), ("2015-09-06", "workday", "调休"),
        ("2015-10-01", "holiday", "国庆节"), ("2015-10-02", "holiday", "国庆节"), ("2015-10-05", "holiday", "国庆节"),
        ("2015-10-06", "holiday", "国庆节"), ("2015-10-07", "holiday", "国庆节"), ("2015-10-10", "workday", "国庆调休"),
    ]

    /// A milestone the province sets for the rest of the year: (plan or task, owner, title, due, done).
    struct Planned {
        let plan: String?
        let task: Int?
        let owner, title, due: String
        let done: String?
    }

    static let planned: [Planned] = [
        Planned(plan: "CC-KC", task: nil, owner: "CC", title: "长春四月节点", due: "2015-04-15", done: "2015-04-14"),
        Planned(plan: "CC-KC", task: nil, owner: "CC", title: "长春延期节点", due: "2015-06-15", done: "2015-07-17"),
        Planned(plan: "CC-KC", task: nil, owner: "CC", title: "长春十月节点", due: "2015-10-16", done: "2015-10-23"),
        Planned(plan: "SP-TD", task: nil, owner: "SP", title: "四平延期未准节点", due: "2015-08-14", done: nil),
        Planned(plan: "SP-TD", task: nil, owner: "SP", title: "四平十二月节点", due: "2015-12-15", done: "2015-12-15"),
        Planned(plan: "JLS-HDW", task: nil, owner: "JLS", title: "吉林五月节点", due: "2015-05-29", done: nil),
        Planned(plan: "LY", task: nil, owner: "LY", title: "辽源九月节点", due: "2015-09-30", done: "2015-09-29"),
        Planned(plan: nil, task: 3, owner: "JL-GXT", title: "工信退办节点", due: "2015-06-30", done: "2015-07-03"),
        Planned(plan: nil, task: 1, owner: "JL-ZJT", title: "住建十一月节点", due: "2015-11-20", done: "2015-11-19"),
    ]

    func cli(_ name: String, _ arguments: [String]) throws -> RelocCLI.Outcome {
        let outcome = try RelocCLI.run(arguments, database: name)
        #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
        return outcome
    }

    func id(_ outcome: RelocCLI.Outcome, after marker: String = "") throws -> Int64 {
        let text = marker.isEmpty ? outcome.stdout : String(outcome.stdout.split(separator: marker).last ?? "")
        return try #require(Int64(text.filter(\.isNumber)), "\(outcome.stdout)")
    }

    /// The year, through the CLI where the clock allows it; returns the milestones by title.
    func runTheYear(_ name: String, _ db: PGConnection) throws -> [String: Int64] {
        for (day, kind, holiday) in Self.calendar {
            try db.execute(
                "INSERT INTO reloc.calendar_day (day, kind, name) VALUES (\(day)::date, \(kind), \(holiday))")
        }
        var ids: [String: Int64] = [:]
        for m in Self.planned {
            var arguments = ["--as", "JL", "milestone", "add", "--title", m.title, "--due", m.due, "--owner", m.owner]
            arguments += m.plan.map { ["--plan", $0] } ?? ["--task", "\(m.task!)"]
            ids[m.title] = try id(try cli(name, arguments + ["--format", "json"]))
        }
        // 签收: each owner acknowledges what the province set it, but 吉林 (its May milestone is not).
        for m in Self.planned where m.owner != "JLS" {
            _ = try cli(name, ["--as", m.owner, "ack", "milestone", "\(ids[m.title]!)", "--note", "已签收"])
        }
        let acknowledged = try db.query(
            """
            SELECT count(*) FROM reloc.acknowledgement a JOIN reloc.organisation o ON o.id = a.org_id
            JOIN reloc.milestone m ON m.id = a.milestone_id
            WHERE m.id = ANY (\(Array(ids.values))::bigint[]) AND o.id = m.owner_id AND a.login IS NOT NULL
            """
        ).scalar(Int.self)
        #expect(acknowledged == Self.planned.count - 1)
        let waiting = try db.query(
            "SELECT count(*) FROM reloc.milestone WHERE id = \(ids["吉林五月节点"]!) AND acknowledge"
        ).scalar(Int.self)
        #expect(waiting == 1)

        // 延期申请: the clock cannot be turned back to 2015, so the two requests are written as the
        // history they are — asked and decided in 2015, the approval's due date moved as the
        // database moves it (the paths themselves: ExtensionRequestTests, SupervisionRaceTests,
        // anApprovedExtensionIsGrantedInTheBulletinARejectedOneIsNot).
        try db.execute("BEGIN")
        try db.execute("SET LOCAL session_replication_role = replica")
        try db.execute(
            """
            INSERT INTO reloc.extension_request (milestone_id, requested_by, login, requested_at, due_on, requested_to,
                reason, evidence, state, decided_to, decided_by, decided_at, decision_note)
            SELECT \(ids["长春延期节点"]!), o.id, 'cc_clerk', '2015-06-01 10:00+08'::timestamptz, '2015-06-15'::date,
                   '2015-07-20'::date, '征收补偿尚未谈妥', '{长府函〔2015〕12号}'::text[], 'approved', '2015-07-20'::date,
                   'jl_clerk', '2015-06-03 10:00+08'::timestamptz, '同意'
            FROM reloc.organisation o WHERE o.code = 'CC'
            UNION ALL
            SELECT \(ids["四平延期未准节点"]!), o.id, 'sp_clerk', '2015-08-03 10:00+08', '2015-08-14', '2015-09-30',
                   '资金未到位', '{}', 'rejected', NULL, 'jl_clerk', '2015-08-05 10:00+08', '理由不充分'
            FROM reloc.organisation o WHERE o.code = 'SP'
            """)
        try db.execute("UPDATE reloc.milestone SET due_on = '2015-07-20' WHERE id = \(ids["长春延期节点"]!)")
        try db.execute("COMMIT")

        // 办结审核: each done milestone submitted by its owner with evidence and accepted (销号); the
        // department's first submission returned (退办), submitted again, accepted.
        let task = ids["工信退办节点"]!
        let first = try id(
            try cli(
                name,
                ["--as", "JL-GXT", "milestone", "done", "\(task)", "--on", "2015-06-10", "--evidence", "吉工信〔2015〕5号"]),
            after: "completion ")
        _ = try cli(name, ["--as", "JL", "review", "return", "\(first)", "--reason", "佐证材料不全"])
        for m in Self.planned {
            guard let done = m.done else { continue }
            let submitted = try id(
                try cli(
                    name,
                    [
                        "--as", m.owner, "milestone", "done", "\(ids[m.title]!)", "--on", done, "--evidence",
                        "\(m.owner)〔2015〕办结",
                    ]), after: "completion ")
            _ = try cli(name, ["--as", "JL", "review", "accept", "\(submitted)"])
        }
        let returned = try db.query(
            "SELECT count(*) FROM reloc.completion_review WHERE milestone_id = \(task) AND state = 'returned'"
        ).scalar(Int.self)
        #expect(returned == 1)
        return ids
    }

    /// Per city or department with something due in the period, as text: due, on time, late,
    /// overdue, overdue working days (sum, max), not yet due, extensions granted, on-time rate,
    /// rank — from the tables, here.
    static func expectedBulletin(_ db: PGConnection, first: String, last: String, asOf: String) throws -> [String:
        String]
    {
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
            ), item AS (
                SELECT m.id,
                       m.done_on <= \(asOf)::date AND m.done_on <= m.due_on AS on_time,
                       m.done_on <= \(asOf)::date AND m.done_on > m.due_on AS late,
                       (m.done_on IS NULL OR m.done_on > \(asOf)::date) AND m.due_on < \(asOf)::date AS overdue,
                       (m.done_on IS NULL OR m.done_on > \(asOf)::date) AND m.due_on >= \(asOf)::date AS not_yet_due,
                       (SELECT count(*) FROM days WHERE days.day > m.due_on) AS late_days,
                       (SELECT count(*) FROM reloc.extension_request e
                        WHERE e.milestone_id = m.id AND e.state = 'approved'
                          AND (e.decided_at AT TIME ZONE 'Asia/Shanghai')::date <= \(asOf)::date) AS extensions
                FROM m
            ), unit AS (
                SELECT o.code, o.kind, count(*) AS due,
                       count(*) FILTER (WHERE i.on_time) AS on_time, count(*) FILTER (WHERE i.late) AS late,
                       count(*) FILTER (WHERE i.overdue) AS overdue,
                       coalesce(sum(i.late_days) FILTER (WHERE i.overdue), 0) AS owd,
                       coalesce(max(i.late_days) FILTER (WHERE i.overdue), 0) AS max_owd,
                       count(*) FILTER (WHERE i.not_yet_due) AS not_yet_due, sum(i.extensions) AS extensions
                FROM answer a JOIN item i ON i.id = a.id JOIN reloc.organisation o ON o.id = a.org
                WHERE o.kind IN ('city', 'department')
                GROUP BY o.code, o.kind
            ), rated AS (
                SELECT u.*, round(100.0 * u.on_time / nullif(u.on_time + u.late + u.overdue, 0), 1) AS rate FROM unit u
            )
            SELECT r.code, concat_ws(',', r.due, r.on_time, r.late, r.overdue, r.owd, r.max_owd, r.not_yet_due,
                       r.extensions, coalesce(r.rate::text, '-'),
                       CASE WHEN r.rate IS NULL THEN '-' ELSE
                           (SELECT 1 + count(*) FROM rated b
                            WHERE b.kind = r.kind AND b.rate IS NOT NULL
                              AND (b.rate > r.rate OR (b.rate = r.rate AND (b.overdue < r.overdue
                                   OR (b.overdue = r.overdue AND b.owd < r.owd)))))::text END)
            FROM rated r
            """
        ).decode((String, String).self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.1) })
    }

    static func text(_ unit: BulletinFigures.Unit) -> String {
        let rank = unit.onTimeRate == nil ? "-" : unit.rank.map(String.init) ?? "?"
        return [
            unit.due, unit.onTime, unit.late, unit.overdue, unit.overdueWorkingDays, unit.maxOverdueWorkingDays,
            unit.notYetDue, unit.extensions,
        ].map(String.init).joined(separator: ",") + "," + (unit.onTimeRate.map { String($0) } ?? "-") + "," + rank
    }

    /// The year's evaluation per city and department, from the tables and the weights, as text:
    /// due, done, on time, overdue working days, escalations, extensions, rates, score, rating.
    static func expectedEvaluation(_ db: PGConnection) throws -> [String: String] {
        let rows = try db.query(
            """
            WITH m AS (
                SELECT m.* FROM reloc.milestone m WHERE m.due_on BETWEEN '2015-01-01' AND '2015-12-31'
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
                SELECT g::date AS day FROM generate_series('2015-01-01'::date, '2015-12-31'::date, interval '1 day') g
                WHERE (extract(isodow FROM g) < 6
                       AND NOT EXISTS (SELECT FROM reloc.calendar_day c WHERE c.day = g::date AND c.kind = 'holiday'))
                   OR EXISTS (SELECT FROM reloc.calendar_day c WHERE c.day = g::date AND c.kind = 'workday')
            ), item AS (
                SELECT m.id, m.done_on <= '2015-12-31' AS done, m.done_on <= '2015-12-31' AND m.done_on <= m.due_on AS on_time,
                       (SELECT count(*) FROM days
                        WHERE days.day > m.due_on AND days.day <= coalesce(m.done_on, '2015-12-31')) AS late_days,
                       (SELECT count(*) FROM reloc.extension_request e
                        WHERE e.milestone_id = m.id AND e.state = 'approved'
                          AND (e.decided_at AT TIME ZONE 'Asia/Shanghai')::date <= '2015-12-31') AS extensions
                FROM m
            ), unit AS (
                SELECT o.code, count(*) AS due, count(*) FILTER (WHERE i.done) AS done,
                       count(*) FILTER (WHERE i.on_time) AS on_time, sum(i.late_days) AS overdue_days,
                       count(*) FILTER (WHERE i.late_days > s.escalate_after) AS escalations,
                       sum(i.extensions) AS extensions
                FROM answer a JOIN item i ON i.id = a.id JOIN reloc.organisation o ON o.id = a.org
                CROSS JOIN reloc.evaluation_setting s
                WHERE o.kind IN ('city', 'department')
                GROUP BY o.code, s.escalate_after
            ), scored AS (
                SELECT u.*, round(greatest(0, least(100,
                           s.on_time_weight * (u.on_time::numeric / u.due) + s.completion_weight * (u.done::numeric / u.due)
                           - s.overdue_day_weight * (u.overdue_days::numeric / u.due)
                           - s.escalation_weight * u.escalations - s.extension_weight * u.extensions)), 1) AS score,
                       s.good_from, s.fairly_good_from, s.fair_from
                FROM unit u CROSS JOIN reloc.evaluation_setting s
            )
            SELECT code, concat_ws(',', due, done, on_time, overdue_days, escalations, extensions,
                                   round(on_time::numeric / due, 4), round(done::numeric / due, 4), score,
                                   CASE WHEN score >= good_from THEN 'good' WHEN score >= fairly_good_from THEN 'fairly-good'
                                        WHEN score >= fair_from THEN 'fair' ELSE 'poor' END)
            FROM scored
            """
        ).decode((String, String).self)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.1) })
    }

    @Test func aYearOfBulletinsAndTheEvaluationAreTheIndependentFigures() throws {
        try SupervisionScenario.with { name, db in
            let ids = try runTheYear(name, db)
            var sawExtension = false
            var sawRejectedOverdue = false
            var issued: [String: String] = [:]
            for month in 1...12 {
                let period = String(format: "2015-%02d", month)
                let first = "\(period)-01"
                let last = try db.query(
                    "SELECT ((\(first)::date + interval '1 month') - interval '1 day')::date::text"
                ).scalar(String.self)
                let draft = try cli(
                    name, ["bulletin", "draft", "--period", period, "--as-of", last, "--format", "json", "--as", "CC"])
                let figures = try BulletinFigures(json: draft.stdout)
                let expected = try Self.expectedBulletin(db, first: first, last: last, asOf: last)
                for unit in figures.cities + figures.departments {
                    let zero = "0,0,0,0,0,0,0,0,-,-"
                    #expect(Self.text(unit) == expected[unit.code] ?? zero, "\(period) \(unit.code)")
                }
                // Every unit answering for something is in the bulletin.
                #expect(
                    Set(expected.keys).isSubset(of: Set((figures.cities + figures.departments).map(\.code))),
                    "\(period)")
                // Totals: each milestone once.
                let totals = try db.query(
                    """
                    SELECT count(*), count(*) FILTER (WHERE done_on <= \(last)::date AND done_on <= due_on),
                           count(*) FILTER (WHERE done_on <= \(last)::date AND done_on > due_on),
                           count(*) FILTER (WHERE (done_on IS NULL OR done_on > \(last)::date) AND due_on < \(last)::date),
                           (SELECT count(*) FROM reloc.extension_request e JOIN reloc.milestone x ON x.id = e.milestone_id
                            WHERE e.state = 'approved' AND x.due_on BETWEEN \(first)::date AND \(last)::date
                              AND (e.decided_at AT TIME ZONE 'Asia/Shanghai')::date <= \(last)::date)
                    FROM reloc.milestone WHERE due_on BETWEEN \(first)::date AND \(last)::date
                    """
                ).decode((Int, Int, Int, Int, Int).self)[0]
                let t = figures.totals
                let got: [Int] = [t.due, t.onTime, t.late, t.overdue, t.extensions]
                let want: [Int] = [totals.0, totals.1, totals.2, totals.3, totals.4]
                #expect(got == want, "\(period)")
                // 点名: exactly the overdue items, each under every unit answering for it.
                let named = Set(
                    figures.overdueItems.map { "\($0.unitCode):\($0.milestoneId):\($0.overdueWorkingDays)" })
                let overdue = try db.query(
                    """
                    SELECT count(*) FROM reloc.milestone
                    WHERE due_on BETWEEN \(first)::date AND \(last)::date AND due_on < \(last)::date
                      AND (done_on IS NULL OR done_on > \(last)::date)
                    """
                ).scalar(Int.self)
                #expect(Set(figures.overdueItems.map(\.milestoneId)).count == overdue, "\(period)")
                #expect(named.count == figures.overdueItems.count, "\(period)")
                if month == 7 {
                    // The approved extension moved 长春's milestone into July and counts there.
                    let cc = try #require(figures.cities.first { $0.code == "CC" })
                    #expect(cc.extensions == 1 && t.extensions == 1)
                    sawExtension = true
                }
                if month == 8 {
                    // The rejected one is no extension; its milestone is overdue and named.
                    let sp = try #require(figures.cities.first { $0.code == "SP" })
                    #expect(sp.extensions == 0 && sp.overdue == 1)
                    #expect(figures.overdueItems.contains { $0.milestoneId == ids["四平延期未准节点"]! })
                    sawRejectedOverdue = true
                }
                if month % 3 == 0 {
                    _ = try cli(
                        name,
                        [
                            "bulletin", "issue", "--period", period, "--as-of", last, "--number", "2015年第\(month / 3)期",
                            "--as", "JL",
                        ])
                    issued["2015年第\(month / 3)期"] = draft.stdout
                }
            }
            #expect(sawExtension && sawRejectedOverdue)
            for (number, draft) in issued {
                let shown = try cli(name, ["bulletin", "show", number, "--format", "json"])
                #expect(shown.stdout == draft, "\(number)")
            }
            let list = try cli(name, ["bulletin", "list", "--format", "csv"])
            #expect(list.stdout.split(whereSeparator: \.isNewline).count == 5, "\(list.stdout)")

            // The year's evaluation: computed, every component the independent one, then published.
            _ = try cli(name, ["evaluation", "compute", "--year", "2015", "--as", "JL"])
            let computed = Dictionary(
                uniqueKeysWithValues: try db.query(
                    """
                    SELECT o.code, concat_ws(',', r.due, r.done, r.on_time, r.overdue_days, r.escalations, r.extensions,
                                             r.on_time_rate, r.completion_rate, r.score, r.rating)
                    FROM reloc.evaluation_result r JOIN reloc.organisation o ON o.id = r.org_id WHERE r.year = 2015
                    """
                ).decode((String, String).self).map { ($0.0, $0.1) })
            let expected = try Self.expectedEvaluation(db)
            #expect(computed == expected)
            #expect(expected["CC"]?.hasPrefix("6,5,3,") == true, "\(expected["CC"] ?? "")")
            _ = try cli(name, ["evaluation", "publish", "--year", "2015", "--as", "JL"])
            let published = try cli(
                name,
                [
                    "evaluation", "list", "--year", "2015", "--format", "csv", "--columns", "code,published", "--as",
                    "SP",
                ])
            #expect(published.stdout.contains("CC,true"), "\(published.stdout)")
        }
    }

    /// 延期 in the bulletin, through the real paths: an extension the province approves counts in
    /// "extensions granted" of the period its milestone is now due in; a rejected one does not.
    @Test func anApprovedExtensionIsGrantedInTheBulletinARejectedOneIsNot() throws {
        try ProgrammeFixture.with { fixture in
            let approved = try ExtensionRequestTests.milestone(fixture, due: "2030-08-30")
            let rejected = try ExtensionRequestTests.id(
                try fixture.cli([
                    "--as", "SP", "milestone", "add", "--plan", "SP-TD", "--title", "完成拆除", "--due", "2030-09-20",
                    "--format", "json",
                ]))
            func september() throws -> BulletinFigures {
                let draft = try fixture.cli([
                    "bulletin", "draft", "--period", "2030-09", "--as-of", "2030-10-08", "--format", "json",
                ])
                #expect(draft.status == 0, "\(draft.stderr)")
                return try BulletinFigures(json: draft.stdout)
            }
            func extensions(_ figures: BulletinFigures, _ code: String) -> Int? {
                figures.cities.first { $0.code == code }?.extensions
            }
            let first = try ExtensionRequestTests.id(
                try ExtensionRequestTests.request(fixture, approved, to: "2030-09-15"))
            let second = try ExtensionRequestTests.id(
                try ExtensionRequestTests.request(fixture, rejected, to: "2030-10-30", as: "SP"))
            let before = try september()
            #expect(extensions(before, "CC") == 0 && extensions(before, "SP") == 0 && before.totals.extensions == 0)
            #expect(try fixture.cli(["--as", "JL", "extension", "approve", "\(first)"]).status == 0)
            #expect(try fixture.cli(["--as", "JL", "extension", "reject", "\(second)", "--note", "理由不充分"]).status == 0)
            let after = try september()
            #expect(extensions(after, "CC") == 1, "the approval moved 长春's milestone into September, granted")
            #expect(extensions(after, "SP") == 0, "a rejection is no extension")
            #expect(after.totals.extensions == 1)
            // As of a day before the approval (the request was decided today), nothing was granted yet.
            let yesterday = try fixture.admin().query("SELECT (reloc.today() - 1)::text").scalar(String.self)
            let earlier = try fixture.cli([
                "bulletin", "draft", "--period", "2030-09", "--as-of", yesterday, "--format", "json",
            ])
            #expect(try BulletinFigures(json: earlier.stdout).totals.extensions == 0)
        }
    }
}
