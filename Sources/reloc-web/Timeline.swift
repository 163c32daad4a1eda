import Foundation

/// A plan's timeline as a server-made SVG (issue 16, 实施方案): one row per milestone, its due
/// date (a hollow diamond) against its done date (a filled dot), joined by a bar — green when
/// done by the due date, red when done late or still open past it (to today, dashed). Year ticks,
/// a line for today. No script, no external assets, every text escaped; 180 mm wide, so it prints
/// on A4 inside the margins.
enum Timeline {
    struct Row: Sendable {
        let label: String
        let due: String?
        let done: String?
        let href: String?
    }

    /// A day as a count of days (proleptic Gregorian), from "YYYY-MM-DD"; nil otherwise.
    static func dayNumber(_ text: String?) -> Int? {
        guard let text, text.count >= 10 else { return nil }
        let parts = text.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        var (y, m) = (parts[0], parts[1])
        let d = parts[2]
        if m <= 2 {
            y -= 1
            m += 12
        }
        return 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d
    }

    static func svg(_ rows: [Row], today: String, title: String) -> String {
        let labelWidth = 230.0
        let width = 760.0
        let rowHeight = 22.0
        let top = 30.0
        let height = top + Double(max(rows.count, 1)) * rowHeight + 12
        let todayNumber = dayNumber(today)
        let days =
            rows.flatMap { [dayNumber($0.due), dayNumber($0.done)] }.compactMap { $0 } + [todayNumber].compactMap { $0 }
        guard var first = days.min(), var last = days.max(), !rows.isEmpty else {
            return "<p class=\"empty\">无节点，无时间轴</p>"
        }
        first -= 15
        last += 15
        let span = Double(max(last - first, 1))
        func x(_ day: Int) -> Double { labelWidth + (width - labelWidth - 10) * Double(day - first) / span }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" viewBox="0 0 \(f(width)) \(f(height))" \
            width="100%" aria-label="\(HTML.escape(title))">
            <title>\(HTML.escape(title))</title>
            """
        // Year ticks.
        let years = (rows.flatMap { [$0.due, $0.done] } + [today]).compactMap { $0.flatMap { Int($0.prefix(4)) } }
        for year in (years.min() ?? 2000)...((years.max() ?? 2000) + 1) {
            guard let day = dayNumber(String(format: "%04d-01-01", year)), day > first, day < last else { continue }
            svg += "<line x1=\"\(f(x(day)))\" y1=\"18\" x2=\"\(f(x(day)))\" y2=\"\(f(height - 8))\" class=\"tick\"/>"
            svg += "<text x=\"\(f(x(day) + 2))\" y=\"14\" class=\"year\">\(year)</text>"
        }
        if let todayNumber {
            svg +=
                "<line x1=\"\(f(x(todayNumber)))\" y1=\"18\" x2=\"\(f(x(todayNumber)))\" y2=\"\(f(height - 8))\" class=\"today\"/>"
            svg +=
                "<text x=\"\(f(x(todayNumber) + 2))\" y=\"\(f(height - 1))\" class=\"year\">今天 \(HTML.escape(today))</text>"
        }
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight + rowHeight / 2
            let label = row.label.count > 18 ? String(row.label.prefix(17)) + "…" : row.label
            var line =
                "<g><title>\(HTML.escape(row.label))：完成时限 \(HTML.escape(row.due ?? "—"))，完成 \(HTML.escape(row.done ?? "未完成"))</title>"
            line += "<text x=\"4\" y=\"\(f(y + 4))\" class=\"label\">\(HTML.escape(label))</text>"
            let due = dayNumber(row.due)
            let done = dayNumber(row.done)
            if let due {
                if let done {
                    let late = done > due
                    line +=
                        "<line x1=\"\(f(x(min(due, done))))\" y1=\"\(f(y))\" x2=\"\(f(x(max(due, done))))\" y2=\"\(f(y))\" class=\"\(late ? "late" : "ontime")\"/>"
                } else if let todayNumber, todayNumber > due {
                    line +=
                        "<line x1=\"\(f(x(due)))\" y1=\"\(f(y))\" x2=\"\(f(x(todayNumber)))\" y2=\"\(f(y))\" class=\"overdue\"/>"
                }
                let cx = x(due)
                line +=
                    "<path d=\"M\(f(cx)) \(f(y - 6))L\(f(cx + 6)) \(f(y))L\(f(cx)) \(f(y + 6))L\(f(cx - 6)) \(f(y))Z\" class=\"due\"/>"
            }
            if let done {
                line += "<circle cx=\"\(f(x(done)))\" cy=\"\(f(y))\" r=\"4.5\" class=\"done\"/>"
            }
            line += "</g>"
            if let href = row.href { line = "<a href=\"\(HTML.escape(href))\">\(line)</a>" }
            svg += line
        }
        return svg + "</svg><p class=\"note legend\">◇ 完成时限　● 完成日期　绿：按期　红：逾期完成或逾期未完成（虚线至今天）</p>"
    }

    /// Bars of land quota usage (用地): per holder and year, the quota's length and the part
    /// allocated, in hectares.
    struct Bar: Sendable {
        let label: String
        let quota: Double
        let allocated: Double
    }

    static func bars(_ bars: [Bar], title: String) -> String {
        guard !bars.isEmpty else { return "<p class=\"empty\">无</p>" }
        let labelWidth = 230.0
        let width = 760.0
        let rowHeight = 24.0
        let height = Double(bars.count) * rowHeight + 10
        let most = max(bars.map { max($0.quota, $0.allocated) }.max() ?? 1, 0.0001)
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func w(_ v: Double) -> Double { (width - labelWidth - 110) * v / most }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="bars" role="img" viewBox="0 0 \(f(width)) \(f(height))" \
            width="100%" aria-label="\(HTML.escape(title))">
            <title>\(HTML.escape(title))</title>
            """
        for (index, bar) in bars.enumerated() {
            let y = 5 + Double(index) * rowHeight
            let over = bar.allocated > bar.quota
            svg +=
                "<g><title>\(HTML.escape(bar.label))：指标 \(String(format: "%.4f", bar.quota)) 公顷，已安排 \(String(format: "%.4f", bar.allocated)) 公顷</title>"
            svg += "<text x=\"4\" y=\"\(f(y + 15))\" class=\"label\">\(HTML.escape(bar.label))</text>"
            svg +=
                "<rect x=\"\(f(labelWidth))\" y=\"\(f(y + 3))\" width=\"\(f(w(bar.quota)))\" height=\"16\" class=\"quota\"/>"
            svg +=
                "<rect x=\"\(f(labelWidth))\" y=\"\(f(y + 6))\" width=\"\(f(w(bar.allocated)))\" height=\"10\" class=\"\(over ? "over" : "allocated")\"/>"
            let percent = bar.quota > 0 ? String(format: "%.0f%%", 100 * bar.allocated / bar.quota) : "—"
            svg +=
                "<text x=\"\(f(labelWidth + w(max(bar.quota, bar.allocated)) + 6))\" y=\"\(f(y + 15))\" class=\"label\">\(String(format: "%.2f", bar.allocated))/\(String(format: "%.2f", bar.quota)) 公顷 \(percent)</text></g>"
        }
        return svg + "</svg><p class=\"note legend\">浅色：指标　深色：已安排（红：超出指标）</p>"
    }
}
