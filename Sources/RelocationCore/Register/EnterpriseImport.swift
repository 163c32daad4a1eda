import Foundation
import LibPQClient

/// `reloc enterprise import FILE.csv`: all or nothing. The rows are copied into a temporary
/// staging table, checked set-based by the database as the acting organisation (so its
/// row-level security applies), and inserted in one statement only if no row is bad.
public struct EnterpriseImport {
    /// The CSV header, in any order; `plan` and `name` are required, the rest optional (an empty or
    /// missing `mode` is unknown, issue 14, not a guess).
    public static let columns = [
        "plan", "name", "mode", "park", "industry", "high_risk", "uscc", "site_ha", "site_mu", "employees",
        "surplus_workers", "capacity", "new_capacity", "listed_in_plan", "priority",
    ]
    public static let requiredColumns = ["plan", "name"]

    public typealias BadRow = ImportBadLine

    public enum Outcome: Sendable, Equatable {
        case imported(count: Int)
        case rejected([BadRow])
    }

    let db: PGConnection
    /// Called as rows are copied to the database (rows done, of the total): the CLI's progress.
    public var progress: ((_ done: Int, _ total: Int) -> Void)? = nil

    public init(_ db: PGConnection) { self.db = db }

    /// `source`: the file's name, so the header's errors read `FILE:1: …` like the rows'.
    public func run(csv text: String, source: String? = nil) throws -> Outcome {
        // Every bad row is reported, not the first: malformed lines and rows of the wrong width
        // are collected by CSVImportFile, the rest are still staged and checked by the database,
        // and nothing is written if any row of the file is bad.
        let file = try CSVImportFile(
            text, columns: EnterpriseImport.columns, required: EnterpriseImport.requiredColumns, source: source)
        do {
            return try stageCheckAndInsert(names: file.names, records: file.records, alreadyBad: file.bad)
        } catch let rejected as Rejected {
            return .rejected(rejected.rows.sorted { $0.line < $1.line })
        }
    }

    private func stageCheckAndInsert(names: [String], records: [CSVReader.Record], alreadyBad: [BadRow]) throws
        -> Outcome
    {
        try db.withTransaction { tx in
            try Registrants.require(tx)
            try tx.execute("SELECT reloc.create_enterprise_import_staging()")
            var copy: SQLQuery = "COPY pg_temp.enterprise_import (line_no"
            for name in names { copy.append(", \(identifier: name)") }
            copy.append(") FROM STDIN")
            let total = records.count
            let progress = self.progress
            let rows = records.lazy.enumerated().map { index, record -> [String?] in
                progress?(index + 1, total)
                return [String(record.line)]
                    + zip(names, record.fields).map { Optional(Spellings.importField($0, $1)) }
            }
            try tx.copyIn(into: copy, rows: rows)
            let bad = try tx.query("SELECT line_no, reason FROM reloc.import_enterprises() ORDER BY line_no")
            if bad.rows.isEmpty && alreadyBad.isEmpty {
                return .imported(count: records.count)
            }
            let holders = try usccHolders(tx)
            let badRows = try bad.decode((Int, String).self).map { line, reason in
                BadRow(line: line, reason: holders[line].map { "\(reason) — \($0)" } ?? reason)
            }
            throw Rejected(rows: alreadyBad + badRows)  // rolls the transaction back: nothing is written
        }
    }

    /// Which enterprise holds each staged line's USCC, as the command line says it
    /// (`namingTheUSCCHolder`): read in the import's own transaction as the acting organisation,
    /// so row-level security decides whether the holder may be named; a holder it hides is not.
    private func usccHolders(_ tx: PGConnection) throws -> [Int: String] {
        let rows = try tx.query(
            """
            SELECT s.line_no, e.uscc, e.id, e.name, p.code
            FROM pg_temp.enterprise_import s
            JOIN reloc.enterprise e
              ON e.uscc = reloc.trim_space(upper(regexp_replace(reloc.halfwidth(s.uscc), '\\s', '', 'g')))
            JOIN reloc.plan p ON p.id = e.plan_id
            """
        ).decode((Int, String, Int64, String, String).self)
        return Dictionary(
            rows.map { line, uscc, id, name, plan in
                (line, "uscc \(uscc) is held by enterprise \(id) \(name) (plan \(plan))")
            }, uniquingKeysWith: { first, _ in first })
    }

    /// `encoding`: UTF-8 (default) or GB18030/GBK, as Excel saves CSV in Chinese (CSVFile).
    public func run(file path: String, encoding: CSVEncoding = .utf8) throws -> Outcome {
        try run(csv: try CSVFile.text(of: path, encoding: encoding), source: path)
    }

    /// A sheet of an .xlsx workbook (the first, or `sheet`), all or nothing like a CSV file; the
    /// bad rows are numbered as the sheet numbers them. Returns the sheet's name with the outcome.
    public func run(workbook path: String, sheet: String? = nil) throws -> (sheet: String, outcome: Outcome) {
        let workbook = try WorkbookImportFile(
            path: path, sheet: sheet, columns: EnterpriseImport.columns, required: EnterpriseImport.requiredColumns)
        let file = workbook.file
        do {
            return (
                workbook.sheet, try stageCheckAndInsert(names: file.names, records: file.records, alreadyBad: file.bad)
            )
        } catch let rejected as Rejected {
            return (workbook.sheet, .rejected(rejected.rows.sorted { $0.line < $1.line }))
        }
    }

    struct Rejected: Error {
        let rows: [BadRow]
    }
}
