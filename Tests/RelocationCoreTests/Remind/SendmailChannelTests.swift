import Foundation
import RelocationCore
import Testing

/// The e-mail channel through a stand-in for sendmail that keeps what it was given.
@Suite struct SendmailChannelTests {
    /// A directory with `sendmail` (a script saving its arguments and stdin, then exiting with
    /// `status`).
    static func standIn(status: Int32 = 0) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "reloc-sendmail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("sendmail")
        try """
        #!/bin/sh
        printf '%s\\n' "$@" > '\(directory.path)/args'
        cat > '\(directory.path)/mail.eml'
        exit \(status)

        """.write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return directory
    }

    @Test func theMailDecodesToTheChineseDigest() throws {
        let directory = try Self.standIn()
        defer { try? FileManager.default.removeItem(at: directory) }
        let message = ReminderSamples.message()
        let channel = SendmailChannel(
            address: "ban@sp.gov.cn", command: [directory.appendingPathComponent("sendmail").path, "-t", "-i"],
            sender: "搬迁改造提醒 <remind@jl.gov.cn>")
        #expect(channel.deliver(message) == .sent)
        #expect(try String(contentsOf: directory.appendingPathComponent("args"), encoding: .utf8) == "-t\n-i\n")
        let raw = try String(contentsOf: directory.appendingPathComponent("mail.eml"), encoding: .utf8)
        #expect(raw.unicodeScalars.allSatisfy { $0.isASCII }, "a MIME message on the wire is 7-bit")
        let mail = try ParsedMail(raw)
        #expect(mail.header("To") == "ban@sp.gov.cn")
        #expect(mail.header("MIME-Version") == "1.0")
        #expect(mail.header("Content-Type") == "text/plain; charset=UTF-8")
        #expect(mail.header("Content-Transfer-Encoding") == "base64")
        #expect(try ParsedMail.decodeWords(mail.header("Subject") ?? "") == message.subject)
        #expect(try ParsedMail.decodeWords(mail.header("From") ?? "") == "搬迁改造提醒 <remind@jl.gov.cn>")
        #expect(mail.header("Message-ID") == "<reloc-remind.\(message.idempotencyKey)@jl.gov.cn>")
        #expect(mail.decodedBody == message.text)
        #expect(mail.rawHeaderLines.allSatisfy { $0.count <= 78 }, "header lines are folded")
    }

    @Test func theMessageIDIsTheSameOnAResend() throws {
        let directory = try Self.standIn()
        defer { try? FileManager.default.removeItem(at: directory) }
        let channel = SendmailChannel(
            address: "ban@sp.gov.cn", command: [directory.appendingPathComponent("sendmail").path])
        #expect(channel.deliver(ReminderSamples.message(key: "k-1")) == .sent)
        let first = try ParsedMail(String(contentsOf: directory.appendingPathComponent("mail.eml"), encoding: .utf8))
        #expect(channel.deliver(ReminderSamples.message(key: "k-1")) == .sent)
        let second = try ParsedMail(String(contentsOf: directory.appendingPathComponent("mail.eml"), encoding: .utf8))
        #expect(first.header("Message-ID") == second.header("Message-ID"))
        #expect(first.header("Message-ID") == "<reloc-remind.k-1@localhost>")
    }

    @Test func temporaryFailuresRetryAndPermanentOnesAreDead() throws {
        for (status, temporary) in [(Int32(75), true), (67, false), (1, true)] {
            let directory = try Self.standIn(status: status)
            defer { try? FileManager.default.removeItem(at: directory) }
            let channel = SendmailChannel(
                address: "ban@sp.gov.cn", command: [directory.appendingPathComponent("sendmail").path])
            switch channel.deliver(ReminderSamples.message()) {
            case .retry: #expect(temporary, "exit \(status)")
            case .dead: #expect(!temporary, "exit \(status)")
            case .sent: Issue.record("exit \(status) is not sent")
            }
        }
        let missing = SendmailChannel(address: "ban@sp.gov.cn", command: ["/nonexistent/sendmail"])
        guard case .retry = missing.deliver(ReminderSamples.message()) else {
            Issue.record("a missing sendmail is a temporary failure (install it, the next run sends)")
            return
        }
    }

    @Test func longSubjectsSplitOnCharacterBoundaries() throws {
        let subject = String(repeating: "城区老工业区搬迁改造", count: 8)
        let encoded = MailMessage.encodedWords(subject)
        #expect(encoded.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).count <= 75 })
        #expect(try ParsedMail.decodeWords(encoded) == subject)
        #expect(MailMessage.encodedWords("plain ascii") == "plain ascii")
    }
}

/// Just enough of RFC 5322/2045/2047 to check what the channel wrote.
struct ParsedMail {
    struct Malformed: Error {}
    let rawHeaderLines: [String]
    let headers: [(String, String)]
    let body: String

    init(_ raw: String) throws {
        guard let split = raw.range(of: "\n\n") else { throw Malformed() }
        rawHeaderLines = raw[..<split.lowerBound].split(separator: "\n").map(String.init)
        var headers: [(String, String)] = []
        for line in rawHeaderLines {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), let last = headers.popLast() {
                headers.append((last.0, last.1 + line.trimmingCharacters(in: .whitespaces)))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append(
                    (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
        }
        self.headers = headers
        body = String(raw[split.upperBound...])
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var decodedBody: String? {
        Data(base64Encoded: body.replacingOccurrences(of: "\n", with: "")).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Decodes `=?UTF-8?B?…?=` words (adjacent words joined, as RFC 2047 §6.2 says) in a header.
    static func decodeWords(_ value: String) throws -> String {
        var bytes = [UInt8]()
        var rest = Substring(value)
        while let start = rest.range(of: "=?UTF-8?B?") {
            let between = rest[..<start.lowerBound]
            if !between.allSatisfy(\.isWhitespace) { bytes += Array(between.utf8) }
            guard let end = rest[start.upperBound...].range(of: "?=") else { throw Malformed() }
            guard let data = Data(base64Encoded: String(rest[start.upperBound..<end.lowerBound])) else {
                throw Malformed()
            }
            bytes += data
            rest = rest[end.upperBound...]
        }
        bytes += Array(rest.utf8)
        return String(decoding: bytes, as: UTF8.self)
    }
}
