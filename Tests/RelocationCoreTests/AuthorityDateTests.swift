import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Who may act is decided on the programme's own date (the database's zone), which a session cannot
/// move: a session's zone may move "today" back for the rules about the future, but an assignment
/// that has ended does not come back with it (hostile review of issue 13's round).
@Suite("Authority is decided on the programme's date")
struct AuthorityDateTests {
    @Test func anEndedAssignmentDoesNotComeBackWithAZoneBehind() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            // The database's zone UTC+14 and the session's UTC−12 are 26 hours apart: their dates
            // always differ, so the session's "today" is always before the programme's.
            try admin.execute(
                SQLQuery(unsafeSQL: "ALTER DATABASE \"\(fixture.database)\" SET reloc.timezone = 'Pacific/Kiritimati'"))
            let province = try fixture.admin()
            let department = try fixture.coAssignedDepartment(task: 5)
            try province.execute(
                """
                UPDATE reloc.task_assignment SET ended_on = reloc.programme_today()
                WHERE task_id = (SELECT id FROM reloc.task WHERE number = 5)
                  AND org_id = (SELECT id FROM reloc.organisation WHERE code = \(department))
                """)
            // Through the CLI, with the session's zone a day behind: refused as not its task.
            let behind = try fixture.cli(
                ["task", "progress", "5", "--percent", "30", "--note", "after it ended", "--as", department],
                environment: ["RELOC_TIMEZONE": "Etc/GMT+12"])
            #expect(behind.status == 77, "\(behind.stdout) \(behind.stderr)")
            // And as its role in plain SQL, the setting moved by hand.
            let raw = try fixture.acting(department)
            try raw.execute("SET reloc.timezone = 'Etc/GMT+12'")
            #expect(try raw.query("SELECT reloc.today() < reloc.programme_today()").scalar(Bool.self))
            expectSQLState("42501") { try raw.execute(ProgrammeFixture.reportSQL(task: 5)) }
            #expect(
                try province.query(
                    "SELECT count(*) FROM reloc.progress_report r JOIN reloc.task t ON t.id = r.task_id WHERE t.number = 5"
                ).scalar(Int64.self) == 0)
        }
    }

    /// The enterprise land guard is written by the triggers that need it, for enterprises that exist:
    /// not by any role for invented ids, and not by the reminder job's role at all.
    @Test func theLandGuardIsNoOnesToFill() throws {
        try ProgrammeFixture.with { fixture in
            let city = try fixture.acting("SP")
            try city.execute("SELECT reloc.lock_enterprise_land(g) FROM generate_series(900000, 900999) g")
            let admin = try fixture.admin()
            #expect(
                try admin.query("SELECT count(*) FROM reloc.enterprise_land_guard WHERE enterprise_id >= 900000")
                    .scalar(Int64.self) == 0)
            try admin.execute("SET ROLE reloc_reminder")
            expectSQLState("42501") { try admin.execute("SELECT reloc.lock_enterprise_land(1)") }
        }
    }

    /// The programme's own zone is refused beyond ±14 hours as a session's is: authority decided
    /// a week ahead is no authority (hostile review: ALTER DATABASE … SET reloc.timezone =
    /// '<X>-167' moved programme_today seven days on, while today() refused only a session's).
    @Test func aDatabaseZoneBeyondFourteenHoursIsRefused() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            try admin.execute(
                SQLQuery(unsafeSQL: "ALTER DATABASE \"\(fixture.database)\" SET reloc.timezone = '<X>-167'"))
            let session = try fixture.admin()
            try session.execute("SET reloc.timezone = 'Asia/Shanghai'")
            expectSQLState("22023") { _ = try session.query("SELECT reloc.programme_today()") }
            expectSQLState("22023") { _ = try session.query("SELECT reloc.today()") }
            // Through the CLI, the session's own zone a real one: refused, the database's setting named.
            let listed = try fixture.cli(
                ["task", "list", "--as", "JL-FGW"], environment: ["RELOC_TIMEZONE": "Asia/Shanghai"])
            #expect(listed.status == 65 && listed.stderr.contains("database's reloc.timezone"), "\(listed.stderr)")
            // A zone on earth at the far edge is taken.
            try admin.execute(
                SQLQuery(unsafeSQL: "ALTER DATABASE \"\(fixture.database)\" SET reloc.timezone = 'Pacific/Kiritimati'"))
            #expect(try fixture.admin().query("SELECT reloc.programme_today() IS NOT NULL").scalar(Bool.self))
        }
    }
}
