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

    /// `source`: the file's name, so the header's errors read `FILE:1: …` like the rows'.
    public func run(csv text: String, source: String? = nil) throws -> Outcome {
        func at(_ line: Int) -> String { source.map { "\($0):\(line):" } ?? "line \(line):" }
        // Every bad row is reported, not the first: malformed lines and rows of the wrong width
        // are collected here, the rest are still staged and checked by the database, and nothing
        // is written if any row of the file is bad.
        let reading = CSVReader.read(text)
        var bad = reading.failures.map { failure in
            switch failure {
            case .unterminatedQuote(let line):
                BadRow(line: line, reason: "a quoted field is never closed (the rest of the file could not be read)")
            case .textAfterQuote(let line): BadRow(line: line, reason: "text after a closing quote")
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
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if let unknown = names.first(where: { !EnterpriseImport.columns.contains($0) }) {
            throw RelocError.invalidInput(
                "\(at(1)) unknown column \"\(unknown)\"; the columns are \(EnterpriseImport.columns.joined(separator: ", "))"
            )
        }
        if let missing = EnterpriseImport.requiredColumns.first(where: { !names.contains($0) }) {
            throw RelocError.invalidInput("\(at(1)) the header lacks the required column \"\(missing)\"")
        }
        if let twice = names.enumerated().first(where: { names[..<$0.offset].contains($0.element) })?.element {
            throw RelocError.invalidInput("\(at(1)) the column \"\(twice)\" appears twice in the header")
        }
        var wellShaped: [CSVReader.Record] = []
        for record in reading.records.dropFirst() {
            if record.fields.count == names.count {
                wellShaped.append(record)
            } else {
                bad.append(
                    BadRow(
                        line: record.line, reason: "has \(record.fields.count) fields, the header has \(names.count)"))
            }
        }

        do {
            return try stageCheckAndInsert(names: names, records: wellShaped, alreadyBad: bad)
        } catch let rejected as Rejected {
            return .rejected(rejected.rows.sorted { $0.line < $1.line })
        }
    }

    private func stageCheckAndInsert(names: [String], records: [CSVReader.Record], alreadyBad: [BadRow]) throws
        -> Outcome
    {
        try db.withTransaction { tx in
            try tx.execute("SELECT reloc.create_enterprise_import_staging()")
            var copy: SQLQuery = "COPY pg_temp.enterprise_import (line_no"
            for name in names { copy.append(", \(identifier: name)") }
            copy.append(") FROM STDIN")
            let rows = records.lazy.map { record -> [String?] in
                [String(record.line)]
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

    struct Rejected: Error {
        let rows: [BadRow]
    }
}
