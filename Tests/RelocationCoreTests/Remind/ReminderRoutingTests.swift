import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Where a message goes is decided when it is sent; a recipient gets one fresh digest per run;
/// the summary and exit status say what is still unsent; a run plans forward only.
@Suite struct ReminderRoutingTests {
    /// A trial with --channel that does not finish (--limit, or a path that cannot be written)
    /// leaves nothing behind for the scheduled runs: they send to the contacts.
    @Test func aTrialChannelDecidesNothingForLaterRuns() throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.status(200)])
            defer { server.stop() }
            let add = try f.cli([
                "remind", "contact", "add", "SP-TD", "--webhook", server.url.absoluteString, "--as", "JL",
            ])
            #expect(add.status == 0, "\(add.stderr)")
            let trial = try f.cli([
                "remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)", "--limit", "0",
            ])
            #expect(
                trial.status == 75 && trial.stdout.contains("sent 0, retrying 0, dead 0, no-contact 0, held 6"),
                "\(trial.stdout) \(trial.stderr)")
            let bad = try f.cli([
                "remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:/nonexistent-reloc-\(UUID())/x.jsonl",
                "--retry-after", "1",
            ])
            #expect(
                bad.status == 0 && bad.stdout.contains("sent 0, retrying 6, dead 0"), "\(bad.stdout) \(bad.stderr)")
            Thread.sleep(forTimeInterval: 1.1)  // the backoff after one attempt is 0.5–1 s
            let scheduled = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            #expect(scheduled.status == 0, "\(scheduled.stdout) \(scheduled.stderr)")
            #expect(
                scheduled.stdout.contains("planned 0, sent 1, retrying 0, dead 0, no-contact 5, held 0"),
                "\(scheduled.stdout)")
            #expect(try RemindFixture.keys(inJSONLines: f.outbox).isEmpty, "nothing went to the trial's file")
            #expect(server.requests.count == 1)
            let delivered = try f.db.query(
                "SELECT array_to_string(delivered_to, ' ') FROM reloc.reminder_message WHERE state = 'sent'"
            ).decode(String.self)
            #expect(delivered == ["webhook:\(server.url.absoluteString)"])
        }
    }

    /// A message dead at a failing contact: the contact is removed and another added; `retry`
    /// sends it to the new one (same idempotency key), never again to the removed one.
    @Test func aRetryGoesToTheContactsAsTheyAreNow() throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.status(400)])
            defer { server.stop() }
            let add = try f.cli([
                "remind", "contact", "add", "SP-TD", "--webhook", server.url.absoluteString, "--as", "SP-TD",
            ])
            #expect(add.status == 0, "\(add.stderr)")
            let first = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            #expect(first.status == 0 && first.stdout.contains("dead 1"), "\(first.stdout) \(first.stderr)")
            let contact = try f.db.query("SELECT id FROM reloc.reminder_contact").scalar(Int64.self)
            #expect(try f.cli(["remind", "contact", "remove", "\(contact)", "--as", "SP-TD"]).status == 0)
            let directory = try SendmailChannelTests.standIn()
            defer { try? FileManager.default.removeItem(at: directory) }
            #expect(
                try f.cli(["remind", "contact", "add", "SP-TD", "--email", "new@td.sp.gov.cn", "--as", "SP-TD"]).status
                    == 0)
            let (id, key) = try f.db.query(
                "SELECT id, idempotency_key::text FROM reloc.reminder_message WHERE state = 'dead'"
            ).decode((Int64, String).self)[0]
            #expect(try f.cli(["remind", "retry", "\(id)"]).status == 0)
            let again = try f.cli(
                ["remind", "run", "--as-of", "2014-12-01"],
                environment: ["RELOC_SENDMAIL": directory.appendingPathComponent("sendmail").path + " -t -i"])
            #expect(again.status == 0 && again.stdout.contains("sent 1, retrying 0, dead 0"), "\(again.stdout)")
            let mail = try ParsedMail(String(contentsOf: directory.appendingPathComponent("mail.eml"), encoding: .utf8))
            #expect(mail.header("To") == "new@td.sp.gov.cn")
            #expect(mail.header("Message-ID")?.contains(key) == true)
            #expect(server.requests.count == 1, "the removed contact heard nothing more")
            let delivered = try f.db.query(
                "SELECT array_to_string(delivered_to, ' ') FROM reloc.reminder_message WHERE id = \(id)"
            ).scalar(String.self)
            #expect(delivered == "email:new@td.sp.gov.cn")
        }
    }

    /// Digests composed on 12-01 and never sent: the run of 12-08 supersedes them and sends one
    /// fresh digest per recipient, without the milestone done meanwhile.
    @Test func aStaleBacklogIsReplacedByOneFreshDigest() throws {
        try RemindFixture.with { f in
            let outbox = "jsonl:\(f.outbox)"
            let held = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", outbox, "--limit", "0"])
            #expect(held.status == 75 && held.stdout.contains("planned 6, sent 0"), "\(held.stdout) \(held.stderr)")
            let compiled = "搬迁改造规划和实施方案编制完成（四平铁东）"
            #expect(
                try f.db.execute("UPDATE reloc.milestone SET done_on = '2014-12-05' WHERE title = \(compiled)") == 1)
            try f.milestone("拆除旧厂房", due: "2014-12-15", plan: "SP-TD")
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-08", "--channel", outbox])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(
                run.stdout.contains("planned 1, sent 6, retrying 0, dead 0, no-contact 0, held 0, superseded 6"),
                "\(run.stdout)")
            let lines = try String(contentsOfFile: f.outbox, encoding: .utf8).split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            let recipients = lines.compactMap { ($0["recipient"] as? [String: Any])?["code"] as? String }
            #expect(recipients.count == 6 && Set(recipients).count == 6, "one digest per recipient")
            #expect(lines.allSatisfy { $0["as_of"] as? String == "2014-12-08" })
            let tiedong = try #require(
                lines.first { ($0["recipient"] as? [String: Any])?["code"] as? String == "SP-TD" })
            let titles = (tiedong["items"] as? [[String: Any]])?.compactMap { $0["title"] as? String }
            #expect(titles == ["拆除旧厂房"], "the milestone done on 12-05 is not reminded")
            // Another recipient's item came over, its days counted from 12-08.
            let other = try #require(lines.first { ($0["recipient"] as? [String: Any])?["code"] as? String != "SP-TD" })
            #expect((other["items"] as? [[String: Any]])?.first?["days_left"] as? Int == 23)
            // The ledger keeps the history: superseded messages point to their successor; the
            // done milestone's reminder is withdrawn, never sent.
            let states = try f.db.query(
                "SELECT state, count(*), count(superseded_by) FROM reloc.reminder_message GROUP BY state ORDER BY state"
            ).decode((String, Int, Int).self)
            #expect(states.map { "\($0.0) \($0.1) \($0.2)" } == ["sent 6 0", "superseded 6 6"])
            let withdrawn = try f.db.query(
                "SELECT m.title FROM reloc.reminder r JOIN reloc.milestone m ON m.id = r.milestone_id WHERE r.state = 'withdrawn'"
            ).decode(String.self)
            #expect(withdrawn == [compiled])
            let superseded = try f.db.query(
                "SELECT min(id) FROM reloc.reminder_message WHERE state = 'superseded'"
            ).scalar(Int64.self)
            let retry = try f.cli(["remind", "retry", "\(superseded)"])
            #expect(retry.status == 65 && retry.stderr.contains("superseded"), "a superseded message is not retried")
        }
    }

    /// A recipient with a message waiting and new reminders on the same day gets one digest.
    @Test func newRemindersOnTheSameDayJoinTheWaitingDigest() throws {
        try RemindFixture.with { f in
            let outbox = "jsonl:\(f.outbox)"
            #expect(
                try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", outbox, "--limit", "0"]).status == 75)
            try f.milestone("拆除旧厂房", due: "2014-12-02", plan: "SP-TD")
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", outbox])
            #expect(run.status == 0 && run.stdout.contains("planned 1, sent 6"), "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("superseded 1"), "\(run.stdout)")
            let lines = try String(contentsOfFile: f.outbox, encoding: .utf8).split(separator: "\n")
            let tiedong = lines.filter { $0.contains("\"recipient\":{\"code\":\"SP-TD\"") }
            #expect(tiedong.count == 1 && tiedong[0].contains("拆除旧厂房") && tiedong[0].contains("搬迁改造规划和实施方案编制完成"))
        }
    }

    /// Something died in this run: 65, even with others waiting for a retry; --limit leaves the
    /// rest held (75), not "retrying".
    @Test func deadOutranksRetryingAndALimitIsHeld() throws {
        try RemindFixture.with { f in
            let refusing = try LoopbackHTTPServer(replies: [.status(400)])
            defer { refusing.stop() }
            let busy = try LoopbackHTTPServer(replies: [.status(503)])
            defer { busy.stop() }
            let other = try f.db.query(
                """
                SELECT o.code FROM reloc.milestone m JOIN reloc.organisation o ON o.id = m.owner_id
                WHERE m.kind = 'plan-compiled' AND o.code <> 'SP-TD' ORDER BY 1 LIMIT 1
                """
            ).scalar(String.self)
            for (org, url) in [("SP-TD", refusing.url), (other, busy.url)] {
                #expect(
                    try f.cli(["remind", "contact", "add", org, "--webhook", url.absoluteString, "--as", "JL"]).status
                        == 0)
            }
            let first = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--retry-after", "60"])
            #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
            #expect(
                first.stdout.contains("sent 0, retrying 1, dead 1, no-contact 4, held 0"), "\(first.stdout)")
            // Later: six new digests (the waiting one folded in), one delivered, five held.
            let limited = try f.cli([
                "remind", "run", "--as-of", "2014-12-29", "--channel", "jsonl:\(f.outbox)", "--limit", "1",
            ])
            #expect(limited.status == 75, "\(limited.stdout) \(limited.stderr)")
            #expect(
                limited.stdout.contains("planned 6, sent 1, retrying 0, dead 0, no-contact 0, held 5, superseded 1"),
                "\(limited.stdout)")
        }
    }

    /// A run as of a day earlier than one already planned would send older reminders again: it
    /// is refused (65); a dry run may look.
    @Test func anEarlierDayThanOnePlannedIsRefused() throws {
        try RemindFixture.with { f in
            #expect(
                try f.cli(["remind", "run", "--as-of", "2014-12-29", "--channel", "jsonl:\(f.outbox)"]).status == 0)
            let count = try f.db.query("SELECT count(*) FROM reloc.reminder").scalar(Int.self)
            let earlier = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"])
            #expect(earlier.status == 65, "\(earlier.stdout) \(earlier.stderr)")
            #expect(earlier.stderr.contains("already planned as of 2014-12-29"), "\(earlier.stderr)")
            #expect(try f.db.query("SELECT count(*) FROM reloc.reminder").scalar(Int.self) == count)
            let look = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--dry-run"])
            #expect(look.status == 0 && look.stdout.contains("dry run, nothing recorded"), "\(look.stderr)")
            #expect(
                try f.cli(["remind", "run", "--as-of", "2014-12-29", "--channel", "jsonl:\(f.outbox)"]).status == 0)
        }
    }
}
