import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few system calls the file channels need, each wrapped once with its errno.
enum FileDescriptorIO {
    struct Failure: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        var description: String { "\(call): \(String(cString: strerror(code)))" }
    }

    /// Writes every byte, retrying short writes and EINTR.
    static func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(call: "write", code: errno)
            }
            offset += written
        }
    }

    /// Appends `bytes` to the file at `path` (created 0640 if missing) and fsyncs it, so a line
    /// reported as sent survives a crash of the machine.
    static func appendDurably(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw Failure(call: "open \(path)", code: errno) }
        defer { close(fd) }
        try writeAll(bytes, to: fd)
        guard fsync(fd) == 0 else { throw Failure(call: "fsync \(path)", code: errno) }
    }
}
