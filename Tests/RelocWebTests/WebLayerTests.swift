import Foundation
import Testing

/// reloc-web builds no SQL: like the CLI (CLILayerTests), it calls RelocationCore's stores. Its
/// one use of the client is the request's transaction (WebApp.swift) and the sign-in connection.
@Suite("Web desk: builds no SQL")
struct WebLayerTests {
    static let forbidden: [(what: String, pattern: String)] = [
        (
            "SQL text",
            #"\b(SELECT|INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+[a-z_.]+\s+SET|TRUNCATE|COPY\s+[a-z_.]+\s+(FROM|TO))\b"#
        ),
        ("SQL text", #"\b(CREATE|ALTER|DROP)\s+(TABLE|FUNCTION|POLICY|VIEW|TRIGGER|INDEX|SCHEMA)\b"#),
        ("SQL text", #"\b(WHERE|RETURNING|JOIN)\s+[a-z_]+(\.[a-z_]+)?\s*(=|<|>|\(|,|$)"#),
        ("a relation of the schema", #"\breloc\.[a-z_]+\s*(\(|\bWHERE\b|\bSET\b)"#),
        (
            "the client's query API",
            #"(\.query\(|\.execute\(|\.stream\(|\.copyIn\(|executeUnsafeScript|SQLQuery|unsafeRaw:|unsafeSQL:|Changes\(\))"#
        ),
    ]

    static func findings(_ name: String, _ text: String) -> [String] {
        var found: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = line.trimmingCharacters(in: .whitespaces)
            if code.hasPrefix("//") || code.hasPrefix("///") { continue }
            for (what, pattern) in forbidden where code.range(of: pattern, options: .regularExpression) != nil {
                found.append("\(name):\(number + 1): \(what): \(code)")
            }
            if code.contains("withTransaction("), name != "WebApp.swift" {
                found.append("\(name):\(number + 1): a transaction outside Web.database")
            }
        }
        return found
    }

    @Test func theWebTargetHasNoSQL() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/reloc-web")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".swift") }
        #expect(names.count > 8)
        let found = try names.flatMap {
            Self.findings($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8))
        }
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
        // The scan finds what it is for.
        #expect(!Self.findings("x.swift", "try db.query(\"SELECT 1 FROM reloc.task WHERE id = 1\")").isEmpty)
    }
}
