import Foundation
import RelocTestSupport
import Testing

/// `enterprise import FILE.xlsx` (issue 17): workbooks made by openpyxl (an independent writer)
/// import like CSV files — all or nothing, each bad row named `FILE.xlsx:Sheet!ROW` — with numbers
/// from typed cells and from text, a formula's saved result, a merged title row, an empty row in
/// the middle; a file that is no workbook is refused with 65 in bounded memory.
@Suite("Excel in: enterprise import FILE.xlsx")
struct ExcelImportTests {
    static func count(_ fixture: ProgrammeFixture) throws -> Int {
        try fixture.admin().query("SELECT count(*) FROM reloc.enterprise").scalar(Int.self)
    }

    /// A workbook of enterprises for SP-TD: a merged title row, the header, typed and text numbers,
    /// an empty row, a formula (given a saved result when `cached`, as a spreadsheet saves it).
    static func workbook(formula: String = "40+2", cached: String? = "42", extra: [String] = []) throws -> String {
        let path = PythonTools.temporary("企业.xlsx")
        try PythonTools.script(
            #"""
            import sys, zipfile, shutil, openpyxl
            path, formula, cached = sys.argv[1], sys.argv[2], sys.argv[3]
            wb = openpyxl.Workbook()
            ws = wb.active
            ws.title = '企业台账'
            ws.append(['四平铁东区搬迁企业台账'])
            ws.merge_cells('A1:F1')
            ws.append(['plan', 'name', 'mode', 'employees', 'site_ha', 'listed_in_plan'])
            ws.append(['SP-TD', '表格甲厂', 'close', 120, 2.5, True])
            ws.append([])
            ws.append(['SP-TD', '表格乙厂', '依法关停', '80', '1.25', '否'])
            ws.append(['SP-TD', '表格丙厂', 'close', '=' + formula, None, None])
            for extra in sys.argv[4:]:
                ws.append(extra.split('|'))
            other = wb.create_sheet('第二页')
            other.append(['plan', 'name', 'mode'])
            other.append(['SP-TD', '第二页企业', 'close'])
            wb.save(path)
            if cached != '-':
                # A spreadsheet saves a formula with its result; openpyxl cannot compute it.
                tmp = path + '.tmp'
                with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as dst:
                    for item in src.infolist():
                        data = src.read(item.filename)
                        if item.filename == 'xl/worksheets/sheet1.xml':
                            text = data.decode()
                            assert '<f>' + formula + '</f><v></v>' in text or '<f>' + formula + '</f><v />' in text, text
                            text = text.replace('<f>' + formula + '</f><v></v>', '<f>' + formula + '</f><v>' + cached + '</v>')
                            text = text.replace('<f>' + formula + '</f><v />', '<f>' + formula + '</f><v>' + cached + '</v>')
                            data = text.encode()
                        dst.writestr(item, data)
                shutil.move(tmp, path)
            """#, [path, formula, cached ?? "-"] + extra)
        return path
    }

    @Test func aWorkbookImportsWithTypedCellsTextNumbersAndASavedFormula() throws {
        try ProgrammeFixture.with { fixture in
            let path = try Self.workbook()
            let outcome = try fixture.cli(["enterprise", "import", path, "--as", "SP"])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout == "imported 3 enterprises from \(path)\n", "\(outcome.stdout)")
            let rows = try fixture.admin().query(
                """
                SELECT name, coalesce(employees::text, ''), coalesce(site_area_ha::text, ''), coalesce(listed_in_plan::text, 'unknown')
                FROM reloc.enterprise WHERE name LIKE '表格%' ORDER BY name
                """
            ).decode((String, String, String, String).self)
            #expect(rows.map(\.0) == ["表格丙厂", "表格乙厂", "表格甲厂"].sorted())
            let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0) })
            #expect(byName["表格甲厂"]?.1 == "120" && byName["表格甲厂"]?.2.hasPrefix("2.5") == true)
            #expect(byName["表格甲厂"]?.3 == "true" && byName["表格乙厂"]?.3 == "false")
            #expect(byName["表格乙厂"]?.1 == "80" && byName["表格乙厂"]?.2.hasPrefix("1.25") == true)
            #expect(byName["表格丙厂"]?.1 == "42", "the formula's saved result")
            #expect(byName["表格丙厂"]?.3 == "unknown", "an empty cell is unknown (issue 14), not no")
        }
    }

    @Test func aFormulaNeverComputedFailsNamingItsRowAndNothingIsWritten() throws {
        try ProgrammeFixture.with { fixture in
            let path = try Self.workbook(cached: nil, extra: ["SP-TD|表格丁厂|bogus"])
            let before = try Self.count(fixture)
            let outcome = try fixture.cli(["enterprise", "import", path, "--as", "SP"])
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("\(path):企业台账!6: cell D6 holds a formula (=40+2)"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("\(path):企业台账!7: "), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("2 bad row(s)"), "\(outcome.stderr)")
            #expect(try Self.count(fixture) == before, "a partial write")
        }
    }

    @Test func aSheetChosenByName() throws {
        try ProgrammeFixture.with { fixture in
            let path = try Self.workbook()
            let chosen = try fixture.cli(["enterprise", "import", path, "--sheet", "第二页", "--as", "SP"])
            #expect(chosen.status == 0 && chosen.stdout.contains("imported 1 enterprises"), "\(chosen.stderr)")
            let missing = try fixture.cli(["enterprise", "import", path, "--sheet", "无此页", "--as", "SP"])
            #expect(missing.status == 65 && missing.stderr.contains("its sheets are 企业台账, 第二页"), "\(missing.stderr)")
            let csvSheet = try fixture.cli(["enterprise", "import", "x.csv", "--sheet", "a", "--as", "SP"])
            #expect(csvSheet.status == 64, "\(csvSheet.stderr)")
        }
    }

    /// Not a zip, a zip without the workbook's parts, a zip bomb (a sheet that inflates to 1 GB):
    /// each refused with 65 and a reason, the bomb before it fills the memory.
    @Test func aMalformedWorkbookIsRefusedInBoundedMemory() throws {
        try ProgrammeFixture.with { fixture in
            let notZip = PythonTools.temporary("not-a-zip.xlsx")
            try Data("plan,name,mode\n".utf8).write(to: URL(fileURLWithPath: notZip))
            let missing = PythonTools.temporary("missing.xlsx")
            let bomb = PythonTools.temporary("bomb.xlsx")
            try PythonTools.script(
                #"""
                import sys, zipfile, openpyxl
                missing, bomb = sys.argv[1], sys.argv[2]
                with zipfile.ZipFile(missing, 'w') as z:
                    z.writestr('[Content_Types].xml', '<Types/>')
                    z.writestr('docProps/app.xml', '<Properties/>')
                wb = openpyxl.Workbook(); wb.active.append(['plan', 'name', 'mode']); wb.save(bomb + '.src')
                with zipfile.ZipFile(bomb + '.src') as src, zipfile.ZipFile(bomb, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
                    for item in src.infolist():
                        if item.filename != 'xl/worksheets/sheet1.xml':
                            dst.writestr(item, src.read(item.filename))
                    with dst.open('xl/worksheets/sheet1.xml', 'w', force_zip64=True) as sheet:
                        sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                        block = b' ' * (1 << 20)
                        for _ in range(1024):
                            sheet.write(block)
                """#, [missing, bomb])
            let before = try Self.count(fixture)
            for (path, words) in [
                (notZip, "not an .xlsx workbook (not a ZIP archive)"), (missing, "not a complete workbook: it lacks"),
                (bomb, "inflates to more than 256 MB"),
            ] {
                var usage = rusage()
                let outcome = try fixture.cli(["enterprise", "import", path, "--as", "SP"])
                #expect(outcome.status == 65, "\(path): \(outcome.stderr)")
                #expect(outcome.stderr.contains(words), "\(path): \(outcome.stderr)")
                #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
                getrusage(Int32(RUSAGE_CHILDREN.rawValue), &usage)
                // The largest child so far (KB): far below the 1 GB the bomb inflates to.
                #expect(usage.ru_maxrss < 400_000, "peak RSS \(usage.ru_maxrss) KB")
            }
            #expect(try Self.count(fixture) == before)
        }
    }

    /// The streaming reader itself: a sheet whose declared size is small but inflates past the
    /// cap is stopped at the cap (the header may lie), with the sheet's text in pieces.
    @Test func theCapHoldsWhateverTheHeaderSays() throws {
        try ProgrammeFixture.with { fixture in
            let path = try Self.workbook(extra: (1...300).map { "SP-TD|填充\($0)|close" })
            // The sheet's declared size forged to 100 bytes, in the local header and the central directory.
            try PythonTools.script(
                #"""
                import sys, struct, zipfile
                path = sys.argv[1]
                data = bytearray(open(path, 'rb').read())
                info = zipfile.ZipFile(path).getinfo('xl/worksheets/sheet1.xml')
                assert info.file_size > 9000, info.file_size
                name = b'xl/worksheets/sheet1.xml'
                local = info.header_offset
                struct.pack_into('<I', data, local + 22, 100)
                central = data.find(b'PK\x01\x02' + data[local + 4:local + 6])
                while central >= 0 and data[central + 46:central + 46 + len(name)] != name:
                    central = data.find(b'PK\x01\x02', central + 4)
                struct.pack_into('<I', data, central + 24, 100)
                open(path, 'wb').write(bytes(data))
                """#, [path])
            let outcome = try fixture.cli(
                ["enterprise", "import", path, "--as", "SP"], environment: ["RELOC_XLSX_PART_LIMIT": "8000"])
            #expect(
                outcome.status == 65 && outcome.stderr.contains("sheet1.xml inflates to more than 8000 bytes"),
                "\(outcome.stderr)")
        }
    }

    /// The template fills in and imports as it is.
    @Test func theTemplateImports() throws {
        try ProgrammeFixture.with { fixture in
            let path = PythonTools.temporary("模板.xlsx")
            let made = try fixture.cli(["template", "enterprises", "--format", "xlsx", "--output", path])
            #expect(made.status == 0, "\(made.stderr)")
            let sheets = try PythonTools.script(
                #"""
                import sys, openpyxl
                wb = openpyxl.load_workbook(sys.argv[1])
                print('|'.join(ws.title for ws in wb))
                print(','.join(c.value for c in wb.worksheets[0][1]))
                notes = wb.worksheets[1]
                print('\n'.join(' '.join(str(v) for v in row) for row in notes.iter_rows(min_row=2, values_only=True)))
                ws = wb.worksheets[0]
                header = [c.value for c in ws[1]]
                row = [''] * len(header)
                row[header.index('plan')], row[header.index('name')], row[header.index('mode')] = 'SP-TD', '模板企业', '依法关停'
                ws.append(row)
                wb.save(sys.argv[1])
                """#, [path])
            let lines = sheets.split(separator: "\n").map(String.init)
            #expect(lines.first == "企业导入|填写说明")
            #expect(
                lines.dropFirst().first
                    == "plan,name,mode,park,industry,high_risk,uscc,site_ha,site_mu,employees,surplus_workers,capacity,new_capacity,listed_in_plan,priority"
            )
            #expect(sheets.contains("relocate（异地迁建）") && sheets.contains("hazardous（危险品）"), "\(sheets)")
            let imported = try fixture.cli(["enterprise", "import", path, "--as", "SP"])
            #expect(imported.status == 0, "\(imported.stderr)")
            let csv = try fixture.cli(["template", "enterprises", "--format", "csv"])
            #expect(csv.stdout.hasPrefix("plan,name,mode,park,") && csv.stdout.hasSuffix("listed_in_plan,priority\r\n"))
            let json = try fixture.cli(["template", "enterprises", "--format", "json"])
            #expect(json.status == 64, "\(json.stderr)")
        }
    }

    /// On a terminal an import shows its progress and erases it; nothing extra otherwise.
    @Test func importProgressOnATerminalOnly() throws {
        try ProgrammeFixture.with { fixture in
            var text = "plan,name,mode\n"
            for number in 1...600 { text += "SP-TD,进度企业\(number),close\n" }
            let path = PythonTools.temporary("progress.csv")
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let shown = try PythonTools.run(
                "/usr/bin/script",
                [
                    "-qec",
                    "DATABASE_URL='\(try TestDatabase.url(of: fixture.database))' '\(try RelocCLI.binary().path)' enterprise import '\(path)' --as SP",
                    "/dev/null",
                ])
            #expect(shown.status == 0, "\(shown.stdout)")
            #expect(shown.stdout.contains("/600 rows copied") && shown.stdout.contains("\r\u{1B}[K"), "\(shown.stdout)")
            let piped = try fixture.cli(["enterprise", "import", path, "--as", "SP"])
            #expect(!piped.stderr.contains("rows copied"), "\(piped.stderr)")
        }
    }
}
