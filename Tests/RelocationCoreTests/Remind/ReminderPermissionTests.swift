import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Who may change reminder rules and contacts, and what the job's role may do: through the CLI
/// and through plain SQL as the acting role.
@Suite struct ReminderPermissionTests {
    @Test func onlyTheProvinceSetsRules() throws {
        try RemindFixture.with { f in
            #expect(try f.cli(["remind", "rules", "set", "--before", "14,3", "--as", "JL"]).status == 0)
            #expect(try f.cli(["remind", "rules", "set", "--before", "5", "--as", "SP"]).status == 77)
            #expect(try f.cli(["remind", "rules", "set", "approved", "--before", "5", "--as", "JL-FGW"]).status == 77)
            let city = try TestDatabase.connect(f.database, actingAs: "SP")
            expectSQLState("42501") { try city.execute("UPDATE reloc.reminder_rule SET days_before = '{5}'") }
            expectSQLState("42501") {
                try city.execute("INSERT INTO reloc.reminder_rule (milestone_kind) VALUES ('approved')")
            }
            let list = try f.cli(["remind", "rules", "list", "--format", "json", "--as", "SP"])
            let rules = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            #expect(rules.first?["days_before"] as? String == "14,3")
            #expect(rules.count == 11)
        }
    }

    @Test func ruleWordsAreGiven() throws {
        try RemindFixture.with { f in
            let zero = try f.cli(["remind", "rules", "set", "--before", "30,0", "--as", "JL"])
            #expect(zero.status == 65 && zero.stderr.contains("reminder_rule_days"), "\(zero.stderr)")
            let every = try f.cli(["remind", "rules", "set", "--overdue-every", "0", "--as", "JL"])
            #expect(every.status == 65 && every.stderr.contains("reminder days are whole numbers"), "\(every.stderr)")
            let kind = try f.cli(["remind", "rules", "set", "nonsense", "--before", "3", "--as", "JL"])
            #expect(kind.status == 65, "\(kind.stderr)")
            let province = try TestDatabase.connect(f.database, actingAs: "JL")
            expectSQLState("23514") {
                try province.execute("INSERT INTO reloc.reminder_rule (milestone_kind) VALUES ('nonsense')")
            }
            expectSQLState("23514") { try province.execute("UPDATE reloc.reminder_rule SET escalate_after = 0") }
        }
    }

    @Test func anOrganisationManagesItsOwnContacts() throws {
        try RemindFixture.with { f in
            #expect(
                try f.cli(["remind", "contact", "add", "SP", "--email", "ban@sp.gov.cn", "--as", "SP"]).status == 0)
            #expect(try f.cli(["remind", "contact", "add", "CC", "--email", "x@cc.gov.cn", "--as", "SP"]).status == 77)
            #expect(
                try f.cli(["remind", "contact", "add", "CC", "--email", "ban@cc.gov.cn", "--as", "JL"]).status == 0)
            // A renamed department's successor acts for it; the old body's role acts for nothing.
            #expect(
                try f.cli(["remind", "contact", "add", "JL-ZRT", "--email", "zrt@jl.gov.cn", "--as", "JL-ZRT"]).status
                    == 0)
            let duplicate = try f.cli(["remind", "contact", "add", "SP", "--email", "ban@sp.gov.cn", "--as", "SP"])
            #expect(duplicate.status == 65 && duplicate.stderr.contains("reminder_contact_key"), "\(duplicate.stderr)")
            let bad = try f.cli(["remind", "contact", "add", "SP", "--webhook", "ftp://x", "--as", "SP"])
            #expect(bad.status == 65, "\(bad.stderr)")
            let city = try TestDatabase.connect(f.database, actingAs: "SP")
            expectSQLState("42501") {
                try city.execute(
                    "INSERT INTO reloc.reminder_contact (org_id, channel, address) SELECT id, 'email', 'y@cc.gov.cn' FROM reloc.organisation WHERE code = 'CC'"
                )
            }
            expectSQLState("23514") {
                try city.execute(
                    "INSERT INTO reloc.reminder_contact (org_id, channel, address) SELECT id, 'email', 'not an address' FROM reloc.organisation WHERE code = 'SP'"
                )
            }
            // Another city's contact is invisible: it cannot be listed or removed.
            #expect(try city.execute("DELETE FROM reloc.reminder_contact WHERE address = 'ban@cc.gov.cn'") == 0)
            let listed = try f.cli(["remind", "contact", "list", "--as", "SP", "--format", "csv"])
            #expect(listed.stdout.contains("ban@sp.gov.cn") && !listed.stdout.contains("ban@cc.gov.cn"))
            let id = try f.db.query("SELECT id FROM reloc.reminder_contact WHERE address = 'ban@cc.gov.cn'").scalar(
                Int64.self)
            #expect(try f.cli(["remind", "contact", "remove", "\(id)", "--as", "SP"]).status == 65)
            #expect(try f.cli(["remind", "contact", "remove", "\(id)", "--as", "CC"]).status == 0)
        }
    }

    /// The job's role reads what it needs and writes only the ledger and the messages.
    @Test func theJobHasLeastPrivilege() throws {
        try RemindFixture.with { f in
            try f.run(asOf: "2014-12-01")
            let job = try TestDatabase.connect(f.database)
            try job.execute("SET ROLE reloc_reminder")
            #expect(try job.query("SELECT count(*) FROM reloc.milestone").scalar(Int.self) > 0)
            expectSQLState("42501") { try job.execute("UPDATE reloc.milestone SET done_on = '2014-12-01'") }
            expectSQLState("42501") { try job.execute("UPDATE reloc.plan SET name = 'x'") }
            expectSQLState("42501") {
                try job.execute("INSERT INTO reloc.reminder_rule (milestone_kind) VALUES ('approved')")
            }
            expectSQLState("42501") {
                try job.execute(
                    "INSERT INTO reloc.reminder_contact (org_id, channel, address) VALUES (1, 'email', 'a@b.cn')")
            }
            expectSQLState("42501") { try job.execute("DELETE FROM reloc.reminder") }
            expectSQLState("42501") { try job.execute("DELETE FROM reloc.reminder_message") }
            expectSQLState("42501") { try job.execute("UPDATE reloc.reminder_message SET digest = '{}'") }
            expectSQLState("42501") {
                try job.execute("INSERT INTO reloc.progress_report (milestone_id, percent, note) VALUES (1, 5, 'x')")
            }
            // An organisation cannot plan or compose, nor write the ledger.
            let city = try TestDatabase.connect(f.database, actingAs: "SP")
            expectSQLState("42501") { try city.execute("SELECT reloc.remind_plan('2015-01-01')") }
            expectSQLState("42501") { try city.execute("UPDATE reloc.reminder SET state = 'planned'") }
            // …and reads only the messages addressed to it.
            #expect(try city.query("SELECT count(*) FROM reloc.reminder_message").scalar(Int.self) == 0)
            let district = try TestDatabase.connect(f.database, actingAs: "SP-TD")
            #expect(try district.query("SELECT count(*) FROM reloc.reminder_message").scalar(Int.self) == 1)
            #expect(try f.cli(["remind", "retry", "1", "--as", "SP-TD"]).status != 0)
        }
    }

    /// A login that is not a member of reloc_reminder cannot run the job (exit 77, saying what to
    /// grant); a member can, and acts with the job's privileges only.
    @Test func onlyAMemberOfTheJobRoleRunsIt() throws {
        try RemindFixture.with { f in
            let login = "reloc_remind_test_\(UInt32.random(in: 0...UInt32.max))"
            try f.db.execute("CREATE ROLE \(identifier: login) LOGIN")
            defer { _ = try? f.db.execute("DROP ROLE IF EXISTS \(identifier: login)") }
            let url = try TestDatabase.url(of: f.database).replacingOccurrences(
                of: "user=postgres", with: "user=\(login)")
            let refused = try RelocCLI.run(
                ["remind", "run", "--as-of", "2014-12-01", "--database", url, "--channel", "jsonl:\(f.outbox)"],
                database: nil)
            #expect(
                refused.status == 77 && refused.stderr.contains("GRANT reloc_reminder TO \(login)"), "\(refused.stderr)"
            )
            try f.db.execute("GRANT reloc_reminder TO \(identifier: login)")
            defer { _ = try? f.db.execute("REVOKE reloc_reminder FROM \(identifier: login)") }
            let run = try RelocCLI.run(
                ["remind", "run", "--as-of", "2014-12-01", "--database", url, "--channel", "jsonl:\(f.outbox)"],
                database: nil)
            #expect(run.status == 0 && run.stdout.contains("planned 6, sent 6"), "\(run.stdout) \(run.stderr)")
            let history = try RelocCLI.run(["remind", "history", "--database", url, "--format", "csv"], database: nil)
            #expect(
                history.status == 0 && history.stdout.split(whereSeparator: \.isNewline).count == 7,
                "\(history.stdout) \(history.stderr)")
        }
    }
}
