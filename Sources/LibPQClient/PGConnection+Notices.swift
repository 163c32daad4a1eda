import CLibPQ
import Logging

/// Where a connection's server notices go. libpq hands every NOTICE, WARNING or INFO the server
/// sends (RAISE NOTICE, "there is no transaction in progress") to a notice receiver, by default
/// one that prints to stderr; reloc's receiver logs them with swift-log instead, so they reach
/// whatever log handler the program (or a test) installed, with the server's fields as metadata.
/// Which notices the server sends is `client_min_messages` (WARNING by default: see
/// `PGConnection.init`).
final class NoticeSink {
    var logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func receive(_ notice: PGError) {
        var metadata: Logger.Metadata = [:]
        if let sqlState = notice.sqlState { metadata["sqlstate"] = "\(sqlState)" }
        if let severity = notice.severity { metadata["severity"] = "\(severity)" }
        if let detail = notice.detail { metadata["detail"] = "\(detail)" }
        if let hint = notice.hint { metadata["hint"] = "\(hint)" }
        if let context = notice.context { metadata["context"] = "\(context)" }
        logger.log(level: NoticeSink.level(of: notice.severityCode), "\(notice.message)", metadata: metadata)
    }

    /// The server's severity, never translated (PG_DIAG_SEVERITY_NONLOCALIZED), as a log level.
    static func level(of severity: String?) -> Logger.Level {
        switch severity {
        case "WARNING": .warning
        case "NOTICE": .notice
        case "INFO": .info
        default: .debug  // LOG, DEBUG1…5
        }
    }
}

/// libpq's callback: `context` is the connection's `NoticeSink`, kept alive by the connection
/// for as long as libpq may call (PQfinish happens in the connection's deinit).
private let noticeReceiver: PQnoticeReceiver = { context, result in
    guard let context, let result else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
    sink.receive(PGError.fromResult(result, connection: nil))
}

extension PGConnection {
    /// Where this connection's server notices are logged (initially `Configuration.logger`).
    public var noticeLogger: Logger {
        get { notices.logger }
        set { notices.logger = newValue }
    }

    static func installNoticeReceiver(_ connection: OpaquePointer, sink: NoticeSink) {
        _ = PQsetNoticeReceiver(connection, noticeReceiver, Unmanaged.passUnretained(sink).toOpaque())
    }
}
