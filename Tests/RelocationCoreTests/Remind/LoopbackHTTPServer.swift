import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (an ephemeral port) for testing the webhook channel
/// against a real socket: it answers each request with the next scripted reply and records what
/// it received.
final class LoopbackHTTPServer: @unchecked Sendable {
    enum Reply: Sendable {
        case status(Int)
        /// Read the request, then say nothing for this long (the client should time out).
        case silence(TimeInterval)
        /// A redirect (301, 302, 307 …) to `location`.
        case redirect(Int, location: String)
        /// Read the request, wait this long, then answer with the status.
        case slow(TimeInterval, status: Int)
    }

    struct Request: Sendable {
        let method: String
        let path: String
        /// Header names lower-cased.
        let headers: [String: String]
        let body: Data
    }

    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var replies: [Reply]
    private var received: [Request] = []
    /// Signalled when the accept loop has returned: only then is the listener's descriptor closed.
    private let acceptLoopEnded = DispatchSemaphore(value: 0)
    private var stopped = false

    /// - Parameter replies: one per request in order; the last one repeats.
    init(replies: [Reply]) throws {
        self.replies = replies
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)/hooks/reloc")! }

    var requests: [Request] { lock.withLock { received } }

    /// Closing the listener while the accept loop could still call accept() would let it accept on
    /// whatever socket reuses the descriptor's number next — another test's server, answered with
    /// this server's scripted replies (seen under load: a 204 test got another server's 400). So
    /// shut it down (accept() returns an error), wait for the loop to return, then close.
    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        acceptLoopEnded.wait()
        close(listener)
    }

    private func acceptLoop() {
        defer { acceptLoopEnded.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        guard let request = readRequest(connection) else { return }
        let reply: Reply = lock.withLock {
            received.append(request)
            return replies.count > 1 ? replies.removeFirst() : replies[0]
        }
        switch reply {
        case .silence(let seconds):
            Thread.sleep(forTimeInterval: seconds)
        case .slow(let seconds, let code):
            Thread.sleep(forTimeInterval: seconds)
            let text = "HTTP/1.1 \(code) Scripted\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            _ = Array(text.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
        case .status(let code):
            let text = "HTTP/1.1 \(code) Scripted\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            _ = Array(text.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
        case .redirect(let code, let location):
            let text =
                "HTTP/1.1 \(code) Moved\r\nLocation: \(location)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            _ = Array(text.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, 0) }
        }
    }

    private func readRequest(_ connection: Int32) -> Request? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        var bodyLength = 0
        while true {
            if let end = headerEnd, data.count >= end + bodyLength { break }
            let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            data += buffer[0..<n]
            if headerEnd == nil, let range = data.firstRange(of: separator) {
                headerEnd = range.upperBound
                let head = String(decoding: data[..<range.lowerBound], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        bodyLength = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
        }
        let end = headerEnd!
        let head = String(decoding: data[..<(end - 4)], as: UTF8.self).split(separator: "\r\n")
        let requestLine = head.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return Request(
            method: requestLine.first.map(String.init) ?? "",
            path: requestLine.dropFirst().first.map(String.init) ?? "",
            headers: headers, body: Data(data[end..<(end + bodyLength)]))
    }
}
