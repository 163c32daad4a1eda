import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// Refusals PostgreSQL words itself (unique keys, CHECK backstops, table permissions) reach the
/// user in the register's words: the rule's message from `reloc.rule`, `[rule NAME]`, its hint.
@Suite("Error words, as a user reads them")
struct ErrorWordsTests {
    private func words(_ rule: String, _ db: String) throws -> String {
        try TestDatabase.connect(db).query("SELECT message FROM reloc.rule WHERE name = \(rule)").scalar(String.self)
            .replacingOccurrences(of: " (SQLSTATE 23505)", with: "")
    }

    private func expectRule(_ outcome: RelocCLI.Outcome, _ rule: String, _ db: String, taken: String) throws {
        #expect(outcome.status == 65, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(try words(rule, db)), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("[rule \(rule)]"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(taken), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("duplicate key"), "\(outcome.stderr)")
        #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
    }

    @Test func aTakenKeyIsReportedInTheRulesWords() throws {
        try TestDatabase.with(.jilin2014) { db in
            try expectRule(
                try RelocCLI.run(["plan", "add", "CC-KC", "--city", "CC", "--name", "again"], database: db),
                "plan_code_key", db, taken: "code CC-KC is taken")
            try expectRule(
                try RelocCLI.run(
                    ["park", "add", "BC-TBJK", "--name", "again", "--city", "BC", "--kind", "themed-park"], database: db
                ),
                "park_code_key", db, taken: "code BC-TBJK is taken")
            try expectRule(
                try RelocCLI.run(["org", "add", "CC", "--kind", "city", "--name", "又一个"], database: db),
                "organisation_code_key", db, taken: "code CC is taken")
            let uscc = "91220300MA0Y123454"
            let first = try RelocCLI.run(
                ["enterprise", "register", "--plan", "SP-TD", "--name", "甲", "--mode", "close", "--uscc", uscc],
                database: db)
            #expect(first.status == 0, "\(first.stderr)")
            try expectRule(
                try RelocCLI.run(
                    ["enterprise", "register", "--plan", "SP-TD", "--name", "乙", "--mode", "close", "--uscc", uscc],
                    database: db),
                "enterprise_uscc_key", db, taken: uscc)
            let task = try RelocCLI.run(["task", "add", "--number", "1", "--title", "again"], database: db)
            #expect(task.status == 65 && task.stderr.contains("[rule task_number_key]"), "\(task.stderr)")
            #expect(!task.stderr.contains("duplicate key"), "\(task.stderr)")
        }
    }

    /// A CHECK constraint enforced by PostgreSQL itself (here with the worded trigger out of the
    /// way) is reported with the rule's words, read from the database after the failure.
    @Test func aCheckBackstopIsReportedInTheRulesWords() throws {
        try TestDatabase.with(.jilin2014) { db in
            let admin = try TestDatabase.connect(db)
            try admin.execute("ALTER TABLE reloc.park DISABLE TRIGGER USER")
            var raised: PGError?
            do {
                try admin.execute(
                    "INSERT INTO reloc.park (code, name, city_id, kind) SELECT 'lower', 'p', id, 'themed-park' FROM reloc.organisation WHERE code = 'CC'"
                )
            } catch let error as PGError { raised = error }
            let error = try #require(raised)
            #expect(error.sqlState == "23514" && error.message.contains("violates check constraint"))
            let rules = DatabaseRuleBook(settings: DatabaseSettings(url: try TestDatabase.url(of: db)))
            let report = ErrorReport(error, rules: rules)
            #expect(report.status == .dataError)
            #expect(report.message.hasPrefix(try words(error.constraint ?? "", db)), "\(report.message)")
            #expect(report.message.contains("[rule \(error.constraint ?? "")]"))
            #expect(!report.message.contains("Failing row"))
            // Without a way to read the words, PostgreSQL's text is still said, never nothing.
            #expect(ErrorReport(error).message.contains("violates check constraint"))
        }
    }

    @Test func anExistingLoginIsInvalidDataInWords() throws {
        try TestDatabase.with(.jilin2014) { db in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-pw-\(UUID())")
            try "a-long-password\n".write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let outcome = try RelocCLI.run(
                ["user", "add", "postgres", "--org", "CC", "--password-file", file.path], database: db)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("a login or role named postgres already exists"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("choose another login name"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("42710"))
        }
    }

    @Test func aBadValueFoundWhileRunningIsOneUsageLine() throws {
        try TestDatabase.with(.jilin2014) { db in
            // (An unknown --mode is ArgumentParser's now, before running: see OptionWordsAndCreatedTests.)
            let outcome = try RelocCLI.run(
                ["enterprise", "import", "enterprises.csv", "--encoding", "bogus"], database: db)
            #expect(outcome.status == 64)
            #expect(
                outcome.stderr
                    == "reloc: --encoding must be utf-8 or gb18030 (got \"bogus\") (see reloc enterprise import --help)\n",
                "\(outcome.stderr)")
        }
    }

    @Test func aTableRefusalNamesTheThingAndWhoMay() throws {
        try TestDatabase.with(.jilin2014) { db in
            let park = try RelocCLI.run(
                ["park", "add", "CC-NEW", "--name", "新园", "--city", "CC", "--kind", "themed-park", "--as", "CC"],
                database: db)
            #expect(park.status == 77, "\(park.stderr)")
            #expect(park.stderr.contains("receiving parks") && park.stderr.contains("the province"), "\(park.stderr)")
            #expect(park.stderr.contains("--as ORG") && !park.stderr.contains("for table"), "\(park.stderr)")
            let site = try RelocCLI.run(
                ["site", "add", "--as", "SP", "--plan", "CC-KC", "--name", "越界", "--ha", "1"], database: db)
            #expect(site.status == 77, "\(site.stderr)")
            #expect(site.stderr.contains("vacated sites") && site.stderr.contains("--as ORG"), "\(site.stderr)")
            #expect(!site.stderr.contains("row-level security"), "\(site.stderr)")
        }
    }

    @Test func dbCommandsByAnOrdinaryLoginSayToUseTheAdministrator() throws {
        try TestDatabase.with(.jilin2014) { db in
            let login = "reloc_not_admin_\(UInt32.random(in: 0...UInt32.max))"
            let admin = try TestDatabase.connect(db)
            try admin.execute("CREATE ROLE \(identifier: login) LOGIN")
            defer { _ = try? admin.execute("DROP ROLE IF EXISTS \(identifier: login)") }
            let url = try TestDatabase.url(of: db).replacingOccurrences(of: "user=postgres", with: "user=\(login)")
            for command in [["db", "seed", "jilin-2014"], ["db", "migrate"]] {
                let outcome = try RelocCLI.run(command + ["--database", url], database: nil)
                #expect(outcome.status == 77, "\(outcome.stderr)")
                #expect(outcome.stderr.contains("database administrator"), "\(outcome.stderr)")
                #expect(outcome.stderr.contains(login), "\(outcome.stderr)")
            }
        }
    }
}
