import Foundation
import HTTPTypes
import Hummingbird

/// Around every request: failures turned into pages (or JSON) with the rule's words, the
/// security headers, and the request counted for /metrics.
struct WebMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let web: Web

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let redirect as Redirect {
            response = Reply.redirect(redirect.location)
        } catch let error as HTTPError where error.status == .notFound {
            response = failure(WebFailure(status: .notFound, message: "没有这个页面"), request)
        } catch let error as HTTPError {
            response = failure(WebFailure(status: error.status, message: "请求无法处理（\(error.status.code)）"), request)
        } catch {
            response = failure(Failures.from(error, rules: web.rules, logger: web.logger), request)
        }
        // The server's own writes are seen at once on 总览 (HomeCache): whatever a POST changed.
        if request.method != .get && request.method != .head { await web.homeCache.clear() }
        Security.apply(&response.headers)
        let route = context.endpointPath ?? "unmatched"
        web.metrics.record(
            route: route, method: request.method.rawValue, status: response.status.code,
            seconds: Metrics.seconds(started.duration(to: .now)))
        return response
    }

    func failure(_ failure: WebFailure, _ request: Request) -> Response {
        if request.uri.path.hasPrefix("/api/") {
            return Reply.json(
                JSON.object([("error", JSON.string(failure.message)), ("status", String(failure.status.code))]),
                status: failure.status)
        }
        let body = """
            <p class="error" role="alert">\(HTML.escape(failure.message))</p>
            <p><a href="/">返回总览</a></p>
            """
        return Reply.html(
            HTML.page(title: "无法完成（\(failure.status.code)）", person: nil, csrf: nil, body: body),
            status: failure.status)
    }
}

enum Security {
    /// No script, style, frame or form target but our own; never framed; no type sniffing; the
    /// address bar (which may name an enterprise) not sent to other sites.
    static let headers: [(HTTPField.Name, String)] = [
        (
            .contentSecurityPolicy,
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
        ),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "same-origin"),
    ]

    static func apply(_ fields: inout HTTPFields) {
        for (name, value) in headers { fields[name] = value }
    }
}
