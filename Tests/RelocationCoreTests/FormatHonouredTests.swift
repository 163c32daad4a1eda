import Foundation
import RelocTestSupport
import Testing

/// `--format` is shared by every command (declared on the root): a command either prints records
/// in that format or refuses a non-table one with 64, never ignores it (issue 13's review).
@Suite("--format: honoured or refused by every command")
struct FormatHonouredTests {
    /// The commands that print records (a list, an item, the id or code an add creates).
    static let printingRecords: Set<String> = [
        "audit", "db status", "enterprise register", "enterprise list", "enterprise show", "land quota add",
        "land quota list", "land allocate", "land usage", "land allocations", "milestone list", "milestone show",
        "milestone add", "milestone progress", "milestone rules list", "org list", "org add", "park list",
        "park show", "park add", "plan list", "plan show", "plan add", "remind rules list", "remind contact add",
        "remind contact list", "remind status", "remind history", "site list", "site show", "site add",
        "site history", "task list", "task show", "task add", "task progress", "user add",
        "ack list", "ack task", "ack milestone", "calendar list", "calendar workdays", "calendar add-days",
        "supervision settings",
        "extension request", "extension list", "review list", "review kinds list",
        "board", "bulletin draft", "bulletin list", "bulletin show", "evaluation compute", "evaluation list",
        "evaluation weights show",
        "milestone ical-feed create", "milestone ical-feed list",
    ]

    /// The commands that create a row and print its key: they refuse --format xlsx (issue 17).
    static let printingCreated: Set<String> = [
        "enterprise register", "land quota add", "land allocate", "milestone add", "milestone progress", "org add",
        "park add", "plan add", "remind contact add", "site add", "task add", "task progress", "user add",
        "milestone ical-feed create",
    ]

    /// Commands that write a file of their own kind (xlsx or csv) and refuse other formats.
    static let writingFiles: Set<String> = ["template enterprises"]

    /// The arguments `--help`'s USAGE line requires, each given a value that parses ("1", a date).
    static func requiredArguments(_ path: [String]) throws -> [String] {
        let help = try RelocCLI.run(path + ["--help"], database: nil).stdout
        let usage = help.components(separatedBy: "\n\n").first { $0.hasPrefix("USAGE:") } ?? ""
        var depth = 0
        var required = ""
        for character in usage.dropFirst("USAGE: reloc".count) {
            if character == "[" {
                depth += 1
            } else if character == "]" {
                depth -= 1
            } else if depth == 0 {
                required.append(character)
            }
        }
        var words = required.split(whereSeparator: \.isWhitespace).map(String.init)
        words.removeFirst(path.count)
        let dates: Set<String> = ["--on", "--due", "--as-of", "--since", "--until", "--from"]
        let given = choices[path.joined(separator: " ")] ?? []
        var arguments: [String] = []
        var skipping = false
        for word in words {
            // An option the choices give (`--to`) is given there, with its value.
            if skipping || given.contains(word) {
                skipping = !skipping
                continue
            }
            guard word.hasPrefix("<") else {
                arguments.append(word)
                continue
            }
            arguments.append(arguments.last.map(dates.contains) == true ? "2014-12-31" : "1")
        }
        return arguments + given
    }

    /// Choices the USAGE line leaves optional but the command needs (one of them), and fixed words.
    static let choices: [String: [String]] = [
        "enterprise advance": ["--to", "relocating"], "plan advance": ["--to", "consultation"],
        "milestone rules set": ["--none"], "site remediate": ["--done"],
        "enterprise correct": ["--step", "relocating"], "plan correct": ["--step", "approved"],
        "extension request": ["--to", "2030-06-30"],
        "evaluation adjust": ["--rating", "poor"], "evaluation weights set": ["--good", "90"],
    ]

    @Test func everyCommandHonoursOrRefusesAFormat() throws {
        let leaves = try DocumentedCommandsTests.tree.get().leaves.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(leaves.count > 60)
        var honoured: Set<String> = []
        for leaf in leaves {
            let name = leaf.joined(separator: " ")
            let arguments =
                leaf + (try Self.requiredArguments(leaf)) + [
                    "--format", "json", "--database", "postgresql://127.0.0.1:1/none?connect_timeout=1",
                ]
            let outcome = try RelocCLI.run(arguments, database: nil)
            let refused = outcome.status == 64 && outcome.stderr.contains("--format: `reloc \(name)` prints a sentence")
            if Self.writingFiles.contains(name) {
                #expect(outcome.status == 64 && outcome.stderr.contains("--format:"), "\(name): \(outcome.stderr)")
            } else if Self.printingRecords.contains(name) {
                honoured.insert(name)
                #expect(!outcome.stderr.contains("--format:"), "\(arguments): \(outcome.stderr)")
            } else {
                #expect(refused, "reloc \(name) neither prints records nor refuses --format json: \(outcome.stderr)")
            }
        }
        #expect(honoured == Self.printingRecords)
    }

    /// Issue 17: every listing and item takes --format xlsx --output FILE; a create command and a
    /// sentence command refuse it (64) before touching the database.
    @Test func everyListingAcceptsAWorkbook() throws {
        let leaves = try DocumentedCommandsTests.tree.get().leaves.sorted { $0.lexicographicallyPrecedes($1) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-\(UUID()).xlsx").path
        var refusedCreates = 0
        for leaf in leaves {
            let name = leaf.joined(separator: " ")
            guard !Self.writingFiles.contains(name) else { continue }
            let arguments =
                leaf + (try Self.requiredArguments(leaf)) + [
                    "--format", "xlsx", "--output", path, "--database",
                    "postgresql://127.0.0.1:1/none?connect_timeout=1",
                ]
            let outcome = try RelocCLI.run(arguments, database: nil)
            // The database is unreachable: a command that reached it (69) did not refuse.
            if Self.printingCreated.contains(name) {
                #expect(outcome.status != 69 && outcome.status != 0, "\(name) took a workbook: \(outcome.stderr)")
                if outcome.stderr.contains("prints what it created") { refusedCreates += 1 }
            } else if Self.printingRecords.contains(name) {
                #expect(
                    !outcome.stderr.contains("--format") && !outcome.stderr.contains("--output"),
                    "\(name) refused a workbook: \(outcome.stderr)")
            } else {
                #expect(
                    outcome.status == 64 && outcome.stderr.contains("prints a sentence"), "\(name): \(outcome.stderr)")
            }
        }
        // Those whose made-up arguments parse reach the refusal (the others stop at parsing).
        #expect(refusedCreates >= 4, "\(refusedCreates)")
        #expect(Self.printingCreated.isSubset(of: Self.printingRecords))
    }

    @Test func aSentenceCommandRefusesAFormatWherEverItStands() throws {
        for arguments in [
            ["db", "migrate", "--format", "csv"],
            ["--format", "json", "--as", "CC", "plan", "advance", "CC-KC", "--to", "consultation"],
            ["remind", "run", "--dry-run", "--format", "JSON"],
        ] {
            let outcome = try RelocCLI.run(arguments, database: nil)
            #expect(outcome.status == 64, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains("prints a sentence, not records"), "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(arguments): \(outcome.stderr)")
        }
    }

    /// docs/output.md: a choice option reads in any case and width, --format too.
    @Test func aFormatInAnyCase() throws {
        try TestDatabase.with(.jilin2014) { db in
            for spelling in ["JSON", "Json", "ｊｓｏｎ"] {
                let outcome = try RelocCLI.run(["org", "list", "--format", spelling], database: db)
                #expect(outcome.status == 0, "\(spelling): \(outcome.stderr)")
                #expect(outcome.stdout.hasPrefix("["), "\(spelling): \(outcome.stdout)")
            }
        }
    }

    @Test func columnsNamedTwiceOrEmptyAreRefused() throws {
        try TestDatabase.with(.jilin2014) { db in
            for (columns, words) in [("code,code", "named twice"), ("code,,name", "empty"), ("code,", "empty")] {
                let outcome = try RelocCLI.run(["org", "list", "--format", "json", "--columns", columns], database: db)
                #expect(outcome.status == 64, "\(columns): \(outcome.stderr)")
                #expect(outcome.stderr.contains(words), "\(columns): \(outcome.stderr)")
            }
        }
    }

    /// Every exit code the CLI uses is listed in `reloc --help`, 75 (try later) too.
    @Test func helpListsEveryExitCode() throws {
        let help = try RelocCLI.run(["--help"], database: nil).stdout.replacingOccurrences(of: "\n", with: " ")
        for code in ["0 ok", "64", "65", "69", "70", "75", "77"] {
            #expect(help.contains(code), "\(code) missing from: \(help)")
        }
    }
}

/// The review of issue 13's merged round: a milestone's state in the reader's language, and
/// full-width folding that leaves free text as typed.
@Suite("Review: milestone states labelled, free text not folded")
struct CLIReviewTests {
    @Test func aMilestonesStateIsLabelledLikeEveryCode() throws {
        try ProgrammeFixture.with { fixture in
            let arguments = ["milestone", "list", "--as-of", "2015-01-05", "--overdue", "--columns", "id,state"]
            let zh = try fixture.cli(arguments)
            #expect(zh.status == 0, "\(zh.stderr)")
            #expect(zh.stdout.contains("已逾期") && !zh.stdout.contains("overdue"), "\(zh.stdout)")
            let en = try fixture.cli(arguments, environment: ["RELOC_LANG": "en"])
            #expect(en.stdout.contains("overdue") && !en.stdout.contains("已逾期"), "\(en.stdout)")
            let json = try fixture.cli(arguments + ["--format", "json"])
            #expect(json.stdout.contains("\"state\": \"overdue\""), "\(json.stdout)")
        }
    }

    /// ＴＣＬ is a name: kept as typed; a full-width plan code and number still fold.
    @Test func fullWidthFreeTextStaysAsTyped() throws {
        try TestDatabase.with(.jilin2014) { db in
            let outcome = try RelocCLI.run(
                [
                    "enterprise", "register", "--as", "ＳＰ", "--plan", "ＳＰ－ＴＤ", "--name", "ＴＣＬ", "--mode", "close",
                ], database: db)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let shown = try RelocCLI.run(
                [
                    "enterprise", "show", outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--format",
                    "json",
                ],
                database: db)
            #expect(shown.stdout.contains("\"name\": \"ＴＣＬ\""), "\(shown.stdout)")
            let plan = try RelocCLI.run(["plan", "show", "ＳＰ－ＴＤ", "--format", "json"], database: db)
            #expect(plan.status == 0 && plan.stdout.contains("\"code\": \"SP-TD\""), "\(plan.stderr)")
        }
    }
}
