import Foundation

/// One file of `sql/definitions`: `NN_concern.sql`, the current text of the functions, trigger
/// bindings and policies of one concern. Unlike a migration it is edited in place: the runner
/// applies every definitions file again, in `NN` order, after the numbered migrations, whenever one
/// has changed (docs/migrations.md). So each file must be idempotent: CREATE OR REPLACE FUNCTION,
/// CREATE OR REPLACE TRIGGER, DROP POLICY IF EXISTS before CREATE POLICY, grants stated again.
public struct Definition: Sendable, Equatable {
    /// The number that orders the files (dependencies first).
    public let order: Int
    /// The concern, e.g. "remind" for `60_remind.sql`.
    public let name: String
    public let sql: String

    public var fileName: String { String(format: "%02d_%@.sql", order, name) }

    public init(order: Int, name: String, sql: String) {
        self.order = order
        self.name = name
        self.sql = sql
    }

    /// Parses "60_remind.sql" into (60, "remind"); nil for any other file name.
    static func parseFileName(_ fileName: String) -> (order: Int, name: String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        guard digits.count == 2, digits.allSatisfy(\.isASCII), let order = Int(digits), !name.isEmpty,
            name.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" })
        else { return nil }
        return (order, String(name))
    }

    /// Every definitions file in a folder, in order; none when the folder does not exist. Two files
    /// with one number are an error: their order would be left to chance.
    public static func load(from directory: URL) throws -> [Definition] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        var definitions: [Definition] = []
        for fileName in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            guard let (order, name) = parseFileName(fileName) else { continue }
            let sql = try String(contentsOf: directory.appendingPathComponent(fileName), encoding: .utf8)
            if let clash = definitions.first(where: { $0.order == order }) {
                throw MigrationError.duplicateVersion(clash.fileName, fileName)
            }
            definitions.append(Definition(order: order, name: name, sql: sql))
        }
        return definitions
    }

    /// The definitions shipped inside the binary (SwiftPM resources), beside the migrations.
    public static func bundled() throws -> [Definition] {
        try load(from: ShippedSQL.directory().appendingPathComponent("definitions"))
    }
}
