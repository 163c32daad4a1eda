import Foundation

/// The open milestones as an iCalendar file (RFC 5545), one all-day VEVENT per milestone (issue 17).
///
/// Why VEVENT, not VTODO: the calendars officials use — Outlook, WPS, the phones' own, and
/// Outlook.com/Google when subscribed — show an all-day event on its day in the month view and
/// fire its alarms, while many of them drop VTODO or hide it in a separate task list. A deadline
/// is a day to see at a glance, so it is an all-day event (DTSTART;VALUE=DATE, DTEND the next day).
///
/// - UID `milestone-<id>@<database>.reloc`: the same milestone keeps it across exports.
/// - SEQUENCE: how many times its due date was moved (reloc.milestone_due_moves), so a calendar
///   that imported an earlier export replaces the event when the date moves.
/// - SUMMARY in Chinese: the kind, the title and what it belongs to; DESCRIPTION: owner, the days
///   left or overdue, the latest progress; a VALARM for each of the reminder rule's offsets
///   (`reloc remind rules list`: days before, and on the day at 09:00).
/// - Lines end CR LF and are folded at 75 octets without splitting a UTF-8 character; text is
///   escaped (backslash, semicolon, comma, new line), as §3.3.11 says.
public enum ICalendar {
    /// The calendar's name for one organisation's milestones (`--org CODE`, and its feed).
    public static func name(organisation code: String) -> String { "reloc 节点（\(code.uppercased())）" }

    public static func render(_ entries: [MilestoneCalendar.Entry], identity: String, name: String, stamp: Date)
        -> String
    {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//reloc//milestone ical//ZH", "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH", "X-WR-CALNAME:" + text(name), "X-WR-TIMEZONE:Asia/Shanghai",
        ]
        let dtstamp = utcStamp(stamp)
        for entry in entries {
            let kind = Terms.label(entry.kind, domain: MilestoneKind.domain, .zh) ?? entry.kind
            lines += [
                "BEGIN:VEVENT",
                "UID:milestone-\(entry.id)@\(identity).reloc",
                "SEQUENCE:\(entry.dueMoves)",
                "DTSTAMP:\(dtstamp)",
                "DTSTART;VALUE=DATE:\(day(entry.dueOn))",
                "DTEND;VALUE=DATE:\(entry.dueOn.adding(days: 1).map(day) ?? day(entry.dueOn))",
                "SUMMARY:" + text("【\(kind)】\(entry.title)（\(entry.attachedTo)）"),
                "DESCRIPTION:" + text(description(entry)),
                "CATEGORIES:" + text(kind),
                "STATUS:CONFIRMED",
                "TRANSP:TRANSPARENT",
            ]
            for days in Set(entry.daysBefore).sorted(by: >) where days > 0 {
                lines += alarm(trigger: "-P\(days)D", "\(days) 天后到期：\(entry.title)")
            }
            if entry.onDueDate { lines += alarm(trigger: "PT9H", "今日到期：\(entry.title)") }
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined()
    }

    static func description(_ entry: MilestoneCalendar.Entry) -> String {
        var parts = ["责任单位：\(entry.ownerName)（\(entry.owner)）"]
        if entry.daysLeft < 0 {
            parts.append("已逾期 \(-entry.daysLeft) 天")
        } else if entry.daysLeft == 0 {
            parts.append("今日到期")
        } else {
            parts.append("还有 \(entry.daysLeft) 天到期")
        }
        if let on = entry.progressOn, let note = entry.note {
            let status = entry.status.flatMap { Terms.label($0, domain: ProgressStatus.domain, .zh) } ?? ""
            parts.append("最新进展（\(on)，\(entry.percent ?? "")%，\(status)）：\(note)")
        } else {
            parts.append("尚无进展报告")
        }
        parts.append("reloc milestone show \(entry.id)")
        return parts.joined(separator: "\n")
    }

    static func alarm(trigger: String, _ words: String) -> [String] {
        [
            "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER;RELATED=START:\(trigger)", "DESCRIPTION:" + text(words),
            "END:VALARM",
        ]
    }

    static func day(_ date: CalendarDate) -> String {
        String(format: "%04d%02d%02d", date.year, date.month, date.day)
    }

    static func utcStamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0,
            c.second ?? 0)
    }

    /// TEXT (§3.3.11): backslash, semicolon and comma escaped, a line break as `\n`.
    static func text(_ value: String) -> String {
        var out = ""
        var previousCR = false
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousCR { out += "\\n" }
            default:
                // Other control characters are not allowed in TEXT (§3.1): dropped.
                if scalar.value >= 0x20 && scalar.value != 0x7F { out.unicodeScalars.append(scalar) }
            }
            previousCR = scalar == "\r"
        }
        return out
    }

    /// A content line folded at 75 octets (§3.1): a CR LF and a space before each further part,
    /// never inside a UTF-8 character.
    static func fold(_ line: String) -> String {
        var out = ""
        var octets = 0
        for character in line.unicodeScalars {
            let size = String(character).utf8.count
            if octets + size > 75 {
                out += "\r\n "
                octets = 1
            }
            out.unicodeScalars.append(character)
            octets += size
        }
        return out + "\r\n"
    }
}
