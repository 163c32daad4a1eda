import Foundation
import ZIPFoundation

/// Writes an Office Open XML workbook (.xlsx, ECMA-376 SpreadsheetML) as a stream: each sheet's
/// XML is written row by row into a spool file beside the workbook, never held whole in memory,
/// then deflated into the zip entry chunk by chunk (ZIPFoundation 0.9 wants an entry's size before
/// its first byte, which a stream only knows at its end: hence the spool, not the DOM). The
/// sheet's head (its column widths) is written last, in front of the spooled rows, so widths fit
/// every row without holding any. Memory is bounded by the write buffer and the shared-string
/// table, itself bounded (`SharedStrings.limit`): a text first seen once it is full is written
/// inline in its cell.
///
/// The workbook appears at `path` only when `finish()` succeeds: it is written under a temporary
/// name in the same folder and renamed, so a failed export leaves no half-written file.
public final class WorkbookWriter {
    public struct Column: Sendable {
        public let header: String
        /// In Excel's units (the width of a `0`): a CJK character takes about two.
        public let width: Double
        public init(_ header: String, width: Double) {
            self.header = header
            self.width = width
        }
    }

    let finalURL: URL
    let partialURL: URL
    let spoolURL: URL
    let archive: Archive
    var sheetNames: [String] = []
    var strings: SharedStrings
    var finished = false

    public convenience init(path: String) throws {
        try self.init(path: path, sharedStrings: SharedStrings.Limit())
    }

    /// A writer whose shared-string table holds at most `limit`.
    public init(path: String, sharedStrings limit: SharedStrings.Limit) throws {
        strings = SharedStrings(limit: limit)
        finalURL = URL(fileURLWithPath: path)
        let folder = finalURL.deletingLastPathComponent()
        let pid = ProcessInfo.processInfo.processIdentifier
        partialURL = folder.appendingPathComponent(".\(finalURL.lastPathComponent).\(pid).partial")
        spoolURL = folder.appendingPathComponent(".\(finalURL.lastPathComponent).\(pid).sheet")
        try? FileManager.default.removeItem(at: partialURL)
        do {
            archive = try Archive(url: partialURL, accessMode: .create)
        } catch {
            throw WorkbookError.cannotWrite(path, "\(error)")
        }
    }

    deinit {
        if !finished {
            try? FileManager.default.removeItem(at: partialURL)
            try? FileManager.default.removeItem(at: spoolURL)
        }
    }

    /// One sheet: a bold header row, frozen, then the rows `body` appends (`sheet.append(cells)`).
    /// The columns' widths are at least the given ones, wider if `body` widens them
    /// (`sheet.widen(column, to:)`) as its rows come.
    public func sheet(_ name: String, columns: [Column], body: (inout SheetStream) throws -> Void) throws {
        var stream = try startSheet(name, columns: columns)
        try body(&stream)
        try end(&stream)
    }

    /// A sheet whose rows come from elsewhere (a query's rows, as they arrive): append them to
    /// the stream, then `end` it before the next sheet.
    public func startSheet(_ name: String, columns: [Column]) throws -> SheetStream {
        let unique = SheetName.unique(name, among: sheetNames)
        sheetNames.append(unique)
        return try SheetStream(url: spoolURL, columns: columns, strings: strings)
    }

    public func end(_ stream: inout SheetStream) throws {
        let head: Data
        (strings, head) = try stream.finish()
        try addFile("xl/worksheets/sheet\(sheetNames.count).xml", head: head, from: spoolURL)
        try? FileManager.default.removeItem(at: spoolURL)
    }

    /// Writes the workbook's remaining parts and puts it in place.
    public func finish() throws {
        var shared = try XMLSpool(url: spoolURL)
        try strings.write(to: &shared)
        try shared.close()
        try addFile("xl/sharedStrings.xml", from: spoolURL)
        try? FileManager.default.removeItem(at: spoolURL)
        try add("xl/styles.xml", Parts.styles)
        try add("xl/workbook.xml", Parts.workbook(sheetNames))
        try add("xl/_rels/workbook.xml.rels", Parts.workbookRelationships(sheetNames.count))
        try add("_rels/.rels", Parts.packageRelationships)
        try add("docProps/app.xml", Parts.app)
        try add("[Content_Types].xml", Parts.contentTypes(sheetNames.count))
        // rename(2): atomic, and it replaces a workbook already there.
        if rename(partialURL.path, finalURL.path) != 0 {
            throw WorkbookError.cannotWrite(finalURL.path, String(cString: strerror(errno)))
        }
        finished = true
    }

    private func add(_ path: String, _ text: String) throws {
        let data = Data(text.utf8)
        do {
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
        } catch {
            throw WorkbookError.cannotWrite(finalURL.path, "\(error)")
        }
    }

    private func addFile(_ path: String, from url: URL) throws {
        do {
            try archive.addEntry(with: path, fileURL: url, compressionMethod: .deflate, bufferSize: 1 << 20)
        } catch {
            throw WorkbookError.cannotWrite(finalURL.path, "\(error)")
        }
    }

    /// An entry of `head` followed by the file at `url`, read a chunk at a time.
    private func addFile(_ path: String, head: Data, from url: URL) throws {
        do {
            let file = try FileHandle(forReadingFrom: url)
            defer { try? file.close() }
            let fileSize = Int64(try file.seekToEnd())
            try file.seek(toOffset: 0)
            let headSize = Int64(head.count)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: headSize + fileSize, compressionMethod: .deflate,
                bufferSize: 1 << 20,
                provider: { position, size in
                    // ZIPFoundation asks for the bytes in order, each chunk once.
                    var chunk = Data()
                    var position = position
                    if position < headSize {
                        let end = min(headSize, position + Int64(size))
                        chunk.append(head.subdata(in: Int(position)..<Int(end)))
                        position = end
                    }
                    let rest = size - chunk.count
                    if rest > 0 {
                        try file.seek(toOffset: UInt64(position - headSize))
                        chunk.append(try file.read(upToCount: rest) ?? Data())
                    }
                    return chunk
                })
        } catch {
            throw WorkbookError.cannotWrite(finalURL.path, "\(error)")
        }
    }
}

/// The rows of one sheet, written as they come.
public struct SheetStream {
    var spool: XMLSpool
    var strings: SharedStrings
    let letters: [[UInt8]]
    /// Each column's width so far: its head is written when the rows are done.
    var widths: [Double]
    var rowNumber = 1

    init(url: URL, columns: [WorkbookWriter.Column], strings: SharedStrings) throws {
        spool = try XMLSpool(url: url)
        self.strings = strings
        letters = (0..<max(columns.count, 1)).map { Array(ColumnLetters.of($0).utf8) }
        widths = columns.map(\.width)
        try appendRow(columns.map { .text($0.header) }, style: Styles.header)
    }

    /// Makes a column at least this wide (in Excel's units).
    public mutating func widen(_ column: Int, to width: Double) {
        if widths.indices.contains(column), width > widths[column] { widths[column] = width }
    }

    /// The sheet's XML before its rows: the frozen header, the columns' widths.
    func head() -> Data {
        var text = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <sheetViews><sheetView workbookViewId="0">\
            <pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>\
            <selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>\
            <sheetFormatPr defaultRowHeight="15"/>
            """
        if !widths.isEmpty {
            text += "<cols>"
            for (index, width) in widths.enumerated() {
                let width = (min(max(width, 4), 100) * 100).rounded() / 100
                text += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(width)\" customWidth=\"1\"/>"
            }
            text += "</cols>"
        }
        return Data((text + "<sheetData>").utf8)
    }

    /// One row, its cells in the columns' order.
    public mutating func append(_ cells: [Cell]) throws {
        try appendRow(cells, style: 0)
    }

    private mutating func appendRow(_ cells: [Cell], style: Int) throws {
        let row = Array(String(rowNumber).utf8)
        spool.put("<row r=\"")
        spool.put(bytes: row)
        spool.put("\">")
        for (index, cell) in cells.enumerated() where cell != .empty {
            spool.put("<c r=\"")
            spool.put(bytes: index < letters.count ? letters[index] : Array(ColumnLetters.of(index).utf8))
            spool.put(bytes: row)
            spool.put("\"")
            if style != 0 { spool.put(" s=\"\(style)\"") }
            switch cell {
            case .text(let text):
                if let index = strings.index(of: text) {
                    spool.put(" t=\"s\"><v>")
                    spool.put(String(index))
                    spool.put("</v></c>")
                } else {
                    spool.put(
                        SharedStrings.hasEdgeSpace(text)
                            ? " t=\"inlineStr\"><is><t xml:space=\"preserve\">" : " t=\"inlineStr\"><is><t>")
                    spool.putEscaped(text)
                    spool.put("</t></is></c>")
                }
            case .number(let text):
                spool.put("><v>")
                spool.put(text)
                spool.put("</v></c>")
            case .integer(let number):
                spool.put("><v>")
                spool.put(String(number))
                spool.put("</v></c>")
            case .date(let year, let month, let day):
                if style == 0 { spool.put(" s=\"\(Styles.date)\"") }
                spool.put("><v>")
                spool.put(String(DaySerial.serial(year: year, month: month, day: day)))
                spool.put("</v></c>")
            case .bool(let flag):
                spool.put(" t=\"b\"><v>")
                spool.put(flag ? "1" : "0")
                spool.put("</v></c>")
            case .empty:
                break
            }
        }
        spool.put("</row>")
        rowNumber += 1
        try spool.flushIfFull()
    }

    mutating func finish() throws -> (SharedStrings, head: Data) {
        spool.put("</sheetData></worksheet>")
        try spool.close()
        return (strings, head())
    }
}

/// The workbook's shared-string table (`xl/sharedStrings.xml`): each distinct text once, cells
/// refer to it by index (what Excel itself writes; a register repeats its cities, plans, modes).
/// The table is bounded: once it holds `limit.texts` texts or `limit.bytes` bytes, a text not in it
/// is written inline in its cell (`t="inlineStr"`, ECMA-376 §18.3.1.53), so an export of a million
/// distinct names does not keep a million names in memory. A register's repeated words (cities,
/// plans, modes, industries) come in the first rows and stay shared.
public struct SharedStrings {
    public struct Limit: Sendable {
        public var texts: Int
        public var bytes: Int
        public init(texts: Int = 16_384, bytes: Int = 2 << 20) {
            self.texts = texts
            self.bytes = bytes
        }
    }

    let limit: Limit
    var indices: [String: Int] = [:]
    var texts: [String] = []
    var bytes = 0
    var count = 0

    init(limit: Limit = Limit()) {
        self.limit = limit
    }

    /// The text's index in the table, adding it if there is room; nil when it is not there and
    /// the table is full.
    mutating func index(of text: String) -> Int? {
        if let index = indices[text] {
            count += 1
            return index
        }
        let size = text.utf8.count
        guard texts.count < limit.texts, bytes + size <= limit.bytes else { return nil }
        count += 1
        bytes += size
        let index = texts.count
        indices[text] = index
        texts.append(text)
        return index
    }

    /// A text starting or ending with white space, which XML keeps only with `xml:space`.
    static func hasEdgeSpace(_ text: String) -> Bool {
        text.first.map { $0.isWhitespace } == true || text.last.map { $0.isWhitespace } == true
    }

    func write(to spool: inout XMLSpool) throws {
        spool.put(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                + "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                + "count=\"\(count)\" uniqueCount=\"\(texts.count)\">")
        for text in texts {
            spool.put(SharedStrings.hasEdgeSpace(text) ? "<si><t xml:space=\"preserve\">" : "<si><t>")
            spool.putEscaped(text)
            spool.put("</t></si>")
            try spool.flushIfFull()
        }
        spool.put("</sst>")
    }
}

/// A buffered writer of XML text to a file.
struct XMLSpool {
    let handle: FileHandle
    var buffer: [UInt8] = []

    init(url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw WorkbookError.cannotWrite(url.path, "cannot create the spool file")
        }
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(1 << 20)
    }

    mutating func put(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    mutating func put(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// Text as XML character data: `&`, `<`, `>` escaped; a control character XML 1.0 cannot
    /// hold (all but tab, LF, CR) written as OOXML's `_xHHHH_` escape.
    mutating func putEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): buffer.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): buffer.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): buffer.append(contentsOf: "&gt;".utf8)
            case 0x09, 0x0A, 0x0D: buffer.append(byte)
            case 0x00..<0x20: buffer.append(contentsOf: "_x00\(String(format: "%02X", byte))_".utf8)
            default: buffer.append(byte)
            }
        }
    }

    mutating func flushIfFull() throws {
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        try flush()
        try handle.close()
    }
}

enum Styles {
    /// cellXfs indices in `Parts.styles`.
    static let header = 1
    static let date = 2
}

/// A1-style column letters: 0 → A, 25 → Z, 26 → AA.
public enum ColumnLetters {
    public static func of(_ index: Int) -> String {
        var index = index + 1
        var letters: [Character] = []
        while index > 0 {
            let remainder = (index - 1) % 26
            letters.insert(Character(Unicode.Scalar(UInt8(65 + remainder))), at: 0)
            index = (index - 1) / 26
        }
        return String(letters)
    }

    /// The 0-based column of a cell reference (`B7` → 1), or nil.
    public static func column(ofReference reference: some Collection<UInt8>) -> Int? {
        var column = 0
        var any = false
        for byte in reference {
            guard byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") else { break }
            column = column * 26 + Int(byte - UInt8(ascii: "A") + 1)
            any = true
        }
        return any ? column - 1 : nil
    }
}

/// Excel's rules for a sheet's name: at most 31 characters, none of `[]:*?/\`, unique in the
/// workbook (ignoring case).
enum SheetName {
    static func unique(_ name: String, among taken: [String]) -> String {
        let forbidden: Set<Character> = ["[", "]", ":", "*", "?", "/", "\\"]
        var clean = String(name.filter { !forbidden.contains($0) }.prefix(31))
        if clean.isEmpty { clean = "Sheet" }
        var candidate = clean
        var number = 2
        while taken.contains(where: { $0.lowercased() == candidate.lowercased() }) {
            let suffix = " (\(number))"
            candidate = String(clean.prefix(31 - suffix.count)) + suffix
            number += 1
        }
        return candidate
    }
}

public enum WorkbookError: Error, Sendable, CustomStringConvertible {
    case cannotWrite(String, String)
    /// Not a workbook reloc can read: the reason, in words for the person who chose the file.
    case unreadable(String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        case .unreadable(let reason): reason
        }
    }
}
