import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// The second look at issue 11's values and issue 12's contacts: what still got through after the
/// first review's fixes.
@Suite("Values and contacts: the second review")
struct ValuesRecheckTests {
    /// Tag characters, the Hangul filler, combining grapheme joiner, Mongolian vowel separator and
    /// the line separators rendered as nothing (or broke the line) and made look-alike names.
    @Test func everyInvisibleCharacterIsRefusedInOneLineText() throws {
        try RegisterFixture.with { fixture in
            let marks = [
                "\u{E0041}", "\u{3164}", "\u{115F}", "\u{2800}", "\u{180E}", "\u{034F}", "\u{1D173}", "\u{FFF9}",
                "\u{2028}", "\u{2029}", "\u{FE0F}",
            ]
            let db = try fixture.admin()
            for mark in marks {
                let clean = try db.query("SELECT reloc.is_clean_text(\("长春大成\(mark)集团"), 200, false)").scalar(
                    Bool.self)
                #expect(clean == false, "U+\(String(mark.unicodeScalars.first!.value, radix: 16))")
                #expect(DisplayWidth.visible("a\(mark)b") != "a\(mark)b")
            }
            #expect(try db.query("SELECT reloc.is_clean_text('长春大成集团', 200, false)").scalar(Bool.self))
            let outcome = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "四平\u{E0041}测试", "--mode",
                "close",
            ])
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("enterprise_name_text"), "\(outcome.stderr)")
        }
    }

    /// A raw UPDATE stored 1e100000 as a capacity (no parser reads it) and every listing padded to
    /// its 100,001 digits.
    @Test func aCapacityHasTheParsersBounds() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register()
            let sp = try fixture.acting("SP")
            for value in ["1e100000", "0.00000000000000000001", "100000000000000000000"] {
                expectSQLState("23514") {
                    try sp.execute(
                        """
                        UPDATE reloc.enterprise SET capacity_old = \(value)::numeric, capacity_old_unit = 't'
                        WHERE id = \(id)
                        """)
                }
            }
            try sp.execute(
                "UPDATE reloc.enterprise SET capacity_old = 30000.5, capacity_old_unit = '吨/日' WHERE id = \(id)")
        }
    }

    /// 钉钉 and 企业微信 robots carry their key in the query string: masked like credentials, in
    /// the record the city reads and in what the job shows.
    @Test func aWebhookQueryIsMaskedLikeCredentials() throws {
        try TestDatabase.with(.jilin2014) { db in
            let admin = try TestDatabase.connect(db)
            let shown = try admin.query(
                """
                SELECT reloc.url_shown('https://oapi.dingtalk.com/robot/send?access_token=deadbeef#x'),
                       reloc.url_shown('失败 http://u:p@h.cn/a?key=k1 and https://h.cn/b?t=2')
                """
            ).decode((String, String).self)
            #expect(shown.first?.0 == "https://oapi.dingtalk.com/robot/send?***#x")
            #expect(shown.first?.1 == "失败 http://***@h.cn/a?*** and https://h.cn/b?***")
            #expect(
                ChannelAddress.redacted("https://u:p@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret")
                    == "https://***@qyapi.weixin.qq.com/cgi-bin/webhook/send?***")
            let added = try RelocCLI.run(
                [
                    "remind", "contact", "add", "SP-TD", "--as", "SP-TD", "--webhook",
                    "https://oapi.dingtalk.com/robot/send?access_token=deadbeefcafe",
                ],
                database: db)
            #expect(added.status == 0, "\(added.stderr)")
            #expect(!added.stdout.contains("deadbeefcafe"), "\(added.stdout)")
            let city = try TestDatabase.connect(db, actingAs: "SP")
            let audited = try city.query(
                "SELECT count(*) FROM reloc.audit WHERE table_name = 'reminder_contact' AND new_values::text LIKE '%deadbeef%'"
            ).scalar(Int64.self)
            #expect(audited == 0)
            let listed = try RelocCLI.run(["remind", "contact", "list", "--as", "SP-TD"], database: db)
            #expect(listed.status == 0 && !listed.stdout.contains("deadbeef"), "\(listed.stdout)")
        }
    }
}
