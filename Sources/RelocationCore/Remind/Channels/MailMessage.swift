import Foundation

/// An RFC 5322 mail with a UTF-8 text body: RFC 2047 encoded-words for the Subject (and a
/// non-ASCII sender name), base64 for the body, and a Message-ID derived from the idempotency key
/// so that a resend of the same message carries the same Message-ID.
public struct MailMessage: Sendable {
    public var from: String
    public var to: String
    public var subject: String
    public var body: String
    public var idempotencyKey: String
    public var date: Date

    public init(from: String, to: String, subject: String, body: String, idempotencyKey: String, date: Date = Date()) {
        self.from = from
        self.to = to
        self.subject = subject
        self.body = body
        self.idempotencyKey = idempotencyKey
        self.date = date
    }

    /// `<reloc-remind.KEY@DOMAIN>`, DOMAIN from the sender's address.
    public var messageID: String {
        let address =
            from.split(separator: "<").last.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "> ")) } ?? from
        let domain =
            address.split(separator: "@").last.map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? "reloc.invalid"
        return "<reloc-remind.\(idempotencyKey)@\(domain)>"
    }

    /// The whole message with LF line ends (sendmail converts to CRLF on the wire).
    public func rendered() -> String {
        var headers = [
            "From: \(MailMessage.encodeDisplayName(in: from))",
            "To: \(to)",
            "Subject: \(MailMessage.encodedWords(subject))",
            "Date: \(MailMessage.rfc5322Date(date))",
            "Message-ID: \(messageID)",
            "X-Reloc-Idempotency-Key: \(idempotencyKey)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
        ]
        headers.append("")
        let encoded = Data(body.utf8).base64EncodedString()
        var lines: [Substring] = []
        var rest = Substring(encoded)
        while !rest.isEmpty {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        return headers.joined(separator: "\n") + "\n" + lines.joined(separator: "\n") + "\n"
    }

    /// RFC 2047 "B" encoded-words of at most 75 characters each, folded onto continuation lines;
    /// a character's UTF-8 bytes never straddle two words. Plain ASCII text is left as it is.
    public static func encodedWords(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            // 39 bytes → 52 base64 characters; with "=?UTF-8?B?" and "?=" 64, so even the first word
            // after "Subject: " keeps the line within 78 characters (RFC 5322 §2.1.1).
            if chunk.count + bytes.count > 39 {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\n ")
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?\(Data(bytes).base64EncodedString())?="
    }

    /// `名字 <addr>` with a non-ASCII name → `=?UTF-8?B?…?= <addr>`.
    static func encodeDisplayName(in mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<") else { return mailbox }
        let name = mailbox[..<open].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return mailbox }
        return "\(encodedWords(name)) \(mailbox[open...])"
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
