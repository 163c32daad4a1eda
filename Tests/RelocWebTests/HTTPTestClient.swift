import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 client over a plain socket, as a browser would speak to reloc-web: one
/// request per connection, cookies kept (a jar per client, as a browser profile), no redirects
/// followed. Its blocking I/O runs on a dispatch queue, off Swift concurrency's threads.
final class HTTPTestClient: @unchecked Sendable {
    struct Reply: Sendable {
        let status: Int
        let headers: [(String, String)]
        let body: String

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        func headers(_ name: String) -> [String] {
            headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
        }

        /// The form token on the page (every form of a page carries the same).
        var csrf: String? {
            guard let range = body.range(of: #"name="csrf" value="([0-9a-f]{64})""#, options: .regularExpression)
            else { return nil }
            return String(body[range].dropFirst(#"name="csrf" value=""#.count).prefix(64))
        }
    }

    let port: Int
    private let lock = NSLock()
    private var cookies: [String: String] = [:]
    /// Sent as X-Forwarded-For when set (tests of the address throttle behind the proxy).
    var forwardedFor: String?

    init(port: Int) { self.port = port }

    func cookie(_ name: String) -> String? {
        lock.withLock { cookies[name] }
    }

    func setCookie(_ name: String, _ value: String?) {
        lock.withLock { cookies[name] = value }
    }

    func get(_ path: String) async throws -> Reply {
        try await send("GET", path, body: nil)
    }

    func post(_ path: String, form: [(String, String)]) async throws -> Reply {
        let body = form.map { "\(HTTPTestClient.encode($0.0))=\(HTTPTestClient.encode($0.1))" }.joined(separator: "&")
        return try await send("POST", path, body: body, contentType: "application/x-www-form-urlencoded")
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    func send(_ method: String, _ path: String, body: String?, contentType: String? = nil) async throws -> Reply {
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        let jar = lock.withLock { cookies.filter { !$0.value.isEmpty } }
        if !jar.isEmpty {
            request +=
                "Cookie: " + jar.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
                + "\r\n"
        }
        if let forwardedFor { request += "X-Forwarded-For: \(forwardedFor)\r\n" }
        let bytes = Array((body ?? "").utf8)
        if let contentType { request += "Content-Type: \(contentType)\r\n" }
        if body != nil { request += "Content-Length: \(bytes.count)\r\n" }
        request += "\r\n"
        let data = Array(request.utf8) + bytes
        let port = self.port
        let raw = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try HTTPTestClient.exchange(data, port: port) })
            }
        }
        let reply = try HTTPTestClient.parse(raw)
        for value in reply.headers("Set-Cookie") {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let cookieValue = pair.count > 1 ? String(pair[1]) : ""
            let expired = value.contains("Max-Age=0")
            setCookie(name, expired ? nil : cookieValue)
        }
        return reply
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func exchange(_ data: [UInt8], port: Int) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw Failure(description: "connect: \(errno)") }
        var sent = 0
        while sent < data.count {
            let n = data[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: \(errno)") }
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 { throw Failure(description: "recv: \(errno)") }
            if n == 0 { break }
            received += buffer[0..<n]
        }
        return received
    }

    static func parse(_ raw: [UInt8]) throws -> Reply {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, raw.count - 3)).first(where: { Array(raw[$0..<$0 + 4]) == separator }) else {
            throw Failure(description: "no HTTP head in \(raw.count) bytes")
        }
        let head = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ")[1]) ?? 0
        var headers: [(String, String)] = []
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(raw[(end + 4)...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased() == "chunked" }) {
            body = dechunk(body)
        }
        return Reply(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 })
            else { break }
            let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16) ?? 0
            if size == 0 { break }
            out += bytes[(lineEnd + 2)..<min(bytes.count, lineEnd + 2 + size)]
            index = lineEnd + 2 + size + 2
        }
        return out
    }
}
