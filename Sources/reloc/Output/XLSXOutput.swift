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
        let rows: ListingRows

        init(name: String, listing: Listing) {
            self.init(name: name, rows: ListingRows(listing))
        }

        init(name: String, rows: ListingRows) {
            self.name = name
            self.rows = rows
        }
    }

    /// Writes the sheets to `path`, or to standard output when there is none and standard output
    /// is not a terminal (`reloc … --format xlsx > FILE.xlsx`): a workbook is never for a terminal.
    /// Each sheet's rows are written as they are read, and its columns widened as they come
    /// (the widths are written after the rows: WorkbookWriter), so no row is held.
    static func write(_ sheets: [Sheet], to path: String?, quiet: Bool) throws {
        let target: String
        var spooled: String? = nil
        if let path {
            try OutputFileError.check(path)
            target = path
        } else {
            guard isatty(STDOUT_FILENO) == 0 else { throw refusal }
            let folder = FileManager.default.temporaryDirectory.path
            target = "\(folder)/reloc-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).xlsx"
            spooled = target
        }
        defer { if let spooled { try? FileManager.default.removeItem(atPath: spooled) } }
        let writer = try WorkbookWriter(path: target)
        var meter = ProgressMeter(total: 0, verb: "written", quiet: quiet)
        // The total costs a count of each query: asked only when someone watches the bar.
        if meter.shown { meter.total = try sheets.reduce(0) { $0 + (try $1.rows.count()) } }
        for sheet in sheets {
            var stream: SheetStream? = nil
            var kinds: [ColumnKind] = []
            var widths: [Int] = []
            try sheet.rows.read(
                { columns in
                    kinds = columns.map(\.kind)
                    widths = columns.map(initialWidth)
                    stream = try writer.startSheet(
                        sheet.name,
                        columns: columns.indices.map { .init(columns[$0].header, width: Double(widths[$0]) + 2) })
                },
                { values in
                    try stream!.append(zip(values, kinds).map { cell($0, $1) })
                    for (index, value) in values.enumerated() where widths[index] < maximumWidth {
                        if case .null = value { continue }
                        let width = min(DisplayWidth.of(value.plain), maximumWidth)
                        if width > widths[index] {
                            widths[index] = width
                            stream!.widen(index, to: Double(width) + 2)
                        }
                    }
                    meter.advance()
                })
            if var stream { try writer.end(&stream) }
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
    /// dates take 10, and no value widens a column past 60 (plus a margin of 2).
    static let maximumWidth = 60

    static func initialWidth(_ column: Listing.Column) -> Int {
        column.kind == .date ? max(DisplayWidth.of(column.header), 10) : DisplayWidth.of(column.header)
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

    /// The same for a listing read as its rows arrive: JSON, CSV and xlsx hold no row.
    func print(_ rows: ListingRows, sheet: String) throws {
        switch format {
        case .xlsx: try XLSXOutput.write([.init(name: sheet, rows: rows)], to: output, quiet: quiet)
        case .json, .csv: try StreamedText.write(rows, format)
        case .table: Console.write(try rows.whole().render(format))
        }
    }

    /// An item's record (`show`): a table labels its words; xlsx is a one-sheet workbook.
    func printItem(_ listing: Listing, sheet: String, labelling terms: [String: any Term.Type]) throws {
        if format == .xlsx {
            return try XLSXOutput.write([.init(name: sheet, listing: listing)], to: output, quiet: quiet)
        }
        listing.printItem(format, labelling: terms)
    }
}
