import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Exactly once and never lost: the job through the CLI, with real channels on loopback.
@Suite struct ReminderDeliveryTests {
    /// One milestone owned by each organisation that has a plan or a task (an owner is one the
    /// milestone concerns: milestone_owner_concerned), so a run has many recipients.
    static func milestonesForEveryone(_ f: RemindFixture) throws {
        try f.db.execute(
            """
            INSERT INTO reloc.milestone (kind, title, due_on, plan_id, task_id, owner_id)
            SELECT 'custom', '报送搬迁改造工作进展（' || o.name_zh || '）', DATE '2014-12-08', x.plan_id, x.task_id, o.id
            FROM reloc.organisation o
            CROSS JOIN LATERAL (
                SELECT p.id AS plan_id, NULL::bigint AS task_id FROM reloc.plan p
                WHERE o.id IN (p.city_id, p.district_id) OR (o.kind = 'province' AND p.code = 'SP-TD')
                UNION ALL
                SELECT NULL, a.task_id FROM reloc.task_assignment a WHERE o.id = reloc.current_org(a.org_id)
                LIMIT 1) x
            WHERE o.successor_id IS NULL
            """)
    }

    @Test func aSecondRunOnTheSameDaySendsNothing() throws {
        try RemindFixture.with { f in
            let first = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(
                first.stdout
                    == "remind 2014-12-01: planned 6, sent 6, retrying 0, dead 0, no-contact 0, held 0, superseded 0, waiting 0\n"
            )
            let second = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(
                second.stdout
                    == "remind 2014-12-01: planned 0, sent 0, retrying 0, dead 0, no-contact 0, held 0, superseded 0, waiting 0\n"
            )
            #expect(try RemindFixture.keys(inJSONLines: f.outbox).count == 6)
        }
    }

    @Test func twoRunsAtOnceSendEachMessageOnce() throws {
        try RemindFixture.with { f in
            try Self.milestonesForEveryone(f)
            let outcomes = Outcomes()
            let (database, outbox) = (f.database, f.outbox)
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                outcomes.set(
                    index,
                    Result {
                        try RelocCLI.run(
                            ["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(outbox)"],
                            database: database)
                    })
            }
            let runs = try outcomes.all().map { try $0.get() }
            // A run that ends while the other is still sending says so (held, exit 75), not "all
            // delivered"; the one that ends last has seen everything sent.
            for run in runs {
                #expect(
                    run.status == 0 && run.stdout.contains("held 0")
                        || run.status == 75 && !run.stdout.contains("held 0"), "\(run.stdout) \(run.stderr)")
            }
            #expect(runs.contains { $0.status == 0 }, "\(runs.map(\.stdout))")
            let messages = try f.messages()
            #expect(messages.count > 20 && messages.allSatisfy { $0.state == "sent" })
            let keys = try RemindFixture.keys(inJSONLines: f.outbox)
            #expect(keys.sorted() == messages.map(\.key).sorted(), "each message written once")
            // The ledger has each reminder once, planned by one of the two.
            let duplicates = try f.db.query(
                "SELECT count(*) FROM (SELECT 1 FROM reloc.reminder GROUP BY milestone_id, recipient_id, occurrence HAVING count(*) > 1) d"
            ).scalar(Int.self)
            #expect(duplicates == 0)
            let planned = runs.compactMap { Int($0.stdout.split(separator: " ")[3].dropLast()) }
            #expect(planned.reduce(0, +) == (try f.db.query("SELECT count(*) FROM reloc.reminder").scalar(Int.self)))
        }
    }

    /// A run killed with SIGKILL while a webhook holds it: its claim expires and the next run
    /// delivers everything, the interrupted message with the same idempotency key.
    @Test func aRunKilledMidDeliveryLosesNothing() throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.silence(30), .status(200)])
            defer { server.stop() }
            let channel = "webhook:\(server.url.absoluteString)"
            let process = Process()
            process.executableURL = try RelocCLI.binary()
            process.arguments = ["remind", "run", "--as-of", "2014-12-01", "--channel", channel, "--lease", "8"]
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = try TestDatabase.url(of: f.database)
            environment["RELOC_WEBHOOK_TIMEOUT"] = "60"
            environment["RELOC_WEBHOOK_ALLOW"] = "127.0.0.1"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(30)
            while server.requests.isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            #expect(server.requests.count == 1)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            let states = try f.messages().map(\.state)
            #expect(states.filter { $0 == "sending" }.count == 1 && states.filter { $0 == "pending" }.count == 5)
            // Within the lease the message is still held: a run now leaves it alone, and does not
            // say all is delivered (exit 75, held 1).
            let early = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", channel])
            #expect(
                early.status == 75 && early.stdout.contains("sent 5, retrying 0, dead 0, no-contact 0, held 1"),
                "\(early.stdout) \(early.stderr)")
            #expect(try f.messages().filter { $0.state == "sending" }.count == 1)
            // The lease (8 s, long enough for a loaded machine to start the early run within it)
            // runs out.
            Thread.sleep(forTimeInterval: 8.2)
            let next = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", channel])
            #expect(next.status == 0, "\(next.stdout) \(next.stderr)")
            #expect(next.stdout.contains("planned 0, sent 1, retrying 0"), "\(next.stdout)")
            #expect(try f.messages().allSatisfy { $0.state == "sent" })
            let keys = server.requests.compactMap { $0.headers["idempotency-key"] }
            #expect(keys.count == 7 && Set(keys).count == 6, "the interrupted message went again with its own key")
            #expect(keys.first == keys.last)
        }
    }

    @Test func webhookContactsRetryDieAndAreRetriedByHand() throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.status(500), .status(200), .status(400), .status(200)])
            defer { server.stop() }
            #expect(
                try f.cli([
                    "remind", "contact", "add", "SP-TD", "--webhook", server.url.absoluteString, "--name", "铁东区发改局",
                    "--as", "SP-TD",
                ]).status == 0)
            // 500 then 200 within the run: sent. The other five recipients have no contact.
            let first = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(
                first.stdout
                    == "remind 2014-12-01: planned 6, sent 1, retrying 0, dead 0, no-contact 5, held 0, superseded 0, waiting 0\n"
            )
            // 400: dead at once, reported; the run's own work is done: exit 0.
            let second = try f.cli(["remind", "run", "--as-of", "2014-12-29"])
            #expect(second.status == 0, "\(second.stdout) \(second.stderr)")
            #expect(second.stdout.contains("sent 0, retrying 0, dead 1, no-contact 5"))
            let history = try f.cli(["remind", "history", "--org", "SP-TD", "--state", "dead", "--format", "json"])
            let dead = try #require(
                try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
            #expect(
                dead.count == 1
                    && dead[0]["last_error"] as? String
                        == "webhook:\(server.url.absoluteString): webhook answered HTTP 400",
                "\(dead)")
            let id = try #require(dead[0]["id"] as? Int)
            #expect(try f.cli(["remind", "history", "--state", "no-contact"]).stdout.contains("BC-TB"))
            // Fixed at the receiver: retry by hand; the next run sends it with the same key.
            #expect(try f.cli(["remind", "retry", "\(id)"]).status == 0)
            let third = try f.cli(["remind", "run", "--as-of", "2014-12-29"])
            #expect(third.status == 0 && third.stdout.contains("planned 0, sent 1"), "\(third.stdout) \(third.stderr)")
            let keys = server.requests.map { $0.headers["idempotency-key"] }
            #expect(keys.count == 4 && keys[2] == keys[3] && keys[0] == keys[1] && keys[0] != keys[2])
            #expect(try f.cli(["remind", "retry", "\(id)"]).status == 65, "a sent message is not retried")
        }
    }

    @Test func aTimeoutWaitsForTheNextRun() throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.silence(5), .silence(5), .silence(5), .status(200)])
            defer { server.stop() }
            #expect(
                try f.cli(["remind", "contact", "add", "SP-TD", "--webhook", server.url.absoluteString, "--as", "JL"])
                    .status == 0)
            let environment = ["RELOC_WEBHOOK_TIMEOUT": "1"]
            // Three tries within the run, each timing out: left for the next run.
            let first = try f.cli(
                ["remind", "run", "--as-of", "2014-12-01", "--retry-after", "1"], environment: environment)
            // Waiting for a retry time no rerun can shorten: exit 0, the count in the line.
            #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
            #expect(first.stdout.contains("sent 0, retrying 1, dead 0") && first.stdout.contains("waiting 1"))
            Thread.sleep(forTimeInterval: 1.1)
            let second = try f.cli(
                ["remind", "run", "--as-of", "2014-12-01", "--retry-after", "1"], environment: environment)
            #expect(second.status == 0, "\(second.stdout) \(second.stderr)")
            #expect(second.stdout.contains("sent 1, retrying 0"))
        }
    }

    /// A receiver that keeps failing: retried in later runs with backoff, then dead after
    /// --max-attempts runs, and reported.
    @Test func aMessageThatKeepsFailingIsDeadAfterTheLimit() throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.status(503)])
            defer { server.stop() }
            let add = try f.cli([
                "remind", "contact", "add", "SP-TD", "--webhook", server.url.absoluteString, "--as", "JL",
            ])
            #expect(add.status == 0)
            // A backoff of 3–6 s: long enough that the early run below, on a loaded machine, still
            // starts before it has passed.
            let arguments = ["remind", "run", "--as-of", "2014-12-01", "--max-attempts", "2", "--retry-after", "6"]
            let first = try f.cli(arguments)
            #expect(first.status == 0 && first.stdout.contains("sent 0, retrying 1, dead 0"), "\(first.stdout)")
            // Before the backoff has passed nothing is tried: waiting, not held (a rerun now could
            // not send it), exit 0.
            let early = try f.cli(arguments)
            #expect(
                early.status == 0 && early.stdout.contains("sent 0, retrying 0, dead 0, no-contact 0, held 0")
                    && early.stdout.contains("waiting 1"),
                "\(early.stdout)")
            #expect(server.requests.count == 3, "three tries within the first run, none in the early one")
            Thread.sleep(forTimeInterval: 6.1)  // the backoff after one attempt is 3–6 s (jitter)
            let second = try f.cli(arguments)
            #expect(second.status == 0 && second.stdout.contains("sent 0, retrying 0, dead 1"), "\(second.stdout)")
            #expect(server.requests.count == 6)
            let dead = try f.db.query(
                "SELECT attempts, last_error FROM reloc.reminder_message WHERE state = 'dead'"
            ).decode((Int, String).self)
            #expect(dead.count == 1 && dead[0].0 == 2 && dead[0].1.hasSuffix(": webhook answered HTTP 503"))
        }
    }

    @Test func emailGoesThroughTheSendmailCommand() throws {
        try RemindFixture.with { f in
            let directory = try SendmailChannelTests.standIn()
            defer { try? FileManager.default.removeItem(at: directory) }
            #expect(
                try f.cli(["remind", "contact", "add", "SP-TD", "--email", "fgj@td.sp.gov.cn", "--as", "SP-TD"]).status
                    == 0)
            let run = try f.cli(
                ["remind", "run", "--as-of", "2014-12-01"],
                environment: [
                    "RELOC_SENDMAIL": directory.appendingPathComponent("sendmail").path + " -t -i",
                    "RELOC_MAIL_FROM": "remind@jl.gov.cn",
                ])
            #expect(run.status == 0, "\(run.stderr)")
            let mail = try ParsedMail(String(contentsOf: directory.appendingPathComponent("mail.eml"), encoding: .utf8))
            #expect(mail.header("To") == "fgj@td.sp.gov.cn")
            #expect(try ParsedMail.decodeWords(mail.header("Subject") ?? "") == "【搬迁改造提醒】铁东区：即将到期1项（2014年12月1日）")
            #expect(mail.decodedBody?.contains("到期日：2014年12月31日，还剩30天") == true)
            let key = try f.db.query(
                "SELECT idempotency_key::text FROM reloc.reminder_message WHERE 'email:fgj@td.sp.gov.cn' = ANY (delivered_to)"
            ).scalar(String.self)
            #expect(mail.header("Message-ID") == "<reloc-remind.\(key)@jl.gov.cn>")
        }
    }

    @Test func aDryRunRecordsNothing() throws {
        try RemindFixture.with { f in
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--dry-run"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("(dry run) to no contact: 【搬迁改造提醒】铁东区"))
            #expect(
                run.stdout.hasSuffix(
                    "dry run, nothing recorded: remind 2014-12-01: planned 6, sent 0, retrying 0, dead 0, no-contact 6, held 0, superseded 0, waiting 0\n"
                ))
            #expect(try f.db.query("SELECT count(*) FROM reloc.reminder").scalar(Int.self) == 0)
            #expect(try f.messages().isEmpty)
        }
    }

    @Test func anUnreachableDatabaseIsExit69() throws {
        let run = try RelocCLI.run(
            ["remind", "run", "--database", "postgresql:///nowhere?host=/nonexistent&connect_timeout=2"], database: nil)
        #expect(run.status == 69, "\(run.stderr)")
    }
}

/// Results of concurrent runs, gathered under a lock.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: Result<RelocCLI.Outcome, any Error>] = [:]

    func set(_ index: Int, _ result: Result<RelocCLI.Outcome, any Error>) {
        lock.withLock { results[index] = result }
    }

    func all() -> [Result<RelocCLI.Outcome, any Error>] {
        lock.withLock { results.keys.sorted().map { results[$0]! } }
    }
}
