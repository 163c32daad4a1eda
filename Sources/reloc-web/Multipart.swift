/// `multipart/form-data` bodies (RFC 7578): how a browser sends a form with a file, such as the
/// CSV of enterprises uploaded to 企业 → 导入. Only what a form sends: parts with a name, a file
/// name for a file, and their bytes.
enum Multipart {
    struct Part: Sendable {
        let name: String
        let filename: String?
        let data: [UInt8]

        var text: String { String(decoding: data, as: UTF8.self) }
    }

    struct Malformed: Error {}

    /// The boundary of a `multipart/form-data; boundary=…` content type, or nil for another type.
    static func boundary(_ contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for parameter in parts.dropFirst() where parameter.lowercased().hasPrefix("boundary=") {
            var value = String(parameter.dropFirst("boundary=".count))
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            return value.isEmpty || value.count > 70 ? nil : value
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        var positions: [Int] = []
        var index = 0
        while let found = find(delimiter, in: body, from: index) {
            positions.append(found)
            index = found + delimiter.count
        }
        guard positions.count >= 2 else { throw Malformed() }
        var parts: [Part] = []
        for (start, end) in zip(positions, positions.dropFirst()) {
            var from = start + delimiter.count
            guard from + 2 <= end, body[from] == 13, body[from + 1] == 10 else { throw Malformed() }
            from += 2
            // The part ends with the CRLF before the next delimiter.
            let to = end - 2
            guard to >= from, body[to] == 13, body[to + 1] == 10 else { throw Malformed() }
            guard let headEnd = find([13, 10, 13, 10], in: body, from: from, before: to + 2) else { throw Malformed() }
            let head = String(decoding: body[from..<headEnd], as: UTF8.self)
            var name: String?
            var filename: String?
            for line in head.components(separatedBy: "\r\n")
            where line.lowercased().hasPrefix("content-disposition:") {
                name = parameter("name", in: line)
                filename = parameter("filename", in: line)
            }
            guard let name else { throw Malformed() }
            let dataStart = headEnd + 4
            parts.append(Part(name: name, filename: filename, data: dataStart <= to ? Array(body[dataStart..<to]) : []))
        }
        return parts
    }

    /// `name="value"` in a Content-Disposition line (browsers quote and escape `"` as %22).
    static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";").dropFirst() {
            let pair = piece.trimmingCharacters(in: .whitespaces)
            guard pair.lowercased().hasPrefix("\(key)=") else { continue }
            var value = String(pair.dropFirst(key.count + 1))
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            return value
        }
        return nil
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int, before limit: Int? = nil) -> Int? {
        let end = (limit ?? haystack.count) - needle.count
        guard !needle.isEmpty, from <= end else { return nil }
        var index = from
        while index <= end {
            if haystack[index] == needle[0] {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
