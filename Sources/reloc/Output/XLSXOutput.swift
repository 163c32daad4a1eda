import ArgumentParser
import Foundation
import RelocationCore
import Workbook

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--format xlsx`: a listing, or an item and its sections, as an Office Open XML workbook (issue
/// 17): one sheet per listing or section, named in Chinese, a bold frozen header row of the JSON
/// keys, each cell typed by its column's SQL type (numbers as numbers, dates as dates shown
/// `yyyy-mm-dd`, text as shared strings), columns as wide as their text (CJK counts two). The
/// values are the codes, as in JSON and CSV, so a sheet compares cell by cell with `--format json`.
enum XLSXOutput {
    struct Sheet {
        let name: String
        let listing: Listing
    }

    /// Writes the sheets to `path`, or to standard output when there is none and standard output
    /// is not a terminal (`reloc … --format xlsx > FILE.xlsx`): a workbook is never for a terminal.
    static func write(_ sheets: [Sheet], to path: String?, quiet: Bool) throws {
        let target: String
        var spooled: String? = nil
        if let path {
            target = path
        } else {
            guard isatty(STDOUT_FILENO) == 0 else { throw refusal }
            let folder = FileManager.default.temporaryDirectory.path
            target = "\(folder)/reloc-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).xlsx"
            spooled = target
        }
        defer { if let spooled { try? FileManager.default.removeItem(atPath: spooled) } }
        let writer = try WorkbookWriter(path: target)
        let total = sheets.reduce(0) { $0 + $1.listing.rows.count }
        var meter = ProgressMeter(total: total, verb: "written", quiet: quiet)
        for sheet in sheets {
            let listing = sheet.listing
            try writer.sheet(sheet.name, columns: widths(listing)) { stream in
                for row in listing.rows {
                    try stream.append(zip(listing.columns, row).map { cell($1, $0.kind) })
                    meter.advance()
                }
            }
        }
        try writer.finish()
        meter.clear()
        if let spooled {
            let data = try Data(contentsOf: URL(fileURLWithPath: spooled))
            try FileHandle.standardOutput.write(contentsOf: data)
        }
    }

    static let refusal = ValidationError(
        "--format xlsx writes a workbook, not text for a terminal: give --output FILE.xlsx (or redirect: > FILE.xlsx)")

    /// A cell typed by its column's kind; a text value in a date column that is no plain date
    /// (`infinity`) stays text.
    static func cell(_ value: OutputValue, _ kind: ColumnKind) -> Cell {
        switch value {
        case .null: return .empty
        case .integer(let number): return .integer(number)
        case .decimal(let text): return .decimal(text)
        case .bool(let flag): return .bool(flag)
        case .json(let text): return .text(text)
        case .text(let text):
            switch kind {
            case .date: return .day(text)
            case .decimal: return .decimal(text)
            case .integer: return Int(text).map { .integer($0) } ?? .text(text)
            case .bool: return .text(text)
            case .text: return .text(text)
            }
        }
    }

    /// Each column as wide as its widest text (header or value), by display width, so 中文 fits;
    /// dates take 10, and no column grows past 60.
    static func widths(_ listing: Listing) -> [WorkbookWriter.Column] {
        listing.columns.enumerated().map { index, column in
            var width = DisplayWidth.of(column.header)
            if column.kind == .date { width = max(width, 10) }
            for row in listing.rows {
                let value = row[index]
                if case .null = value { continue }
                width = max(width, min(DisplayWidth.of(value.plain), 60))
                if width >= 60 { break }
            }
            return WorkbookWriter.Column(column.header, width: Double(width) + 2)
        }
    }
}

/// The Chinese names of the sheets: a listing's (TableView.sheet) and a `show`'s sections, by key.
enum SheetNames {
    static let sections: [String: String] = [
        "history": "状态历史", "progress": "进展记录", "assignments": "责任部门", "milestones": "节点",
        "approval_corrections": "批复更正", "runs": "运行记录", "messages": "待处理消息", "days": "节假日与调休",
    ]

    static func section(_ key: String) -> String { sections[key] ?? key }
}

extension FormatOptions {
    /// Prints an item and its sections in this format; for xlsx a workbook, the item's sheet
    /// first (named `sheet`), then a sheet per section.
    func print(_ item: ItemWithSections, sheet: String, labelling terms: [String: any Term.Type] = [:]) throws {
        if format == .xlsx {
            let sheets =
                [XLSXOutput.Sheet(name: sheet, listing: item.item)]
                + item.sections.map { XLSXOutput.Sheet(name: SheetNames.section($0.key), listing: $0.listing) }
            return try XLSXOutput.write(sheets, to: output, quiet: quiet)
        }
        Console.write(terms.isEmpty ? item.render(format) : item.render(format, labelling: terms))
    }

    /// Prints a listing that has no table view of its own (every column, as it comes).
    func print(_ listing: Listing, sheet: String) throws {
        if format == .xlsx {
            return try XLSXOutput.write([.init(name: sheet, listing: listing)], to: output, quiet: quiet)
        }
        Console.write(listing.render(format))
    }

    /// An item's record (`show`): a table labels its words; xlsx is a one-sheet workbook.
    func printItem(_ listing: Listing, sheet: String, labelling terms: [String: any Term.Type]) throws {
        if format == .xlsx {
            return try XLSXOutput.write([.init(name: sheet, listing: listing)], to: output, quiet: quiet)
        }
        listing.printItem(format, labelling: terms)
    }
}
