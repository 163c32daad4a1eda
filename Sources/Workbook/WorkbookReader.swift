import Foundation
import ZIPFoundation

/// A cell as read from a workbook, typed by the file: text, a number (its text as written in the
/// sheet), a date (a number in a date format, as `yyyy-mm-dd`), a boolean, an error value
/// (`#DIV/0!`), or a formula whose result was never saved (a file written by a program, not by a
/// spreadsheet, which alone computes it).
public enum ReadCell: Sendable, Equatable {
    case empty
    case text(String)
    case number(String)
    case date(String)
    case bool(Bool)
    case error(String)
    case formulaWithoutValue(String)
}

/// One row of a sheet: its number in the sheet (1-based, as the spreadsheet shows it) and its
/// cells by column (0 = A), empty where the sheet has none.
public struct SheetRow: Sendable {
    public let number: Int
    public var cells: [ReadCell]
}

/// A sheet as read: its rows (empty rows are not listed) and merged ranges.
public struct ReadSheet: Sendable {
    public struct Range: Sendable, Equatable {
        public let firstRow: Int, lastRow: Int, firstColumn: Int, lastColumn: Int
    }
    public let name: String
    public let rows: [SheetRow]
    public let merged: [Range]
}

/// Reads an .xlsx workbook: the list of its sheets and the cells of one of them. Every part is
/// inflated as a stream and parsed as it comes, with a cap on the bytes it may inflate to
/// (`partLimit`), so a zip bomb (a small file that inflates to gigabytes) stops at the cap instead
/// of filling the memory. Anything that is not a workbook (not a zip, a part missing, XML that
/// does not parse) is `WorkbookError.unreadable` with the reason.
public struct WorkbookReader {
    /// The most bytes one part may inflate to (a register of 100,000 enterprises is ~60 MB of XML).
    public static let defaultPartLimit = 256 << 20

    let archive: Archive
    let path: String
    let partLimit: Int
    /// The sheets' names and their parts' paths, in the workbook's order.
    public let sheets: [(name: String, part: String)]
    let dateStyles: Set<Int>
    let sharedStringsPart: String?

    public init(path: String, partLimit: Int = WorkbookReader.defaultPartLimit) throws {
        self.path = path
        self.partLimit = partLimit
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw WorkbookError.unreadable("\(path) is not an .xlsx workbook (not a ZIP archive)")
        }
        self.archive = archive
        let workbookPart =
            try Self.target(
                in: Self.relationships(archive, "_rels/.rels", partLimit: partLimit, path: path),
                type: "/officeDocument",
                base: "")
            ?? "xl/workbook.xml"
        let folder = workbookPart.split(separator: "/").dropLast().joined(separator: "/")
        let relsPart =
            (folder.isEmpty ? "" : folder + "/") + "_rels/"
            + (workbookPart.split(separator: "/").last.map(String.init) ?? "workbook.xml") + ".rels"
        let rels = try Self.relationships(archive, relsPart, partLimit: partLimit, path: path, required: true)
        var names: [(name: String, id: String)] = []
        try Self.parse(archive, workbookPart, partLimit: partLimit, path: path, required: true) { event in
            if case .start("sheet", let attributes, _) = event {
                let name = attributes.first { $0.name == "name" }?.value ?? ""
                let id = attributes.first { $0.name == "id" }?.value ?? ""
                names.append((name, id))
            }
        }
        guard !names.isEmpty else { throw WorkbookError.unreadable("\(path): the workbook lists no sheets") }
        sheets = try names.map { sheet in
            guard let target = rels.first(where: { $0.id == sheet.id })?.target else {
                throw WorkbookError.unreadable("\(path): sheet \(sheet.name) has no part (\(relsPart))")
            }
            return (sheet.name, Self.resolve(target, base: folder))
        }
        sharedStringsPart = Self.target(in: rels, type: "/sharedStrings", base: folder)
        let stylesPart = Self.target(in: rels, type: "/styles", base: folder)
        dateStyles =
            try stylesPart.map { try Self.dateStyles(archive, $0, partLimit: partLimit, path: path) } ?? []
    }

    /// The sheet named `name` (nil: the first), read whole into rows of typed cells.
    public func sheet(named name: String?) throws -> ReadSheet {
        let chosen: (name: String, part: String)
        if let name {
            guard let found = sheets.first(where: { $0.name == name }) else {
                throw WorkbookError.unreadable(
                    "\(path) has no sheet \"\(name)\"; its sheets are \(sheets.map(\.name).joined(separator: ", "))")
            }
            chosen = found
        } else {
            chosen = sheets[0]
        }
        let strings = try sharedStrings()
        var reader = SheetXMLReader(strings: strings, dateStyles: dateStyles)
        try Self.parse(archive, chosen.part, partLimit: partLimit, path: path, required: true) { event in
            try reader.handle(event)
        }
        return ReadSheet(name: chosen.name, rows: reader.rows, merged: reader.merged)
    }

    private func sharedStrings() throws -> [String] {
        guard let part = sharedStringsPart else { return [] }
        var strings: [String] = []
        var current = ""
        var inItem = false, inText = false, inPhonetic = false
        try Self.parse(archive, part, partLimit: partLimit, path: path, required: true) { event in
            switch event {
            case .start("si", _, let closed):
                if closed { strings.append("") } else { inItem = true; current = "" }
            case .end("si"):
                strings.append(current)
                inItem = false
            case .start("rPh", _, _): inPhonetic = true
            case .end("rPh"): inPhonetic = false
            case .start("t", _, let closed): inText = !closed
            case .end("t"): inText = false
            case .text(let text) where inItem && inText && !inPhonetic: current += text
            default: break
            }
        }
        return strings
    }

    struct Relationship {
        let id: String, type: String, target: String
    }

    static func relationships(
        _ archive: Archive, _ part: String, partLimit: Int, path: String, required: Bool = false
    ) throws -> [Relationship] {
        var found: [Relationship] = []
        try parse(archive, part, partLimit: partLimit, path: path, required: required) { event in
            if case .start("Relationship", let attributes, _) = event {
                func value(_ name: String) -> String { attributes.first { $0.name == name }?.value ?? "" }
                found.append(Relationship(id: value("Id"), type: value("Type"), target: value("Target")))
            }
        }
        return found
    }

    static func target(in relationships: [Relationship], type suffix: String, base: String) -> String? {
        relationships.first { $0.type.hasSuffix(suffix) }.map { resolve($0.target, base: base) }
    }

    /// A relationship's target as a path in the zip: absolute (`/xl/…`) or relative to the folder
    /// of the part that names it.
    static func resolve(_ target: String, base: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = base.split(separator: "/").map(String.init)
        for piece in target.split(separator: "/") {
            if piece == ".." { _ = parts.popLast() } else if piece != "." { parts.append(String(piece)) }
        }
        return parts.joined(separator: "/")
    }

    /// The cell styles (cellXfs indices) whose number format shows a date: the built-in date
    /// formats (14–22, 27–36 and 50–58 in East Asian locales, 45–47) and custom formats with
    /// day, month or year codes outside quotes and brackets.
    static func dateStyles(_ archive: Archive, _ part: String, partLimit: Int, path: String) throws -> Set<Int> {
        var customDates: Set<Int> = []
        var formats: [Int] = []
        var inCellXfs = false
        try parse(archive, part, partLimit: partLimit, path: path, required: false) { event in
            switch event {
            case .start("numFmt", let attributes, _):
                let id = attributes.first { $0.name == "numFmtId" }.flatMap { Int($0.value) }
                let code = attributes.first { $0.name == "formatCode" }?.value ?? ""
                if let id, isDateFormat(code) { customDates.insert(id) }
            case .start("cellXfs", _, _): inCellXfs = true
            case .end("cellXfs"): inCellXfs = false
            case .start("xf", let attributes, _) where inCellXfs:
                formats.append(attributes.first { $0.name == "numFmtId" }.flatMap { Int($0.value) } ?? 0)
            default: break
            }
        }
        let builtIn = Set(Array(14...22) + Array(27...36) + Array(45...47) + Array(50...58))
        return Set(formats.indices.filter { builtIn.contains(formats[$0]) || customDates.contains(formats[$0]) })
    }

    static func isDateFormat(_ code: String) -> Bool {
        var inQuote = false, inBracket = false, escaped = false
        for character in code.lowercased() {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "\"": inQuote.toggle()
            case "[" where !inQuote: inBracket = true
            case "]" where !inQuote: inBracket = false
            case "y", "d",
                "m" where !inQuote && !inBracket:
                return true
            default: break
            }
        }
        return false
    }

    /// Inflates a part as a stream into the XML parser, refusing it past `partLimit` bytes.
    static func parse(
        _ archive: Archive, _ part: String, partLimit: Int, path: String, required: Bool,
        _ handle: (XMLPullParser.Event) throws -> Void
    ) throws {
        guard let entry = archive[part] else {
            if required { throw WorkbookError.unreadable("\(path) is not a complete workbook: it lacks \(part)") }
            return
        }
        let tooLarge = WorkbookError.unreadable(
            "\(path): \(part) inflates to more than \(partLimit >= 1 << 20 ? "\(partLimit >> 20) MB" : "\(partLimit) bytes"); refused (a damaged file or a zip bomb)"
        )
        if entry.uncompressedSize > UInt64(partLimit) { throw tooLarge }
        var parser = XMLPullParser()
        var total = 0
        do {
            _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: false) { chunk in
                total += chunk.count
                if total > partLimit { throw tooLarge }
                try parser.feed(chunk, handle)
            }
            try parser.finish(handle)
        } catch let error as WorkbookError {
            throw error
        } catch let error as XMLPullParser.Malformed {
            throw WorkbookError.unreadable("\(path): \(part) is not well-formed XML: \(error.reason)")
        } catch let error as SheetXMLReader.Refusal {
            throw WorkbookError.unreadable("\(path): \(part): \(error.reason)")
        } catch {
            throw WorkbookError.unreadable("\(path): \(part) cannot be read (\(error)); is the file damaged?")
        }
    }
}

/// Turns a worksheet's XML events into rows of typed cells.
struct SheetXMLReader {
    struct Refusal: Error {
        let reason: String
    }

    let strings: [String]
    let dateStyles: Set<Int>
    var rows: [SheetRow] = []
    var merged: [ReadSheet.Range] = []

    var rowNumber = 0
    var cells: [ReadCell] = []
    var column = 0
    var type = ""
    var style = 0
    var reference = ""
    var value: String? = nil
    var formula: String? = nil
    var inlineText: String? = nil
    var collecting: Collecting = .none

    enum Collecting { case none, value, formula, inline }

    /// The most rows a sheet may have (Excel's own limit), and columns (XFD).
    static let maxRows = 1_048_576
    static let maxColumns = 16_384

    mutating func handle(_ event: XMLPullParser.Event) throws {
        switch event {
        case .start("row", let attributes, let closed):
            let number = attributes.first { $0.name == "r" }.flatMap { Int($0.value) } ?? rowNumber + 1
            guard number > rowNumber, number <= Self.maxRows else {
                throw Refusal(reason: "row \(number) is out of order or beyond the sheet's last row")
            }
            rowNumber = number
            cells = []
            column = 0
            if closed { endRow() }
        case .end("row"):
            endRow()
        case .start("c", let attributes, let closed):
            type = "n"
            style = 0
            reference = ""
            for attribute in attributes {
                switch attribute.name {
                case "t": type = attribute.value
                case "s": style = Int(attribute.value) ?? 0
                case "r": reference = attribute.value
                default: break
                }
            }
            if !reference.isEmpty {
                guard let found = ColumnLetters.column(ofReference: Array(reference.utf8)), found < Self.maxColumns
                else { throw Refusal(reason: "a cell reference \(reference) that is not a cell") }
                column = found
            }
            value = nil
            formula = nil
            inlineText = nil
            if closed { endCell() }
        case .end("c"):
            endCell()
        case .start("v", _, let closed):
            collecting = closed ? .none : .value
            value = value ?? ""
        case .start("f", _, let closed):
            collecting = closed ? .none : .formula
            formula = formula ?? ""
        case .start("t", _, let closed) where type == "inlineStr":
            collecting = closed ? .none : .inline
            inlineText = inlineText ?? ""
        case .start("rPh", _, _):
            collecting = .none
        case .end("v"), .end("f"), .end("t"):
            collecting = .none
        case .text(let text):
            switch collecting {
            case .value: value = (value ?? "") + text
            case .formula: formula = (formula ?? "") + text
            case .inline: inlineText = (inlineText ?? "") + text
            case .none: break
            }
        case .start("mergeCell", let attributes, _):
            if let ref = attributes.first(where: { $0.name == "ref" })?.value, let range = Self.range(ref) {
                merged.append(range)
            }
        default:
            break
        }
    }

    mutating func endRow() {
        if cells.contains(where: { $0 != .empty }) { rows.append(SheetRow(number: rowNumber, cells: cells)) }
        cells = []
    }

    mutating func endCell() {
        let cell = try? typedCell()
        if let cell, cell != .empty {
            if cells.count <= column {
                cells.append(contentsOf: repeatElement(.empty, count: column + 1 - cells.count))
            }
            cells[column] = cell
        }
        column += 1
    }

    func typedCell() throws -> ReadCell {
        if type == "inlineStr" { return .text(inlineText ?? "") }
        // A formula with no saved result: openpyxl and other programs write `<f>` with an empty
        // or no `<v>` (only a spreadsheet computes it); an empty text result says `t="str"`.
        if let formula, (value ?? "").isEmpty, type != "str" { return .formulaWithoutValue(formula) }
        guard let value else { return .empty }
        switch type {
        case "s":
            guard let index = Int(value), strings.indices.contains(index) else { return .error("#REF!") }
            return .text(strings[index])
        case "str": return .text(value)
        case "b": return .bool(value == "1" || value.lowercased() == "true")
        case "e": return .error(value)
        case "d": return .date(String(value.prefix(10)))
        default:
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return .empty }
            if dateStyles.contains(style), let serial = Double(trimmed), serial >= 1, serial < 2_958_466 {
                let day = DaySerial.civil(Int(serial.rounded(.down)))
                return .date(
                    String(format: "%04d-%02d-%02d", day.year, day.month, day.day))
            }
            return .number(Self.plainNumber(trimmed))
        }
    }

    /// A number as a person would type it: a whole number without `.0` or an exponent (`1.0E+2`
    /// is `100`), any other as the sheet wrote it (its shortest round-trip text).
    static func plainNumber(_ text: String) -> String {
        guard text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let number = Double(text) else {
            return text
        }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        if text.contains(where: { $0 == "e" || $0 == "E" }) { return "\(number)" }
        return text
    }

    static func range(_ reference: String) -> ReadSheet.Range? {
        let ends = reference.split(separator: ":")
        guard ends.count == 2 else { return nil }
        func split(_ cell: Substring) -> (row: Int, column: Int)? {
            let letters = cell.prefix { $0.isLetter }
            guard let column = ColumnLetters.column(ofReference: Array(letters.uppercased().utf8)),
                let row = Int(cell.dropFirst(letters.count))
            else { return nil }
            return (row, column)
        }
        guard let first = split(ends[0]), let last = split(ends[1]) else { return nil }
        return .init(firstRow: first.row, lastRow: last.row, firstColumn: first.column, lastColumn: last.column)
    }
}
