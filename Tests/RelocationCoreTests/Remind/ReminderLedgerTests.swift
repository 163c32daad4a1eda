import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The ledger names each reminder's message (0035, issue 13): written once with the reminder, a
/// message of the reminder's own recipient only, never left without one once composed, and
/// nothing an organisation's role can forge or rewrite in plain SQL.
@Suite struct ReminderLedgerTests {
    func expectState(_ state: String, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected SQLSTATE \(state), but it went through", sourceLocation: sourceLocation)
        } catch let error as PGError {
            #expect(error.sqlState == state, "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected SQLSTATE \(state), got \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Reminders of two recipients (the district owning a plan's milestones, the province
    /// escalated to), each in its own recipient's digest, composed by the job and not yet sent.
    static func twoRecipients(_ f: RemindFixture) throws {
        for day in 1...3 { try f.milestone("节点\(day)", due: "2014-11-0\(day)", plan: "SP-TD") }
        let job = try TestDatabase.connect(f.database)
        try job.execute("SET ROLE reloc_reminder")
        _ = try job.query("SELECT * FROM reloc.remind_run('2014-12-01', 200)").rows
    }

    @Test func eachReminderNamesAMessageOfItsOwnRecipient() throws {
        try RemindFixture.with { f in
            try Self.twoRecipients(f)
            let row = try f.db.query(
                """
                SELECT count(*)::int, count(DISTINCT r.recipient_id)::int,
                       count(*) FILTER (WHERE m.id IS NULL OR m.recipient_id <> r.recipient_id)::int
                FROM reloc.reminder r LEFT JOIN reloc.reminder_message m ON m.id = r.message_id
                """
            ).rows[0]
            #expect(try row.decode(Int.self, at: 0) > 3 && row.decode(Int.self, at: 1) >= 2)
            #expect(try row.decode(Int.self, at: 2) == 0, "every reminder in a message of its own recipient")
        }
    }

    /// The job's own role cannot point a reminder at another organisation's message, nor leave a
    /// composed reminder without one.
    @Test func theJobCannotMisfileAReminder() throws {
        try RemindFixture.with { f in
            try Self.twoRecipients(f)
            let job = try TestDatabase.connect(f.database)
            try job.execute("SET ROLE reloc_reminder")
            expectState("23503") {
                try job.execute(
                    """
                    UPDATE reloc.reminder r SET message_id = (SELECT max(m.id) FROM reloc.reminder_message m
                                                              WHERE m.recipient_id <> r.recipient_id)
                    WHERE r.id = (SELECT min(id) FROM reloc.reminder)
                    """)
            }
            expectState("23514") {
                try job.execute(
                    "UPDATE reloc.reminder SET message_id = NULL WHERE id = (SELECT min(id) FROM reloc.reminder)")
            }
            expectState("23503") {
                try job.execute(
                    """
                    INSERT INTO reloc.reminder (milestone_id, recipient_id, due_on, occurrence, occurs_on, planned_on,
                                                state, message_id)
                    SELECT r.milestone_id, r.recipient_id, r.due_on, 'before-300', r.due_on - 300, r.planned_on,
                           'composed', (SELECT max(m.id) FROM reloc.reminder_message m WHERE m.recipient_id <> r.recipient_id)
                    FROM reloc.reminder r WHERE r.id = (SELECT min(id) FROM reloc.reminder)
                    """)
            }
        }
    }

    /// An organisation's role (the province included) cannot forge a ledger row, move one to
    /// another message, or mark a message sent that no destination accepted.
    @Test func anOrganisationCannotForgeTheLedger() throws {
        try RemindFixture.with { f in
            try Self.twoRecipients(f)
            for code in ["SP-TD", "JL"] {
                let org = try TestDatabase.connect(f.database, actingAs: code)
                expectState("42501") {
                    try org.execute("UPDATE reloc.reminder SET message_id = message_id + 1, state = 'withdrawn'")
                }
                expectState("42501") {
                    try org.execute(
                        """
                        INSERT INTO reloc.reminder (milestone_id, recipient_id, due_on, occurrence, occurs_on, planned_on,
                                                    state, message_id)
                        SELECT milestone_id, recipient_id, due_on, 'before-300', occurs_on, planned_on, 'composed', message_id
                        FROM reloc.reminder
                        """)
                }
                expectState("42501") { try org.execute("DELETE FROM reloc.reminder") }
            }
            let province = try TestDatabase.connect(f.database, actingAs: "JL")
            expectState("23514") { try province.execute("UPDATE reloc.reminder_message SET state = 'sent'") }
            expectState("42501") {
                try province.execute(
                    "UPDATE reloc.reminder_message SET state = 'sent', sent_at = now(), delivered_to = '{stdout}'")
            }
        }
    }

    /// A reminder carried by a superseded digest moves to the fresh one (still open) or stays with
    /// the superseded one, withdrawn (done meanwhile); nothing is in two messages.
    @Test func aSupersededDigestsRemindersMoveOrStay() throws {
        try RemindFixture.with { f in
            let open = try f.milestone("节点1", due: "2014-11-01", plan: "SP-TD")
            let done = try f.milestone("节点2", due: "2014-11-02", plan: "SP-TD")
            let job = try TestDatabase.connect(f.database)
            try job.execute("SET ROLE reloc_reminder")
            _ = try job.query("SELECT * FROM reloc.remind_run('2014-12-01', 200)").rows
            try f.db.execute("UPDATE reloc.milestone SET done_on = '2014-12-02' WHERE id = \(done)")
            _ = try job.query("SELECT * FROM reloc.remind_run('2014-12-08', 200)").rows
            let rows = try f.db.query(
                """
                SELECT r.milestone_id, r.planned_on::text, r.state, m.state, m.as_of::text
                FROM reloc.reminder r JOIN reloc.reminder_message m ON m.id = r.message_id
                JOIN reloc.organisation o ON o.id = r.recipient_id
                WHERE o.code = 'SP-TD' AND r.milestone_id IN (\(open), \(done)) ORDER BY 1, 2
                """
            ).decode((Int64, String, String, String, String).self).map {
                "\($0.0 == open ? "open" : "done") \($0.1) \($0.2) \($0.3) \($0.4)"
            }
            #expect(
                rows == [
                    "open 2014-12-01 composed pending 2014-12-08", "open 2014-12-08 composed pending 2014-12-08",
                    "done 2014-12-01 withdrawn superseded 2014-12-01",
                ], "\(rows)")
        }
    }
}
