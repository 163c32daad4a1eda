import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The job under faults (issue 12): delivery slower than the lease, stale digests, contacts
/// added after a message found none.
@Suite struct ReminderFaultTests {
    /// The milestone ids of the digests written to a jsonl file for one recipient.
    static func items(inJSONLines path: String, recipient: String) throws -> [[Int64]] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard (object?["recipient"] as? [String: Any])?["code"] as? String == recipient else { return nil }
            return (object?["items"] as? [[String: Any]] ?? []).compactMap {
                ($0["milestone_id"] as? NSNumber)?.int64Value
            }
        }
    }

    /// One working and two hanging webhooks for one recipient, a 2 s webhook timeout and a 3 s
    /// lease, two runs started 4 s apart (the second after the first's lease would have run out
    /// had it not been renewed and bounded), then more runs until the message is settled: the
    /// working webhook hears the message once, and attempts never pass --max-attempts. (Before:
    /// the runs took the claim from each other back and forth and resent to the working one.)
    @Test func deliverySlowerThanTheLeaseSendsEachDestinationOnce() throws {
        try RemindFixture.with { f in
            let working = try LoopbackHTTPServer(replies: [.status(200)])
            let hanging = try (0..<2).map { _ in try LoopbackHTTPServer(replies: [.silence(20)]) }
            defer { ([working] + hanging).forEach { $0.stop() } }
            for server in [working] + hanging {
                let add = try f.cli([
                    "remind", "contact", "add", "SP-TD", "--webhook", server.url.absoluteString, "--as", "JL",
                ])
                #expect(add.status == 0, "\(add.stderr)")
            }
            let arguments = [
                "remind", "run", "--as-of", "2014-12-01", "--lease", "3", "--max-attempts", "3", "--retry-after", "0.2",
            ]
            let environment = ["RELOC_WEBHOOK_TIMEOUT": "2", "RELOC_WEBHOOK_ALLOW": "127.0.0.1"]
            let outcomes = Outcomes()
            let database = f.database
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                if index == 1 { Thread.sleep(forTimeInterval: 4) }
                outcomes.set(
                    index, Result { try RelocCLI.run(arguments, database: database, environment: environment) })
            }
            let runs = try outcomes.all().map { try $0.get() }
            for run in runs { #expect([0, 65, 75].contains(run.status), "\(run.stdout) \(run.stderr)") }
            var state = ""
            for _ in 0..<8 {
                state = try f.db.query(
                    "SELECT m.state FROM reloc.reminder_message m JOIN reloc.organisation o ON o.id = m.recipient_id WHERE o.code = 'SP-TD'"
                ).scalar(String.self)
                if state == "dead" || state == "sent" { break }
                Thread.sleep(forTimeInterval: 0.5)
                _ = try f.cli(arguments, environment: environment)
            }
            #expect(state == "dead", "the hanging webhooks never answer")
            #expect(working.requests.count == 1, "the working webhook heard the message once")
            let (attempts, delivered) = try f.db.query(
                """
                SELECT m.attempts, array_to_string(m.delivered_to, ' ') FROM reloc.reminder_message m
                JOIN reloc.organisation o ON o.id = m.recipient_id WHERE o.code = 'SP-TD'
                """
            ).decode((Int, String).self)[0]
            #expect(attempts <= 3)
            #expect(delivered == "webhook:\(working.url.absoluteString)")
        }
    }

    /// A claim lost while sending (here: taken over by hand while the first, slow contact is
    /// being tried) stops the sending: the run sends that message nowhere else.
    @Test func aRunStopsSendingAMessageWhoseClaimItLost() throws {
        try RemindFixture.with { f in
            let slow = try LoopbackHTTPServer(replies: [.silence(3)])
            let fast = try LoopbackHTTPServer(replies: [.status(200)])
            defer { [slow, fast].forEach { $0.stop() } }
            for server in [slow, fast] {
                let add = try f.cli([
                    "remind", "contact", "add", "SP-TD", "--webhook", server.url.absoluteString, "--as", "JL",
                ])
                #expect(add.status == 0, "\(add.stderr)")
            }
            let outcome = Outcomes()
            let database = f.database
            let done = DispatchSemaphore(value: 0)
            DispatchQueue.global().async {
                outcome.set(
                    0,
                    Result {
                        try RelocCLI.run(
                            ["remind", "run", "--as-of", "2014-12-01", "--lease", "20"], database: database,
                            environment: ["RELOC_WEBHOOK_TIMEOUT": "1", "RELOC_WEBHOOK_ALLOW": "127.0.0.1"])
                    })
                done.signal()
            }
            let deadline = Date().addingTimeInterval(20)
            while slow.requests.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            #expect(slow.requests.count >= 1)
            let taken = try f.db.execute(
                """
                UPDATE reloc.reminder_message SET claimed_by = gen_random_uuid(), lease_until = now() + interval '1 hour'
                WHERE state = 'sending'
                """)
            #expect(taken == 1)
            done.wait()
            let run = try #require(try outcome.all().first).get()
            #expect(run.stderr.contains("remind.claim_lost"), "\(run.stderr)")
            #expect(fast.requests.isEmpty, "the run stopped sending the message it no longer held")
        }
    }

    /// A day's message not yet delivered, then one of its milestones done and another moved the
    /// same day: the rerun sends a recomposed digest without them.
    @Test func aStaleSameDayDigestIsRecomposed() throws {
        try RemindFixture.with { f in
            let done = try f.milestone("报送企业搬迁清单", due: "2014-12-08", plan: "SP-TD")
            let moved = try f.milestone("完成社会稳定风险评估", due: "2014-12-08", plan: "SP-TD")
            let kept = try f.milestone("召开推进会", due: "2014-12-08", plan: "SP-TD")
            let first = try f.cli([
                "remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)", "--limit", "0",
            ])
            #expect(first.status == 75, "\(first.stdout) \(first.stderr)")
            let doneNow = try f.cli(["milestone", "done", "\(done)", "--on", "2014-12-01", "--as", "JL"])
            #expect(doneNow.status == 0, "\(doneNow.stderr)")
            let edit = try f.cli(["milestone", "edit", "\(moved)", "--due", "2015-06-30", "--as", "JL"])
            #expect(edit.status == 0, "\(edit.stderr)")
            let again = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"])
            #expect(again.status == 0, "\(again.stdout) \(again.stderr)")
            let digests = try Self.items(inJSONLines: f.outbox, recipient: "SP-TD")
            #expect(digests.count == 1)
            #expect(digests.first?.contains(kept) == true)
            #expect(digests.first?.contains(done) == false, "done is not reminded")
            #expect(digests.first?.contains(moved) == false, "moved out of every window is not reminded")
        }
    }

    /// Messages recorded no-contact: once the organisation adds a contact, the next run sends its
    /// still-open items there as a fresh digest.
    @Test func aNoContactMessageGoesToTheContactAddedLater() throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.status(200)])
            defer { server.stop() }
            let done = try f.milestone("报送企业搬迁清单", due: "2014-12-08", plan: "SP-TD")
            let first = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            #expect(first.status == 0 && first.stdout.contains("no-contact 6"), "\(first.stdout) \(first.stderr)")
            #expect(try f.cli(["milestone", "done", "\(done)", "--on", "2014-12-01", "--as", "JL"]).status == 0)
            let add = try f.cli([
                "remind", "contact", "add", "SP-TD", "--webhook", server.url.absoluteString, "--as", "JL",
            ])
            #expect(add.status == 0, "\(add.stderr)")
            let again = try f.cli(["remind", "run", "--as-of", "2014-12-02"])
            #expect(again.stdout.contains("sent 1"), "\(again.stdout) \(again.stderr)")
            #expect(server.requests.count == 1)
            let body = try server.requests.first.map {
                try JSONSerialization.jsonObject(with: $0.body) as? [String: Any]
            }
            let items = ((body??["items"] as? [[String: Any]]) ?? []).compactMap {
                ($0["milestone_id"] as? NSNumber)?.int64Value
            }
            #expect(items.count == 1 && !items.contains(done), "the still-open plan-compiled milestone only: \(items)")
            #expect(body??["as_of"] as? String == "2014-12-02", "a fresh digest")
        }
    }

    /// Another organisation's message items are invisible to an organisation's role in plain SQL.
    @Test func messageItemsAreReadOnlyWithTheirMessage() throws {
        try RemindFixture.with { f in
            #expect(
                try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"]).status == 0)
            // A message's items are the ledger rows naming it (0035).
            let items = "SELECT count(*) FROM reloc.reminder WHERE message_id IS NOT NULL"
            let all = try f.db.query(SQLQuery(unsafeSQL: items)).scalar(Int.self)
            let own = try f.db.query(
                """
                SELECT count(*) FROM reloc.reminder r JOIN reloc.reminder_message m ON m.id = r.message_id
                WHERE m.recipient_id = (SELECT id FROM reloc.organisation WHERE code = 'SP-TD')
                """
            ).scalar(Int.self)
            #expect(own > 0 && all > own)
            let district = try TestDatabase.connect(f.database, actingAs: "SP-TD")
            #expect(try district.query(SQLQuery(unsafeSQL: items)).scalar(Int.self) == own)
            let province = try TestDatabase.connect(f.database, actingAs: "JL")
            #expect(try province.query(SQLQuery(unsafeSQL: items)).scalar(Int.self) == all)
        }
    }
}

/// Redirects through the job: the message is dead with the status in last_error.
@Suite struct ReminderRedirectTests {
    @Test func aRedirectingContactIsDeadWithItsStatus() throws {
        try RemindFixture.with { f in
            let target = try LoopbackHTTPServer(replies: [.status(200)])
            defer { target.stop() }
            let server = try LoopbackHTTPServer(replies: [.redirect(302, location: target.url.absoluteString)])
            defer { server.stop() }
            let add = try f.cli([
                "remind", "contact", "add", "SP-TD", "--webhook", server.url.absoluteString, "--as", "JL",
            ])
            #expect(add.status == 0, "\(add.stderr)")
            _ = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            let (state, error) = try f.db.query(
                """
                SELECT m.state, m.last_error FROM reloc.reminder_message m
                JOIN reloc.organisation o ON o.id = m.recipient_id WHERE o.code = 'SP-TD'
                """
            ).decode((String, String).self)[0]
            #expect(state == "dead")
            #expect(error.contains("HTTP 302"), "\(error)")
            #expect(target.requests.isEmpty)
        }
    }
}
