import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The ledger names each reminder's message (0035, issue 13): written once with the reminder, a
/// message of the reminder's own recipient only, never left without one once composed, and
/// nothing an organisation's role can forge or rewrite in plain SQL.
@Suite struct ReminderLedgerTests {
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
            // A composed reminder keeps its message (0036), whichever recipient's the other is.
            expectSQLState("23514", constraint: "reminder_written_once") {
                try job.execute(
                    """
                    UPDATE reloc.reminder r SET message_id = (SELECT max(m.id) FROM reloc.reminder_message m
                                                              WHERE m.recipient_id <> r.recipient_id)
                    WHERE r.id = (SELECT min(id) FROM reloc.reminder)
                    """)
            }
            expectSQLState("23514") {
                try job.execute(
                    "UPDATE reloc.reminder SET message_id = NULL WHERE id = (SELECT min(id) FROM reloc.reminder)")
            }
            expectSQLState("23503") {
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
                expectSQLState("42501") {
                    try org.execute("UPDATE reloc.reminder SET message_id = message_id + 1, state = 'withdrawn'")
                }
                expectSQLState("42501") {
                    try org.execute(
                        """
                        INSERT INTO reloc.reminder (milestone_id, recipient_id, due_on, occurrence, occurs_on, planned_on,
                                                    state, message_id)
                        SELECT milestone_id, recipient_id, due_on, 'before-300', occurs_on, planned_on, 'composed', message_id
                        FROM reloc.reminder
                        """)
                }
                expectSQLState("42501") { try org.execute("DELETE FROM reloc.reminder") }
            }
            let province = try TestDatabase.connect(f.database, actingAs: "JL")
            expectSQLState("23514") { try province.execute("UPDATE reloc.reminder_message SET state = 'sent'") }
            expectSQLState("42501") {
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

    /// Written once holds for the job's own role (review of 0035): a delivered reminder is not set
    /// back to planned (it would be reminded again, its first delivery lost from the ledger), nor
    /// moved to another message of its recipient.
    @Test func theJobCannotRewriteADeliveredReminder() throws {
        try RemindFixture.with { f in
            for day in 1...3 { try f.milestone("节点\(day)", due: "2014-11-0\(day)", plan: "SP-TD") }
            #expect(
                try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"]).status == 0)
            let job = try TestDatabase.connect(f.database)
            try job.execute("SET ROLE reloc_reminder")
            let sent =
                "SELECT r.id FROM reloc.reminder r JOIN reloc.reminder_message m ON m.id = r.message_id WHERE m.state = 'sent'"
            expectSQLState("23514", constraint: "reminder_written_once") {
                try job.execute(
                    SQLQuery(unsafeSQL: "UPDATE reloc.reminder SET state = 'planned' WHERE id = (\(sent) LIMIT 1)"))
            }
            expectSQLState("23514", constraint: "reminder_written_once") {
                try job.execute(
                    SQLQuery(
                        unsafeSQL: """
                            UPDATE reloc.reminder r SET message_id = (SELECT max(m.id) FROM reloc.reminder_message m
                                                                      WHERE m.recipient_id = r.recipient_id AND m.id <> r.message_id)
                            WHERE r.id = (\(sent) LIMIT 1)
                            """))
            }
            expectSQLState("42501") {  // the job's grant is on state and message_id only
                try job.execute(
                    SQLQuery(unsafeSQL: "UPDATE reloc.reminder SET due_on = due_on + 1 WHERE id = (\(sent) LIMIT 1)"))
            }
            let second = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"])
            #expect(second.status == 0 && second.stdout.contains("sent 0,"), "\(second.stdout)")
        }
    }

    /// By hand, the province puts back in the queue only a dead or retrying message (`reloc remind
    /// retry`): a sent one is not delivered twice, nor its sent_at rewritten.
    @Test func theProvinceRetriesOnlyDeadOrRetryingMessages() throws {
        try RemindFixture.with { f in
            for day in 1...3 { try f.milestone("节点\(day)", due: "2014-11-0\(day)", plan: "SP-TD") }
            let nowhere = "jsonl:/nonexistent-reloc-\(UUID())/x.jsonl"
            #expect(try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", nowhere]).status == 0)
            let retrying = try f.db.query("SELECT min(id) FROM reloc.reminder_message WHERE state = 'retrying'").scalar(
                Int64.self)
            let retried = try f.cli(["remind", "retry", "\(retrying)", "--as", "JL"])
            #expect(retried.status == 0, "\(retried.stderr)")
            #expect(
                try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"]).status == 0)
            let province = try TestDatabase.connect(f.database, actingAs: "JL")
            expectSQLState("23514", constraint: "reminder_message_retry_only") {
                try province.execute(
                    "UPDATE reloc.reminder_message SET state = 'pending', next_attempt_at = now() WHERE state = 'sent'")
            }
            expectSQLState("23514", constraint: "reminder_message_retry_only") {
                try province.execute("UPDATE reloc.reminder_message SET state = 'dead' WHERE state = 'sent'")
            }
            let sentAgain = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"])
            #expect(sentAgain.status == 0 && sentAgain.stdout.contains("sent 0,"), "\(sentAgain.stdout)")
        }
    }
}
