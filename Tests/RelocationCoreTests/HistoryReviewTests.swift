import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// What the review of 0007 found: a step dated before a corrected approval, "today" moved ahead by
/// a session's zone, forged rows locked in by the migration, successions changed at once.
@Suite("History integrity: the review's findings")
struct HistoryReviewTests {
    /// §四(一): the steps after the approval follow it as the province corrected it.
    @Test func aStepAfterACorrectedApprovalIsNotDatedBeforeIt() throws {
        try ProgrammeFixture.with { fixture in
            for (to, on) in [("consultation", "2016-01-01"), ("risk-assessed", "2016-06-01")] {
                #expect(
                    try fixture.cli(["--as", "SP", "plan", "advance", "SP-TD", "--to", to, "--on", on]).status == 0)
            }
            let approved = try fixture.cli([
                "plan", "advance", "SP-TD", "--to", "approved", "--doc", "四政发〔2017〕1号", "--on", "2017-02-01", "--as",
                "SP",
            ])
            #expect(approved.status == 0, "\(approved.stderr)")
            let corrected = try fixture.cli([
                "plan", "correct-approval", "SP-TD", "--on", "2018-01-01", "--reason", "文件日期录错", "--as", "JL",
            ])
            #expect(corrected.status == 0, "\(corrected.stderr)")
            let early = try fixture.cli([
                "plan", "advance", "SP-TD", "--to", "implementing", "--on", "2017-06-01", "--as", "SP",
            ])
            expectCLIRule(early, "plan_status_dates")
            #expect(early.stderr.contains("before the plan's approval (2018-01-01)"), "\(early.stderr)")
            // Nor in plain SQL as the city, through the function or a bare UPDATE with the date set.
            let siping = try fixture.acting("SP")
            expectSQLState("23514", constraint: "plan_status_dates") {
                try siping.execute("SELECT reloc.advance_plan('SP-TD', 'implementing', NULL, '2017-06-01')")
            }
            expectSQLState("23514", constraint: "plan_status_dates") {
                try siping.execute("BEGIN")
                defer { _ = try? siping.execute("ROLLBACK") }
                try siping.execute("SET LOCAL reloc.advance_on = '2017-12-31'")
                try siping.execute("UPDATE reloc.plan SET status = 'implementing' WHERE code = 'SP-TD'")
            }
            let onTime = try fixture.cli([
                "plan", "advance", "SP-TD", "--to", "implementing", "--on", "2018-01-01", "--as", "SP",
            ])
            #expect(onTime.status == 0, "\(onTime.stderr)")
        }
    }

    /// A POSIX zone spec may be up to ±167 hours: no session moves "today" ahead with one, in the
    /// CLI or in SQL, whatever role it acts as.
    @Test func aZoneBeyondFourteenHoursIsRefused() throws {
        try ProgrammeFixture.with { fixture in
            let weekAhead = ["RELOC_TIMEZONE": "<X>-167"]
            let nextWeek = try fixture.admin().query("SELECT (reloc.today() + 7)::text").scalar(String.self)
            let steps = [
                ["plan", "advance", "CC-KC", "--to", "implementing", "--on", nextWeek, "--as", "CC"],
                ["milestone", "done", String(try fixture.milestone(plan: "CC-KC")), "--on", nextWeek, "--as", "CC"],
            ]
            for step in steps {
                let outcome = try fixture.cli(step, environment: weekAhead)
                #expect(outcome.status == 65, "\(outcome.stderr)")
                // The CLI's own check, before any statement runs.
                #expect(outcome.stderr.contains("RELOC_TIMEZONE=<X>-167 is more than 14 hours"), "\(outcome.stderr)")
            }
            #expect(
                try fixture.admin().count(
                    "SELECT count(*) FROM reloc.plan WHERE code = 'CC-KC' AND status = 'implementing'") == 0)
            for zone in ["<X>-167", "<X>+167", "Etc/GMT-15"] {
                let changchun = try fixture.acting("CC")
                expectSQLState("22023") {
                    try changchun.execute("BEGIN")
                    defer { _ = try? changchun.execute("ROLLBACK") }
                    try changchun.execute("SELECT set_config('reloc.timezone', \(zone), true)")
                    _ = try changchun.query("SELECT reloc.today()").scalar(String.self)
                }
            }
        }
    }

    /// The database's own zone (the administrator's) bounds "today": a session's zone moves it
    /// back, never forward.
    @Test func aSessionMovesTodayBackNotForward() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            // UTC−12 and UTC+14 are 26 hours apart: their dates always differ.
            let behind = try admin.query("SELECT (now() AT TIME ZONE 'Etc/GMT+12')::date::text").scalar(String.self)
            try admin.execute(
                SQLQuery(unsafeSQL: "ALTER DATABASE \"\(fixture.database)\" SET reloc.timezone = 'Etc/GMT+12'"))
            let changchun = try fixture.acting("CC")
            #expect(try changchun.query("SELECT reloc.today()::text").scalar(String.self) == behind)
            try changchun.execute("SET reloc.timezone = 'Pacific/Kiritimati'")
            #expect(try changchun.query("SELECT reloc.today()::text").scalar(String.self) == behind)
            try changchun.execute("SET reloc.timezone = ''")
            #expect(try changchun.query("SELECT reloc.today()::text").scalar(String.self) == behind)
            let ahead = try fixture.cli(
                ["milestone", "done", String(try fixture.milestone(plan: "CC-KC")), "--as", "CC"],
                environment: ["RELOC_TIMEZONE": "Pacific/Kiritimati"])
            #expect(ahead.status == 0, "\(ahead.stderr)")
            #expect(
                try admin.query(
                    "SELECT done_on::text FROM reloc.milestone WHERE id = \(try fixture.milestone(plan: "CC-KC"))"
                ).scalar(String.self) == behind)
            // Without the administrator's zone, Shanghai's calendar bounds it; a zone behind moves it back.
            try admin.execute(SQLQuery(unsafeSQL: "ALTER DATABASE \"\(fixture.database)\" RESET reloc.timezone"))
            let fresh = try fixture.acting("CC")
            try fresh.execute("SET reloc.timezone = 'Pacific/Kiritimati'")
            #expect(
                try fresh.query("SELECT reloc.today() = (now() AT TIME ZONE 'Asia/Shanghai')::date").scalar(Bool.self))
            try fresh.execute("SET reloc.timezone = 'Etc/GMT+12'")
            #expect(try fresh.query("SELECT reloc.today()::text").scalar(String.self) == behind)
        }
    }

    /// 0007 locks the histories for ever: it refuses to apply over a forged row, naming it, and
    /// applies once the administrator has deleted it.
    @Test func theMigrationRefusesToLockInAForgedRow() throws {
        try TestDatabase.with(migrated: false) { name in
            let all = try Migration.bundled()
            let db = try TestDatabase.connect(name)
            try MigrationRunner(migrations: Array(all.prefix(6))).migrate(db)
            _ = try ReferenceData.load("jilin-2014", into: db)
            // What a TEMP table's trigger could write under 0006: steps dated 2099 and 2010.
            let forged = try db.query(
                """
                INSERT INTO reloc.plan_status_change (plan_id, from_status, to_status, on_date, changed_by, changed_by_login)
                SELECT id, 'drafting', 'consultation', d, 'reloc_org_cc', 'x'
                FROM reloc.plan, unnest(ARRAY[DATE '2099-01-01', DATE '2010-01-01']) d WHERE code = 'CC-KC'
                RETURNING id
                """
            ).decode(Int64.self)
            #expect(forged.count == 2)
            // And a site step dated before the step it follows.
            let site = try db.query(
                """
                INSERT INTO reloc.site (plan_id, city_id, name, area_ha)
                SELECT id, city_id, '旧厂区', 3 FROM reloc.plan WHERE code = 'CC-KC' RETURNING id
                """
            ).scalar(Int64.self)
            let siteSteps = try db.query(
                """
                INSERT INTO reloc.site_env_change (site_id, from_state, to_state, on_date, changed_by, changed_by_login, changed_at)
                VALUES (\(site), 'not-surveyed', 'surveyed', '2015-01-01', 'reloc_org_cc', 'x', now() - interval '1 day'),
                       (\(site), 'surveyed', 'risk-assessed', '2014-06-01', 'reloc_org_cc', 'x', now())
                RETURNING id
                """
            ).decode(Int64.self)
            let error = try #require(throws: MigrationError.self) {
                try MigrationRunner(migrations: all).migrate(db)
            }
            let message = error.description
            #expect(message.contains("0007_history_integrity.sql"), "\(message)")
            for id in forged { #expect(message.contains("plan_status_change id \(id) (plan CC-KC"), "\(message)") }
            #expect(message.contains("2099-01-01") && message.contains("2010-01-01"), "\(message)")
            #expect(
                message.contains(
                    "site_env_change id \(siteSteps[1]) (site \(site), dated 2014-06-01: before the step before it (2015-01-01))"
                ), "\(message)")
            #expect(!message.contains("site_env_change id \(siteSteps[0]) "), "\(message)")
            #expect(message.contains("reloc db migrate"), "\(message)")
            #expect(try db.query("SELECT to_regproc('reloc.plan_step_record') IS NULL").scalar(Bool.self))
            for id in forged { try db.execute("DELETE FROM reloc.plan_status_change WHERE id = \(id)") }
            try db.execute("DELETE FROM reloc.site_env_change WHERE id = \(siteSteps[1])")
            #expect(try MigrationRunner(migrations: all).migrate(db).count == all.count - 6)
        }
    }

    /// Two successions of one chain changed at once: the second waits for the first and is
    /// checked against it, so they cannot both commit out of order.
    @Test func concurrentSuccessionsAreCheckedAgainstEachOther() throws {
        try ProgrammeFixture.with { fixture in
            let first = try fixture.acting("JL")
            try first.execute("BEGIN")
            try first.execute("UPDATE reloc.organisation SET succeeded_on = '2020-01-01' WHERE code = 'JL-GTT'")
            let database = fixture.database
            let outcome = Outcome()
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                defer { done.signal() }
                do {
                    let second = try TestDatabase.connect(database, actingAs: "JL")
                    try second.execute(
                        "SELECT reloc.rename_organisation('JL-ZRT', 'JL-ZRT2', '测试厅2', NULL, '2019-01-01')")
                    outcome.set(nil)
                } catch {
                    outcome.set(error)
                }
            }
            thread.start()
            // Until the second waits for the first's lock (or has finished without waiting).
            let admin = try fixture.admin()
            for _ in 0..<100 {
                if outcome.finished { break }
                let waiting = try admin.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = \(database) AND wait_event_type = 'Lock'"
                ).scalar(Int.self)
                if waiting > 0 { break }
                Thread.sleep(forTimeInterval: 0.05)
            }
            try first.execute("COMMIT")
            done.wait()
            guard let error = outcome.error as? PGError else {
                Issue.record("both successions committed: \(String(describing: outcome.error))")
                return
            }
            #expect(error.sqlState == "23514", "\(error)")
            #expect(error.constraint == "organisation_succession_dates", "\(error)")
            #expect(try admin.count("SELECT count(*) FROM reloc.organisation WHERE code = 'JL-ZRT2'") == 0)
        }
    }
}

/// What the other thread's statement ended with.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var ended = false
    private var failure: (any Error)?

    func set(_ error: (any Error)?) {
        lock.lock()
        defer { lock.unlock() }
        ended = true
        failure = error
    }

    var finished: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ended
    }

    var error: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }
}
