import Foundation

/// The documentation a reader is given: README.md, everything under docs/, and the SQL notes
/// (sql/*.md), read from the checkout these tests were built from.
enum Documentation {
    struct Page {
        /// The path from the repository's root, e.g. "docs/usage/tasks.md".
        let path: String
        let text: String
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func pages() throws -> [Page] {
        var paths = ["README.md"]
        let folders = ["docs", "Sources/RelocationCore/SQL"]
        for folder in folders {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let file as String in walker where file.hasSuffix(".md") {
                // The SQL folder's notes only (not anything under migrations/ or seed/).
                if folder.hasPrefix("Sources"), file.contains("/") { continue }
                paths.append(folder + "/" + file)
            }
        }
        return try paths.sorted().map { path in
            Page(path: path, text: try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8))
        }
    }
}
