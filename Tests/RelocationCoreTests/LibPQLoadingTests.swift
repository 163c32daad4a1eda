import Foundation
import RelocTestSupport
import Testing

/// libpq is loaded when the first connection is opened (dlopen, Sources/CLibPQ), not linked: a
/// command that connects to nothing starts without libpq and the 22 shared objects it needs
/// (issue 13, docs/performance-cli.md). Without libpq a command that connects fails in one line,
/// exit 69, and reloc-web does not start.
@Suite("libpq is loaded at the first connection")
struct LibPQLoadingTests {
    static let missing = "/nonexistent/reloc-test/libpq.so.5"

    static func binaries() throws -> [URL] {
        let cli = try RelocCLI.binary()
        return [cli, cli.deletingLastPathComponent().appendingPathComponent("reloc-web")]
    }

    static func readelf(_ arguments: [String]) throws -> String {
        let readelf = try #require(ExternalTool.find("readelf"), "readelf (binutils) is needed to read the binaries")
        let outcome = try ExternalTool.run(readelf, arguments)
        try #require(outcome.status == 0, "\(outcome.output)")
        return outcome.output
    }

    /// The shared libraries an ELF file names as NEEDED.
    static func needed(_ file: String) throws -> [String] {
        try readelf(["-d", "-W", file]).split(separator: "\n").filter { $0.contains("(NEEDED)") }.compactMap {
            line in
            guard let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        }
    }

    /// The names in an ELF file's dynamic symbol table (defined or not) that start with PQ.
    static func dynamicPQSymbols(_ file: String) throws -> [String] {
        try readelf(["--dyn-syms", "-W", file]).split(separator: "\n").compactMap { line in
            // "   Num: Value Size Type Bind Vis Ndx Name": the name is the eighth field.
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 8 else { return nil }
            let name = String(fields[7])
            return name.hasPrefix("PQ") ? name : nil
        }
    }

    /// The file this process loaded as libpq (the test support connects in process).
    static func loadedLibPQ() throws -> String {
        _ = try TestDatabase.withConnection(migrated: false) { db in try db.query("SELECT 1") }
        // Read to its end: a /proc file says it is empty, and a read by its size gets nothing.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        defer { try? file.close() }
        let maps = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        let path = maps.split(separator: "\n").compactMap { line -> String? in
            guard let slash = line.firstIndex(of: "/") else { return nil }
            let path = String(line[slash...])
            return URL(fileURLWithPath: path).lastPathComponent.hasPrefix("libpq.so") ? path : nil
        }.first
        return try #require(path, "no libpq in /proc/self/maps after a connection")
    }

    /// Runs a program with extra environment, to its end; stderr apart from stdout. One still
    /// running after 30 s (a reloc-web that started after all) is ended with SIGTERM.
    static func run(_ program: URL, _ arguments: [String], environment extra: [String: String]) throws -> (
        status: Int32, stderr: String
    ) {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let running = Running(process)
        DispatchQueue.global().asyncAfter(deadline: .now() + 30) {
            if running.process.isRunning { running.process.terminate() }
        }
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    #if os(Linux)
        @Test func neitherBinaryNeedsOrExportsLibpq() throws {
            for binary in try Self.binaries() {
                let needed = try Self.needed(binary.path)
                #expect(needed.contains("libc.so.6"), "the NEEDED list reads: \(needed)")
                #expect(!needed.contains { $0.hasPrefix("libpq") }, "\(binary.lastPathComponent) needs \(needed)")
                // Our forwarders are hidden: libpq, once loaded, binds its calls to its own functions.
                #expect(try Self.dynamicPQSymbols(binary.path).isEmpty, "\(binary.lastPathComponent) exports PQ*")
            }
            // The symbol check reads libpq's own table: it can fail.
            #expect(try Self.dynamicPQSymbols(try Self.loadedLibPQ()).contains("PQconnectdbParams"))
        }

        /// The loader's own account (LD_DEBUG=files) of every object it maps.
        @Test func helpAndUsageErrorsDoNotLoadLibpq() throws {
            let trace = ["LD_DEBUG": "files"]
            for arguments in [["--help"], ["task", "--help"], ["task", "list", "--format", "bogus"]] {
                let outcome = try RelocCLI.run(arguments, database: nil, environment: trace)
                #expect(outcome.stderr.contains("file=libc.so.6"), "LD_DEBUG traced nothing: \(outcome.stderr)")
                #expect(
                    !outcome.stderr.contains("file=libpq"), "reloc \(arguments.joined(separator: " ")) loaded libpq")
            }
            let web = try Self.binaries()[1]
            let help = try Self.run(web, ["--help"], environment: trace)
            #expect(help.status == 0 && help.stderr.contains("file=libc.so.6"), "\(help.stderr)")
            #expect(!help.stderr.contains("file=libpq"), "reloc-web --help loaded libpq")
            // …while a command that connects does: the trace can see it.
            try TestDatabase.with(.jilin2014) { db in
                let listed = try RelocCLI.run(["--as", "JL-FGW", "task", "list"], database: db, environment: trace)
                #expect(listed.status == 0, "\(listed.stderr)")
                #expect(listed.stderr.contains("file=libpq.so.5"), "task list did not load libpq?")
            }
        }

        @Test func withoutLibpqACommandThatConnectsSaysSoInOneLineAndExits69() throws {
            try TestDatabase.with(.jilin2014) { db in
                let outcome = try RelocCLI.run(
                    ["--as", "JL-FGW", "task", "list"], database: db, environment: ["RELOC_LIBPQ": Self.missing])
                #expect(outcome.status == 69, "\(outcome.stderr)")
                let lines = outcome.stderr.split(separator: "\n")
                #expect(lines.count == 1, "\(outcome.stderr)")
                #expect(
                    outcome.stderr.contains(
                        "libpq could not be loaded: \(Self.missing): cannot open shared object file"),
                    "\(outcome.stderr)")
                #expect(
                    outcome.stderr.contains("libpq5") && outcome.stderr.contains("RELOC_LIBPQ"), "\(outcome.stderr)")
                #expect(!outcome.stderr.contains("local-postgres.sh"), "no server start helps: \(outcome.stderr)")
                // A library that is not libpq (no PQ functions) is refused the same way, by name.
                let libc = try RelocCLI.run(
                    ["--as", "JL-FGW", "task", "list"], database: db, environment: ["RELOC_LIBPQ": "libc.so.6"])
                #expect(libc.status == 69, "\(libc.stderr)")
                #expect(libc.stderr.contains("libc.so.6 has no PQ"), "\(libc.stderr)")
                // Commands that do not connect are not concerned.
                let help = try RelocCLI.run(["--help"], database: db, environment: ["RELOC_LIBPQ": Self.missing])
                #expect(help.status == 0, "\(help.stderr)")
                // RELOC_LIBPQ naming the real file is used.
                let named = try RelocCLI.run(
                    ["--as", "JL-FGW", "task", "list"], database: db,
                    environment: ["RELOC_LIBPQ": try Self.loadedLibPQ()])
                #expect(named.status == 0, "\(named.stderr)")
            }
        }

        @Test func withoutLibpqTheWebDeskDoesNotStart() throws {
            try TestDatabase.with(.migrated) { db in
                let outcome = try Self.run(
                    try Self.binaries()[1],
                    ["--listen", "127.0.0.1:0", "--database", try TestDatabase.url(of: db)],
                    environment: ["RELOC_LIBPQ": Self.missing])
                #expect(outcome.status == 69, "\(outcome.stderr)")
                #expect(
                    outcome.stderr.hasPrefix("reloc-web: libpq could not be loaded: \(Self.missing)"),
                    "\(outcome.stderr)")
                #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
            }
        }
    #endif
}

/// A child process handed to the timer that ends it (Process is not Sendable; terminate is safe
/// from any thread and does nothing once the child has exited).
private final class Running: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}
