import Foundation
import LibPQClient

/// `reloc task progress-import FILE.csv`: many progress reports on key tasks at once, all or
/// nothing, by the same rules and permissions as `reloc task progress N` (a department reports
/// only on tasks assigned to it; the province on any). The lines are copied into a temporary
/// staging table and checked set-based by the database as the acting organisation
/// (reloc.import_progress_reports, 0014); every bad line is named, and nothing is recorded if one is.
public struct ProgressImport {
    /// The CSV header, in any order; `task` and `note` are required. `evidence`: document numbers
    /// (文号) separated by `;` or `；`. Without a percent, status done means 100; without a status,
    /// 100 is done and anything else on-track.
    public static let columns = ["task", "percent", "status", "note", "evidence"]
    public static let requiredColumns = ["task", "note"]

    public enum Outcome: Sendable, Equatable {
        case recorded(count: Int)
        case rejected([ImportBadLine])
    }

    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// `source`: the file's name, so the header's errors read `FILE:1: …` like the lines'.
    public func run(csv text: String, source: String? = nil) throws -> Outcome {
        let file = try CSVImportFile(
            text, columns: ProgressImport.columns, required: ProgressImport.requiredColumns, source: source)
        do {
            return try db.withTransaction { tx in
                try tx.execute("SELECT reloc.create_progress_import_staging()")
                var copy: SQLQuery = "COPY pg_temp.progress_import (line_no"
                for name in file.names { copy.append(", \(identifier: name)") }
                copy.append(") FROM STDIN")
                let rows = file.records.lazy.map { record -> [String?] in
                    [String(record.line)] + record.fields.map { Optional($0) }
                }
                try tx.copyIn(into: copy, rows: rows)
                let bad = try tx.query("SELECT line_no, reason FROM reloc.import_progress_reports() ORDER BY line_no")
                    .decode((Int, String).self).map { ImportBadLine(line: $0, reason: $1) }
                if bad.isEmpty && file.bad.isEmpty { return .recorded(count: file.records.count) }
                throw Rejected(lines: file.bad + bad)  // rolls the transaction back: nothing is recorded
            }
        } catch let rejected as Rejected {
            return .rejected(rejected.lines.sorted { $0.line < $1.line })
        }
    }

    /// `encoding`: UTF-8 (default) or GB18030/GBK, as Excel saves CSV in Chinese (CSVFile).
    public func run(file path: String, encoding: CSVEncoding = .utf8) throws -> Outcome {
        try run(csv: try CSVFile.text(of: path, encoding: encoding), source: path)
    }

    struct Rejected: Error {
        let lines: [ImportBadLine]
    }
}
