import Foundation
import Hummingbird
import RelocationCore

/// `application/x-www-form-urlencoded` bodies and query strings, and cookies.
enum Forms {
    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            let value = parts.count > 1 ? decode(parts[1]) : ""
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    static func decode(_ part: Substring) -> String {
        String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }

    /// The body of a form POST, at most 1 MB (a CSV upload is more, read elsewhere).
    static func body(_ request: Request, limit: Int = 1 << 20) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: limit)
        return parse(String(buffer: buffer))
    }

    static func cookies(_ request: Request) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = optionalWhitespaceTrimmed(parts[0])
                if cookies[name] == nil { cookies[name] = optionalWhitespaceTrimmed(parts[1]) }
            }
        }
        return cookies
    }

    /// A cookie's name or value without the spaces and tabs around it (RFC 6265's OWS; the header
    /// is ASCII). Read on every request: Foundation's `trimmingCharacters(in:)` was a visible part
    /// of a kept 总览's CPU under make bench.
    static func optionalWhitespaceTrimmed(_ text: Substring) -> String {
        var slice = text
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}

/// Random tokens (sessions, the sign-in form's token): 32 bytes from the system's generator.
enum Tokens {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var hex = ""
        for _ in 0..<32 { hex += String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }
        return hex
    }

    /// Compares without stopping at the first difference (no timing hint to a guesser).
    static func equal(_ a: String, _ b: String) -> Bool {
        ConstantTime.equal(a, b)
    }
}
