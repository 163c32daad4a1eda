import Foundation
import Hummingbird
import Logging
import RelocationCore

// reloc-web: the web desk (issue 16). `reloc-web --listen 127.0.0.1:8080 [--database URL]`.
// SIGTERM and SIGINT end it gracefully: the listener closes, requests in flight finish, then the
// pool's connections close.
let settings: WebSettings
do {
    settings = try WebSettings(
        arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
} catch let error as WebSettingsError {
    FileHandle.standardError.write(
        Data((error.isHelp ? "" : "reloc-web: \(error.description)\n" + WebSettings.usage + "\n").utf8))
    if error.isHelp { print(WebSettings.usage) }
    exit(error.isHelp ? 0 : 64)
}

do {
    let web = try await Web(settings: settings)
    let app = Application(
        router: web.router(),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
        onServerRunning: { channel in
            let address = channel.localAddress.map { "\($0.ipAddress ?? settings.host):\($0.port ?? settings.port)" }
            let line = "reloc-web: listening on http://\(address ?? "\(settings.host):\(settings.port)")/\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        },
        logger: web.logger)
    try await app.runService()
    await web.pool.close()
} catch {
    FileHandle.standardError.write(Data("reloc-web: \(error)\n".utf8))
    exit(69)
}
