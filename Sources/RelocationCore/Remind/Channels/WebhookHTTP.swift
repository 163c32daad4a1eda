import CWebhookCurl

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One HTTP POST through libcurl, loaded with `dlopen` when a webhook is sent (CWebhookCurl): the
/// reloc binary links no HTTP library (FoundationNetworking would bring libcurl, ICU and more into
/// every command's start, docs/performance-cli.md). Synchronous: the job sends one message at a time.
public enum WebhookHTTP {
    /// libcurl's file names (Debian's libcurl4, then macOS).
    public static let libcurl = ["libcurl.so.4", "libcurl.4.dylib"]

    /// The status answered, or why none was. `timeout` bounds the whole request, to the millisecond.
    static func post(
        url: String, pinning resolve: String?, headers: [String], body: Data, timeout: TimeInterval,
        libraries: [String]
    ) -> (status: Int?, error: WebhookFailure?) {
        let milliseconds = timeout.isFinite ? max(1, Int((timeout * 1000).rounded(.up))) : 600_000
        var result = reloc_webhook_result()
        withCStrings(libraries) { libraryNames in
            withCStrings(headers) { headerLines in
                body.withUnsafeBytes { bytes in
                    reloc_webhook_post(
                        libraryNames, libraries.count, url, resolve, headerLines, headers.count,
                        bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count, milliseconds, &result)
                }
            }
        }
        let detail = withUnsafeBytes(of: result.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if result.code == 0 { return (result.status, nil) }
        return (nil, WebhookFailure(curlCode: Int(result.code), detail: detail))
    }

    /// `body` with `strings` as an array of C strings, valid for the call.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return copies.withUnsafeMutableBufferPointer { buffer in
            body(buffer.map { UnsafePointer($0) })
        }
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

    /// From libcurl's result code (curl/curl.h's CURLcode; -1: libcurl could not be loaded).
    init(curlCode code: Int, detail: String) {
        self.detail = detail
        switch code {
        case -1: category = "HTTP client missing"
        case 28: category = "timed out"  // CURLE_OPERATION_TIMEDOUT
        case 5, 6: category = "host not found"  // CURLE_COULDNT_RESOLVE_PROXY, _HOST
        case 35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91:  // CURLE_SSL_*, _PEER_FAILED_VERIFICATION …
            category = "TLS failed"
        case 7, 52, 55, 56: category = "connection failed"  // COULDNT_CONNECT, GOT_NOTHING, SEND_ERROR, RECV_ERROR
        default: category = "request failed"
        }
    }
}
