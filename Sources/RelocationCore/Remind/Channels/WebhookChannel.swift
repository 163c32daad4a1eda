import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `webhook:URL`: an HTTP POST of the message's JSON object (see `ReminderMessage.jsonObject`)
/// with the header `Idempotency-Key: <key>`, the same on every resend, so the receiver can drop a
/// repeat after a crash between sending and recording.
///
/// 2xx → sent; 408, 429 and 5xx, timeouts and connection failures → retry; any other status → dead.
/// Redirects are never followed (a client following them would turn a POST into a GET without the
/// body, or re-POST an empty one, and the message would pass for sent): a 3xx is dead with its
/// status, since a person must fix the contact.
///
/// Signed: with the contact's secret (shown once at `reloc remind contact add`), the headers
/// `X-Reloc-Timestamp: <Unix seconds>` and `X-Reloc-Signature: sha256=<hex HMAC-SHA256 of
/// "<timestamp>.<body>" under the secret>` let the receiver check that the request is the job's
/// and recent (docs/usage/remind.md, "Receiving webhooks"). The host is checked at send time against
/// `WebhookAddressPolicy` (no internal addresses unless allowed), and the request goes to the very
/// addresses checked (`pin`). What an organisation reads of a failure is a short category; the
/// full error goes to the job's log.
///
/// Sent through libcurl, loaded when the first webhook is sent (`WebhookHTTP`): the reloc binary
/// links no HTTP library, so every other command starts without one (docs/performance-cli.md).
public struct WebhookChannel: ReminderChannel {
    public let url: URL
    public let timeout: TimeInterval
    public let secret: String?
    public let addresses: WebhookAddressPolicy
    /// The file names libcurl is loaded by, tried in order.
    public let libcurl: [String]

    public init(
        url: URL, timeout: TimeInterval = 15, secret: String? = nil,
        addresses: WebhookAddressPolicy = WebhookAddressPolicy(), libcurl: [String] = WebhookHTTP.libcurl
    ) {
        self.url = url
        self.timeout = timeout
        self.secret = secret
        self.addresses = addresses
        self.libcurl = libcurl
    }

    /// `sha256=<hex>` for a request body sent at `timestamp`.
    public static func signature(secret: String, timestamp: Int, body: Data) -> String {
        let signed = Array("\(timestamp).".utf8) + Array(body)
        return "sha256=" + HMACSHA256.hex(HMACSHA256.authenticationCode(for: signed, key: Array(secret.utf8)))
    }

    public func deliver(_ message: ReminderMessage) -> DeliveryOutcome {
        let body: Data
        do {
            body = try message.jsonObject()
        } catch {
            return .dead("cannot encode the message as JSON: \(error)")
        }
        let checked: [[UInt8]]
        switch addresses.check(host: url.host ?? "") {
        case .success(let addresses): checked = addresses
        case .failure(let refusal):
            // The organisation reads the category; the address its host resolves to goes to the log.
            Logger(label: "reloc.remind.webhook").warning(
                "remind.webhook_refused",
                metadata: ["url": "\(ChannelAddress.redacted(url.absoluteString))", "detail": "\(refusal.detail)"])
            return refusal.isInternal ? .dead(refusal.shown) : .retry(refusal.shown)
        }
        var headers = [
            "Content-Type: application/json; charset=utf-8",
            "Idempotency-Key: \(message.idempotencyKey)",
            "User-Agent: reloc-remind",
            // No `Expect: 100-continue` wait before a longer body: one round trip, one answer.
            "Expect:",
        ]
        if let secret {
            let timestamp = Int(Date().timeIntervalSince1970)
            headers.append("X-Reloc-Timestamp: \(timestamp)")
            headers.append(
                "X-Reloc-Signature: \(WebhookChannel.signature(secret: secret, timestamp: timestamp, body: body))")
        }
        let pin = WebhookChannel.pin(url: url, addresses: checked)
        let (status, error) = WebhookHTTP.post(
            url: url.absoluteString, pinning: pin, headers: headers, body: body, timeout: timeout,
            libraries: libcurl)
        if let status { return WebhookChannel.outcome(status: status) }
        Logger(label: "reloc.remind.webhook").warning(
            "remind.webhook_failed",
            metadata: [
                "url": "\(ChannelAddress.redacted(url.absoluteString))", "error": "\(error?.detail ?? "no response")",
            ])
        return .retry("webhook: \(error?.category ?? "no answer")")
    }

    /// The CURLOPT_RESOLVE entry that sends the request to the addresses the policy checked
    /// (`host:port:address,…`), so that a second, different answer of the resolver (DNS rebinding)
    /// is never asked for; nil for a host written as an IPv4 address, which is connected to as is.
    static func pin(url: URL, addresses: [[UInt8]]) -> String? {
        guard let host = url.host, !addresses.isEmpty, WebhookAddressPolicy.parse(host) == nil else { return nil }
        let port = url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80)
        let list = addresses.map {
            $0.count == 16 ? "[\(WebhookAddressPolicy.format($0))]" : WebhookAddressPolicy.format($0)
        }
        return "\(host):\(port):\(list.joined(separator: ","))"
    }

    /// What an HTTP status means for the message.
    public static func outcome(status: Int) -> DeliveryOutcome {
        switch status {
        case 200...299: .sent
        case 300...399: .dead("webhook answered HTTP \(status) (a redirect, not followed: give the final URL)")
        case 408, 429, 500...599: .retry("webhook answered HTTP \(status)")
        default: .dead("webhook answered HTTP \(status)")
        }
    }
}
