#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `jsonl:PATH`: one JSON object per message (the webhook's shape) on one line, appended and
/// fsynced. A line is written with one write(2) on an O_APPEND descriptor, so lines of two runs
/// writing at once do not interleave.
public struct JSONLinesChannel: ReminderChannel {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func deliver(_ message: ReminderMessage) -> DeliveryOutcome {
        do {
            var line = try message.jsonObject()
            line.append(0x0A)
            try FileDescriptorIO.appendDurably(Array(line), to: path)
            return .sent
        } catch {
            return .retry("jsonl \(path): \(error)")
        }
    }
}
