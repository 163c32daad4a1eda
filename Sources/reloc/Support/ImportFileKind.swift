import Foundation

/// Whether an import file is an .xlsx workbook (by its name, or by its first bytes, a ZIP's
/// `PK\u{3}\u{4}`) or a CSV file.
enum ImportFileKind {
    static func isWorkbook(_ path: String) -> Bool {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".xlsx") || lowered.hasSuffix(".xlsm") { return true }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4)) ?? Data()
        return head == Data([0x50, 0x4B, 0x03, 0x04])
    }
}
