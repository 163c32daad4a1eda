import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// The words a user reads and the exit codes do not depend on the server's language: with
/// `lc_messages = 'zh_CN.UTF-8'` PostgreSQL's own sentences are Chinese, and reloc still decides
/// from SQLSTATE, constraint names and our own DETAIL/HINT. The server needs the zh_CN.UTF-8
/// locale when it starts (deploy/local-postgres.sh start generates it).
@Suite("Error words with a server speaking Chinese")
struct ServerLanguageTests {
    static func inChinese<T>(_ body: (String) throws -> T) throws -> T {
        try TestDatabase.with(.jilin2014) { db in
            let admin = try TestDatabase.connect(db)
            do {
                try admin.execute(SQLQuery(unsafeSQL: "ALTER DATABASE \"\(db)\" SET lc_messages = 'zh_CN.UTF-8'"))
            } catch let error as PGError {
                Issue.record(
                    "the server lacks the zh_CN.UTF-8 locale (\(error.message)): restart it after `deploy/local-postgres.sh start` generated the locale"
                )
                throw error
            }
            // The precondition: PostgreSQL's own text is no longer English.
            var raised: PGError?
            do { try TestDatabase.connect(db).execute("SELECT 1/0") } catch let error as PGError { raised = error }
            let message = try #require(raised).message
            #expect(message.unicodeScalars.contains { $0.value >= 0x4E00 }, "not translated: \(message)")
            return try body(db)
        }
    }

    @Test func aTakenKeyIsStillInTheRulesWords() throws {
        try Self.inChinese { db in
            let outcome = try RelocCLI.run(["plan", "add", "CC-KC", "--city", "CC", "--name", "again"], database: db)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("[rule plan_code_key]"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("code CC-KC is taken"), "\(outcome.stderr)")
        }
    }

    @Test func anotherCitysPlanIsStillSaidWhoseItIs() throws {
        try Self.inChinese { db in
            let outcome = try RelocCLI.run(
                ["enterprise", "register", "--as", "SP", "--plan", "CC-KC", "--name", "越界企业", "--mode", "close"],
                database: db)
            #expect(outcome.status == 77, "\(outcome.stderr)")
            #expect(
                outcome.stderr.contains("plan CC-KC belongs to the district CC-KC of the city CC"), "\(outcome.stderr)")
        }
    }

    @Test func aMilestonesDateIsStillTheProvincesWord() throws {
        try Self.inChinese { db in
            let siping = try TestDatabase.connect(db).query(
                "SELECT m.id FROM reloc.milestone m JOIN reloc.plan p ON p.id = m.plan_id WHERE p.code = 'SP-TD' ORDER BY m.id LIMIT 1"
            ).scalar(Int64.self)
            let moved = try RelocCLI.run(
                ["--as", "SP", "milestone", "edit", "\(siping)", "--due", "2016-01-01"], database: db)
            #expect(moved.status == 77, "\(moved.stderr)")
            #expect(moved.stderr.contains("only the province changes a milestone's"), "\(moved.stderr)")
        }
    }

    @Test func aTableRefusalStillNamesWhatAndWhoMay() throws {
        try Self.inChinese { db in
            let siping = try TestDatabase.connect(db, actingAs: "SP")
            var raised: PGError?
            do {
                try siping.execute(
                    "INSERT INTO reloc.park (code, name, city_id, kind) SELECT 'SP-X', 'x', id, 'themed-park' FROM reloc.organisation WHERE code = 'SP'"
                )
            } catch let error as PGError { raised = error }
            let error = try #require(raised)
            #expect(error.sqlState == "42501")
            #expect(!error.message.contains("permission denied"), "the server spoke English: \(error.message)")
            // The words are the database's (rule park_writers, 0017), read as the CLI reads them.
            let rules = DatabaseRuleBook(settings: DatabaseSettings(url: try TestDatabase.url(of: db)))
            let report = ErrorReport(error, rules: rules)
            #expect(report.status == .noPermission)
            #expect(report.message.contains("receiving parks (they are written by the province)"), "\(report.message)")
            #expect(report.message.contains("[rule park_writers]"), "\(report.message)")
            #expect(report.message.contains("act as an organisation that may do this (--as ORG)"), "\(report.message)")
        }
    }
}
