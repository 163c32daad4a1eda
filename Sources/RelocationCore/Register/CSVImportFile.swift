import Foundation

/// A line of an import file that cannot be recorded, and why (`FILE:LINE: reason`).
public struct ImportBadLine: Sendable, Equatable {
    public let line: Int
    public let reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }
}

/// The part of an all-or-nothing CSV import that is the file's, shared by `enterprise import` and
/// `task progress-import`: the header checked against the columns (a bad header stops the import),
/// and the records of the header's width, with every malformed or misshapen line collected as bad
/// (not only the first), so the database can still check the rest and all are reported at once.
struct CSVImportFile {
    /// The header's columns, trimmed and in lower case, in the file's order.
    let names: [String]
    let records: [CSVReader.Record]
    let bad: [ImportBadLine]

    /// `source`: the file's name, so the header's errors read `FILE:1: …` like the rows'.
    init(_ text: String, columns: [String], required: [String], source: String?) throws {
        func at(_ line: Int) -> String { source.map { "\($0):\(line):" } ?? "line \(line):" }
        let reading = CSVReader.read(text)
        let bad = reading.failures.map { failure in
            switch failure {
            case .unterminatedQuote(let line):
                ImportBadLine(
                    line: line, reason: "a quoted field is never closed (the rest of the file could not be read)")
            case .textAfterQuote(let line): ImportBadLine(line: line, reason: "text after a closing quote")
            }
        }
        guard let header = reading.records.first else {
            if let failure = bad.first {
                throw RelocError.invalidInput("\(at(failure.line)) \(failure.reason); nothing was imported")
            }
            throw RelocError.invalidInput("\(at(1)) the file is empty (no header row); nothing was imported")
        }
        if header.line != 1, let failure = bad.first(where: { $0.line < header.line }) {
            throw RelocError.invalidInput("\(at(failure.line)) the header: \(failure.reason); nothing was imported")
        }
        let checked = try Self.check(
            header: header, rows: reading.records.dropFirst(), columns: columns, required: required, at: at)
        self.names = checked.names
        self.records = checked.records
        self.bad = bad + checked.bad
    }

    /// A file read some other way (a workbook's sheet, `WorkbookImportFile`): its header record,
    /// its rows, and the rows already found bad; `at` names a row (`FILE.xlsx:Sheet!7:`).
    init(
        header: CSVReader.Record, rows: [CSVReader.Record], bad: [ImportBadLine], columns: [String],
        required: [String], at: (Int) -> String
    ) throws {
        let checked = try Self.check(header: header, rows: rows[...], columns: columns, required: required, at: at)
        self.names = checked.names
        self.records = checked.records
        self.bad = bad + checked.bad
    }

    /// The header checked against the columns, and the rows of its width (the others bad).
    private static func check(
        header: CSVReader.Record, rows: ArraySlice<CSVReader.Record>, columns: [String], required: [String],
        at: (Int) -> String
    ) throws -> (names: [String], records: [CSVReader.Record], bad: [ImportBadLine]) {
        let line = header.line
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let unknown = names.first(where: { !columns.contains($0) }) {
            throw RelocError.invalidInput(
                "\(at(line)) unknown column \"\(unknown)\"; the columns are \(columns.joined(separator: ", "))"
            )
        }
        if let missing = required.first(where: { !names.contains($0) }) {
            throw RelocError.invalidInput("\(at(line)) the header lacks the required column \"\(missing)\"")
        }
        if let twice = names.enumerated().first(where: { names[..<$0.offset].contains($0.element) })?.element {
            throw RelocError.invalidInput("\(at(line)) the column \"\(twice)\" appears twice in the header")
        }
        var bad: [ImportBadLine] = []
        var wellShaped: [CSVReader.Record] = []
        for record in rows {
            if record.fields.count == names.count {
                wellShaped.append(record)
            } else {
                bad.append(
                    ImportBadLine(
                        line: record.line, reason: "has \(record.fields.count) fields, the header has \(names.count)"))
            }
        }
        return (names, wellShaped, bad)
    }
}
