import Foundation

/// One file of `sql/migrations`: `NNNN_name.sql`, applied in version order, never edited once
/// released (the runner compares SHA-256 checksums of applied files).
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public var fileName: String { String(format: "%04d_%@.sql", version, name) }

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Parses "0002_register.sql" into (2, "register"); nil for any other file name.
    static func parseFileName(_ fileName: String) -> (version: Int, name: String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        guard digits.count == 4, digits.allSatisfy(\.isASCII), let version = Int(digits), !name.isEmpty else {
            return nil
        }
        return (version, String(name))
    }

    /// Every migration in a folder, in version order. Two files with one version are an error.
    public static func load(from directory: URL) throws -> [Migration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var migrations: [Migration] = []
        for fileName in names.sorted() {
            guard let (version, name) = parseFileName(fileName) else { continue }
            let sql = try String(contentsOf: directory.appendingPathComponent(fileName), encoding: .utf8)
            if let clash = migrations.first(where: { $0.version == version }) {
                throw MigrationError.duplicateVersion(clash.fileName, fileName)
            }
            migrations.append(Migration(version: version, name: name, sql: sql))
        }
        return migrations
    }

    /// The migrations shipped inside the binary (SwiftPM resources).
    public static func bundled() throws -> [Migration] {
        try load(from: ShippedSQL.directory().appendingPathComponent("migrations"))
    }
}

/// The SQL files that ship with reloc (migrations and reference data) as SwiftPM resources, so an
/// installed `reloc` needs no source tree: install `reloc_RelocationCore.resources` beside the
/// `reloc` binary (or point RELOC_SQL_DIR at a copy of `sql/`).
public enum ShippedSQL {
    static let bundleName = "reloc_RelocationCore.resources"

    /// Found without `Bundle.module`, whose accessor stops the process when the bundle is missing;
    /// here a missing bundle is an error message that says what to install.
    public static func directory() throws -> URL {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["RELOC_SQL_DIR"], !override.isEmpty {
            // Named on purpose: a mistyped folder is an error, never a silent fall-back to the shipped SQL.
            let folder = URL(fileURLWithPath: override)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("migrations").path) else {
                throw RelocError.notFound(
                    "RELOC_SQL_DIR is \(override), which has no migrations/ folder: point it at a copy of sql/, or unset it"
                )
            }
            return folder
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for folder in [Bundle.main.bundleURL, executable.deletingLastPathComponent()] {
            candidates.append(folder.appendingPathComponent(bundleName).appendingPathComponent("SQL"))
        }
        for candidate in candidates
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("migrations").path) {
            return candidate
        }
        throw RelocError.notFound(
            "reloc's SQL files are missing: install \(bundleName) beside the reloc binary or set RELOC_SQL_DIR to a copy of sql/ (looked in: \(candidates.map(\.path).joined(separator: ", ")))"
        )
    }
}
