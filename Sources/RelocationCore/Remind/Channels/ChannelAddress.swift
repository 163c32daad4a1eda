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

    /// An http(s) URL with a host.
    public static func webhookURL(_ text: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host?.isEmpty == false
        else { throw RelocError.invalidInput("a webhook is an http:// or https:// URL with a host, not \"\(text)\"") }
        return url
    }

    /// A plain ASCII addr-spec (local@domain) without spaces, angle brackets or line breaks, so it
    /// can go into a To: header as it is. Non-ASCII addresses (RFC 6531) are refused, not written
    /// raw into the header: give the ASCII (punycode) form of the domain.
    public static func emailAddress(_ text: String) throws -> String {
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x21 && $0.value < 0x7F }) else {
            throw RelocError.invalidInput(
                "\"\(text)\" is not an ASCII e-mail address: non-ASCII addresses are refused (write the domain in its xn-- form)"
            )
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let forbidden = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "<>(),;:\"[]\\"))
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            text.unicodeScalars.allSatisfy({ !forbidden.contains($0) })
        else { throw RelocError.invalidInput("\"\(text)\" is not an e-mail address (name@example.gov.cn)") }
        return text
    }
}

extension ChannelAddress {
    /// A destination or URL as it may be shown: credentials in a URL (`user:secret@`) become `***@`.
    public static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + "***" + String(text[at...])
    }
}

extension String {
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
