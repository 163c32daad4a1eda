import Foundation
import LibPQClient
import RelocationCore
import Testing

@Suite struct DigestTextTests {
    @Test func datesAreWrittenTheChineseWay() {
        #expect(DigestText.chineseDate(CalendarDate(year: 2014, month: 12, day: 31)!) == "2014年12月31日")
        #expect(DigestText.chineseDate(CalendarDate(year: 2015, month: 1, day: 5)!) == "2015年1月5日")
    }

    @Test func overdueComesFirstThenDueTodayThenDueSoon() throws {
        let body = DigestText.body(ReminderSamples.digest())
        let overdue = try #require(body.range(of: "一、已逾期（1项）"))
        let today = try #require(body.range(of: "二、今日到期（1项）"))
        let soon = try #require(body.range(of: "三、即将到期（1项）"))
        #expect(overdue.upperBound < today.lowerBound && today.upperBound < soon.lowerBound)
        #expect(body.hasPrefix("四平市人民政府：\n"))
        #expect(body.contains("截至2014年12月1日"))
        #expect(body.contains("1. 完成工业遗产普查（企业 四平东风机械有限公司）\n   到期日：2014年11月30日，已逾期1天"))
        #expect(body.contains("最新进展：60%，存在风险（2014年11月20日报告）：档案整理中"))
        #expect(body.contains("上报土地收储计划（任务第2项：研究制定土地政策）\n   到期日：2014年12月1日，今日到期"))
        #expect(body.contains("编制搬迁改造实施方案（实施方案 SP-TD 四平铁东老工业区）\n   到期日：2014年12月31日，还剩30天"))
        #expect(body.contains("最新进展：尚无进展报告"))
    }

    @Test func sectionsWithoutItemsAreLeftOutAndNumberedInOrder() {
        var digest = ReminderSamples.digest()
        digest.items.removeAll { $0.stage == .overdue }
        let body = DigestText.body(digest)
        #expect(!body.contains("已逾期"))
        #expect(body.contains("一、今日到期（1项）") && body.contains("二、即将到期（1项）"))
        #expect(DigestText.subject(digest) == "【搬迁改造提醒】四平市人民政府：今日到期1项，即将到期1项（2014年12月1日）")
    }

    @Test func escalationsNameTheOwner() {
        var digest = ReminderSamples.digest()
        digest.items = [
            ReminderItem(
                milestoneID: 9, kind: "site-released", title: "腾退土地交储",
                belongsTo: Attachment(type: .plan, code: "SP-TD", name: "四平铁东"),
                dueOn: CalendarDate(year: 2014, month: 11, day: 17)!, daysLeft: -14, escalation: true,
                owner: Recipient(code: "SP", name: "四平市人民政府"))
        ]
        let body = DigestText.body(digest)
        #expect(body.contains("1. 【督办】腾退土地交储"))
        #expect(body.contains("已逾期14天"))
        #expect(body.contains("责任单位：四平市人民政府"))
    }

    @Test func theJSONObjectHasTheDocumentedShape() throws {
        let data = try ReminderSamples.message().jsonObject()
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "idempotency_key", "message_id", "as_of", "recipient", "subject", "text", "items", "omitted",
            ])
        #expect(object["as_of"] as? String == "2014-12-01")
        let items = try #require(object["items"] as? [[String: Any]])
        #expect(items.map { $0["stage"] as? String } == ["overdue", "due-today", "due-soon"])
        #expect(items[0]["days_left"] as? Int == -1)
        #expect((items[0]["belongs_to"] as? [String: Any])?["type"] as? String == "enterprise")
        #expect(items[1]["latest_progress"] is NSNull)
        // The items decode back into the model (the database stores the digest in this form).
        let digest = try JSONDecoder().decode(
            ReminderDigest.self,
            from: JSONSerialization.data(withJSONObject: [
                "recipient": object["recipient"]!, "as_of": "2014-12-01", "items": items,
            ]))
        #expect(Set(digest.items) == Set(ReminderSamples.digest().items))
    }
}
