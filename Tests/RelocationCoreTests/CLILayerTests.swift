import Foundation
import Testing

/// The CLI builds no SQL and talks to the database only through the domain's stores
/// (docs/layers.md): this reads the CLI target's sources and fails on SQL text, on the query API
/// of LibPQClient, or on an import of LibPQClient outside the connection options and the error
/// report.
@Suite("The CLI builds no SQL")
struct CLILayerTests {
    /// The only CLI files that may import LibPQClient: the connection options (a `PGConnection`
    /// is what they open), the error report (it words `PGError`'s fields and maps them to exit
    /// statuses), and the rendering of a query's rows once Output/ belongs to the CLI.
    static let mayImportClient: Set<String> = [
        "Support/GlobalOptions.swift", "Support/ErrorReport.swift", "Support/PermissionWords.swift",
        "Output/Listing+PGResult.swift",
    ]

    /// SQL statements, as the stores write them (upper case keywords), and the client's query API.
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
            #"(\.query\(|\.execute\(|\.stream\(|\.copyIn\(|executeUnsafeScript|SQLQuery|unsafeRaw:|unsafeSQL:|withTransaction\(|Changes\(\))"#
        ),
    ]

    static var cliSources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/reloc")
    }

    static func swiftFiles() throws -> [(relative: String, text: String)] {
        let root = cliSources.standardizedFileURL
        let enumerator = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        var files: [(String, String)] = []
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            files.append((relative, try String(contentsOf: url, encoding: .utf8)))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// Findings in one file's text: "file:line: what".
    static func findings(in relative: String, _ text: String) -> [String] {
        var found: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = line.trimmingCharacters(in: .whitespaces)
            if code.hasPrefix("//") { continue }  // comments may name SQL (a rule, a function)
            if code == "import LibPQClient", !mayImportClient.contains(relative) {
                found.append("\(relative):\(number + 1): imports LibPQClient (only the connection options may)")
            }
            for (what, pattern) in forbidden where code.range(of: pattern, options: .regularExpression) != nil {
                found.append("\(relative):\(number + 1): \(what): \(code)")
            }
        }
        return found
    }

    @Test func theCLIHasNoSQLAndNoClientImports() throws {
        let files = try Self.swiftFiles()
        #expect(files.count > 10, "found the CLI sources at \(Self.cliSources.path)")
        let found = files.flatMap { Self.findings(in: $0.relative, $0.text) }
        #expect(found.isEmpty, "the CLI goes through RelocationCore's stores:\n\(found.joined(separator: "\n"))")
    }

    /// The scan itself finds what it is for (a test that cannot fail is a defect).
    @Test func theScanCatchesSQLAndImports() {
        let sample = """
            import LibPQClient
            changes.set("plan_id", expression: "(SELECT id FROM reloc.plan WHERE code = \\(plan))")
            try db.execute("UPDATE reloc.enterprise SET name = \\(name) WHERE id = \\(id)")
            let login = try database.query("SELECT session_user::text")
            var changes = Changes()
            // SELECT in a comment is fine
            Console.write("updated plan \\(code)")
            """
        let found = Self.findings(in: "Commands/Sample.swift", sample)
        #expect(found.contains { $0.hasPrefix("Commands/Sample.swift:1: imports LibPQClient") })
        #expect(found.contains { $0.hasPrefix("Commands/Sample.swift:2: SQL text") })
        #expect(found.contains { $0.hasPrefix("Commands/Sample.swift:3: SQL text") })
        #expect(found.contains { $0.hasPrefix("Commands/Sample.swift:4: the client's query API") })
        #expect(found.contains { $0.hasPrefix("Commands/Sample.swift:5: the client's query API") })
        #expect(!found.contains { $0.hasPrefix("Commands/Sample.swift:6") || $0.hasPrefix("Commands/Sample.swift:7") })
        #expect(Self.findings(in: "Support/GlobalOptions.swift", "import LibPQClient").isEmpty)
    }
}
