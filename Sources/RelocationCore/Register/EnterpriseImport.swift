import Foundation
import LibPQClient

/// `reloc enterprise import FILE.csv`: all or nothing. The rows are copied into a temporary
/// staging table, checked set-based by the database as the acting organisation (so its
/// row-level security applies), and inserted in one statement only if no row is bad.
public struct EnterpriseImport {
    /// The CSV header, in any order; `plan`, `name` and `mode` are required, the rest optional.
    public static let columns = [
        "plan", "name", "mode", "park", "industry", "high_risk", "uscc", "site_ha", "site_mu", "employees",
        "surplus_workers", "capacity", "new_capacity", "listed_in_plan",
    ]
    public static let requiredColumns = ["plan", "name", "mode"]

    public struct BadRow: Sendable, Equatable {
        public let line: Int
        public let reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    public enum Outcome: Sendable, Equatable {
        case imported(count: Int)
        case rejected([BadRow])
    }

    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    public func run(csv text: String) throws -> Outcome {
        let records: [CSVReader.Record]
        do {
            records = try CSVReader.parse(text)
        } catch CSVReader.Failure.unterminatedQuote(let line) {
            throw RelocError.invalidInput("line \(line): a quoted field is never closed; nothing was imported")
        } catch CSVReader.Failure.textAfterQuote(let line) {
            throw RelocError.invalidInput("line \(line): text after a closing quote; nothing was imported")
        }
        guard let header = records.first else {
            throw RelocError.invalidInput("the file is empty; nothing was imported")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let unknown = names.first(where: { !EnterpriseImport.columns.contains($0) }) {
            throw RelocError.invalidInput(
                "line 1: unknown column \"\(unknown)\"; the columns are \(EnterpriseImport.columns.joined(separator: ", "))"
            )
        }
        if let missing = EnterpriseImport.requiredColumns.first(where: { !names.contains($0) }) {
            throw RelocError.invalidInput("line 1: the header lacks the required column \"\(missing)\"")
        }
        if Set(names).count != names.count {
            throw RelocError.invalidInput("line 1: a column appears twice in the header")
        }
        var badShapes: [BadRow] = []
        for record in records.dropFirst() where record.fields.count != names.count {
            badShapes.append(
                BadRow(line: record.line, reason: "has \(record.fields.count) fields, the header has \(names.count)"))
        }
        if !badShapes.isEmpty { return .rejected(badShapes) }

        do {
            return try stageCheckAndInsert(names: names, records: records.dropFirst())
        } catch let rejected as Rejected {
            return .rejected(rejected.rows)
        }
    }

    private func stageCheckAndInsert(names: [String], records: ArraySlice<CSVReader.Record>) throws -> Outcome {
        try db.withTransaction { tx in
            try tx.execute("SELECT reloc.create_enterprise_import_staging()")
            var copy: SQLQuery = "COPY pg_temp.enterprise_import (line_no"
            for name in names { copy.append(", \(identifier: name)") }
            copy.append(") FROM STDIN")
            let rows = records.lazy.map { record -> [String?] in
                [String(record.line)] + record.fields.map { Optional($0) }
            }
            try tx.copyIn(into: copy, rows: rows)
            let bad = try tx.query("SELECT line_no, reason FROM reloc.import_enterprises() ORDER BY line_no")
            if bad.rows.isEmpty {
                return .imported(count: records.count)
            }
            let badRows = try bad.decode((Int, String).self).map { BadRow(line: $0.0, reason: $0.1) }
            throw Rejected(rows: badRows)  // rolls the transaction back: nothing is written
        }
    }

    public func run(file path: String) throws -> Outcome {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RelocError.notFound("cannot read \(path): \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RelocError.invalidInput("\(path) is not UTF-8 text; save it as UTF-8 CSV")
        }
        return try run(csv: text)
    }

    struct Rejected: Error {
        let rows: [BadRow]
    }
}
