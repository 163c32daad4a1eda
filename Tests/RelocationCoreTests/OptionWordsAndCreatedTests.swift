import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// One parser for every enumerated option (case-insensitive, the Chinese terms the help shows),
/// a whole-number option given a negative number is a bad value (65) saying what is wanted, and
/// every create command prints what it created in the format asked (docs/output.md).
@Suite("Option words and what create commands print")
struct OptionWordsAndCreatedTests {
    @Test func enumeratedOptionsReadCaseAndTheChineseTermsAlike() throws {
        try LandFixture.with { fixture in
            let db = fixture.database
            for arguments in [
                ["enterprise", "list", "--status", "REGISTERED"],
                ["enterprise", "list", "--mode", "CLOSE"],
                ["plan", "list", "--status", "Drafting"],
                ["site", "list", "--state", "SURVEYED"],
                ["task", "list", "--status", "正常推进"],
                ["task", "list", "--status", "Blocked"],
            ] {
                let outcome = try RelocCLI.run(arguments, database: db)
                #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            }
            _ = try fixture.quota(hectares: "10")
            let allocated = try RelocCLI.run(
                [
                    "land", "allocate", "--as", "CC", "--from", "CC", "--year", "2015", "--project", "道路", "--ha", "1",
                    "--supply", "招拍挂", "--on", "2015-06-01", "--doc", "d",
                ], database: db)
            #expect(allocated.status == 0, "\(allocated.stderr)")
            let supply = try fixture.admin().query(
                "SELECT supply::text FROM reloc.land_allocation WHERE project = '道路'"
            ).scalar(String.self)
            #expect(supply == "tender")
            let progress = try RelocCLI.run(
                ["task", "progress", "1", "--as", "JL", "--percent", "10", "--status", "正常", "--note", "n"],
                database: db)
            #expect(progress.status == 0, "\(progress.stderr)")
            let unknown = try RelocCLI.run(["enterprise", "list", "--status", "nonsense"], database: db)
            #expect(unknown.status == 64 && unknown.stderr.contains("Please provide one of"), "\(unknown.stderr)")
        }
    }

    @Test(arguments: [
        (["task", "list", "--due-within", "-1"], "a number of days, 0 or more"),
        (["milestone", "list", "--due-within", "-1"], "a number of days, 0 or more"),
        (["audit", "--limit", "-1"], "0 (all) or more"),
        (["remind", "history", "--limit", "-1"], "0 (all) or more"),
    ])
    func aNegativeCountIsABadValueSayingWhatIsWanted(arguments: [String], words: String) throws {
        let outcome = try RelocCLI.run(arguments, database: nil)
        #expect(outcome.status == 65, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(words), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("Missing value"), "\(outcome.stderr)")
    }

    /// JSON `{"key": value}`, CSV a header and the row, each ended by CR LF; for every create command.
    @Test func everyCreateCommandPrintsWhatItCreatedInTheFormatAsked() throws {
        try LandFixture.with { fixture in
            let db = fixture.database
            _ = try fixture.quota(hectares: "10")
            var allocation = 0
            func create(_ arguments: [String], key: String) throws {
                for format in ["json", "csv"] {
                    var arguments = arguments + ["--format", format]
                    if arguments.contains("allocate") {
                        allocation += 1
                        arguments += ["--project", "项目\(allocation)"]
                    }
                    // A new code or name per format; a new city per plan (one plan without a district).
                    let unique = arguments.map {
                        $0.replacingOccurrences(of: "UNIQUE", with: "\(format.uppercased())9")
                            .replacingOccurrences(of: "CITY", with: format == "json" ? "SY" : "BC")
                    }
                    let outcome = try RelocCLI.run(unique, database: db)
                    #expect(outcome.status == 0, "\(unique): \(outcome.stderr)")
                    if format == "json" {
                        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
                        #expect(object?.keys.sorted() == [key], "\(unique): \(outcome.stdout)")
                    } else {
                        let lines = outcome.stdout.components(separatedBy: "\r\n")
                        #expect(
                            lines.count == 3 && lines[0] == key && !lines[1].isEmpty && lines[2].isEmpty,
                            "\(unique): \(outcome.stdout.debugDescription)")
                    }
                }
            }
            try create(
                [
                    "land", "allocate", "--as", "CC", "--from", "CC", "--year", "2015", "--ha", "0.1", "--supply",
                    "tender", "--on", "2015-06-01", "--doc", "d",
                ], key: "id")
            try create(
                ["land", "quota", "add", "--as", "JL", "--holder", "CC", "--year", "2016", "--ha", "1", "--doc", "d"],
                key: "id")
            try create(
                ["enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "UNIQUE", "--mode", "close"],
                key: "id")
            try create(["site", "add", "--as", "SP", "--plan", "SP-TD", "--name", "UNIQUE", "--ha", "1"], key: "id")
            try create(["task", "progress", "1", "--as", "JL", "--percent", "10", "--note", "n"], key: "id")
            try create(
                ["milestone", "add", "--as", "JL", "--plan", "SP-TD", "--title", "t", "--due", "2030-01-01"], key: "id")
            try create(["milestone", "progress", "1", "--as", "JL", "--percent", "10", "--note", "n"], key: "id")
            try create(["task", "add", "--as", "JL", "--title", "UNIQUE"], key: "number")
            try create(
                ["park", "add", "UNIQUE", "--as", "JL", "--name", "UNIQUE", "--city", "SP", "--kind", "themed-park"],
                key: "code")
            try create(
                ["org", "add", "JL-UNIQUE", "--as", "JL", "--name", "UNIQUE", "--kind", "department"], key: "code")
            try create(["plan", "add", "CITY-UNIQUE", "--as", "JL", "--city", "CITY", "--name", "UNIQUE"], key: "code")
        }
    }
}
