import Foundation

/// A file reloc was asked to write that cannot be written — an `--output` in a folder that does
/// not exist or is not writable, an `--output` naming a folder, no room for a listing's spool: the
/// user's to fix (exit 64 with what to do), not an internal error (exit 70; issue 17's review).
struct OutputFileError: Error, CustomStringConvertible {
    let description: String

    /// Refuses, before anything is read from the database, an output path that cannot be written.
    static func check(_ path: String) throws {
        let files = FileManager.default
        var isFolder: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw OutputFileError(
                description: "--output \(path) is a folder: name the file to write, e.g. \(path)/list.xlsx")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard files.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw OutputFileError(
                description: "--output \(path): there is no folder \(folder); make it first or write elsewhere")
        }
        guard files.isWritableFile(atPath: folder) else {
            throw OutputFileError(description: "--output \(path): folder \(folder) is not writable; write elsewhere")
        }
    }
}
