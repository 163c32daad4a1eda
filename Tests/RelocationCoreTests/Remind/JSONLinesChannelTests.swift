import Foundation
import RelocationCore
import Testing

@Suite struct JSONLinesChannelTests {
    @Test func appendsOneObjectPerLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-\(UUID().uuidString).jsonl")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let channel = JSONLinesChannel(path: path)
        #expect(channel.deliver(ReminderSamples.message(key: "a")) == .sent)
        #expect(channel.deliver(ReminderSamples.message(key: "b")) == .sent)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let keys = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.map {
            $0?["idempotency_key"] as? String
        }
        #expect(keys == ["a", "b"])
    }

    @Test func anUnwritablePathIsRetriedNotLost() {
        guard case .retry = JSONLinesChannel(path: "/nonexistent-dir/r.jsonl").deliver(ReminderSamples.message()) else {
            Issue.record("expected a retry")
            return
        }
    }
}
