import Foundation
import RelocTestSupport
import Testing
import Workbook

@testable import reloc

/// Issue 17, "Performance": an export of a large register in bounded memory. The listings read
/// their rows a batch at a time (a cursor: PGRowSource) and write each one at once, so the command's
/// peak memory does not grow with the register; the workbook's shared-string table is bounded,
/// texts beyond it written inline. Memory is measured, never time (timings are `make bench`'s).
@Suite("Large exports in bounded memory")
struct LargeExportTests {
    /// The peak resident set of one run of reloc, in bytes (the kernel's ru_maxrss of the child).
    static func peak(_ fixture: ProgrammeFixture, _ arguments: [String]) throws -> Int {
        let outcome = try PythonTools.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import os, resource, subprocess, sys
                env = dict(os.environ, DATABASE_URL=sys.argv[1])
                done = subprocess.run(sys.argv[2:], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                if done.returncode != 0: sys.exit(done.stderr.decode())
                print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
                """,
                try TestDatabase.url(of: fixture.database), try RelocCLI.binary().path,
            ] + arguments)
        #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
        return Int(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// A workbook, and CSV (JSON is written by the same code: streamedTextIsTheRenderedText).
    static let exports: [[String]] = [
        ["enterprise", "list", "--format", "xlsx", "--output", PythonTools.temporary("large.xlsx")],
        ["enterprise", "list", "--format", "csv"],
    ]

    /// 20,000 enterprises with names of 190 characters: held at once (the result, its rows, the
    /// workbook's strings, the CSV text), they take well over 50 MB; read a batch at a time, the
    /// command's peak grows by a few MB over that of the seeded register's dozen enterprises.
    @Test func aLargeRegisterExportsInBoundedMemory() throws {
        try ProgrammeFixture.with { fixture in
            let small = try Self.exports.map { try Self.peak(fixture, $0) }
            try fixture.admin().execute(
                """
                INSERT INTO reloc.enterprise (plan_id, name, mode, industry)
                SELECT p.id, '大型企业' || g || repeat('名', 180), 'close', '机械制造'
                FROM reloc.plan p, generate_series(1, 20000) AS g WHERE p.code = 'SP-TD'
                """)
            for (arguments, before) in zip(Self.exports, small) {
                let growth = try Self.peak(fixture, arguments) - before
                #expect(before > 0, "\(arguments): measured")
                #expect(growth < 30_000_000, "\(arguments): peak memory grew by \(growth / 1_000_000) MB")
            }
        }
    }

    /// The streamed JSON and CSV are the very bytes a held listing renders, with rows and without.
    @Test func streamedTextIsTheRenderedText() throws {
        var listing = Listing(columns: [
            .init("id", kind: .integer), .init("name"), .init("on", kind: .date), .init("ok", kind: .bool),
        ])
        let empty = listing
        for index in 0..<5 {
            listing.append([
                .integer(index), .text("企业 \"\(index)\",\r\n"), index == 2 ? .null : .text("2015-01-0\(index + 1)"),
                .bool(index % 2 == 0),
            ])
        }
        for held in [listing, empty] {
            for format in [OutputFormat.json, .csv] {
                var streamed = ""
                try StreamedText.write(ListingRows(held), format) { streamed += $0 }
                #expect(streamed == held.render(format), "\(format), \(held.rows.count) rows")
            }
        }
    }

    /// A listing larger than the text held in memory (a megabyte) is spooled, and the sink gets
    /// its bytes only once every row has been read: the very bytes a held listing renders, and
    /// nothing at all when the rows fail part-way (review of issue 17: a CSV cut off after its
    /// 1,241st row looked complete).
    @Test func aListingThatFailsPartWayWritesNothing() throws {
        struct LostConnection: Error {}
        var listing = Listing(columns: [.init("id", kind: .integer), .init("name")])
        for index in 0..<30_000 {
            listing.append([.integer(index), .text("企业\(index) " + String(repeating: "名", count: 40))])
        }
        for format in [OutputFormat.json, .csv] {
            var streamed: [String] = []
            try StreamedText.write(ListingRows(listing), format) { streamed.append($0) }
            #expect(streamed.count > 2, "\(format): spooled and written in pieces")
            #expect(streamed.joined() == listing.render(format), "\(format)")

            let failing = ListingRows(
                read: { columns, row in
                    try columns(listing.columns)
                    for (index, values) in listing.rows.enumerated() {
                        if index == 25_000 { throw LostConnection() }
                        try row(values)
                    }
                }, count: { listing.rows.count })
            var written = ""
            #expect(throws: LostConnection.self) { try StreamedText.write(failing, format) { written += $0 } }
            #expect(written.isEmpty, "\(format): \(written.utf8.count) bytes written before the failure")
        }
    }

    /// An `--output` that cannot be written is the user's to fix (64, saying what to do), found
    /// before the database is read — not an internal error (70).
    @Test func anOutputThatCannotBeWrittenIsAUsageError() throws {
        try ProgrammeFixture.with { fixture in
            let folder = PythonTools.temporary("output-folder")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (output, words) in [("/nonexistent-reloc/x.xlsx", "there is no folder"), (folder, "is a folder")] {
                let outcome = try fixture.cli([
                    "enterprise", "list", "--format", "xlsx", "--output", output, "--as", "JL",
                ])
                #expect(outcome.status == 64, "\(output): \(outcome.stderr)")
                #expect(outcome.stderr.contains(words), "\(output): \(outcome.stderr)")
            }
        }
    }

    /// Once the shared-string table is full, a new text is written inline in its cell; texts
    /// already in the table stay shared. openpyxl and reloc's own reader read both alike.
    @Test func textsBeyondTheSharedTableAreWrittenInline() throws {
        let path = PythonTools.temporary("inline.xlsx")
        let writer = try WorkbookWriter(path: path, sharedStrings: .init(texts: 3, bytes: 1 << 20))
        let texts = (0..<8).map { ["长春", "吉林", " 四平 ", "企业\($0)", "a&b<c>", "  "][$0 % 6] + String($0 / 6) }
        try writer.sheet("企业台账", columns: [.init("name", width: 10), .init("n", width: 4)]) { sheet in
            for (index, text) in texts.enumerated() { try sheet.append([.text(text), .integer(index)]) }
        }
        try writer.finish()
        let read = try WorkbookReader(path: path).sheet(named: nil)
        #expect(read.rows.dropFirst().map { $0.cells[0] } == texts.map { ReadCell.text($0) })
        let checked = try PythonTools.script(
            """
            import json, sys, zipfile, openpyxl
            ws = openpyxl.load_workbook(sys.argv[1]).active
            assert [c.value for c in ws[1]] == ['name', 'n'], [c.value for c in ws[1]]
            assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == json.loads(sys.argv[2])
            sheet = zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode()
            print(sheet.count('t="inlineStr"'), sheet.count('t="s"'))
            """, [path, String(decoding: try JSONEncoder().encode(texts), as: UTF8.self)])
        // The table holds the two headers and the first text; the other seven texts are inline.
        #expect(checked.trimmingCharacters(in: .whitespacesAndNewlines) == "7 3", "\(checked)")
    }
}
