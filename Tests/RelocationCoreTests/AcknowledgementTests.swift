import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Acknowledgement (签收, issue 15): by the organisation concerned, once, stamped and append-only;
/// chased as 待签收 in the digest after acknowledge_within working days, until acknowledged.
@Suite("Acknowledgement")
struct AcknowledgementTests {
    /// Task 4 (assigned to JL-FGW by the annex) assigned to JL-GXT through reloc: waits for its 签收.
    static func assignment(_ fixture: ProgrammeFixture) throws -> Int64 {
        let assign = try fixture.cli(["--as", "JL", "task", "assign", "4", "--org", "JL-GXT"])
        #expect(assign.status == 0, "\(assign.stderr)")
        return try fixture.admin().query(
            """
            SELECT a.id FROM reloc.task_assignment a JOIN reloc.task t ON t.id = a.task_id
            JOIN reloc.organisation o ON o.id = a.org_id WHERE t.number = 4 AND o.code = 'JL-GXT'
            """
        ).scalar(Int64.self)
    }

    @Test func onlyTheDepartmentAssignedOnceStampedAndNeverChanged() throws {
        try ProgrammeFixture.with { fixture in
            let assignment = try Self.assignment(fixture)
            // Another organisation: 77, through the CLI and through SQL as its role.
            let city = try fixture.cli(["--as", "SP", "ack", "task", "4"])
            #expect(city.status == 77, "\(city.stderr)")
            #expect(city.stderr.contains("[rule acknowledgement_by_concerned]"), "\(city.stderr)")
            #expect(city.stderr.contains("JL-GXT"), "\(city.stderr)")
            let otherDepartment = try fixture.acting("JL-CZT")
            expectSQLState("42501") {
                try otherDepartment.execute(
                    "INSERT INTO reloc.acknowledgement (task_assignment_id) VALUES (\(assignment))")
            }
            // The 2014 annex as printed (the seed) waits for nothing.
            let annex = try fixture.cli(["--as", "JL-FGW", "ack", "task", "4"])
            #expect(annex.status == 65, "\(annex.stderr)")
            #expect(annex.stderr.contains("acknowledgement_not_due"), "\(annex.stderr)")

            let ack = try fixture.cli(["--as", "JL-GXT", "ack", "task", "4", "--note", "已签收"])
            #expect(ack.status == 0, "\(ack.stderr)")
            let again = try fixture.cli(["--as", "JL-GXT", "ack", "task", "4"])
            #expect(again.status == 65, "\(again.stderr)")
            #expect(again.stderr.contains("acknowledgement_once"), "\(again.stderr)")
            let department = try fixture.acting("JL-GXT")
            expectSQLState("23514", constraint: "acknowledgement_once") {
                try department.execute("INSERT INTO reloc.acknowledgement (task_assignment_id) VALUES (\(assignment))")
            }
            // Stamped by the database: the login is the session's, the organisation the acting one.
            let row = try fixture.admin().query(
                """
                SELECT k.login = session_user, o.code FROM reloc.acknowledgement k JOIN reloc.organisation o ON o.id = k.org_id
                WHERE k.task_assignment_id = \(assignment)
                """
            ).decode((Bool, String).self)
            #expect(row.first?.0 == true && row.first?.1 == "JL-GXT", "\(row)")
            // Append-only: the department, the province, and the owner's superuser session.
            for connection in [department, try fixture.acting("JL"), try fixture.admin()] {
                #expect(throws: PGError.self) {
                    try connection.execute(
                        "UPDATE reloc.acknowledgement SET login = 'someone', acknowledged_at = now() - interval '9 days'"
                    )
                }
                #expect(throws: PGError.self) { try connection.execute("DELETE FROM reloc.acknowledgement") }
            }
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.acknowledgement").scalar(Int.self) == 1)
            // A milestone: its owner acknowledges; raw SQL cannot mark one as waiting or not.
            // A milestone SP adds for itself waits for nothing; one the province gives SP waits for SP.
            let own = try fixture.cli([
                "--as", "SP", "milestone", "add", "--title", "自定节点", "--due", "2027-06-30", "--plan", "SP-TD",
                "--owner", "SP",
            ])
            #expect(own.status == 0, "\(own.stderr)")
            let ownAck = try fixture.cli([
                "--as", "SP", "ack", "milestone", own.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
            ])
            #expect(ownAck.status == 65 && ownAck.stderr.contains("acknowledgement_not_due"), "\(ownAck.stderr)")
            let added = try fixture.cli([
                "--as", "JL", "milestone", "add", "--title", "签收测试", "--due", "2027-06-30", "--plan", "SP-TD",
                "--owner", "SP",
            ])
            #expect(added.status == 0, "\(added.stderr)")
            let milestone = Int64(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            expectSQLState("42501") {
                try department.execute("INSERT INTO reloc.acknowledgement (milestone_id) VALUES (\(milestone))")
            }
            // The province cannot take a milestone out of 签收 (nor anyone put one in).
            try fixture.acting("JL").execute("UPDATE reloc.milestone SET acknowledge = false WHERE id = \(milestone)")
            // The owner, in raw SQL with a forged login, organisation and time: the database's own stand.
            let owner = try fixture.acting("SP")
            try owner.execute(
                """
                INSERT INTO reloc.acknowledgement (milestone_id, login, org_id, acknowledged_at)
                SELECT \(milestone), 'forged', o.id, '2015-01-01' FROM reloc.organisation o WHERE o.code = 'JL'
                """)
            let stamped = try fixture.admin().query(
                """
                SELECT k.login = session_user AND k.acknowledged_at > now() - interval '1 hour' AND o.code = 'SP'
                FROM reloc.acknowledgement k JOIN reloc.organisation o ON o.id = k.org_id WHERE k.milestone_id = \(milestone)
                """
            ).scalar(Bool.self)
            #expect(stamped)
            let audited = try fixture.admin().query(
                "SELECT count(*) FROM reloc.audit WHERE table_name = 'acknowledgement'"
            ).scalar(Int.self)
            #expect(audited == 2)
        }
    }

    /// Past acknowledge_within working days (a holiday week not counted) the organisation's digest
    /// lists it as 待签收; once acknowledged, the next day's digest does not.
    @Test func anAcknowledgementStopsTheAwaitingItemTheNextDay() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            // Five working days after today are a holiday: the window of 2 working days skips them.
            try admin.execute(
                """
                INSERT INTO reloc.calendar_day (day, kind, name)
                SELECT d::date, 'holiday', '测试假日'
                FROM generate_series(reloc.today() + 1, reloc.today() + 7, interval '1 day') AS g (d)
                WHERE extract(isodow FROM d) < 6
                """)
            _ = try Self.assignment(fixture)
            let due = try admin.query("SELECT reloc.add_working_days(reloc.today(), 2)").scalar(CalendarDate.self)
            #expect(try admin.query("SELECT \(due)::date > reloc.today() + 7").scalar(Bool.self))
            let awaiting: (CalendarDate) throws -> Int = { day in
                _ = try admin.query("SELECT * FROM reloc.remind_run(\(day)::date)").rows
                return try admin.query(
                    """
                    SELECT coalesce(sum(jsonb_array_length(m.digest -> 'awaiting_acknowledgement')), 0)::int
                    FROM reloc.reminder_message m JOIN reloc.organisation o ON o.id = m.recipient_id
                    WHERE o.code = 'JL-GXT' AND m.as_of = \(day)::date
                    """
                ).scalar(Int.self)
            }
            #expect(try awaiting(due) == 0)  // still in time on the last day
            let late = try admin.query("SELECT \(due)::date + 1").scalar(CalendarDate.self)
            #expect(try awaiting(late) == 1)
            // The digest as a person reads it: a 待签收 section, counted in the subject.
            let json = try admin.query(
                """
                SELECT m.digest::text FROM reloc.reminder_message m JOIN reloc.organisation o ON o.id = m.recipient_id
                WHERE o.code = 'JL-GXT' AND m.as_of = \(late)::date AND m.digest ? 'awaiting_acknowledgement'
                """
            ).scalar(String.self)
            let digest = try JSONDecoder().decode(ReminderDigest.self, from: Data(json.utf8))
            #expect(digest.awaitingAcknowledgement.first?.taskNumber == 4)
            #expect(DigestText.subject(digest).contains("待签收1项"), "\(DigestText.subject(digest))")
            #expect(!DigestText.subject(digest).contains("：，"), "\(DigestText.subject(digest))")
            #expect(DigestText.body(digest).contains("待签收（1项"), "\(DigestText.body(digest))")
            let pending = try fixture.cli([
                "ack", "list", "--pending", "--org", "JL-GXT", "--as-of", late.description, "--format", "json",
            ])
            #expect(
                pending.stdout.contains("\"late\": true") || pending.stdout.contains("\"late\":true"),
                "\(pending.stdout)")
            let ack = try fixture.cli(["--as", "JL-GXT", "ack", "task", "4"])
            #expect(ack.status == 0, "\(ack.stderr)")
            let next = try admin.query("SELECT \(late)::date + 1").scalar(CalendarDate.self)
            #expect(try awaiting(next) == 0)
        }
    }

    /// A renamed department's successor acknowledges the assignment made to it; the old body no longer may.
    @Test func theSuccessorOfTheDepartmentAcknowledges() throws {
        try ProgrammeFixture.with { fixture in
            let assign = try fixture.cli(["--as", "JL", "task", "assign", "4", "--org", "JL-HBT"])
            #expect(assign.status == 0, "\(assign.stderr)")
            let today = try fixture.admin().query("SELECT reloc.programme_today()").scalar(CalendarDate.self)
            let renamed = try fixture.cli([
                "org", "rename", "JL-HBT", "--to", "JL-STHJT", "--name", "省生态环境厅", "--on", today.description,
            ])
            #expect(renamed.status == 0, "\(renamed.stderr)")
            let pending = try fixture.cli(["ack", "list", "--pending", "--org", "JL-STHJT", "--format", "json"])
            #expect(pending.stdout.contains("\"org\": \"JL-STHJT\""), "\(pending.stdout)")
            let former = try fixture.cli(["--as", "JL-HBT", "ack", "task", "4"])
            #expect(former.status == 77, "\(former.stderr)")
            let successor = try fixture.cli(["--as", "JL-STHJT", "ack", "task", "4"])
            #expect(successor.status == 0, "\(successor.stderr)")
            let none = try fixture.cli(["ack", "list", "--pending", "--format", "json"])
            #expect(none.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(none.stdout)")
        }
    }
}
