/// A small streaming XML tokenizer for the parts of a workbook (SpreadsheetML is plain XML:
/// elements, attributes, character data, the five predefined entities and character references).
/// Bytes are fed as they are inflated, so a sheet is never held whole; a tag split across two
/// chunks waits for the next. Element and attribute names lose their namespace prefix (`x:c` is
/// `c`): workbooks from other writers prefix the main namespace. A DOCTYPE is refused, so no
/// entity expansion ("billion laughs") can happen.
struct XMLPullParser {
    enum Event {
        case start(name: String, attributes: [(name: String, value: String)], selfClosing: Bool)
        case end(name: String)
        case text(String)
    }

    struct Malformed: Error {
        let reason: String
    }

    private var buffer: [UInt8] = []
    private var position = 0

    mutating func feed(_ bytes: some Collection<UInt8>, _ handle: (Event) throws -> Void) throws {
        if position > 0 {
            buffer.removeSubrange(0..<position)
            position = 0
        }
        buffer.append(contentsOf: bytes)
        try scan(final: false, handle)
    }

    mutating func finish(_ handle: (Event) throws -> Void) throws {
        try scan(final: true, handle)
        if position < buffer.count { throw Malformed(reason: "the XML ends inside a tag") }
    }

    private mutating func scan(final: Bool, _ handle: (Event) throws -> Void) throws {
        let lt = UInt8(ascii: "<")
        let count = buffer.count
        while position < count {
            if buffer[position] == lt {
                if !final && count - position < 9 { return }
                if has("<!--", at: position) {
                    guard let end = find("-->", from: position + 4) else { return }
                    position = end + 3
                } else if has("<![CDATA[", at: position) {
                    guard let end = find("]]>", from: position + 9) else { return }
                    try handle(.text(String(decoding: buffer[(position + 9)..<end], as: UTF8.self)))
                    position = end + 3
                } else if has("<?", at: position) {
                    guard let end = find("?>", from: position + 2) else { return }
                    position = end + 2
                } else if has("<!", at: position) {
                    throw Malformed(reason: "a DOCTYPE or other declaration, which a workbook never has")
                } else {
                    guard let end = tagEnd(from: position + 1) else {
                        if count - position > 1 << 20 { throw Malformed(reason: "a tag longer than 1 MB") }
                        return
                    }
                    try handle(try tag(position + 1, end))
                    position = end + 1
                }
            } else {
                var end = position
                while end < count && buffer[end] != lt { end += 1 }
                if end == count && !final {
                    // Text that runs on past this chunk is handed over in pieces (the readers
                    // concatenate them), so a long text — or a bomb of blanks — is never kept
                    // whole; only a partial entity reference (`&am`) waits for the next chunk.
                    let ampersand = buffer[position..<end].lastIndex(of: UInt8(ascii: "&"))
                    var cut = ampersand.map { buffer[$0..<end].contains(UInt8(ascii: ";")) ? end : $0 } ?? end
                    // Nor is a UTF-8 character split: one whose bytes are not all here waits too.
                    var lead = cut
                    while lead > position && buffer[lead - 1] & 0xC0 == 0x80 { lead -= 1 }
                    if lead > position && buffer[lead - 1] >= 0xC0 {
                        let byte = buffer[lead - 1]
                        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                        if lead - 1 + length > cut { cut = lead - 1 }
                    }
                    if cut > position {
                        try handle(.text(try Self.unescape(buffer[position..<cut])))
                        position = cut
                    }
                    return
                }
                try handle(.text(try Self.unescape(buffer[position..<end])))
                position = end
            }
        }
    }

    private func has(_ prefix: StaticString, at index: Int) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard index + length <= buffer.count else { return false }
        let start = prefix.utf8Start
        for offset in 0..<length where buffer[index + offset] != start[offset] { return false }
        return true
    }

    private func find(_ needle: StaticString, from index: Int) -> Int? {
        let length = needle.utf8CodeUnitCount
        let first = needle.utf8Start[0]
        var index = index
        while index + length <= buffer.count {
            if buffer[index] == first && has(needle, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// The `>` ending a tag, skipping quoted attribute values (which may hold `>`).
    private func tagEnd(from index: Int) -> Int? {
        var quote: UInt8 = 0
        var index = index
        while index < buffer.count {
            let byte = buffer[index]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return index
            }
            index += 1
        }
        return nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The local name of a qualified name (`x:c` → `c`).
    private static func localName(_ bytes: ArraySlice<UInt8>) -> String {
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) {
            return String(decoding: bytes[(colon + 1)...], as: UTF8.self)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The tag between `<` (exclusive, at `start`) and `>` (at `end`).
    private func tag(_ start: Int, _ end: Int) throws -> Event {
        if buffer[start] == UInt8(ascii: "/") {
            var last = end
            while last > start + 1 && Self.isSpace(buffer[last - 1]) { last -= 1 }
            return .end(name: Self.localName(buffer[(start + 1)..<last]))
        }
        var stop = end
        let selfClosing = buffer[end - 1] == UInt8(ascii: "/")
        if selfClosing { stop -= 1 }
        var index = start
        while index < stop && !Self.isSpace(buffer[index]) { index += 1 }
        let name = Self.localName(buffer[start..<index])
        guard !name.isEmpty else { throw Malformed(reason: "a tag without a name") }
        var attributes: [(name: String, value: String)] = []
        while index < stop {
            while index < stop && Self.isSpace(buffer[index]) { index += 1 }
            guard index < stop else { break }
            let nameStart = index
            while index < stop && buffer[index] != UInt8(ascii: "=") && !Self.isSpace(buffer[index]) { index += 1 }
            let attributeName = Self.localName(buffer[nameStart..<index])
            while index < stop && Self.isSpace(buffer[index]) { index += 1 }
            guard index < stop, buffer[index] == UInt8(ascii: "=") else {
                throw Malformed(reason: "attribute \(attributeName) of <\(name)> has no value")
            }
            index += 1
            while index < stop && Self.isSpace(buffer[index]) { index += 1 }
            guard index < stop, buffer[index] == UInt8(ascii: "\"") || buffer[index] == UInt8(ascii: "'") else {
                throw Malformed(reason: "attribute \(attributeName) of <\(name)> is not quoted")
            }
            let quote = buffer[index]
            index += 1
            let valueStart = index
            while index < stop && buffer[index] != quote { index += 1 }
            guard index < stop else { throw Malformed(reason: "attribute \(attributeName) of <\(name)> is not closed") }
            attributes.append((attributeName, try Self.unescape(buffer[valueStart..<index])))
            index += 1
        }
        return .start(name: name, attributes: attributes, selfClosing: selfClosing)
    }

    /// Character data with its entity and character references resolved.
    static func unescape(_ bytes: ArraySlice<UInt8>) throws -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "&") else {
                out.append(byte)
                index += 1
                continue
            }
            guard let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw Malformed(reason: "a bare & in text")
            }
            let entity = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "amp": out.append(UInt8(ascii: "&"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let value: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    value = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    value = UInt32(entity.dropFirst())
                } else {
                    value = nil
                }
                guard let value, let scalar = Unicode.Scalar(value) else {
                    throw Malformed(reason: "an unknown entity &\(entity);")
                }
                out.append(contentsOf: String(Character(scalar)).utf8)
            }
            index = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
