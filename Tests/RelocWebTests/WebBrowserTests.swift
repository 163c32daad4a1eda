import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The web desk in a real browser (issue 16): Debian's chromium, headless, driven by selenium
/// (Tests/e2e/web_desk.py) against the reloc-web executable started on a free port over a fresh
/// seeded database. The script signs people in and clicks; this test makes the logins and checks
/// the database afterwards. Screenshots of every page are left in .build/reloc-web-e2e/ (printed).
///
/// `.ci/browser-tools.sh` provides the browser: with CI=true it installs chromium and
/// chromium-driver with apt-get (their absence is then a failure); elsewhere, without them, the
/// test is skipped and says why.
@Suite("Web desk: in a real browser", .serialized)
struct WebBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    static var browserInstalled: Bool {
        ExternalTool.find("chromium") != nil && ExternalTool.find("chromedriver") != nil
    }

    @Test(
        .enabled(
            if: inCI || browserInstalled,
            "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver); with CI=true the test installs them"
        ),
        .timeLimit(.minutes(5)))
    func peopleUseTheWebDeskInABrowser() async throws {
        let tools = try ExternalTool.run(
            "/usr/bin/env", ["bash", Self.root.appendingPathComponent(".ci/browser-tools.sh").path])
        try #require(tools.status == 0, "could not provide the browser (.ci/browser-tools.sh): \(tools.output)")
        let python = try #require(tools.output.split(separator: "\n").last.map(String.init))
        let chromium = try #require(ExternalTool.find("chromium"))
        let chromedriver = try #require(ExternalTool.find("chromedriver"))

        let database = try TestDatabase.make(.jilin2014)
        defer { TestDatabase.drop(database) }
        let admin = try TestDatabase.connect(database)
        var logins: [String: String] = [:]
        let suffix = "\(ProcessInfo.processInfo.processIdentifier)_\(Int.random(in: 1000...9999))"
        for (key, organisation) in [
            ("province", "JL"), ("fgw", "JL-FGW"), ("kjt", "JL-KJT"), ("city", "SP"), ("throttled", "JL-FGW"),
        ] {
            let login = "e2e_\(key)_\(suffix)"
            try Organisations(admin).addLogin(login, organisation: organisation, password: Self.password)
            logins[key] = login
        }
        defer {
            let postgres = try? TestDatabase.connect("postgres")
            for login in logins.values { _ = try? postgres?.execute("DROP ROLE IF EXISTS \(identifier: login)") }
        }

        let artifacts = Self.root.appendingPathComponent(".build/reloc-web-e2e")
        let screenshots = artifacts.appendingPathComponent("screenshots")
        try? FileManager.default.removeItem(at: screenshots)
        try FileManager.default.createDirectory(at: screenshots, withIntermediateDirectories: true)
        // Lines 3 and 5 are bad: a mode that does not exist; a plan of another city (长春宽城区).
        let csv = artifacts.appendingPathComponent("two-bad-lines.csv")
        try """
        plan,name,mode
        SP-TD,端到端甲厂,close
        SP-TD,端到端乙厂,fly
        SP-TD,端到端丙厂,in-situ
        CC-KC,端到端丁厂,close

        """.write(to: csv, atomically: true, encoding: .utf8)
        let enterprisesBefore = try admin.query("SELECT count(*) FROM reloc.enterprise").scalar(Int.self)

        let server = try await WebServerProcess.start(database: database)
        defer { server.stop() }
        print("reloc-web e2e: \(server.url) — screenshots in \(screenshots.path)")

        let configuration: [String: Any] = [
            "base": server.url, "password": Self.password, "logins": logins, "csv": csv.path, "plan": "SP-TD",
            "chromium": chromium, "chromedriver": chromedriver, "screenshots": screenshots.path,
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)
        let script = Self.root.appendingPathComponent("Tests/e2e/web_desk.py").path
        // Off Swift's cooperative threads: the browser waits on the server, which runs on them.
        let run = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<(status: Int32, output: String), any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try ExternalTool.run(python, [script, json]) })
            }
        }
        print(run.output)
        #expect(run.status == 0, "the browser's steps failed:\n\(run.output)")

        // What the browser did, as the database recorded it.
        let reports = try admin.query(
            """
            SELECT r.login, count(*) FROM reloc.progress_report r JOIN reloc.task t ON t.id = r.task_id
            WHERE t.number = 2 GROUP BY r.login
            """
        ).decode((String, Int).self)
        #expect(reports.count == 1 && reports.first?.0 == logins["fgw"] && reports.first?.1 == 1, "\(reports)")
        // Nothing of the CSV, one enterprise named as markup, nothing from the forged forms.
        #expect(
            try admin.query("SELECT count(*) FROM reloc.enterprise WHERE name LIKE '端到端%'").scalar(Int.self) == 0)
        #expect(
            try admin.query("SELECT count(*) FROM reloc.enterprise WHERE name LIKE '跨站伪造%'").scalar(Int.self) == 0)
        #expect(
            try admin.query("SELECT count(*) FROM reloc.enterprise WHERE name = '<script>alert(1)</script>'")
                .scalar(Int.self) == 1)
        #expect(try admin.query("SELECT count(*) FROM reloc.enterprise").scalar(Int.self) == enterprisesBefore + 1)
        #expect(
            try admin.query(
                "SELECT count(*) FROM reloc.web_session WHERE login = \(logins["throttled"] ?? "")"
            ).scalar(Int.self) == 0, "the throttled login never signed in")
        // SIGTERM: a graceful stop.
        #expect(server.stop() == 0)
    }

    static let password = "e2e horse battery"
}

/// The reloc-web executable, started as an operator would (`--listen 127.0.0.1:0`), as the
/// authenticator reloc_web, with passwords checked over TCP (RELOC_WEB_SIGNIN_URL).
final class WebServerProcess: @unchecked Sendable {
    let process: Process
    let url: String
    private var exitStatus: Int32?

    private init(process: Process, url: String) {
        self.process = process
        self.url = url
    }

    static func start(database: String) async throws -> WebServerProcess {
        let binary = try RelocCLI.binary().deletingLastPathComponent().appendingPathComponent("reloc-web")
        let databaseURL = try TestDatabase.url(of: database).replacingOccurrences(
            of: "user=postgres", with: "user=reloc_web")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--listen", "127.0.0.1:0", "--database", databaseURL]
        var environment = ProcessInfo.processInfo.environment
        environment["RELOC_WEB_SIGNIN_URL"] = try WebFixture.signInURL(database)
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let line = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<String, any Error>) in
            DispatchQueue.global().async {
                var text = ""
                while !text.contains("\n") {
                    let data = output.fileHandleForReading.availableData
                    if data.isEmpty { break }
                    text += String(decoding: data, as: UTF8.self)
                }
                continuation.resume(returning: text)
            }
        }
        guard let range = line.range(of: #"http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) else {
            process.terminate()
            throw WebFixtureError("reloc-web did not say where it listens: \(line)")
        }
        return WebServerProcess(process: process, url: String(line[range]))
    }

    /// Sends SIGTERM once and waits; the exit status.
    @discardableResult
    func stop() -> Int32 {
        if let exitStatus { return exitStatus }
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        exitStatus = process.terminationStatus
        return process.terminationStatus
    }
}
