import LibPQClient

/// The Chinese text of a digest: a subject line and a plain-text body, overdue items first, then
/// those due today, then those due soon; dates written 2014年12月31日.
public enum DigestText {
    /// 2014年12月31日 (no leading zeros, as official documents write dates).
    public static func chineseDate(_ date: CalendarDate) -> String {
        "\(date.year)年\(date.month)月\(date.day)日"
    }

    public static func subject(_ digest: ReminderDigest) -> String {
        let counts = ReminderItem.Stage.allCases.compactMap { stage -> String? in
            let n = digest.items.filter { $0.stage == stage }.count
            return n == 0 ? nil : "\(heading(stage))\(n)项"
        }
        let more =
            (digest.omitted > 0 ? "，另有\(digest.omitted)项" : "")
            + (digest.failedDeliveries.isEmpty ? "" : "，投递失败\(digest.failedDeliveries.count)条")
        return "【搬迁改造提醒】\(digest.recipient.name)：\(counts.joined(separator: "，"))\(more)（\(chineseDate(digest.asOf))）"
    }

    public static func body(_ digest: ReminderDigest) -> String {
        var lines = [
            "\(digest.recipient.name)：",
            "",
            "截至\(chineseDate(digest.asOf))，贵单位负责或督办的城区老工业区搬迁改造工作有以下节点需要关注：",
        ]
        let ordered = digest.orderedItems
        var section = 0
        for stage in ReminderItem.Stage.allCases {
            let items = ordered.filter { $0.stage == stage }
            guard !items.isEmpty else { continue }
            lines.append("")
            lines.append("\(sectionNumerals[section])、\(heading(stage))（\(items.count)项）")
            section += 1
            for (index, item) in items.enumerated() {
                lines.append(contentsOf: itemLines(item, number: index + 1))
            }
        }
        if !digest.failedDeliveries.isEmpty {
            lines.append("")
            lines.append(
                "\(sectionNumerals[section])、投递失败（\(digest.failedDeliveries.count)条，请核实联系方式后用 reloc remind retry 重发）")
            for (index, failed) in digest.failedDeliveries.enumerated() {
                lines.append(
                    "\(index + 1). 致\(failed.recipient.name)（\(failed.recipient.code)）\(chineseDate(failed.asOf))的提醒，消息\(failed.messageID)，已尝试\(failed.attempts)次：\(failed.lastError)"
                )
            }
        }
        if digest.omitted > 0 {
            lines.append("")
            lines.append("另有\(digest.omitted)项节点未在此列出，请用 reloc milestone list --mine --overdue --due-within 30 查看。")
        }
        lines.append("")
        lines.append("请按期办理，并用 reloc 报告进展。本提醒由 reloc 自动发送。")
        return lines.joined(separator: "\n") + "\n"
    }

    static func itemLines(_ item: ReminderItem, number: Int) -> [String] {
        let mark = item.escalation ? "【督办】" : ""
        var lines = ["\(number). \(mark)\(item.title)（\(attachment(item.belongsTo))）"]
        lines.append("   到期日：\(chineseDate(item.dueOn))，\(daysText(item.daysLeft))")
        if item.awaitingReview {
            lines.append("   已提交办结，待审核：reloc review list 查看，review accept 销号或 review return 退办")
        }
        if item.escalation || item.awaitingReview, let owner = item.owner {
            lines.append("   责任单位：\(owner.name)")
        }
        lines.append("   最新进展：\(progress(item.latestProgress))")
        return lines
    }

    static func heading(_ stage: ReminderItem.Stage) -> String {
        switch stage {
        case .overdue: "已逾期"
        case .dueToday: "今日到期"
        case .dueSoon: "即将到期"
        case .awaitingReview: "待审核"
        }
    }

    static func daysText(_ daysLeft: Int) -> String {
        daysLeft < 0 ? "已逾期\(-daysLeft)天" : daysLeft == 0 ? "今日到期" : "还剩\(daysLeft)天"
    }

    static func attachment(_ a: Attachment) -> String {
        switch a.type {
        case .plan: "实施方案 \(a.code.map { "\($0) " } ?? "")\(a.name)"
        case .enterprise: "企业 \(a.name)"
        case .task: "任务\(a.code.map { "第\($0)项" } ?? "")：\(a.name)"
        case .site: "腾退地块\(a.code.map { " \($0)" } ?? "")：\(a.name)"
        case .other: a.name
        }
    }

    static func progress(_ p: LatestProgress?) -> String {
        guard let p else { return "尚无进展报告" }
        var text = ""
        if let percent = p.percent {
            text += percent == percent.rounded() ? "\(Int(percent))%，" : "\(percent)%，"
        }
        text += ProgressStatus(rawValue: p.status)?.zh ?? p.status
        text += "（\(chineseDate(p.reportedOn))报告）"
        if let note = p.note, !note.isEmpty { text += "：\(note)" }
        return text
    }

    static let sectionNumerals = ["一", "二", "三", "四", "五", "六", "七"]
}
