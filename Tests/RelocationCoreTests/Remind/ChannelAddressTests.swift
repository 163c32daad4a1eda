import Foundation
import RelocationCore
import Testing

@Suite struct ChannelAddressTests {
    @Test func parsesEveryChannel() throws {
        #expect(try ChannelAddress(parsing: "stdout") == .stdout)
        #expect(try ChannelAddress(parsing: "jsonl:/tmp/r.jsonl") == .jsonl(path: "/tmp/r.jsonl"))
        #expect(
            try ChannelAddress(parsing: "webhook:https://hooks.example.cn/x")
                == .webhook(URL(string: "https://hooks.example.cn/x")!))
        #expect(try ChannelAddress(parsing: "http://127.0.0.1:8080/x").description == "webhook:http://127.0.0.1:8080/x")
        #expect(try ChannelAddress(parsing: "email:ban@sp.gov.cn") == .email("ban@sp.gov.cn"))
        #expect(try ChannelAddress(parsing: "mailto:ban@sp.gov.cn") == .email("ban@sp.gov.cn"))
    }

    @Test func refusesWhatCannotBeDeliveredTo() {
        for bad in [
            "", "jsonl:", "ftp://x", "webhook:ftp://x", "webhook:http://", "email:nobody", "email:a@b@c.cn",
            "email:x@y.cn\nBcc: z@w.cn", "email:<x@y.cn>", "smtp:x@y.cn",
        ] {
            #expect(throws: RelocError.self) { try ChannelAddress(parsing: bad) }
        }
    }
}
