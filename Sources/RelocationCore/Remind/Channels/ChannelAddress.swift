import Foundation

/// Where a message goes, written as one string: in the ledger (`reminder_message.channel`), in
/// `--channel C`, and derived from an organisation's contacts.
///
/// - `stdout` — the human text on standard output (the demo).
/// - `jsonl:PATH` — one JSON object per message appended to PATH and fsynced.
/// - `webhook:URL` (or a bare `http://…`/`https://…`) — HTTP POST of the JSON object.
/// - `email:ADDRESS` (or `mailto:ADDRESS`) — a MIME mail through the sendmail command.
public enum ChannelAddress: Sendable, Hashable, CustomStringConvertible {
    case stdout
    case jsonl(path: String)
    case webhook(URL)
    case email(String)

    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "stdout" {
            self = .stdout
        } else if let path = trimmed.dropPrefix("jsonl:") {
            guard !path.isEmpty else {
                throw RelocError.invalidInput("jsonl: needs a file path, e.g. jsonl:/var/log/reloc/remind.jsonl")
            }
            self = .jsonl(path: path)
        } else if let url = trimmed.dropPrefix("webhook:")
            ?? (trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") ? trimmed : nil)
        {
            self = .webhook(try ChannelAddress.webhookURL(url))
        } else if let address = trimmed.dropPrefix("email:") ?? trimmed.dropPrefix("mailto:") {
            self = .email(try ChannelAddress.emailAddress(address))
        } else {
            throw RelocError.invalidInput(
                "unknown channel \"\(text)\": use stdout, jsonl:PATH, webhook:URL or email:ADDRESS")
        }
    }

    public var description: String {
        switch self {
        case .stdout: "stdout"
        case .jsonl(let path): "jsonl:\(path)"
        case .webhook(let url): "webhook:\(url.absoluteString)"
        case .email(let address): "email:\(address)"
        }
    }

    /// An http(s) URL with a host and, if given, a port from 1 to 65535. An IPv6 literal host
    /// (`http://[::1]/`) is refused: URLSession on Linux, the job's HTTP client when this rule was
    /// made, could not send to one (every try failed, retried until dead). libcurl (WebhookHTTP)
    /// can, but the rule stays until sending to one is tested; a host name with an AAAA record works.
    public static func webhookURL(_ text: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host?.isEmpty == false, let start = text.range(of: "://")
        else { throw RelocError.invalidInput("a webhook is an http:// or https:// URL with a host, not \"\(text)\"") }
        let authority = text[start.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostAndPort = authority.lastIndex(of: "@").map { authority[authority.index(after: $0)...] } ?? authority
        if hostAndPort.hasPrefix("[") {
            throw RelocError.invalidInput(
                "a webhook's host cannot be an IPv6 address in brackets (not \"\(ChannelAddress.redacted(text))\"): give a host name"
            )
        }
        if let colon = hostAndPort.lastIndex(of: ":") {
            let port = hostAndPort[hostAndPort.index(after: colon)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0.isASCII && $0.isNumber }),
                let number = Int(port),
                (1...65535).contains(number)
            else {
                throw RelocError.invalidInput(
                    "a webhook's port is a number from 1 to 65535, not \"\(port)\" in \"\(ChannelAddress.redacted(text))\""
                )
            }
        }
        return url
    }

    /// A plain ASCII addr-spec (local@domain) without spaces, angle brackets or line breaks, so it
    /// can go into a To: header as it is. Non-ASCII addresses (RFC 6531) are refused, not written
    /// raw into the header: give the ASCII (punycode) form of the domain. The domain is host
    /// names' labels (letters, digits, inner hyphens; 1–63 characters) joined by dots: `a@-b.cn`,
    /// `a@b..cn` and `a@b.cn.` are refused.
    public static func emailAddress(_ text: String, singleLabelDomain: Bool = false) throws -> String {
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F }) else {
            throw RelocError.invalidInput(
                "\"\(text)\" is not an ASCII e-mail address: non-ASCII addresses are refused (write the domain in its xn-- form)"
            )
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let forbidden = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "<>(),;:\"[]\\"))
        guard parts.count == 2, !parts[0].isEmpty, text.unicodeScalars.allSatisfy({ !forbidden.contains($0) }),
            ChannelAddress.isDomain(parts[1], singleLabel: singleLabelDomain)
        else { throw RelocError.invalidInput("\"\(text)\" is not an e-mail address (name@example.gov.cn)") }
        return text
    }

    /// Labels of letters, digits and inner hyphens, 1–63 characters, joined by single dots; at
    /// least two labels unless `singleLabel` (`localhost`, for the job's own From:).
    static func isDomain(_ domain: Substring, singleLabel: Bool) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= (singleLabel ? 1 : 2), domain.count <= 253 else { return false }
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    /// One mailbox for From:: `address` or `display name <address>`, the name without commas,
    /// angle brackets, quotes or line breaks (`a@b, c@d` or `a@b>` would make other mailboxes).
    public static func mailbox(_ text: String) throws -> String {
        let refuse = RelocError.invalidInput(
            "RELOC_MAIL_FROM must be one mailbox on one line, e.g. 搬迁改造提醒 <remind@jl.gov.cn> (got \"\(text)\")")
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { throw refuse }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var address = Substring(trimmed)
        if let open = trimmed.firstIndex(of: "<") {
            let name = trimmed[..<open]
            guard trimmed.hasSuffix(">"), !name.contains(where: { ",;<>\"()[]\\@:".contains($0) }) else { throw refuse }
            address = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        }
        do { _ = try emailAddress(String(address), singleLabelDomain: true) } catch { throw refuse }
        return text
    }
}

extension ChannelAddress {
    /// A destination or URL as it may be shown: credentials in a URL (`user:secret@`) become `***@`
    /// and its query (`?access_token=…`, where 钉钉 and 企业微信 robots carry their key) `?***`, as
    /// `reloc.url_shown` does in SQL.
    public static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        var shown = text
        let rest = text[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") {
            shown = String(text[..<scheme.upperBound]) + "***" + String(text[at...])
        }
        if let query = shown.firstIndex(of: "?") {
            let end = shown[query...].firstIndex { $0 == "#" || $0 == " " } ?? shown.endIndex
            shown.replaceSubrange(shown.index(after: query)..<end, with: "***")
        }
        return shown
    }
}

extension String {
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
