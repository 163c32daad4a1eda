import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The hostile review of issue 12's fix: the job's lock, credentials in the audit trail, the
/// province's raw updates of messages.
@Suite struct ReminderReviewTests {
    /// An organisation taking the advisory lock 0006 planned under no longer holds every run off;
    /// it cannot lock the job's own lock row either.
    @Test func anOrganisationCannotHoldTheJobOff() throws {
        try RemindFixture.with { f in
            let district = try TestDatabase.connect(f.database, actingAs: "SP-TD")
            try district.execute("SELECT pg_advisory_lock(hashtext('reloc.remind'))")
            let started = Date()
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--channel", "jsonl:\(f.outbox)"])
            #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
            #expect(Date().timeIntervalSince(started) < 30)
            #expect(throws: PGError.self) { try district.execute("SELECT FROM reloc.reminder_job_lock FOR UPDATE") }
            try district.execute("BEGIN")
            #expect(throws: PGError.self) {
                try district.execute("LOCK TABLE reloc.reminder_job_lock IN ACCESS EXCLUSIVE MODE")
            }
            try district.execute("ROLLBACK")
        }
    }

    /// A table lock an organisation may take (LOCK on a table it may DELETE from) makes the run
    /// stop within the job's lock_timeout with 75, not a statement timeout (69) after a minute.
    @Test func aTableLockedByAnOrganisationGivesTryLater() throws {
        try RemindFixture.with { f in
            let district = try TestDatabase.connect(f.database, actingAs: "SP-TD")
            try district.execute("BEGIN")
            try district.execute("LOCK TABLE reloc.reminder_contact IN ACCESS EXCLUSIVE MODE")
            defer { _ = try? district.execute("ROLLBACK") }
            let started = Date()
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            #expect(run.status == 75, "\(run.stdout) \(run.stderr)")
            #expect(run.stderr.contains("try later"), "\(run.stderr)")
            #expect(Date().timeIntervalSince(started) < 30)
        }
    }

    /// An honest run planning (here: its lock row held) makes another run exit 75, saying why.
    @Test func aRunWhileAnotherPlansGivesTryLater() throws {
        try RemindFixture.with { f in
            let other = try TestDatabase.connect(f.database)
            try other.execute("BEGIN")
            try other.execute("SELECT FROM reloc.reminder_job_lock FOR UPDATE")
            defer { _ = try? other.execute("ROLLBACK") }
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            #expect(run.status == 75, "\(run.stdout) \(run.stderr)")
            #expect(run.stderr.contains("another reminder run is planning"), "\(run.stderr)")
            #expect(try f.db.query("SELECT count(*) FROM reloc.reminder").scalar(Int.self) == 0)
        }
    }

    /// Credentials in a webhook URL never reach the audit trail, which the city and the province
    /// read (raw SQL as the city's and the province's roles).
    @Test func auditRowsOfContactsMaskCredentials() throws {
        try RemindFixture.with { f in
            let url = "http://hook:topsecret@hooks.example.cn/reloc"
            let add = try f.cli(["remind", "contact", "add", "SP-TD", "--webhook", url, "--as", "SP-TD"])
            #expect(add.status == 0, "\(add.stderr)")
            let district = try TestDatabase.connect(f.database, actingAs: "SP-TD")
            try district.execute("DELETE FROM reloc.reminder_contact WHERE address = \(url)")
            for org in ["SP", "JL"] {
                let reader = try TestDatabase.connect(f.database, actingAs: org)
                let rows = try reader.query(
                    """
                    SELECT coalesce(old_values::text, '') || coalesce(new_values::text, '') FROM reloc.audit
                    WHERE table_name = 'reminder_contact'
                    """
                ).decode(String.self)
                #expect(!rows.isEmpty, "\(org) reads the contact's audit rows")
                for row in rows {
                    #expect(!row.contains("topsecret"), "\(org): \(row)")
                    #expect(row.contains("***@hooks.example.cn"), "\(org): \(row)")
                }
            }
        }
    }

    /// The province may retry a message by hand, but not make it incoherent.
    @Test(arguments: [
        "attempts = -3", "state = 'sent'", "next_attempt_at = 'infinity'", "next_attempt_at = '-infinity'",
        "state = 'sent', attempts = 0, next_attempt_at = now()",
    ])
    func theProvincesRawUpdatesStayCoherent(change: String) throws {
        try RemindFixture.with { f in
            _ = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            let id = try f.db.query("SELECT min(id) FROM reloc.reminder_message WHERE state <> 'sent'").scalar(
                Int64.self)
            let province = try TestDatabase.connect(f.database, actingAs: "JL")
            #expect {
                try province.execute(
                    SQLQuery(unsafeSQL: "UPDATE reloc.reminder_message SET \(change) WHERE id = \(id)"))
            } throws: { error in
                "\(error)".contains("reminder_message_coherent")
            }
            let status = try f.cli(["remind", "status", "--as", "JL"])
            #expect(status.status == 0, "\(status.stderr)")
        }
    }

    /// --summary-json is checked at start (64, nothing planned), and a run that fails leaves no
    /// summary rather than the previous run's.
    @Test func theSummaryFileIsCheckedAtStartAndNeverStale() throws {
        try RemindFixture.with { f in
            let missing = "/nonexistent-\(UUID().uuidString)/summary.json"
            let refused = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--summary-json", missing])
            #expect(refused.status == 64 && refused.stderr.contains("--summary-json"), "\(refused.stderr)")
            #expect(try f.db.query("SELECT count(*) FROM reloc.reminder").scalar(Int.self) == 0)

            let path = FileManager.default.temporaryDirectory.appendingPathComponent("summary-\(UUID()).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data("{\"exit_status\": 0}".utf8).write(to: URL(fileURLWithPath: path))
            let other = try TestDatabase.connect(f.database)
            try other.execute("BEGIN")
            try other.execute("SELECT FROM reloc.reminder_job_lock FOR UPDATE")
            let failed = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--summary-json", path])
            try other.execute("ROLLBACK")
            #expect(failed.status == 75, "\(failed.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path), "the previous run's summary is gone")
            let done = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--summary-json", path])
            #expect(done.status == 0, "\(done.stderr)")
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    /// Addresses that are not one: refused at contact add (65) and in plain SQL by the database.
    @Test(arguments: [
        ["--email", "a@-b.cn"], ["--email", "a@b..cn"], ["--email", "a@b.cn."], ["--email", "a@b-.cn"],
        ["--webhook", "http://a.cn:99999/"], ["--webhook", "http://a.cn:0/"], ["--webhook", "http://a.cn:/x"],
        ["--webhook", "http://[::1]:8080/"], ["--webhook", "http://u:p@[2001:db8::1]/"],
    ])
    func malformedContactsAreRefused(contact: [String]) throws {
        try RemindFixture.with { f in
            let add = try f.cli(["remind", "contact", "add", "SP-TD"] + contact + ["--as", "SP-TD"])
            #expect(add.status == 65, "\(contact): \(add.stdout) \(add.stderr)")
            let district = try TestDatabase.connect(f.database, actingAs: "SP-TD")
            let channel = contact[0] == "--email" ? "email" : "webhook"
            let secret: String? = channel == "webhook" ? String(repeating: "ab", count: 32) : nil
            #expect {
                try district.execute(
                    """
                    INSERT INTO reloc.reminder_contact (org_id, channel, address, secret)
                    SELECT id, \(channel), \(contact[1]), \(secret) FROM reloc.organisation WHERE code = 'SP-TD'
                    """)
            } throws: { error in
                "\(error)".contains("reminder_contact_address")
            }
        }
    }

    /// A webhook contact always has a 64-hex secret, whoever inserts it.
    @Test(arguments: [nil, "", "abc", String(repeating: "G", count: 64)])
    func aWebhookContactHasItsSecret(secret: String?) throws {
        try RemindFixture.with { f in
            let district = try TestDatabase.connect(f.database, actingAs: "SP-TD")
            #expect {
                try district.execute(
                    """
                    INSERT INTO reloc.reminder_contact (org_id, channel, address, secret)
                    SELECT id, 'webhook', 'https://hooks.example.cn/r', \(secret) FROM reloc.organisation WHERE code = 'SP-TD'
                    """)
            } throws: { error in
                "\(error)".contains("reminder_contact_secret")
            }
        }
    }

    /// RELOC_MAIL_FROM is one mailbox; RELOC_WEBHOOK_ALLOW never switches the protection off.
    @Test(arguments: [
        ["RELOC_MAIL_FROM": "a@b.cn, c@d.cn"], ["RELOC_MAIL_FROM": "a@b.cn>"],
        ["RELOC_MAIL_FROM": "x <a@b.cn>, c@d.cn"],
        ["RELOC_MAIL_FROM": "nobody"], ["RELOC_WEBHOOK_ALLOW": "0.0.0.0/0"], ["RELOC_WEBHOOK_ALLOW": "10.0.0.0/7"],
        ["RELOC_WEBHOOK_ALLOW": "::/0"], ["RELOC_WEBHOOK_ALLOW": "::/8"],
    ])
    func settingsThatMeanMoreAreRefused(setting: [String: String]) throws {
        try RemindFixture.with { f in
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-01"], environment: setting)
            #expect(run.status == 64, "\(setting): \(run.stdout) \(run.stderr)")
            #expect(run.stderr.contains(setting.keys.first!), "\(run.stderr)")
        }
    }

    @Test func goodSettingsStillPass() throws {
        for from in ["remind@jl.gov.cn", "搬迁改造提醒 <remind@jl.gov.cn>", "reloc-remind@localhost"] {
            #expect(throws: Never.self) { try ChannelFactory.validated(environment: ["RELOC_MAIL_FROM": from]) }
        }
        for allow in ["10.0.0.0/8", "fd00::/8", "127.0.0.1", "::1", "::ffff:10.0.0.0/104"] {
            #expect(throws: Never.self) { try ChannelFactory.validated(environment: ["RELOC_WEBHOOK_ALLOW": allow]) }
        }
    }
}
