import Foundation
import LibPQClient

/// Reference data sets shipped with reloc (`sql/seed/NAME.sql`), each idempotent: loading one
/// twice changes nothing.
public enum ReferenceData {
    public static func available() -> [String] {
        guard let directory = try? ShippedSQL.directory().appendingPathComponent("seed"),
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }  // `load` reports the missing files
        return names.filter { $0.hasSuffix(".sql") }.map { String($0.dropLast(4)) }.sorted()
    }

    /// Loads the set in one transaction and says what the register now holds.
    public static func load(_ name: String, into connection: PGConnection) throws -> String {
        _ = try ShippedSQL.directory()
        guard available().contains(name) else {
            throw RelocError.notFound(
                "no reference data set \"\(name)\"; available: \(available().joined(separator: ", "))")
        }
        let url = try ShippedSQL.directory().appendingPathComponent("seed").appendingPathComponent(name + ".sql")
        let script = try String(contentsOf: url, encoding: .utf8)
        try connection.withTransaction { try $0.executeUnsafeScript(script) }
        return "loaded reference data \(name)"
    }
}
