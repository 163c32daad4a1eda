import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// Output that programs read: CSV is RFC 4180 (checked by Python's csv module), JSON is always
/// valid (checked by Python's json module, NaN refused), one rule per format for booleans, and a
/// `show` with sections gives every section in CSV too.
@Suite("CSV and JSON, as their readers parse them")
struct ReaderFormatTests {
    /// Runs python3 on `script` with `input` on stdin; returns stdout, failing on a non-zero status.
    static func python(_ script: String, input: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(String(decoding: errors, as: UTF8.self))")
        return String(decoding: output, as: UTF8.self)
    }

    /// Python's csv reader gives back each field; printed as JSON so Swift compares exactly.
    static let csvToJSON =
        "import csv, io, json, sys; print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode('utf-8'), newline='')))))"
    /// json.loads refusing NaN/Infinity (a bare NaN is not JSON); prints the parsed value back.
    static let strictJSON =
        "import json, sys\ndef bad(c): raise ValueError('not JSON: ' + c)\nprint(json.dumps(json.loads(sys.stdin.read(), parse_constant=bad)))"

    static func rows(_ csv: String) throws -> [[String]] {
        try JSONDecoder().decode([[String]].self, from: Data(try python(csvToJSON, input: csv).utf8))
    }

    @Test func everyAwkwardFieldRoundTripsThroughPythonsCSVReader() throws {
        let awkward = [
            "a\r\nb", "crlf at end\r\n", "lone\rcr", "lf\nonly", "comma, here", "a \"quote\"", "plain", "中文",
        ]
        var listing = Listing(columns: [.init("name"), .init("flag")])
        for (index, text) in awkward.enumerated() { listing.append([.text(text), .bool(index % 2 == 0)]) }
        let rows = try Self.rows(listing.render(.csv))
        #expect(rows.count == awkward.count + 1)
        #expect(rows.dropFirst().map { $0[0] } == awkward)
        // Booleans: true/false in CSV as in JSON (yes/no is the table's, for people).
        #expect(rows.dropFirst().map { $0[1] } == awkward.indices.map { $0 % 2 == 0 ? "true" : "false" })
        #expect(listing.render(.table).contains("yes"))
    }

    @Test func numericNaNAndInfinityAreStillValidJSON() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let result = try db.query(
                "SELECT 'NaN'::numeric AS a, 'Infinity'::numeric AS b, '-Infinity'::numeric AS c, 1.50::numeric AS d, -2::numeric AS e"
            )
            let json = try Listing(result).render(.json)
            let parsed = try Self.python(Self.strictJSON, input: json)
            #expect(parsed.contains("\"a\": \"NaN\""), "\(parsed)")
            #expect(parsed.contains("\"b\": \"Infinity\"") && parsed.contains("\"c\": \"-Infinity\""), "\(parsed)")
            #expect(parsed.contains("\"d\": 1.5") && parsed.contains("\"e\": -2"), "\(parsed)")
        }
    }

    @Test func showWithSectionsGivesEverySectionInCSV() throws {
        try TestDatabase.with(.jilin2014) { db in
            let task = try RelocCLI.run(["task", "show", "1", "--format", "csv"], database: db)
            #expect(task.status == 0, "\(task.stderr)")
            let rows = try Self.rows(task.stdout)
            #expect(rows.first == ["section", "row", "field", "value"])
            #expect(rows.allSatisfy { $0.count == 4 })
            let sections = Set(rows.dropFirst().map { $0[0] })
            #expect(sections.isSuperset(of: ["item", "assignments"]), "\(sections)")
            #expect(rows.contains(["item", "1", "number", "1"]))
            // The seeded plan's key projects hold line breaks: one field still.
            let plan = try RelocCLI.run(["plan", "show", "JLS-HDW", "--format", "csv"], database: db)
            #expect(plan.status == 0, "\(plan.stderr)")
            let planRows = try Self.rows(plan.stdout)
            let projects = planRows.first { $0[0] == "item" && $0[2] == "key_projects" }
            #expect(projects?[3].contains("\n") == true, "\(planRows)")
            let milestone = try RelocCLI.run(["milestone", "show", "1", "--format", "csv"], database: db)
            #expect(milestone.status == 0, "\(milestone.stderr)")
            #expect(try Self.rows(milestone.stdout).first == ["section", "row", "field", "value"])
        }
    }
}
