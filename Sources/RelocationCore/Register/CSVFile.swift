import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The encodings a CSV file may come in. Excel in a Chinese office saves "CSV" in the system's
/// code page, GB18030 (a superset of GBK and GB2312), unless "CSV UTF-8" is chosen.
public enum CSVEncoding: String, CaseIterable, Sendable {
    case utf8 = "utf-8"
    case gb18030

    /// Also the usual spellings: utf8, UTF-8, gbk, gb2312 (both read as GB18030, their superset).
    public init?(name: String) {
        switch name.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "gb18030", "gbk", "gb2312", "cp936": self = .gb18030
        default: return nil
        }
    }
}

/// Reads a CSV file to text, saying what is wrong with the file and on which line: a directory,
/// an unreadable path, bytes that are not text in the encoding, a NUL byte (PostgreSQL text
/// cannot hold one). Never a raw "invalid byte sequence" or an NSCocoaErrorDomain number.
public enum CSVFile {
    public static func text(of path: String, encoding: CSVEncoding = .utf8) throws -> String {
        try read(path, encoding: encoding).text
    }

    /// The text, and the encoding it was found in when none was given (`encoding` nil): UTF-8
    /// when the bytes are UTF-8, else GB18030 when they are that (a CSV saved by Excel in a
    /// Chinese locale), so the caller can say so; neither is refused as not UTF-8.
    public static func read(_ path: String, encoding: CSVEncoding?) throws -> (text: String, detected: CSVEncoding?) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RelocError.notFound("no file \(path)")
        }
        if isDirectory.boolValue {
            throw RelocError.invalidInput("\(path) is a directory, not a CSV file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RelocError.invalidInput("cannot read \(path): permission denied")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RelocError.invalidInput("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        return try read(data, named: path, encoding: encoding)
    }

    /// The same for bytes already in hand (a CSV file uploaded to reloc-web), named `name` in
    /// what is said about them.
    public static func read(_ data: Data, named path: String, encoding: CSVEncoding?) throws -> (
        text: String, detected: CSVEncoding?
    ) {
        var detected: CSVEncoding? = nil
        let text: String
        if let encoding {
            text = try decode(data, encoding: encoding, path: path)
        } else if let utf8 = String(validating: data, as: UTF8.self) {
            text = utf8
        } else if let gb18030 = try? iconvDecode(data, from: "GB18030", path: path) {
            text = gb18030
            detected = .gb18030
        } else {
            text = try decode(data, encoding: .utf8, path: path)
        }
        if let nul = text.unicodeScalars.firstIndex(of: "\u{0}") {
            let line = text.unicodeScalars[..<nul].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            throw RelocError.invalidInput(
                "\(path):\(line): a NUL byte (0x00) is not text; is this a CSV file? (a spreadsheet saved as .xls/.xlsx, or UTF-16, is not: save it as CSV)"
            )
        }
        return (text, detected)
    }

    static func decode(_ data: Data, encoding: CSVEncoding, path: String) throws -> String {
        switch encoding {
        case .utf8:
            if let text = String(validating: data, as: UTF8.self) { return text }
            let (line, byte) = firstInvalidUTF8(data)
            throw RelocError.invalidInput(
                "\(path):\(line): not UTF-8 text (byte 0x\(String(byte, radix: 16, uppercase: true))); a CSV saved by Excel in Chinese is usually GB18030/GBK: import it with --encoding gb18030, or save it as \"CSV UTF-8\""
            )
        case .gb18030:
            // GB18030 maps almost any byte pair to some character, so UTF-8 read as GB18030 "works"
            // and stores 鍥芥爣 for 国标. Bytes that start with a UTF-8 BOM, or are valid UTF-8 with
            // non-ASCII text, are the UTF-8 file they look like (a real GBK text is almost never valid
            // UTF-8): refuse rather than store garbled names.
            if data.starts(with: [0xEF, 0xBB, 0xBF])
                || (data.contains { $0 >= 0x80 } && String(validating: data, as: UTF8.self) != nil)
            {
                throw RelocError.invalidInput(
                    "\(path):1: the file is UTF-8 text, not GB18030: import it without --encoding (or with --encoding utf-8)"
                )
            }
            return try iconvDecode(data, from: "GB18030", path: path)
        }
    }

    /// The line (1-based) and value of the first byte that does not begin a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ data: Data) -> (line: Int, byte: UInt8) {
        let bytes = [UInt8](data)
        var line = 1
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return (line, byte)
            }
            guard index + length <= bytes.count,
                String(validating: bytes[index..<index + length], as: UTF8.self) != nil
            else { return (line, byte) }
            if byte == 0x0A { line += 1 }
            index += length
        }
        return (line, bytes.last ?? 0)
    }

    /// Decodes with the C library's iconv (Foundation on Linux has no GB18030); an invalid
    /// sequence is reported with its line.
    static func iconvDecode(_ data: Data, from encoding: String, path: String) throws -> String {
        let converter = iconv_open("UTF-8", encoding)
        guard converter != iconv_t(bitPattern: -1) else {
            throw RelocError.invalidInput("this system cannot convert \(encoding) (iconv); save the file as CSV UTF-8")
        }
        defer { iconv_close(converter) }
        var input = [UInt8](data)
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        let inputCount = input.count
        let outputCount = output.count
        var failedAt: Int? = nil
        var written = 0
        input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                var inPointer = source.baseAddress.map {
                    UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self)
                }
                var inLeft = inputCount
                var outPointer = target.baseAddress.map {
                    UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self)
                }
                var outLeft = outputCount
                if iconv(converter, &inPointer, &inLeft, &outPointer, &outLeft) == -1 {
                    failedAt = inputCount - inLeft
                }
                written = outputCount - outLeft
            }
        }
        if let failedAt {
            let line = input[..<failedAt].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            let byte = failedAt < input.count ? input[failedAt] : 0
            throw RelocError.invalidInput(
                "\(path):\(line): not \(encoding) text (byte 0x\(String(byte, radix: 16, uppercase: true))); check --encoding (utf-8 or gb18030)"
            )
        }
        let text = String(decoding: output[..<written], as: UTF8.self)
        return text
    }
}
