import Foundation
import RelocTestSupport
import Testing

/// The scheduler files in deploy/: systemd units verified by systemd-analyze, the Kubernetes
/// CronJob parsed as YAML, the cron line's shape and shell syntax.
@Suite struct DeployFilesTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("deploy")

    static func program(_ name: String) -> String? { ExternalTool.find(name) }

    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try ExternalTool.run(program, arguments)
    }

    @Test func systemdUnitsVerify() throws {
        let service = try String(
            contentsOf: Self.deploy.appendingPathComponent("systemd/reloc-remind.service"), encoding: .utf8)
        let timer = try String(
            contentsOf: Self.deploy.appendingPathComponent("systemd/reloc-remind.timer"), encoding: .utf8)
        #expect(service.contains("\nType=oneshot\n") && service.contains("\nUser=reloc-remind\n"))
        #expect(service.contains("\nEnvironmentFile=/etc/reloc/remind.env\n"))
        #expect(
            service.contains(
                "\nExecStart=/usr/local/bin/reloc remind run --summary-json /var/lib/reloc-remind/summary.json\n"))
        #expect(service.contains("\nRestartPreventExitStatus=64 65 77\n"), "dead messages do not fail the run")
        #expect(timer.contains("\nOnCalendar=*-*-* 09..20:30:00 Asia/Shanghai\n"), "later runs send the retries")
        #expect(timer.contains("\nOnCalendar=*-*-* 08:00:00 Asia/Shanghai\n") && timer.contains("\nPersistent=true\n"))
        // A local MTA's sendmail is setuid/setgid and writes its spool: nothing in the shipped
        // unit may set no_new_privs (NoNewPrivileges= or a setting that implies it).
        let directives = service.split(separator: "\n").filter { !$0.hasPrefix("#") }
        for implying in [
            "NoNewPrivileges=", "PrivateDevices=", "ProtectKernelTunables=", "ProtectKernelModules=",
            "RestrictSUIDSGID=", "LockPersonality=", "SystemCallFilter=", "RestrictAddressFamilies=",
            "MemoryDenyWriteExecute=", "RestrictNamespaces=", "RestrictRealtime=", "ProtectClock=",
            "ProtectKernelLogs=", "ProtectHostname=", "SystemCallArchitectures=", "DynamicUser=",
        ] {
            #expect(!directives.contains { $0.hasPrefix(implying) }, "\(implying)")
        }
        #expect(directives.contains { $0.hasPrefix("ReadWritePaths=") && $0.contains("-/var/spool/postfix/maildrop") })
        let dropIn = try String(
            contentsOf: Self.deploy.appendingPathComponent("systemd/reloc-remind.service.d/no-local-mta.conf"),
            encoding: .utf8)
        #expect(dropIn.contains("\nNoNewPrivileges=yes\n"))
        let environment = try String(
            contentsOf: Self.deploy.appendingPathComponent("systemd/remind.env.example"), encoding: .utf8)
        #expect(environment.contains("sslmode=verify-full&sslrootcert=/etc/reloc/root.crt\""))
        #expect(environment.contains("\nPGPASSFILE=\"/etc/reloc/remind.pgpass\"\n"))
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
        // The drop-in beside it, as installed in /etc/systemd/system/reloc-remind.service.d/.
        let dropIns = folder.appendingPathComponent("reloc-remind.service.d")
        try FileManager.default.createDirectory(at: dropIns, withIntermediateDirectories: true)
        try dropIn.write(to: dropIns.appendingPathComponent("no-local-mta.conf"), atomically: true, encoding: .utf8)
        // With man pages checked: every Documentation= link must resolve.
        let verify = try Self.run(
            analyze,
            [
                "verify", folder.appendingPathComponent("reloc-remind.service").path,
                folder.appendingPathComponent("reloc-remind.timer").path,
            ])
        #expect(verify.status == 0 && verify.output.isEmpty, "\(verify.output)")
        let calendar = try Self.run(analyze, ["calendar", "*-*-* 08:00:00 Asia/Shanghai"])
        #expect(calendar.status == 0, "\(calendar.output)")
    }

    static func yamlDocuments(_ name: String) throws -> [[String: Any]]? {
        let path = Self.deploy.appendingPathComponent("kubernetes/\(name)").path
        guard let python = Self.program("python3"), try Self.run(python, ["-c", "import yaml"]).status == 0 else {
            print("DeployFilesTests: SKIPPED YAML check: python3 with PyYAML is not installed on this machine")
            return nil
        }
        let script =
            "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')))))"
        let parsed = try Self.run(python, ["-c", script, path])
        #expect(parsed.status == 0, "\(parsed.output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(parsed.output.utf8)) as? [[String: Any]])
    }

    @Test func kubernetesCronJobIsValidYAML() throws {
        guard let documents = try Self.yamlDocuments("reloc-remind-cronjob.yaml"),
            let secrets = try Self.yamlDocuments("reloc-remind-secret.example.yaml"),
            let namespaces = try Self.yamlDocuments("namespace.yaml")
        else { return }
        // Applying the CronJob never overwrites the Secret made by hand.
        #expect(documents.map { $0["kind"] as? String } == ["CronJob"])
        let cronJob = documents[0]
        let secret = try #require(secrets.first { $0["kind"] as? String == "Secret" })
        #expect(namespaces.first?["kind"] as? String == "Namespace")
        let namespace = (namespaces.first?["metadata"] as? [String: Any])?["name"] as? String
        #expect(namespace == "reloc" && (cronJob["metadata"] as? [String: Any])?["namespace"] as? String == namespace)
        #expect(cronJob["apiVersion"] as? String == "batch/v1")
        let spec = try #require(cronJob["spec"] as? [String: Any])
        #expect(spec["schedule"] as? String == "0 8 * * *")
        #expect(spec["timeZone"] as? String == "Asia/Shanghai")
        #expect(spec["concurrencyPolicy"] as? String == "Forbid")
        let job = try #require((spec["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])
        let failJob = try #require(
            ((job["podFailurePolicy"] as? [String: Any])?["rules"] as? [[String: Any]])?.first {
                $0["action"] as? String == "FailJob"
            })
        #expect(((failJob["onExitCodes"] as? [String: Any])?["values"] as? [Int])?.contains(75) == true)
        let pod = try #require(job["template"] as? [String: Any])
        let container = try #require(((pod["spec"] as? [String: Any])?["containers"] as? [[String: Any]])?.first)
        #expect(container["command"] as? [String] == ["/bin/sh", "-c"])
        let script = try #require((container["args"] as? [String])?.first)
        #expect(!script.contains("$("), "Kubernetes would expand $(…) in args")
        let secretName =
            ((container["envFrom"] as? [[String: Any]])?.first?["secretRef"] as? [String: Any])?["name"] as? String
        #expect(secretName != nil && secretName == (secret["metadata"] as? [String: Any])?["name"] as? String)
        #expect((secret["stringData"] as? [String: Any])?["DATABASE_URL"] != nil)
        // The container's loop: exit 75 runs again (after a sleep), anything else ends it.
        #expect(try Self.runLoop(script, statuses: [75, 75, 0]) == (0, 3))
        #expect(try Self.runLoop(script, statuses: [65]) == (65, 1))
        #expect(try Self.runLoop(script, statuses: [75, 69]) == (69, 2))
        #expect(try Self.runLoop(script, statuses: Array(repeating: 75, count: 10)) == (75, 8))
        // Exit 0 with messages waiting for a retry: run again; with none waiting: done.
        #expect(
            try Self.runLoop(script, statuses: [0, 0, 0], summaries: ["\"waiting\":2", "\"waiting\":0"]) == (0, 2))
    }

    /// Runs the CronJob's shell script with stand-ins for reloc (exiting with `statuses` in turn)
    /// and sleep (at once); returns the script's exit status and how many runs it made.
    static func runLoop(_ script: String, statuses: [Int32], summaries: [String] = []) throws -> (Int32, Int) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-loop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try statuses.map(String.init).joined(separator: "\n").appending("\n").write(
            to: folder.appendingPathComponent("statuses"), atomically: true, encoding: .utf8)
        try summaries.joined(separator: "\n").appending("\n").write(
            to: folder.appendingPathComponent("summaries"), atomically: true, encoding: .utf8)
        let reloc = """
            #!/bin/sh
            [ "$1 $2" = "remind run" ] || exit 64
            echo run >> '\(folder.path)/runs'
            status=$(sed -n 1p '\(folder.path)/statuses'); sed -i 1d '\(folder.path)/statuses'
            summary=$(sed -n 1p '\(folder.path)/summaries'); sed -i 1d '\(folder.path)/summaries'
            [ "$3" = "--summary-json" ] && [ -n "$summary" ] && echo "{$summary}" > "$4"
            exit "$status"

            """
        for (name, body) in [("reloc", reloc), ("sleep", "#!/bin/sh\nexit 0\n")] {
            let file = folder.appendingPathComponent(name)
            try body.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        let outcome = try Self.run("/usr/bin/env", ["PATH=\(folder.path):/usr/bin:/bin", "/bin/sh", "-c", script])
        let runs =
            (try? String(contentsOf: folder.appendingPathComponent("runs"), encoding: .utf8))?
            .split(separator: "\n").count ?? 0
        return (outcome.status, runs)
    }

    @Test func theImageIsBuiltWithLibpqAndTheResources() throws {
        let dockerfile = try String(
            contentsOf: Self.deploy.appendingPathComponent("kubernetes/Dockerfile"), encoding: .utf8)
        #expect(dockerfile.contains("libpq-dev") && dockerfile.contains("libpq5"))
        #expect(dockerfile.contains("/usr/local/bin/reloc_RelocationCore.resources"))
        #expect(dockerfile.contains("USER 10001:10001"), "the CronJob runs as 10001 (runAsNonRoot)")
        // The runtime image has no Swift libraries: the binary must carry its runtime, and
        // webhooks load libcurl with dlopen (docs/performance-cli.md).
        #expect(dockerfile.contains("--static-swift-stdlib") && dockerfile.contains("libcurl4"))
        #expect(!dockerfile.contains("noble-slim"))
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
