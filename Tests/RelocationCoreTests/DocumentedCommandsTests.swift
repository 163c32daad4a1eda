import Foundation
import RelocTestSupport
import Testing

/// The documentation (README.md, docs/, sql/*.md) is held to the binary: every `reloc …` command
/// and flag it names is one `--help` lists, and every command `--help` lists is documented
/// somewhere. README stays a front door.
@Suite("Documentation: commands and flags, held to --help")
struct DocumentedCommandsTests {
    /// A command as its `--help` describes it.
    struct Command: Sendable {
        let path: [String]
        let options: Set<String>
        let subcommands: [String: Command]

        var leaves: [[String]] {
            subcommands.isEmpty ? [path] : subcommands.values.flatMap(\.leaves)
        }
    }

    /// Where a command is named, and the words that follow `reloc` there.
    struct Mention: CustomStringConvertible {
        let page: String
        let line: Int
        let words: String
        var description: String { "\(page):\(line): `reloc \(words)`" }
    }

    /// The options every command takes before its subcommand (GlobalOptionPlacement).
    static let globalOptions: Set<String> = ["--as", "--database", "--format", "--output", "--quiet"]

    static let tree = Result { try command([]) }

    static func command(_ path: [String]) throws -> Command {
        let outcome = try RelocCLI.run(path + ["--help"], database: nil)
        guard outcome.status == 0 else {
            throw Failure(description: "reloc \(path.joined(separator: " ")) --help: \(outcome.stderr)")
        }
        var section = ""
        var options: Set<String> = []
        var names: [String] = []
        for line in outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.range(of: #"^[A-Z][A-Z ]*:$"#, options: .regularExpression) != nil {
                section = line
                continue
            }
            // An entry starts two spaces in; its wrapped description is indented further.
            guard line.hasPrefix("  "), let first = line.dropFirst(2).first, !first.isWhitespace else { continue }
            let entry = String(line.dropFirst(2))
            if section == "SUBCOMMANDS:", first.isASCII, first.isLowercase {
                let name = String(entry.prefix { !$0.isWhitespace })
                if name != "help" { names.append(name) }
            } else if section == "OPTIONS:", first == "-" {
                options.formUnion(flags(in: entry.components(separatedBy: "  ")[0]))
            }
        }
        // Each `--help` is a process of its own: ask for the subcommands' side by side.
        let children = Children()
        let asked = names
        DispatchQueue.concurrentPerform(iterations: asked.count) { index in
            children.set(asked[index], Result { try command(path + [asked[index]]) })
        }
        var subcommands: [String: Command] = [:]
        for (name, child) in children.all { subcommands[name] = try child.get() }
        return Command(path: path, options: options, subcommands: subcommands)
    }

    static func flags(in text: String) -> [String] {
        matches(of: #"(?<![A-Za-z0-9_-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*"#, in: text).map(\.text)
    }

    static func matches(of pattern: String, in text: String) -> [(text: String, range: Range<String.Index>)] {
        let expression = try! NSRegularExpression(pattern: pattern)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range, in: text).map { (String(text[$0]), $0) }
        }
    }

    /// Every place a page names a command: `reloc …` in code blocks and inline code, and inline
    /// code that starts with a command group (`plan show CODE`, `task assign N --org X --lead`).
    static func mentions(in page: Documentation.Page, topLevel: Set<String>) -> [Mention] {
        var found: [Mention] = []
        func commands(in text: String, line: Int, orGroup: Bool) {
            let starts = matches(of: #"(?<![\w./=-])reloc(?=[ \t])"#, in: text)
            for start in starts {
                // `kubectl -n reloc …`: reloc as an option's value is not the command.
                let before = text[..<start.range.lowerBound].split(whereSeparator: \.isWhitespace).last
                if let before, before.hasPrefix("-") { continue }
                let rest = String(text[start.range.upperBound...])
                found.append(Mention(page: page.path, line: line, words: upToTerminator(rest)))
            }
            if starts.isEmpty, orGroup, let first = text.split(separator: " ").first, topLevel.contains(String(first)),
                text.hasPrefix(first + " ")
            {
                found.append(Mention(page: page.path, line: line, words: upToTerminator(text)))
            }
        }
        let lines = page.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var inFence = false
        var prose: [(line: Int, text: String)] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let number = index + 1
            index += 1
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                continue
            }
            guard inFence else {
                prose.append((number, line))
                continue
            }
            // A shell line continued with a backslash is one command.
            var logical = line
            while logical.hasSuffix("\\"), index < lines.count {
                logical = String(logical.dropLast()) + " " + lines[index]
                index += 1
            }
            commands(in: logical, line: number, orGroup: false)
        }
        // Inline code, which may wrap onto the next line of a paragraph.
        let text = prose.map(\.text).joined(separator: "\n")
        for span in matches(of: "`[^`\n]+(?:\n[^`\n]+)?`", in: text) {
            let line = prose[text[..<span.range.lowerBound].filter { $0 == "\n" }.count].line
            commands(
                in: String(span.text.dropFirst().dropLast()).replacingOccurrences(of: "\n", with: " "), line: line,
                orGroup: true)
        }
        return found
    }

    /// The command's words end where the shell or the prose goes on to something else.
    static func upToTerminator(_ text: String) -> String {
        var end = text.endIndex
        for terminator in [";", "&&", " || ", " | ", " #", "\n"] {
            if let range = text.range(of: terminator), range.lowerBound < end { end = range.lowerBound }
        }
        return String(text[..<end])
    }

    /// Walks `words` down the command tree: the command reached, and the words left after it.
    static func resolve(_ words: String, in root: Command) -> (command: Command, rest: [String], unknown: String?) {
        let tokens = words.split(whereSeparator: \.isWhitespace).map(String.init)
        var node = root
        var index = 0
        while index < tokens.count, !node.subcommands.isEmpty {
            let token = tokens[index]
            if globalOptions.contains(token) {
                index += 2
            } else if let next = node.subcommands[token] {
                node = next
                index += 1
            } else {
                let unknown = token.range(of: #"^[a-z][a-z0-9-]*$"#, options: .regularExpression) != nil
                return (node, Array(tokens[index...]), unknown ? token : nil)
            }
        }
        return (node, Array(tokens[min(index, tokens.count)...]), nil)
    }

    @Test func everyDocumentedCommandAndFlagIsInHelp() throws {
        let root = try Self.tree.get()
        let pages = try Documentation.pages()
        #expect(pages.contains { $0.path.hasPrefix("docs/usage/") }, "no docs/usage pages found: \(pages.map(\.path))")
        var checked = 0
        for page in pages {
            for mention in Self.mentions(in: page, topLevel: Set(root.subcommands.keys)) {
                let (command, rest, unknown) = Self.resolve(mention.words, in: root)
                let name = (["reloc"] + command.path).joined(separator: " ")
                #expect(unknown == nil, "\(mention): `\(name)` has no subcommand \(unknown ?? "")")
                let allowed = command.options.union(command.path.isEmpty ? Self.globalOptions : [])
                for flag in Self.flags(in: rest.joined(separator: " ")) {
                    checked += 1
                    #expect(allowed.contains(flag), "\(mention): `\(name) --help` has no \(flag)")
                }
            }
        }
        // The scan must find the documentation's flags, or it proves nothing.
        #expect(checked > 300, "only \(checked) documented flags found")
    }

    @Test func everyCommandInHelpIsDocumented() throws {
        let root = try Self.tree.get()
        var documented: Set<[String]> = []
        for page in try Documentation.pages() {
            for mention in Self.mentions(in: page, topLevel: Set(root.subcommands.keys)) {
                documented.insert(Self.resolve(mention.words, in: root).command.path)
            }
        }
        let leaves = root.leaves
        #expect(leaves.count > 50, "\(leaves)")
        for leaf in leaves.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            #expect(documented.contains(leaf), "`reloc \(leaf.joined(separator: " "))` is documented nowhere")
        }
    }

    /// The scanner itself: a flag the binary does not take, a command that does not exist, and a
    /// command no page names are each found (so the two tests above can fail).
    @Test func theScanFindsWhatIsWrong() throws {
        let root = try Self.tree.get()
        let page = Documentation.Page(
            path: "probe.md",
            text: """
                Try `reloc task unassign N --org CODE --format json` and `plan frobnicate CODE`.

                ```sh
                reloc --as SP enterprise register --plan SP-TD \\
                    --colour red   # a comment: --ignored
                ```
                """)
        let mentions = Self.mentions(in: page, topLevel: Set(root.subcommands.keys))
        #expect(mentions.map(\.line).sorted() == [1, 1, 4], "\(mentions)")
        func resolved(_ start: String) throws -> (command: Command, rest: [String], unknown: String?) {
            let mention = try #require(mentions.first { $0.words.hasPrefix(start) }, "\(start): \(mentions)")
            return Self.resolve(mention.words, in: root)
        }
        let unassign = try resolved(" task unassign")
        #expect(unassign.command.path == ["task", "unassign"])
        #expect(Self.flags(in: unassign.rest.joined(separator: " ")) == ["--org", "--format"])
        #expect(unassign.command.options.contains("--org"))
        #expect(!unassign.command.options.contains("--format"))  // task unassign prints no listing
        #expect(try resolved("plan frobnicate").unknown == "frobnicate")
        let register = try resolved(" --as SP")
        #expect(register.command.path == ["enterprise", "register"])
        #expect(Self.flags(in: register.rest.joined(separator: " ")) == ["--plan", "--colour"])
        #expect(register.command.options.contains("--plan"))
        #expect(!register.command.options.contains("--colour"))
    }

    /// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
    static func anchor(_ heading: String) -> String {
        String(
            heading.lowercased().unicodeScalars.filter {
                CharacterSet.letters.contains($0) || CharacterSet.decimalDigits.contains($0) || $0 == " " || $0 == "-"
                    || $0 == "_"
            }
        ).replacingOccurrences(of: " ", with: "-")
    }

    static func anchors(of text: String) -> Set<String> {
        var inFence = false
        var found: Set<String> = []
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("```") { inFence.toggle() }
            if !inFence, line.hasPrefix("#") {
                found.insert(anchor(line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)))
            }
        }
        return found
    }

    @Test func everyLinkLeadsToAPageAndItsSection() throws {
        var links = 0
        for page in try Documentation.pages() where !page.path.hasPrefix("Sources") {
            for link in Self.matches(of: #"\]\(([^)\s]+)\)"#, in: page.text) {
                let target = String(link.text.dropFirst(2).dropLast())
                if target.hasPrefix("http") || target.hasPrefix("mailto:") { continue }
                links += 1
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(
                    String.init)
                let folder = Documentation.root.appendingPathComponent(page.path).deletingLastPathComponent()
                let file =
                    parts[0].isEmpty
                    ? Documentation.root.appendingPathComponent(page.path)
                    : folder.appendingPathComponent(parts[0]).standardizedFileURL
                guard FileManager.default.fileExists(atPath: file.path) else {
                    Issue.record("\(page.path): \(target) does not exist")
                    continue
                }
                if parts.count == 2, file.pathExtension == "md" {
                    let text = try String(contentsOf: file, encoding: .utf8)
                    #expect(Self.anchors(of: text).contains(parts[1]), "\(page.path): \(target): no such section")
                }
            }
        }
        #expect(links > 50, "only \(links) links found")
    }

    @Test func readmeIsAFrontDoor() throws {
        let readme = try String(contentsOf: Documentation.root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(lines < 220, "README.md has \(lines) lines: move the reference into docs/")
    }

    final class Children: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [String: Result<Command, any Error>] = [:]

        func set(_ name: String, _ result: Result<Command, any Error>) {
            lock.lock()
            defer { lock.unlock() }
            results[name] = result
        }

        var all: [String: Result<Command, any Error>] {
            lock.lock()
            defer { lock.unlock() }
            return results
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
