import Foundation

/// `email:ADDRESS`: the message as a MIME mail piped to a sendmail-compatible command
/// (default `/usr/sbin/sendmail -t -i`: recipients from the headers, a lone "." is not the end).
///
/// Exit 0 → sent; EX_USAGE, EX_DATAERR, EX_NOUSER, EX_NOHOST, EX_NOPERM (64, 65, 67, 68, 77) → dead;
/// anything else (EX_TEMPFAIL 75, a crash, a timeout, a command that cannot start) → retry.
public struct SendmailChannel: ReminderChannel {
    public static let defaultCommand = ["/usr/sbin/sendmail", "-t", "-i"]
    public static let defaultSender = "reloc-remind@localhost"

    public let address: String
    public let command: [String]
    public let sender: String
    public let timeout: TimeInterval

    /// - Parameters:
    ///   - command: the program and its arguments (`RELOC_SENDMAIL`, split on spaces).
    ///   - sender: the From: mailbox (`RELOC_MAIL_FROM`), e.g. `搬迁改造提醒 <remind@jl.gov.cn>`.
    public init(
        address: String, command: [String] = SendmailChannel.defaultCommand,
        sender: String = SendmailChannel.defaultSender,
        timeout: TimeInterval = 60
    ) {
        self.address = address
        self.command = command.isEmpty ? SendmailChannel.defaultCommand : command
        self.sender = sender
        self.timeout = timeout
    }

    public func deliver(_ message: ReminderMessage) -> DeliveryOutcome {
        let mail = MailMessage(
            from: sender, to: address, subject: message.subject, body: message.text,
            idempotencyKey: message.idempotencyKey)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            return .retry("cannot run \(command[0]): \(error.localizedDescription)")
        }
        do {
            try input.fileHandleForWriting.write(contentsOf: Data(mail.rendered().utf8))
            try input.fileHandleForWriting.close()
        } catch {
            process.terminate()
            exited.wait()
            return .retry("\(command[0]) did not take the message: \(error.localizedDescription)")
        }
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            exited.wait()
            return .retry("\(command[0]) did not finish within \(Int(timeout)) s")
        }
        let status = process.terminationStatus
        if process.terminationReason == .exit && status == 0 { return .sent }
        let said =
            String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let reason = "\(command[0]) exited \(status)\(said.isEmpty ? "" : ": \(said)")"
        if process.terminationReason == .exit && [64, 65, 67, 68, 77].contains(status) { return .dead(reason) }
        return .retry(reason)
    }
}
