import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Messages that say what is so: whose plan it is (not "CC-KC (CC)" twice), why a renamed body
/// gets no login (not the rule about circular successions), which enterprise holds a USCC.
@Suite("Messages in the register's words")
struct MessageWordsTests {
    @Test func aRenamedBodyGetsNoLoginAndIsToldWhy() throws {
        try TestDatabase.with(.jilin2014) { db in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-pw-\(UUID())")
            try "a-long-password\n".write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let outcome = try RelocCLI.run(
                ["user", "add", "wang_gtt", "--org", "JL-GTT", "--password-file", file.path], database: db)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("has been succeeded by JL-ZRT"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("create the login in the successor organisation"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("never runs in a circle"), "\(outcome.stderr)")
        }
    }

    @Test func aTakenUSCCNamesTheEnterpriseHoldingIt() throws {
        try TestDatabase.with(.jilin2014) { db in
            let uscc = "91220300MA0Y123454"
            let first = try RelocCLI.run(
                [
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "甲厂", "--mode", "close",
                    "--uscc", uscc,
                ],
                database: db)
            #expect(first.status == 0, "\(first.stderr)")
            let id = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let second = try RelocCLI.run(
                [
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "乙厂", "--mode", "close",
                    "--uscc", uscc,
                ],
                database: db)
            #expect(second.status == 65, "\(second.stderr)")
            #expect(second.stderr.contains("[rule enterprise_uscc_key]"), "\(second.stderr)")
            #expect(second.stderr.contains("held by enterprise \(id) 甲厂 (plan SP-TD)"), "\(second.stderr)")
        }
    }

    @Test func aPlanOfADistrictSaysDistrictAndCity() throws {
        try TestDatabase.with(.jilin2014) { db in
            let outcome = try RelocCLI.run(
                ["enterprise", "register", "--as", "SP", "--plan", "CC-KC", "--name", "越界企业", "--mode", "close"],
                database: db)
            #expect(outcome.status == 77, "\(outcome.stderr)")
            #expect(
                outcome.stderr.contains("plan CC-KC belongs to the district CC-KC of the city CC"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("CC-KC (CC)"), "\(outcome.stderr)")
        }
    }
}
