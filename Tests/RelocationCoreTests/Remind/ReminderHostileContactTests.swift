import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Contacts chosen by organisations are hostile input (issue 12): no probing of the job's network,
/// signed requests, secrets and credentials never shown, settings checked at start.
@Suite struct ReminderHostileContactTests {
    /// Every spelling of an internal address is refused at send time (the host is resolved).
    @Test(arguments: [
        "127.0.0.1", "127.0.0.2", "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "[::1]", "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]", "[::127.0.0.1]", "169.254.169.254", "10.0.0.1", "172.16.5.4", "172.31.255.255",
        "192.168.1.1", "100.64.0.1", "0.0.0.0", "0", "[::]", "[fe80::1]", "[fc00::1]", "[fd12:3456::1]",
        "224.0.0.1", "255.255.255.255", "localhost",
    ])
    func internalAddressesAreRefused(host: String) {
        #expect(WebhookAddressPolicy().refusal(host: host) != nil, "\(host)")
    }

    /// libcurl answers `*.localhost` with loopback itself, where the system resolver finds
    /// nothing: such names are loopback to the check too, in any case and with a final dot.
    @Test(arguments: ["foo.localhost", "x.y.localhost", "LOCALHOST", "localhost.", "Foo.LocalHost."])
    func localhostNamesAreInternal(host: String) {
        #expect(WebhookAddressPolicy().refusal(host: host)?.isInternal == true, "\(host)")
        #expect(WebhookAddressPolicy().refusal(host: host)?.shown == "webhook: internal address")
    }

    /// A host the check cannot resolve is not handed to the client (which resolves on its own).
    @Test func anUnresolvableHostIsRefusedNotTried() {
        let refusal = WebhookAddressPolicy().refusal(host: "no-such-host.invalid")
        #expect(refusal?.isInternal == false)
        #expect(refusal?.shown == "webhook: host not found")
    }

    /// The reviewer's bypass: a webhook at foo.localhost reached the loopback server.
    @Test(arguments: ["foo", "x.y"]) func aLocalhostSubdomainWebhookIsNeverContacted(label: String) throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.status(200)])
            defer { server.stop() }
            let url = "http://\(label).localhost:\(server.port)/hooks/reloc"
            #expect(try f.cli(["remind", "contact", "add", "SP-TD", "--webhook", url, "--as", "SP-TD"]).status == 0)
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-01"], environment: ["RELOC_WEBHOOK_ALLOW": ""])
            #expect(run.stdout.contains("dead 1"), "\(run.stdout) \(run.stderr)")
            #expect(server.requests.isEmpty, "nothing was sent to loopback")
            let error = try f.db.query("SELECT last_error FROM reloc.reminder_message WHERE state = 'dead'").scalar(
                String.self)
            #expect(error.hasSuffix(": webhook: internal address"), "\(error)")
        }
    }

    @Test(arguments: ["8.8.8.8", "[2001:4860:4860::8888]", "172.32.0.1", "100.128.0.1", "11.0.0.1"])
    func publicAddressesAreReached(host: String) {
        #expect(WebhookAddressPolicy().refusal(host: host) == nil, "\(host)")
    }

    @Test func theProvincesAllowListOpensExactlyWhatItLists() throws {
        let policy = try WebhookAddressPolicy(setting: "127.0.0.1, 10.20.0.0/16")
        #expect(policy.refusal(host: "127.0.0.1") == nil)
        #expect(policy.refusal(host: "0x7f000001") == nil, "the same address in another spelling")
        #expect(policy.refusal(host: "[::ffff:127.0.0.1]") == nil)
        #expect(policy.refusal(host: "127.0.0.2") != nil)
        #expect(policy.refusal(host: "10.20.3.4") == nil)
        #expect(policy.refusal(host: "10.21.0.1") != nil)
        #expect(throws: RelocError.self) { try WebhookAddressPolicy(setting: "127.0.0.1,intranet") }
    }

    /// Without the allow-list a loopback webhook is never contacted: dead, and the history says
    /// why without the job's low-level errors; a closed port shows a short category only.
    @Test func theJobRefusesInternalWebhooksAndSaysLittle() throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.status(200)])
            defer { server.stop() }
            let closed = try LoopbackHTTPServer(replies: [.status(200)])
            closed.stop()
            let hex = "http://0x7f000001:\(server.port)/hooks/reloc"
            #expect(try f.cli(["remind", "contact", "add", "SP-TD", "--webhook", hex, "--as", "SP-TD"]).status == 0)
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-01"], environment: ["RELOC_WEBHOOK_ALLOW": ""])
            #expect(run.stdout.contains("dead 1"), "\(run.stdout) \(run.stderr)")
            #expect(server.requests.isEmpty, "nothing was sent to the loopback address")
            let history = try f.cli(["remind", "history", "--as", "SP-TD", "--format", "csv"])
            #expect(history.stdout.contains("webhook: internal address"), "\(history.stdout)")
            // What the host resolves to is the job's to know (its log), not the organisation's.
            #expect(!history.stdout.contains("127.0.0.1"), "\(history.stdout)")

            try f.db.execute("DELETE FROM reloc.reminder_contact")
            let id = try f.db.query("SELECT id FROM reloc.reminder_message WHERE state = 'dead'").scalar(Int64.self)
            #expect(
                try f.cli([
                    "remind", "contact", "add", "SP-TD", "--webhook", closed.url.absoluteString, "--as", "SP-TD",
                ]).status == 0)
            #expect(try f.cli(["remind", "retry", "\(id)"]).status == 0)
            _ = try f.cli(["remind", "run", "--as-of", "2014-12-01", "--retry-after", "60"])
            let error = try f.db.query("SELECT last_error FROM reloc.reminder_message WHERE id = \(id)").scalar(
                String.self)
            #expect(error.hasSuffix("webhook: connection failed"), "\(error)")
            #expect(!error.lowercased().contains("couldn"), "\(error)")
        }
    }

    /// Each request is signed with the contact's secret, shown once; nobody reads it back.
    @Test func webhookRequestsAreSignedWithTheContactsSecret() throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.status(200)])
            defer { server.stop() }
            let add = try f.cli([
                "remind", "contact", "add", "SP-TD", "--webhook", server.url.absoluteString, "--as", "SP-TD",
            ])
            #expect(add.status == 0, "\(add.stderr)")
            let secret = try #require(
                add.stdout.split(separator: "\n").first { $0.hasPrefix("signing secret") }?.split(separator: " ").last
                    .map(String.init))
            #expect(secret.count == 64)
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            #expect(run.stdout.contains("sent 1"), "\(run.stdout) \(run.stderr)")
            let request = try #require(server.requests.first)
            let timestamp = try #require(request.headers["x-reloc-timestamp"].flatMap { Int($0) })
            #expect(abs(Double(timestamp) - Date().timeIntervalSince1970) < 120)
            // The receiver's check, as docs/usage/remind.md gives it.
            let expected =
                "sha256="
                + HMACSHA256.hex(
                    HMACSHA256.authenticationCode(
                        for: Array("\(timestamp).".utf8) + Array(request.body), key: Array(secret.utf8)))
            #expect(request.headers["x-reloc-signature"] == expected)
            let list = try f.cli(["remind", "contact", "list", "--as", "SP-TD", "--format", "json"])
            #expect(!list.stdout.contains(secret))
            let district = try TestDatabase.connect(f.database, actingAs: "SP-TD")
            #expect(throws: PGError.self) { try district.query("SELECT secret FROM reloc.reminder_contact") }
            let audit = try f.db.query(
                "SELECT count(*) FROM reloc.audit WHERE new_values::text LIKE '%' || \(secret) || '%'"
            )
            .scalar(Int.self)
            #expect(audit == 0, "the secret is not in the audit trail")
        }
    }

    /// Credentials in a webhook URL are never shown in contact lists or history.
    @Test func credentialsInAWebhookURLAreNeverShown() throws {
        try RemindFixture.with { f in
            let server = try LoopbackHTTPServer(replies: [.status(404)])
            defer { server.stop() }
            let url = "http://hook:s3cr3tpw@127.0.0.1:\(server.port)/hooks/reloc"
            let add = try f.cli(["remind", "contact", "add", "SP-TD", "--webhook", url, "--as", "SP-TD"])
            #expect(add.status == 0 && !add.stdout.contains("s3cr3tpw"), "\(add.stdout)")
            _ = try f.cli(["remind", "run", "--as-of", "2014-12-01"])
            #expect(server.requests.count == 1)
            for arguments in [["remind", "contact", "list"], ["remind", "history"]] {
                let shown = try f.cli(arguments + ["--as", "SP-TD", "--format", "csv"])
                #expect(shown.status == 0 && !shown.stdout.contains("s3cr3tpw"), "\(shown.stdout)")
                #expect(shown.stdout.contains("***@127.0.0.1"), "\(shown.stdout)")
            }
        }
    }

    /// Settings are checked at start, exit 64 naming the setting, before anything is planned.
    @Test(arguments: [
        ["RELOC_MAIL_FROM": "remind@jl.gov.cn\nBcc: spy@example.com"],
        ["RELOC_MAIL_FROM": "remind@jl.gov.cn\r\nBcc: spy@example.com"],
        ["RELOC_WEBHOOK_TIMEOUT": "0"], ["RELOC_WEBHOOK_TIMEOUT": "-5"], ["RELOC_WEBHOOK_TIMEOUT": "abc"],
        ["RELOC_WEBHOOK_TIMEOUT": "nan"], ["RELOC_WEBHOOK_ALLOW": "intranet"],
    ])
    func badSettingsAreRefusedAtStart(setting: [String: String]) throws {
        try RemindFixture.with { f in
            let run = try f.cli(["remind", "run", "--as-of", "2014-12-01"], environment: setting)
            #expect(run.status == 64, "\(run.stdout) \(run.stderr)")
            #expect(run.stderr.contains(setting.keys.first!), "\(run.stderr)")
            #expect(try f.db.query("SELECT count(*) FROM reloc.reminder").scalar(Int.self) == 0)
        }
    }

    @Test(arguments: ["nan", "inf", "1e300", "0", "1"]) func aBadLeaseIsRefused(lease: String) throws {
        let run = try RelocCLI.run(["remind", "run", "--lease", lease], database: nil)
        #expect(run.status == 64 && run.stderr.contains("--lease"), "\(run.stderr)")
    }

    /// A non-ASCII address would go raw into To:: refused at contact add, and in plain SQL.
    @Test func nonASCIIMailAddressesAreRefused() throws {
        try RemindFixture.with { f in
            let add = try f.cli(["remind", "contact", "add", "SP-TD", "--email", "张三@例子.中国", "--as", "SP-TD"])
            #expect(add.status == 65, "\(add.stderr)")
            let district = try TestDatabase.connect(f.database, actingAs: "SP-TD")
            #expect {
                try district.execute(
                    """
                    INSERT INTO reloc.reminder_contact (org_id, channel, address)
                    SELECT id, 'email', 'zhang@例子.cn' FROM reloc.organisation WHERE code = 'SP-TD'
                    """)
            } throws: { error in
                "\(error)".contains("reminder_contact_address")
            }
        }
    }
}
