import Foundation
import RelocationCore
import Testing

/// The webhook channel against a real HTTP server on 127.0.0.1.
@Suite struct WebhookChannelTests {
    /// The province's allow-list for the tests' servers on 127.0.0.1.
    static let loopback = WebhookAddressPolicy(allowing: [WebhookAddressPolicy.Network("127.0.0.1")!])

    @Test func postsTheJSONWithTheIdempotencyKey() throws {
        let server = try LoopbackHTTPServer(replies: [.status(204)])
        defer { server.stop() }
        let message = ReminderSamples.message()
        #expect(WebhookChannel(url: server.url, timeout: 5, addresses: Self.loopback).deliver(message) == .sent)
        let request = try #require(server.requests.first)
        #expect(request.method == "POST" && request.path == "/hooks/reloc")
        #expect(request.headers["idempotency-key"] == message.idempotencyKey)
        #expect(request.headers["content-type"] == "application/json; charset=utf-8")
        let object = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        #expect(object["idempotency_key"] as? String == message.idempotencyKey)
        #expect((object["recipient"] as? [String: Any])?["name"] as? String == "四平市人民政府")
        #expect((object["text"] as? String)?.contains("已逾期1天") == true)
    }

    @Test func aServerErrorIsRetriedWithTheSameKey() throws {
        let server = try LoopbackHTTPServer(replies: [.status(500), .status(200)])
        defer { server.stop() }
        let policy = RetryPolicy(triesPerRun: 3, firstPause: 0.05)
        let (outcome, tries) = policy.deliver(
            ReminderSamples.message(), through: WebhookChannel(url: server.url, timeout: 5, addresses: Self.loopback))
        #expect(outcome == .sent && tries == 2)
        let keys = server.requests.map { $0.headers["idempotency-key"] }
        #expect(keys.count == 2 && keys[0] != nil && keys[0] == keys[1])
    }

    @Test func tooManyRequestsIsRetriedAndABadRequestIsDead() throws {
        let server = try LoopbackHTTPServer(replies: [.status(429), .status(400)])
        defer { server.stop() }
        let channel = WebhookChannel(url: server.url, timeout: 5, addresses: Self.loopback)
        #expect(channel.deliver(ReminderSamples.message()) == .retry("webhook answered HTTP 429"))
        #expect(channel.deliver(ReminderSamples.message()) == .dead("webhook answered HTTP 400"))
        #expect(WebhookChannel.outcome(status: 404) == .dead("webhook answered HTTP 404"))
        #expect(WebhookChannel.outcome(status: 503) == .retry("webhook answered HTTP 503"))
    }

    @Test func aSilentServerTimesOutAndIsRetried() throws {
        let server = try LoopbackHTTPServer(replies: [.silence(4)])
        defer { server.stop() }
        let started = Date()
        let outcome = WebhookChannel(url: server.url, timeout: 1, addresses: Self.loopback).deliver(
            ReminderSamples.message())
        guard case .retry = outcome else {
            Issue.record("expected a retry, got \(outcome)")
            return
        }
        #expect(Date().timeIntervalSince(started) < 3.5)
        #expect(server.requests.count == 1)
    }

    @Test func nobodyListeningIsRetried() throws {
        let server = try LoopbackHTTPServer(replies: [.status(200)])
        let url = server.url
        server.stop()
        guard
            case .retry = WebhookChannel(url: url, timeout: 2, addresses: Self.loopback).deliver(
                ReminderSamples.message())
        else {
            Issue.record("a refused connection should be retried")
            return
        }
    }

    /// A redirect is never followed (before: 301/302/303 became a GET without the body, 307/308 an
    /// empty POST, and the message passed for sent): dead, with the status.
    @Test(arguments: [301, 302, 303, 307, 308]) func aRedirectIsNotFollowedAndIsDead(status: Int) throws {
        let target = try LoopbackHTTPServer(replies: [.status(200)])
        defer { target.stop() }
        let server = try LoopbackHTTPServer(replies: [.redirect(status, location: target.url.absoluteString)])
        defer { server.stop() }
        let outcome = WebhookChannel(url: server.url, timeout: 5, addresses: Self.loopback).deliver(
            ReminderSamples.message())
        #expect(outcome == .dead("webhook answered HTTP \(status) (a redirect, not followed: give the final URL)"))
        #expect(server.requests.count == 1)
        #expect(target.requests.isEmpty, "the redirect's target heard nothing")
    }

    /// A fractional timeout is honoured as given, not cut to whole seconds: 1.9 s waits for an
    /// answer after 1.3 s, and 0.5 s gives up after about half a second.
    @Test func fractionalTimeoutsAreHonoured() throws {
        let slow = try LoopbackHTTPServer(replies: [.slow(1.3, status: 200)])
        defer { slow.stop() }
        let message = ReminderSamples.message()
        #expect(WebhookChannel(url: slow.url, timeout: 1.9, addresses: Self.loopback).deliver(message) == .sent)
        let silent = try LoopbackHTTPServer(replies: [.silence(5)])
        defer { silent.stop() }
        let started = Date()
        let outcome = WebhookChannel(url: silent.url, timeout: 0.5, addresses: Self.loopback).deliver(message)
        #expect(outcome == .retry("webhook: timed out"), "\(outcome)")
        #expect(Date().timeIntervalSince(started) < 1.2)
    }
}

/// The webhook's HTTP client (libcurl, loaded when a webhook is sent: the reloc binary links none).
@Suite struct WebhookClientTests {
    /// The request goes to the address the policy checked, never to a second answer of the
    /// resolver (DNS rebinding): a name only the policy knows (the resolver has never heard of
    /// `.invalid`) is reached at the address the policy gave it. Before, the client resolved the
    /// name again and found no host.
    @Test func theRequestGoesToTheAddressChecked() throws {
        let server = try LoopbackHTTPServer(replies: [.status(204)])
        defer { server.stop() }
        let policy = WebhookAddressPolicy(
            allowing: [WebhookAddressPolicy.Network("127.0.0.1")!],
            knownHosts: ["hooks.reloc.invalid": [[127, 0, 0, 1]]])
        var url = URLComponents(url: server.url, resolvingAgainstBaseURL: false)!
        url.host = "hooks.reloc.invalid"
        let outcome = WebhookChannel(url: url.url!, timeout: 5, addresses: policy).deliver(ReminderSamples.message())
        #expect(outcome == .sent, "\(outcome)")
        #expect(server.requests.count == 1)
    }

    /// Without libcurl the delivery fails like any unanswered request (retried in a later run),
    /// saying what is missing; nothing crashes.
    @Test func withoutLibcurlTheMessageIsRetried() throws {
        let server = try LoopbackHTTPServer(replies: [.status(200)])
        defer { server.stop() }
        let channel = WebhookChannel(
            url: server.url, timeout: 2, addresses: WebhookChannelTests.loopback,
            libcurl: ["/nonexistent/libcurl.so.4"])
        #expect(channel.deliver(ReminderSamples.message()) == .retry("webhook: HTTP client missing"))
        #expect(server.requests.isEmpty)
    }

    /// The signature headers reach the receiver, and check against the body it got.
    @Test func aSignedRequestCarriesItsSignature() throws {
        let server = try LoopbackHTTPServer(replies: [.status(200)])
        defer { server.stop() }
        let channel = WebhookChannel(
            url: server.url, timeout: 5, secret: "s3cret", addresses: WebhookChannelTests.loopback)
        #expect(channel.deliver(ReminderSamples.message()) == .sent)
        let request = try #require(server.requests.first)
        let timestamp = try #require(request.headers["x-reloc-timestamp"].flatMap { Int($0) })
        #expect(
            request.headers["x-reloc-signature"]
                == WebhookChannel.signature(secret: "s3cret", timestamp: timestamp, body: request.body))
        #expect(request.headers["expect"] == nil)
    }
}
