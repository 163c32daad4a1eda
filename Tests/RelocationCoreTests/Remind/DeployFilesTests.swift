import Foundation
import RelocTestSupport
import Testing

/// The scheduler files in deploy/: systemd units verified by systemd-analyze, the Kubernetes
/// CronJob parsed as YAML, the cron line's shape and shell syntax.
@Suite struct DeployFilesTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy")

    static func program(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func systemdUnitsVerify() throws {
        let service = try String(
            contentsOf: Self.deploy.appendingPathComponent("systemd/reloc-remind.service"), encoding: .utf8)
        let timer = try String(
            contentsOf: Self.deploy.appendingPathComponent("systemd/reloc-remind.timer"), encoding: .utf8)
        #expect(service.contains("\nType=oneshot\n") && service.contains("\nUser=reloc-remind\n"))
        #expect(service.contains("\nEnvironmentFile=/etc/reloc/remind.env\n"))
        #expect(service.contains("\nExecStart=/usr/local/bin/reloc remind run\n"))
        #expect(timer.contains("\nOnCalendar=*-*-* 08:00:00 Asia/Shanghai\n") && timer.contains("\nPersistent=true\n"))
        guard let analyze = Self.program("systemd-analyze") else {
            print("DeployFilesTests: SKIPPED systemd-analyze verify: systemd-analyze is not installed on this machine")
            return
        }
        // verify checks that ExecStart's program exists: point it at the reloc just built.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-units-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try service.replacingOccurrences(of: "/usr/local/bin/reloc", with: try RelocCLI.binary().path)
            .write(to: folder.appendingPathComponent("reloc-remind.service"), atomically: true, encoding: .utf8)
        try timer.write(to: folder.appendingPathComponent("reloc-remind.timer"), atomically: true, encoding: .utf8)
        let verify = try Self.run(
            analyze,
            [
                "verify", "--man=no", folder.appendingPathComponent("reloc-remind.service").path,
                folder.appendingPathComponent("reloc-remind.timer").path,
            ])
        #expect(verify.status == 0 && verify.output.isEmpty, "\(verify.output)")
        let calendar = try Self.run(analyze, ["calendar", "*-*-* 08:00:00 Asia/Shanghai"])
        #expect(calendar.status == 0, "\(calendar.output)")
    }

    @Test func kubernetesCronJobIsValidYAML() throws {
        let path = Self.deploy.appendingPathComponent("kubernetes/reloc-remind-cronjob.yaml").path
        guard let python = Self.program("python3"), try Self.run(python, ["-c", "import yaml"]).status == 0 else {
            print("DeployFilesTests: SKIPPED YAML check: python3 with PyYAML is not installed on this machine")
            return
        }
        let script =
            "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')))))"
        let parsed = try Self.run(python, ["-c", script, path])
        #expect(parsed.status == 0, "\(parsed.output)")
        let documents = try #require(
            try JSONSerialization.jsonObject(with: Data(parsed.output.utf8)) as? [[String: Any]])
        let secret = try #require(documents.first { $0["kind"] as? String == "Secret" })
        let cronJob = try #require(documents.first { $0["kind"] as? String == "CronJob" })
        #expect(cronJob["apiVersion"] as? String == "batch/v1")
        let spec = try #require(cronJob["spec"] as? [String: Any])
        #expect(spec["schedule"] as? String == "0 8 * * *")
        #expect(spec["timeZone"] as? String == "Asia/Shanghai")
        #expect(spec["concurrencyPolicy"] as? String == "Forbid")
        let pod = try #require(
            ((spec["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])?["template"] as? [String: Any])
        let container = try #require(((pod["spec"] as? [String: Any])?["containers"] as? [[String: Any]])?.first)
        #expect(container["args"] as? [String] == ["remind", "run"])
        let secretName =
            ((container["envFrom"] as? [[String: Any]])?.first?["secretRef"] as? [String: Any])?["name"] as? String
        #expect(secretName != nil && secretName == (secret["metadata"] as? [String: Any])?["name"] as? String)
        #expect((secret["stringData"] as? [String: Any])?["DATABASE_URL"] != nil)
    }

    @Test func cronLinesUseShanghaiTimeAndFlock() throws {
        let text = try String(contentsOf: Self.deploy.appendingPathComponent("cron/reloc-remind"), encoding: .utf8)
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines.contains("CRON_TZ=Asia/Shanghai"))
        let jobs = lines.filter { $0.first?.isNumber == true }
        #expect(jobs.first?.hasPrefix("0 8 * * * ") == true)
        for job in jobs {
            // minute hour day month weekday user command (the /etc/cron.d format)
            let fields = job.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: true)
            #expect(fields.count == 7 && fields[5] == "reloc-remind", "\(job)")
            let command = String(fields[6])
            #expect(command.contains("flock -n ") && command.contains("reloc remind run"))
            let syntax = try Self.run("/bin/sh", ["-n", "-c", command])
            #expect(syntax.status == 0, "\(syntax.output)")
        }
    }
}
