import Foundation
import Workbook

/// A sheet of an .xlsx workbook as an import file (issue 17): its header row and rows, each cell
/// as the text the CSV import reads. Numbers and dates come from typed cells as well as from text
/// (a number as written, a date as `yyyy-mm-dd`, a boolean as true/false); a formula gives its
/// saved result. What cannot be read is a bad row, named by the sheet's own row number: an error
/// value (`#DIV/0!`), a formula never computed (written by a program, not a spreadsheet), a value
/// beyond the header's last column. Empty rows are skipped, as blank lines in a CSV file; a title
/// row above the header (one text merged across the columns, as 台账 often have) is skipped too.
struct WorkbookImportFile {
    let sheet: String
    let file: CSVImportFile

    init(path: String, sheet name: String?, columns: [String], required: [String]) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RelocError.notFound("no file \(path)")
        }
        if isDirectory.boolValue { throw RelocError.invalidInput("\(path) is a directory, not a workbook") }
        let sheet: ReadSheet
        do {
            sheet = try WorkbookReader(path: path, partLimit: Self.partLimit).sheet(named: name)
        } catch let error as WorkbookError {
            throw RelocError.invalidInput("\(error.description); nothing was imported")
        }
        self.sheet = sheet.name
        func at(_ row: Int) -> String { "\(path):\(sheet.name)!\(row):" }
        var rows = sheet.rows[...]
        if let first = rows.first, Self.isTitle(first, merged: sheet.merged) { rows = rows.dropFirst() }
        guard let headerRow = rows.first else {
            throw RelocError.invalidInput("\(at(1)) the sheet is empty (no header row); nothing was imported")
        }
        let width = (headerRow.cells.lastIndex { $0 != .empty } ?? -1) + 1
        var header: [String] = []
        for (index, cell) in headerRow.cells.prefix(width).enumerated() {
            guard case .success(let text) = Self.text(cell, column: index, row: headerRow.number) else {
                throw RelocError.invalidInput(
                    "\(at(headerRow.number)) the header's cell \(ColumnLetters.of(index))\(headerRow.number) is not a column name; nothing was imported"
                )
            }
            header.append(text)
        }
        var records: [CSVReader.Record] = []
        var bad: [ImportBadLine] = []
        for row in rows.dropFirst() {
            var fields: [String] = []
            var reasons: [String] = []
            for (index, cell) in row.cells.enumerated() {
                if index >= width {
                    if cell != .empty {
                        reasons.append(
                            "cell \(ColumnLetters.of(index))\(row.number) has a value beyond the header's last column")
                    }
                    continue
                }
                switch Self.text(cell, column: index, row: row.number) {
                case .success(let text): fields.append(text)
                case .failure(let reason): reasons.append(reason.text)
                }
            }
            if fields.count < width { fields += Array(repeating: "", count: width - fields.count) }
            if reasons.isEmpty {
                records.append(CSVReader.Record(line: row.number, fields: fields))
            } else {
                bad.append(ImportBadLine(line: row.number, reason: reasons.joined(separator: "; ")))
            }
        }
        file = try CSVImportFile(
            header: CSVReader.Record(line: headerRow.number, fields: header), rows: records, bad: bad,
            columns: columns, required: required, at: at)
    }

    /// The most bytes a part may inflate to: WorkbookReader's 256 MB, or less when
    /// `RELOC_XLSX_PART_LIMIT` says so (a lower cap only; the tests use it to check the cap).
    static var partLimit: Int {
        let given = ProcessInfo.processInfo.environment["RELOC_XLSX_PART_LIMIT"].flatMap { Int($0) }
        return min(given ?? WorkbookReader.defaultPartLimit, WorkbookReader.defaultPartLimit)
    }

    struct Unreadable: Error {
        let text: String
    }

    static func text(_ cell: ReadCell, column: Int, row: Int) -> Result<String, Unreadable> {
        let name = "\(ColumnLetters.of(column))\(row)"
        switch cell {
        case .empty: return .success("")
        case .text(let text), .number(let text), .date(let text): return .success(text)
        case .bool(let flag): return .success(flag ? "true" : "false")
        case .error(let value): return .failure(Unreadable(text: "cell \(name) holds the error value \(value)"))
        case .formulaWithoutValue(let formula):
            return .failure(
                Unreadable(
                    text:
                        "cell \(name) holds a formula (=\(formula)) whose result was never saved: open and save the workbook in Excel or WPS, or type the value"
                ))
        }
    }

    /// One text cell merged across two columns or more, alone on the sheet's first row: a title.
    static func isTitle(_ row: SheetRow, merged: [ReadSheet.Range]) -> Bool {
        let filled = row.cells.indices.filter { row.cells[$0] != .empty }
        guard filled.count == 1, let column = filled.first else { return false }
        return merged.contains {
            $0.firstRow <= row.number && row.number <= $0.lastRow && $0.firstColumn == column
                && $0.lastColumn > $0.firstColumn
        }
    }
}
