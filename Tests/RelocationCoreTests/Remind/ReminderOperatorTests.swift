import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// An operator's day (issue 12): exit codes a scheduler can act on, a summary for monitoring, a
/// status view, a dry run that blocks nobody, a connection limit reported as such.
@Suite struct ReminderOperatorTests {
    /// One dead contact and one waiting retry: the run's own work is done, exit 0, and the counts
    /// are in its line and in --summary-json; `remind status` shows the run and the messages.
    @Test func aRunWhoseWorkIsDoneExitsZeroAndReportsWhatWaits() throws {
        try RemindFixture.with { f in
            let refusing = try LoopbackHTTPServer(replies: [.status(410)])
            let busy = try LoopbackHTTPServer(replies: [.status(503)])
            defer { [refusing, busy].forEach { $0.stop() } }
            for (org, server) in [("SP-TD", refusing), ("JL", busy)] {
                let add = try f.cli([
                    "remind", "contact", "add", org, "--webhook", server.url.absoluteString, "--as", "JL",
                ])
                #expect(add.status == 0, "\(add.stderr)")
            }
            try f.milestone("省级督办事项", due: "2014-12-08", plan: "SP-TD", owner: "JL")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("remind-\(UUID()).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let run = try f.cli([
                "remind", "run", "--as-of", "2014-12-01", "--retry-after", "600", "--summary-json", path,
            ])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(run.stdout.contains("retrying 1, dead 1") && run.stdout.contains("waiting 1"), "\(run.stdout)")
            let summary = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            #expect(
                summary["dead"] as? Int == 1 && summary["waiting"] as? Int == 1 && summary["exit_status"] as? Int == 0)
            #expect(summary["as_of"] as? String == "2014-12-01")

            let status = try f.cli(["remind", "status", "--as", "JL", "--format", "json"])
            #expect(status.status == 0, "\(status.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
            #expect(object["dead"] as? Int == 1 && object["waiting"] as? Int == 1, "\(object)")
            let runs = try #require(object["runs"] as? [[String: Any]])
            #expect(runs.count == 1 && runs[0]["as_of"] as? String == "2014-12-01" && runs[0]["dead"] as? Int == 1)
            let messages = try #require(object["messages"] as? [[String: Any]])
            #expect(Set(messages.compactMap { $0["state"] as? String }) == ["dead", "retrying"])
            // An organisation sees its own messages only.
            let district = try f.cli(["remind", "status", "--as", "SP-TD", "--format", "json"])
            let own = try #require(try JSONSerialization.jsonObject(with: Data(district.stdout.utf8)) as? [String: Any])
            #expect((own["messages"] as? [[String: Any]])?.compactMap { $0["org"] as? String } == ["SP-TD"])
        }
    }

    @Test func historyKeepsTheLatestMessages() throws {
        try RemindFixture.with { f in
            #expect(
                try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"]).status == 0)
            let two = try f.cli(["remind", "history", "--limit", "2", "--format", "csv"])
            #expect(two.stdout.split(whereSeparator: \.isNewline).count == 3, "\(two.stdout)")
            let all = try f.cli(["remind", "history", "--limit", "0", "--format", "csv"])
            #expect(all.stdout.split(whereSeparator: \.isNewline).count == 7, "\(all.stdout)")
        }
    }

    /// A dry run whose output nobody reads (piped to a pager) holds nothing a real run waits for.
    @Test func aBlockedDryRunDoesNotHoldTheRealRun() throws {
        try RemindFixture.with { f in
            // Enough digest text to fill a pipe (64 KiB) several times over.
            try f.db.execute(
                """
                INSERT INTO reloc.milestone (kind, title, due_on, plan_id)
                SELECT 'custom', '报送第' || n || '批企业搬迁改造进展材料并附现场照片和会议纪要', DATE '2014-12-08',
                       (SELECT id FROM reloc.plan WHERE code = 'SP-TD')
                FROM generate_series(1, 3000) n
                """)
            let dry = Process()
            dry.executableURL = try RelocCLI.binary()
            dry.arguments = ["remind", "run", "--dry-run", "--as-of", "2014-12-01", "--max-items", "3000"]
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = try TestDatabase.url(of: f.database)
            dry.environment = environment
            let pager = Pipe()  // never read
            dry.standardOutput = pager
            dry.standardError = FileHandle.nullDevice
            try dry.run()
            defer {
                if dry.isRunning { kill(dry.processIdentifier, SIGKILL) }
                dry.waitUntilExit()
            }
            // Wait until the dry run is done with the database (its session idle, not "idle in
            // transaction"), or 60 s: before, it held its transaction and the planning lock while
            // blocked on the pipe.
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let busy = try f.db.query(
                    """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
                      AND backend_type = 'client backend'
                    """
                ).scalar(Int.self)
                if busy == 0 { break }
                Thread.sleep(forTimeInterval: 0.2)
            }
            Thread.sleep(forTimeInterval: 0.5)
            #expect(dry.isRunning, "the dry run is blocked writing to its pipe")
            let real = try f.cli(
                ["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"],
                environment: ["RELOC_STATEMENT_TIMEOUT_MS": "10000"])
            #expect(real.status == 0, "\(real.stdout) \(real.stderr)")
        }
    }

    /// "too many connections for role": the server runs; say what it said, not "start one".
    @Test func aConnectionLimitIsReportedAsSuch() throws {
        try RemindFixture.with { f in
            let login = "reloc_limit_test_\(UInt32.random(in: 0...UInt32.max))"
            try f.db.execute("CREATE ROLE \(identifier: login) LOGIN CONNECTION LIMIT 0")
            defer { _ = try? f.db.execute("DROP ROLE IF EXISTS \(identifier: login)") }
            let url = try TestDatabase.url(of: f.database).replacingOccurrences(
                of: "user=postgres", with: "user=\(login)")
            let run = try RelocCLI.run(["remind", "history", "--database", url], database: nil)
            #expect(run.status == 69, "\(run.stderr)")
            #expect(
                run.stderr.contains("too many connections") && run.stderr.contains("connection limit"), "\(run.stderr)")
            #expect(!run.stderr.contains("local-postgres.sh start"), "\(run.stderr)")
        }
    }
}

/// Dead messages reach a person: the province's next digest lists them (投递失败).
@Suite struct ReminderFailedDeliveryTests {
    @Test func theProvincesNextDigestListsDeadMessages() throws {
        try RemindFixture.with { f in
            let refusing = try LoopbackHTTPServer(replies: [.status(410)])
            defer { refusing.stop() }
            let add = try f.cli([
                "remind", "contact", "add", "SP-TD", "--webhook", refusing.url.absoluteString, "--as", "JL",
            ])
            #expect(add.status == 0, "\(add.stderr)")
            try f.milestone("全省搬迁改造工作调度", due: "2014-12-08", plan: "SP-TD", owner: "JL")
            let first = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            #expect(first.stdout.contains("dead 1"), "\(first.stdout) \(first.stderr)")
            let next = try f.cli(["remind", "run", "--as-of", "2014-12-07", "--channel", "jsonl:\(f.outbox)"])
            #expect(next.status == 0, "\(next.stdout) \(next.stderr)")
            let lines = try String(contentsOfFile: f.outbox, encoding: .utf8).split(separator: "\n")
            let province = try lines.compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }.first { ($0["recipient"] as? [String: Any])?["code"] as? String == "JL" }
            let failed = try #require(province?["failed_deliveries"] as? [[String: Any]], "\(lines)")
            #expect(failed.count == 1 && (failed[0]["recipient"] as? [String: Any])?["code"] as? String == "SP-TD")
            #expect((failed[0]["last_error"] as? String)?.contains("HTTP 410") == true)
            #expect((province?["text"] as? String)?.contains("投递失败（1条") == true, "\(province?["text"] ?? "")")
            let others = try lines.compactMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            .filter { ($0["recipient"] as? [String: Any])?["code"] as? String != "JL" }
            #expect(others.allSatisfy { $0["failed_deliveries"] == nil }, "only the province's digest lists them")
        }
    }
}
