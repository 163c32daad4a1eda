import Foundation

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
public struct WebhookChannel: ReminderChannel {
    public let url: URL
    public let timeout: TimeInterval

    public init(url: URL, timeout: TimeInterval = 15) {
        self.url = url
        self.timeout = timeout
    }

    public func deliver(_ message: ReminderMessage) -> DeliveryOutcome {
        let body: Data
        do {
            body = try message.jsonObject()
        } catch {
            return .dead("cannot encode the message as JSON: \(error)")
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        request.setValue(message.idempotencyKey, forHTTPHeaderField: "Idempotency-Key")
        request.setValue("reloc-remind", forHTTPHeaderField: "User-Agent")
        let (status, error) = WebhookChannel.post(request, timeout: timeout)
        if let status { return WebhookChannel.outcome(status: status) }
        return .retry("webhook \(url.absoluteString): \(error ?? "no response")")
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
    static func post(_ request: URLRequest, timeout: TimeInterval) -> (status: Int?, error: String?) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let session = URLSession(configuration: configuration, delegate: RefuseRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let result = ResultBox()
        let done = DispatchSemaphore(value: 0)
        session.dataTask(with: request) { _, response, error in
            result.set(
                status: (response as? HTTPURLResponse)?.statusCode, error: error.map { "\($0.localizedDescription)" })
            done.signal()
        }.resume()
        // URLSession enforces the timeout; the extra margin only guards against it not firing
        // (small: the time one message takes stays within its lease).
        if done.wait(timeout: .now() + timeout + min(5, max(0.2, timeout * 0.2))) == .timedOut {
            return (nil, "no answer within \(Int(timeout)) s")
        }
        return result.get()
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
    private var error: String?

    func set(status: Int?, error: String?) {
        lock.withLock {
            self.status = status
            self.error = error
        }
    }

    func get() -> (status: Int?, error: String?) {
        lock.withLock { (status, error) }
    }
}
