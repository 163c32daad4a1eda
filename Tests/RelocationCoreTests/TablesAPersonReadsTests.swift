import Foundation
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// Tables a person reads (issue 13; docs/output.md): the words of statuses, modes, kinds … by their
/// Chinese names (English with RELOC_LANG=en) from the one source (Words/, reloc.term), a curated
/// set of columns within 120 terminal columns, `--columns` to choose; JSON and CSV keep every key
/// and the codes.
@Suite("Tables a person reads")
struct TablesAPersonReadsTests {
    static let listings: [[String]] = [
        ["enterprise", "list"], ["plan", "list"], ["park", "list"], ["org", "list"], ["task", "list"],
        ["milestone", "list"], ["site", "list"], ["land", "quota", "list"], ["land", "usage"],
        ["land", "allocations"], ["remind", "rules", "list"], ["remind", "contact", "list"],
        ["remind", "history"], ["milestone", "rules", "list"],
    ]

    static func run(_ arguments: [String], _ db: String, language: String = "zh") throws -> RelocCLI.Outcome {
        let outcome = try RelocCLI.run(
            arguments + ["--as", "JL"], database: db, environment: ["RELOC_LANG": language])
        #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
        return outcome
    }

    /// The seed's enterprises have no mode (the opinion gives none, issue 14): the first is given one.
    static func relocateTheFirst(_ db: String) throws {
        _ = try run(["enterprise", "edit", "1", "--mode", "relocate", "--park", "CC-ZBZZ"], db)
    }

    @Test func statusesAndModesReadInChineseOrEnglishWhileJSONAndCSVKeepTheCodes() throws {
        try TestDatabase.with(.jilin2014) { db in
            try Self.relocateTheFirst(db)
            let zh = try Self.run(["enterprise", "list"], db).stdout
            #expect(zh.contains("异地迁建") && zh.contains("已登记") && zh.contains("未知"), "\(zh)")
            #expect(!zh.contains("relocate") && !zh.contains("registered"), "\(zh)")
            let tasks = try Self.run(["task", "list"], db).stdout
            #expect(tasks.contains("未报告") && !tasks.contains("not-reported"), "\(tasks)")
            let english = try Self.run(["task", "list"], db, language: "en").stdout
            #expect(english.contains("not reported") && !english.contains("未报告"), "\(english)")

            let json = try Self.run(["enterprise", "list", "--format", "json"], db).stdout
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            #expect(rows.first?.count == 21, "every key: \(rows.first?.keys.sorted() ?? [])")
            #expect(rows.first?["mode"] as? String == "relocate")
            #expect(rows.dropFirst().allSatisfy { $0["mode"] is NSNull && $0["status"] as? String == "registered" })
            let csv = try Self.run(["task", "list", "--format", "csv"], db).stdout
            #expect(csv.contains(",not-reported,") && !csv.contains("未报告"), "\(csv)")

            let record = try Self.run(["enterprise", "show", "1"], db).stdout
            #expect(record.contains("异地迁建") && record.contains("已登记") && !record.contains("relocate"), "\(record)")
            let object = try Self.run(["enterprise", "show", "1", "--format", "json"], db).stdout
            #expect(object.contains("\"mode\": \"relocate\"") && !object.contains("异地迁建"), "\(object)")
        }
    }

    @Test func everyListingsTableFitsA120ColumnTerminal() throws {
        try TestDatabase.with(.jilin2014) { db in
            for listing in Self.listings {
                for language in ["zh", "en"] {
                    let lines = try Self.run(listing, db, language: language).stdout.split(separator: "\n")
                    let widest = lines.map { DisplayWidth.of(String($0)) }.max() ?? 0
                    #expect(widest <= 120, "\(listing) (\(language)) is \(widest) columns wide")
                }
            }
        }
    }

    @Test func columnsChoosesTheColumnsInEveryFormat() throws {
        try TestDatabase.with(.jilin2014) { db in
            try Self.relocateTheFirst(db)
            let table = try Self.run(["enterprise", "list", "--columns", "name,mode,uscc"], db).stdout
            #expect(
                table.hasPrefix("name  ") && table.split(separator: "\n")[0].hasSuffix("mode      uscc"), "\(table)")
            #expect(table.contains("异地迁建"), "\(table)")
            let json = try Self.run(["enterprise", "list", "--columns", "name,mode", "--format", "json"], db).stdout
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
            #expect(rows.allSatisfy { $0.keys.sorted() == ["mode", "name"] })
            #expect(rows.first?["mode"] as? String == "relocate" && rows.last?["mode"] is NSNull)
            let csv = try Self.run(["plan", "list", "--columns", "status,code", "--format", "csv"], db).stdout
            #expect(csv.hasPrefix("status,code\r\ndrafting,"), "\(csv)")
        }
    }

    @Test(arguments: [["--columns", "name,bogus"], ["--columns", ""], ["--columns", " , "]])
    func anUnknownColumnIsUsageNamingTheColumnsThereAre(columns: [String]) throws {
        try TestDatabase.with(.jilin2014) { db in
            let outcome = try RelocCLI.run(["enterprise", "list"] + columns, database: db)
            #expect(outcome.status == 64, "\(outcome.stderr)")
            #expect(
                outcome.stderr.contains("this listing has: id, name, city, plan, mode, status"), "\(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
        }
    }

    /// The create commands OptionWordsAndCreatedTests does not cover print by the same rule: the
    /// created key in JSON (an object) and CSV (a header and one row); a webhook contact also its
    /// signing secret, shown only then; the table keeps its sentence.
    @Test func userAndContactAddPrintWhatTheyCreatedInTheFormatAsked() throws {
        try TestDatabase.with(.jilin2014) { db in
            for format in ["table", "json", "csv"] {
                let login = "words_\(format)_\(UUID().uuidString.prefix(8).lowercased().filter(\.isLetter))"
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(login).pw")
                try "secret-\(login)\n".write(to: file, atomically: true, encoding: .utf8)
                defer {
                    try? FileManager.default.removeItem(at: file)
                    if let admin = try? TestDatabase.connect(db) {
                        _ = try? admin.execute("DROP ROLE IF EXISTS \(identifier: login)")
                    }
                }
                let user = try Self.run(
                    ["user", "add", login, "--org", "SP", "--password-file", file.path, "--format", format], db)
                let email = try Self.run(
                    ["remind", "contact", "add", "SP", "--email", "\(login)@sp.gov.cn", "--format", format], db)
                let webhook = try Self.run(
                    ["remind", "contact", "add", "SP", "--webhook", "https://h.cn/\(login)", "--format", format], db)
                switch format {
                case "json":
                    #expect(try Self.keys(user.stdout) == ["login"], "\(user.stdout)")
                    #expect(try Self.keys(email.stdout) == ["id"], "\(email.stdout)")
                    #expect(try Self.keys(webhook.stdout) == ["id", "secret"], "\(webhook.stdout)")
                case "csv":
                    #expect(user.stdout == "login\r\n\(login)\r\n", "\(user.stdout.debugDescription)")
                    #expect(email.stdout.hasPrefix("id\r\n") && email.stdout.split(separator: "\r\n").count == 2)
                    #expect(
                        webhook.stdout.hasPrefix("id,secret\r\n") && webhook.stdout.split(separator: "\r\n").count == 2)
                default:
                    #expect(user.stdout == "created login \(login) in SP\n", "\(user.stdout)")
                    #expect(email.stdout.hasPrefix("added contact "), "\(email.stdout)")
                    #expect(webhook.stdout.contains("signing secret (shown only now"), "\(webhook.stdout)")
                }
            }
        }
    }

    static func keys(_ json: String) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?.keys.sorted() ?? []
    }
}
