import Foundation
import LibPQClient

/// Reference data sets shipped with reloc: `sql/seed/NAME/*.sql`, loaded in file-name order in one
/// transaction. Each is idempotent: loading a set twice changes nothing.
public enum ReferenceData {
    public static func available() -> [String] {
        guard let directory = try? seedDirectory(),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }  // `load` reports the missing files
        return names.filter { !files(in: directory.appendingPathComponent($0)).isEmpty }.sorted()
    }

    /// Loads the set and says what it loaded.
    @discardableResult
    public static func load(_ name: String, into connection: PGConnection) throws -> String {
        let folder = try seedDirectory().appendingPathComponent(name)
        let scripts = files(in: folder)
        guard !name.contains("/"), !scripts.isEmpty else {
            throw RelocError.notFound(
                "no reference data set \"\(name)\"; available: \(available().joined(separator: ", "))")
        }
        try connection.withTransaction { transaction in
            for script in scripts {
                try transaction.executeUnsafeScript(try String(contentsOf: script, encoding: .utf8))
            }
        }
        return "loaded reference data \(name) (\(scripts.map(\.lastPathComponent).joined(separator: ", ")))"
    }

    static func seedDirectory() throws -> URL {
        try ShippedSQL.directory().appendingPathComponent("seed")
    }

    static func files(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".sql") }.sorted().map { folder.appendingPathComponent($0) }
    }
}
