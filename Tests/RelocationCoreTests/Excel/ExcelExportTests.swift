import Foundation
import RelocTestSupport
import Testing

/// `--format xlsx` (issue 17): every listing and `show` writes a real workbook, which openpyxl
/// reads back cell by cell equal to the same command's `--format json`, each cell of the type its
/// column has (numbers as numbers, dates as dates shown yyyy-mm-dd), a bold frozen header, sheets
/// named in Chinese.
@Suite("Excel out: --format xlsx")
struct ExcelExportTests {
    /// Reads the workbook and the JSON and compares them: a list is the first sheet's rows; an
    /// item is the first sheet's one row, and each nested list the next sheets in order. Prints
    /// the sheets' names and, per sheet, the columns whose cells were dates.
    static let compare = #"""
        import json, sys, datetime, openpyxl
        wb = openpyxl.load_workbook(sys.argv[1])
        expected = json.load(open(sys.argv[2]))
        def cell_value(cell):
            v = cell.value
            if isinstance(v, datetime.datetime):
                assert cell.number_format == 'yyyy-mm-dd', (cell.coordinate, cell.number_format)
                return v.date().isoformat()
            return v
        def same(cell, want, where):
            got = cell_value(cell)
            if isinstance(want, bool) or want is None:
                assert got == want, (where, got, want)
            elif isinstance(want, (int, float)):
                assert isinstance(got, (int, float)) and not isinstance(got, bool), (where, 'not a number', got, want)
                assert abs(got - want) <= 1e-9 * max(1, abs(want)), (where, got, want)
            elif isinstance(want, (list, dict)):
                assert json.loads(got) == want, (where, got, want)
            else:
                assert isinstance(got, str) and got == want, (where, got, want)
        def check(ws, keys, rows):
            header = [c.value for c in ws[1]]
            assert header == keys, (ws.title, header, keys)
            assert all(c.font.b for c in ws[1]), (ws.title, 'header not bold')
            assert ws.freeze_panes == 'A2', (ws.title, ws.freeze_panes)
            assert ws.max_row == len(rows) + 1 or (not rows and ws.max_row == 1), (ws.title, ws.max_row, len(rows))
            dates = set()
            for r, row in enumerate(rows, start=2):
                for c, key in enumerate(keys, start=1):
                    cell = ws.cell(r, c)
                    same(cell, row[key], (ws.title, cell.coordinate, key))
                    if cell.is_date: dates.add(key)
            print(ws.title, ','.join(sorted(dates)))
        sheets = wb.worksheets
        if isinstance(expected, list):
            keys = list(expected[0].keys()) if expected else [c.value for c in sheets[0][1]]
            check(sheets[0], keys, expected)
        else:
            item_keys = [c.value for c in sheets[0][1]]
            check(sheets[0], item_keys, [expected])
            sections = [k for k in expected if k not in item_keys]
            assert len(sheets) == 1 + len(sections), ([s.title for s in sheets], sections)
            for ws, key in zip(sheets[1:], sections):
                rows = expected[key]
                keys = list(rows[0].keys()) if rows else [c.value for c in ws[1]]
                check(ws, keys, rows)
        """#

    /// Writes `arguments` as xlsx and as JSON and compares; returns the checker's lines.
    static func roundTrip(_ fixture: ProgrammeFixture, _ arguments: [String]) throws -> [String] {
        let workbook = PythonTools.temporary("out.xlsx")
        let json = PythonTools.temporary("out.json")
        let asJSON = try fixture.cli(arguments + ["--format", "json"])
        #expect(asJSON.status == 0, "\(arguments): \(asJSON.stderr)")
        try Data(asJSON.stdout.utf8).write(to: URL(fileURLWithPath: json))
        let asXLSX = try fixture.cli(arguments + ["--format", "xlsx", "--output", workbook])
        #expect(asXLSX.status == 0, "\(arguments): \(asXLSX.stderr)")
        #expect(asXLSX.stdout.isEmpty && asXLSX.stderr.isEmpty, "\(arguments): progress or text off a terminal")
        return try PythonTools.script(compare, [workbook, json]).split(separator: "\n").map(String.init)
    }

    static let listings: [[String]] = [
        ["enterprise", "list"], ["plan", "list"], ["park", "list"], ["org", "list"], ["task", "list"],
        ["milestone", "list", "--as-of", "2015-01-05"], ["site", "list"], ["land", "quota", "list"],
        ["land", "usage"], ["land", "allocations"], ["milestone", "rules", "list"], ["remind", "rules", "list"],
        ["remind", "contact", "list"], ["remind", "history"], ["audit"], ["db", "status"],
    ]

    static let shows: [[String]] = [
        ["enterprise", "show", "1"], ["plan", "show", "SP-TD"], ["park", "show", "CC-ZBZZ"], ["task", "show", "1"],
        ["milestone", "show", "1"], ["remind", "status"],
    ]

    @Test func everyListingAndItemReadsBackAsItsJSON() throws {
        try ProgrammeFixture.with { fixture in
            for arguments in Self.listings + Self.shows {
                let lines = try Self.roundTrip(fixture, arguments)
                #expect(!lines.isEmpty, "\(arguments)")
            }
        }
    }

    @Test func sheetsAreNamedInChineseAndDatesAreDates() throws {
        try ProgrammeFixture.with { fixture in
            let enterprises = try Self.roundTrip(fixture, ["enterprise", "list"])
            #expect(enterprises.first?.hasPrefix("企业台账") == true, "\(enterprises)")
            let milestones = try Self.roundTrip(fixture, ["milestone", "list", "--as-of", "2015-01-05"])
            #expect(milestones == ["节点 as_of,due_on"], "\(milestones)")
            let quotas = try Self.roundTrip(fixture, ["land", "quota", "list"])
            #expect(quotas.first?.hasPrefix("用地指标") == true, "\(quotas)")
            let task = try Self.roundTrip(fixture, ["task", "show", "1"])
            #expect(task.map { String($0.split(separator: " ")[0]) } == ["任务", "责任部门", "节点", "进展记录"], "\(task)")
        }
    }

    /// Columns as wide as their text: a CJK name counts two per character.
    @Test func columnsFitChineseText() throws {
        try ProgrammeFixture.with { fixture in
            let path = PythonTools.temporary("widths.xlsx")
            let outcome = try fixture.cli(["enterprise", "list", "--format", "xlsx", "--output", path])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let widths = try PythonTools.script(
                """
                import sys, openpyxl, unicodedata
                ws = openpyxl.load_workbook(sys.argv[1]).active
                def width(text): return sum(2 if unicodedata.east_asian_width(ch) in 'WF' else 1 for ch in str(text))
                for column in range(1, ws.max_column + 1):
                    letter = openpyxl.utils.get_column_letter(column)
                    longest = max(width(ws.cell(r, column).value or '') for r in range(1, ws.max_row + 1))
                    assert ws.column_dimensions[letter].width >= min(longest, 60), (letter, longest)
                print(ws.column_dimensions['B'].width)
                """, [path])
            #expect((Double(widths.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 10, "\(widths)")
        }
    }

    /// A workbook goes to a file (or to a pipe), never to a terminal; --output only with xlsx; a
    /// create command refuses xlsx before it creates anything.
    @Test func aWorkbookNeedsAFile() throws {
        try ProgrammeFixture.with { fixture in
            let onTerminal = try PythonTools.run(
                "/usr/bin/script",
                [
                    "-qec",
                    "DATABASE_URL='\(try TestDatabase.url(of: fixture.database))' '\(try RelocCLI.binary().path)' org list --format xlsx",
                    "/dev/null",
                ])
            #expect(onTerminal.status == 64, "\(onTerminal.stdout)")
            #expect(onTerminal.stdout.contains("give --output FILE.xlsx"), "\(onTerminal.stdout)")
            let piped = try fixture.cli(["org", "list", "--format", "xlsx"])
            #expect(piped.status == 0 && piped.stdout.hasPrefix("PK"), "\(piped.stderr)")
            let textToFile = try fixture.cli(["org", "list", "--format", "json", "--output", "x.json"])
            #expect(textToFile.status == 64 && textToFile.stderr.contains("--output writes a workbook"))
            let before = try fixture.admin().query("SELECT count(*) FROM reloc.enterprise").scalar(Int.self)
            let create = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "表格企业", "--mode", "close",
                "--format", "xlsx", "--output", PythonTools.temporary("created.xlsx"),
            ])
            #expect(create.status == 64 && create.stderr.contains("prints what it created"), "\(create.stderr)")
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.enterprise").scalar(Int.self) == before)
        }
    }

    /// On a terminal an export of many rows shows its progress on stderr and erases it at the
    /// end; --quiet shows none.
    @Test func progressOnATerminalOnly() throws {
        try ProgrammeFixture.with { fixture in
            let url = try TestDatabase.url(of: fixture.database)
            let binary = try RelocCLI.binary().path
            let path = PythonTools.temporary("progress.xlsx")
            let shown = try PythonTools.run(
                "/usr/bin/script",
                ["-qec", "DATABASE_URL='\(url)' '\(binary)' audit --format xlsx --output '\(path)'", "/dev/null"])
            #expect(shown.status == 0, "\(shown.stdout)")
            #expect(shown.stdout.contains("rows written") && shown.stdout.contains("\r\u{1B}[K"), "\(shown.stdout)")
            let quiet = try PythonTools.run(
                "/usr/bin/script",
                [
                    "-qec", "DATABASE_URL='\(url)' '\(binary)' audit --format xlsx --quiet --output '\(path)'",
                    "/dev/null",
                ])
            #expect(quiet.status == 0 && !quiet.stdout.contains("rows written"), "\(quiet.stdout)")
        }
    }

    /// LibreOffice opens the workbook and renders its first page (an artifact under
    /// .build/artifacts); skipped, saying so, where LibreOffice is not installed (CI: too big).
    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/libreoffice"),
            "LibreOffice is not installed: the rendering of a workbook is not checked here"))
    func libreOfficeRendersTheWorkbook() throws {
        try ProgrammeFixture.with { fixture in
            let folder = PythonTools.root.appendingPathComponent(".build/artifacts")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let workbook = folder.appendingPathComponent("enterprises.xlsx").path
            let outcome = try fixture.cli(["enterprise", "list", "--format", "xlsx", "--output", workbook])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let converted = try PythonTools.run(
                "/usr/bin/libreoffice", ["--headless", "--convert-to", "pdf", "--outdir", folder.path, workbook])
            #expect(converted.status == 0, "\(converted.stderr)")
            let pdf = folder.appendingPathComponent("enterprises.pdf").path
            #expect(FileManager.default.fileExists(atPath: pdf))
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftoppm") {
                let rendered = try PythonTools.run(
                    "/usr/bin/pdftoppm",
                    ["-png", "-r", "80", "-f", "1", "-l", "1", pdf, folder.appendingPathComponent("enterprises").path])
                #expect(rendered.status == 0, "\(rendered.stderr)")
            }
        }
    }
}
