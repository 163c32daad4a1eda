import Foundation
import RelocTestSupport
import Testing

/// reloc-web's deploy files: the systemd unit verified by systemd-analyze and the nginx TLS proxy
/// by `nginx -t`, each where the tool is installed (as the reminder's units are).
@Suite struct WebDeployFilesTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy")

    static func program(_ name: String) -> String? { ExternalTool.find(name) }

    static func run(_ program: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try ExternalTool.run(program, arguments)
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func theSystemdUnitVerifies() throws {
        let unit = try String(
            contentsOf: Self.deploy.appendingPathComponent("systemd/reloc-web.service"), encoding: .utf8)
        #expect(unit.contains("\nExecStart=/usr/local/bin/reloc-web --listen 127.0.0.1:8080\n"))
        #expect(unit.contains("\nKillSignal=SIGTERM\n") && unit.contains("\nEnvironmentFile=/etc/reloc/web.env\n"))
        #expect(unit.contains("\nNoNewPrivileges=yes\n") && unit.contains("\nUser=reloc-web\n"))
        guard let analyze = Self.program("systemd-analyze") else {
            print("WebDeployFilesTests: SKIPPED systemd-analyze verify: systemd-analyze is not installed")
            return
        }
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let web = try RelocCLI.binary().deletingLastPathComponent().appendingPathComponent("reloc-web")
        let installed = folder.appendingPathComponent("reloc-web.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/reloc-web", with: web.path)
            .write(to: installed, atomically: true, encoding: .utf8)
        let verify = try Self.run(analyze, ["verify", installed.path])
        #expect(verify.status == 0 && verify.output.isEmpty, "\(verify.output)")
    }

    @Test func theNginxProxyConfigurationIsValid() throws {
        let site = try String(
            contentsOf: Self.deploy.appendingPathComponent("web/nginx-reloc-web.conf"), encoding: .utf8)
        #expect(site.contains("proxy_pass http://127.0.0.1:8080;"))
        #expect(site.contains("proxy_set_header X-Forwarded-For $remote_addr;"), "replaced, never appended")
        #expect(site.contains("return 301 https://"))
        let environment = try String(
            contentsOf: Self.deploy.appendingPathComponent("web/web.env.example"), encoding: .utf8)
        #expect(
            environment.contains("\nRELOC_WEB_SECURE_COOKIES=1\n")
                && environment.contains("\nRELOC_WEB_TRUST_PROXY=1\n"))
        guard let nginx = Self.program("nginx"), let openssl = Self.program("openssl") else {
            print("WebDeployFilesTests: SKIPPED nginx -t: nginx or openssl is not installed")
            return
        }
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificate = folder.appendingPathComponent("reloc-web.crt").path
        let key = folder.appendingPathComponent("reloc-web.key").path
        let made = try Self.run(
            openssl,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=reloc.example.gov.cn", "-days", "1",
                "-keyout", key, "-out", certificate,
            ])
        #expect(made.status == 0, "\(made.output)")
        let installed = folder.appendingPathComponent("site.conf")
        try site.replacingOccurrences(of: "/etc/reloc/tls/reloc-web.crt", with: certificate)
            .replacingOccurrences(of: "/etc/reloc/tls/reloc-web.key", with: key)
            .write(to: installed, atomically: true, encoding: .utf8)
        let main = folder.appendingPathComponent("nginx.conf")
        try """
        pid \(folder.path)/nginx.pid;
        error_log stderr;
        events {}
        http { access_log off; include \(installed.path); }
        """.write(to: main, atomically: true, encoding: .utf8)
        let test = try Self.run(nginx, ["-t", "-q", "-p", folder.path, "-e", "stderr", "-c", main.path])
        #expect(test.status == 0, "\(test.output)")
    }
}
