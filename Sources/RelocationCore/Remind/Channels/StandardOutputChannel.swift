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

/// The human text on standard output, one digest after another (what `make demo` shows).
public struct StandardOutputChannel: ReminderChannel {
    public init() {}

    public func deliver(_ message: ReminderMessage) -> DeliveryOutcome {
        let text = "──── \(message.subject)\n\(message.text)\n"
        do {
            try FileDescriptorIO.writeAll(Array(text.utf8), to: STDOUT_FILENO)
            return .sent
        } catch {
            return .retry("cannot write to standard output: \(error)")
        }
    }
}
