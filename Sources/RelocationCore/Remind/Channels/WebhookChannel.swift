import Foundation
import Logging

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `webhook:URL`: an HTTP POST of the message's JSON object (see `ReminderMessage.jsonObject`)
/// with the header `Idempotency-Key: <key>`, the same on every resend, so the receiver can drop a
/// repeat after a crash between sending and recording.
///
/// 2xx → sent; 408, 429 and 5xx, timeouts and connection failures → retry; any other status → dead.
/// Redirects are never followed (URLSession would turn a POST into a GET without the body, or
/// re-POST an empty one, and the message would pass for sent): a 3xx is dead with its status, since
/// a person must fix the contact.
///
/// Signed: with the contact's secret (shown once at `reloc remind contact add`), the headers
/// `X-Reloc-Timestamp: <Unix seconds>` and `X-Reloc-Signature: sha256=<hex HMAC-SHA256 of
/// "<timestamp>.<body>" under the secret>` let the receiver check that the request is the job's
/// and recent (README, "Receiving webhooks"). The host is checked at send time against
/// `WebhookAddressPolicy` (no internal addresses unless allowed). What an organisation reads of a
/// failure is a short category; the full error goes to the job's log.
public struct WebhookChannel: ReminderChannel {
    public let url: URL
    public let timeout: TimeInterval
    public let secret: String?
    public let addresses: WebhookAddressPolicy

    public init(
        url: URL, timeout: TimeInterval = 15, secret: String? = nil,
        addresses: WebhookAddressPolicy = WebhookAddressPolicy()
    ) {
        self.url = url
        self.timeout = timeout
        self.secret = secret
        self.addresses = addresses
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
        if let refusal = addresses.refusal(host: url.host ?? "") {
            // The organisation reads the category; the address its host resolves to goes to the log.
            Logger(label: "reloc.remind.webhook").warning(
                "remind.webhook_refused",
                metadata: ["url": "\(ChannelAddress.redacted(url.absoluteString))", "detail": "\(refusal.detail)"])
            return refusal.isInternal ? .dead(refusal.shown) : .retry(refusal.shown)
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue(message.idempotencyKey, forHTTPHeaderField: "Idempotency-Key")
        request.setValue("reloc-remind", forHTTPHeaderField: "User-Agent")
        if let secret {
            let timestamp = Int(Date().timeIntervalSince1970)
            request.setValue(String(timestamp), forHTTPHeaderField: "X-Reloc-Timestamp")
            request.setValue(
                WebhookChannel.signature(secret: secret, timestamp: timestamp, body: body),
                forHTTPHeaderField: "X-Reloc-Signature")
        }
        let (status, error) = WebhookChannel.post(request, timeout: timeout)
        if let status { return WebhookChannel.outcome(status: status) }
        Logger(label: "reloc.remind.webhook").warning(
            "remind.webhook_failed",
            metadata: [
                "url": "\(ChannelAddress.redacted(url.absoluteString))", "error": "\(error?.detail ?? "no response")",
            ])
        return .retry("webhook: \(error?.category ?? "no answer")")
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

    /// One request, waited for synchronously (the job is a batch: one message at a time).
    static func post(_ request: URLRequest, timeout: TimeInterval) -> (status: Int?, error: WebhookFailure?) {
        // URLSession on Linux (libcurl) cuts its timeouts to whole seconds (1.9 s became 1 s): it
        // gets a whole second more than asked, and the limit itself is kept here, to the fraction.
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout.rounded(.up) + 1
        configuration.timeoutIntervalForResource = timeout.rounded(.up) + 1
        let session = URLSession(configuration: configuration, delegate: RefuseRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { _, response, error in
            result.set(status: (response as? HTTPURLResponse)?.statusCode, error: error.map(WebhookFailure.init))
            done.signal()
        }
        task.resume()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            task.cancel()
            return (nil, WebhookFailure(category: "timed out", detail: "no answer within \(timeout) s"))
        }
        return result.get()
    }
}

/// A failed request: a short category for the organisation's history ("timed out", "connection
/// failed" …: never the low-level text, which would tell an organisation about the job's network)
/// and the full error for the job's log.
struct WebhookFailure: Sendable {
    let category: String
    let detail: String

    init(category: String, detail: String) {
        self.category = category
        self.detail = detail
    }

    init(_ error: any Error) {
        detail = "\(error)"
        let code = (error as? URLError)?.code ?? URLError.Code(rawValue: (error as NSError).code)
        switch code {
        case .timedOut: category = "timed out"
        case .cannotFindHost, .dnsLookupFailed: category = "host not found"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
            .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected:
            category = "TLS failed"
        case .cannotConnectToHost, .networkConnectionLost, .notConnectedToInternet: category = "connection failed"
        default: category = "request failed"
        }
    }
}

/// Answers every redirect with "do not follow": the task completes with the 3xx response itself.
private final class RefuseRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

/// The completion handler's answer, handed across threads under a lock.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var status: Int?
    private var error: WebhookFailure?

    func set(status: Int?, error: WebhookFailure?) {
        lock.withLock {
            self.status = status
            self.error = error
        }
    }

    func get() -> (status: Int?, error: WebhookFailure?) {
        lock.withLock { (status, error) }
    }
}
