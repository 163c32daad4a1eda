import LibPQClient
import RelocationCore

/// A digest with one item in each stage, for the channel and text tests.
enum ReminderSamples {
    static let asOf = CalendarDate(year: 2014, month: 12, day: 1)!

    static func digest() -> ReminderDigest {
        ReminderDigest(
            recipient: Recipient(code: "SP", name: "四平市人民政府"), asOf: asOf,
            items: [
                ReminderItem(
                    milestoneID: 3, kind: "plan-compiled", title: "编制搬迁改造实施方案",
                    belongsTo: Attachment(type: .plan, code: "SP-TD", name: "四平铁东老工业区"),
                    dueOn: CalendarDate(year: 2014, month: 12, day: 31)!, daysLeft: 30),
                ReminderItem(
                    milestoneID: 1, kind: "heritage-surveyed", title: "完成工业遗产普查",
                    belongsTo: Attachment(type: .enterprise, code: nil, name: "四平东风机械有限公司"),
                    dueOn: CalendarDate(year: 2014, month: 11, day: 30)!, daysLeft: -1,
                    latestProgress: LatestProgress(
                        percent: 60, status: "at-risk", note: "档案整理中",
                        reportedOn: CalendarDate(year: 2014, month: 11, day: 20)!)),
                ReminderItem(
                    milestoneID: 2, kind: "custom", title: "上报土地收储计划",
                    belongsTo: Attachment(type: .task, code: "2", name: "研究制定土地政策"),
                    dueOn: asOf, daysLeft: 0),
            ])
    }

    static func message(key: String = "6f1c2c4e-0000-4000-8000-000000000001") -> ReminderMessage {
        ReminderMessage(idempotencyKey: key, messageID: 42, digest: digest())
    }
}
