/// A bulletin (通报) as a document a person reads: 标题, 期号, 正文 with the figures, and 附表
/// (issue 15). Written once as blocks, printed as Markdown or as a self-contained HTML page, so
/// the two say the same; every value from the data is escaped in both.
public enum BulletinText {
    enum Block {
        case title(String)
        case subtitle(String)
        case heading(String)
        case subheading(String)
        case paragraph(String)
        case numbered([String])
        case bullets([String])
        /// Header, which columns are numbers (right-aligned), rows.
        case table([String], numeric: Set<Int>, [[String]])
    }

    /// The document: `number` is the 期号 of an issued bulletin, nil for a draft.
    static func blocks(_ figures: BulletinFigures, number: String?) -> [Block] {
        let province = (figures.province ?? "").replacingOccurrences(of: "人民政府", with: "")
        let date = BulletinFigures.chineseDate
        let t = figures.totals
        var blocks: [Block] = [
            .title("\(province)城区老工业区搬迁改造工作通报"),
            .subtitle(number.map { $0.hasPrefix("第") ? "\(figures.asOf.prefix(4))年\($0)" : $0 } ?? "（草稿，未印发）"),
            .paragraph("\(figures.province ?? province)　\(date(figures.asOf))"),
            .heading("一、总体情况"),
            .paragraph(
                "\(figures.periodWords)（\(date(figures.periodStart))至\(date(figures.periodEnd))），全省应完成节点\(t.due)个："
                    + "按期完成\(t.onTime)个，逾期完成\(t.late)个，逾期未完成\(t.overdue)个，按期完成率\(BulletinFigures.percent(t.onTimeRate))；"
                    + "截至\(date(figures.asOf))尚未到期\(t.notYetDue)个；批准延期\(t.extensions)次。"
                    + "按期完成率为按期完成数占已到期节点数（按期完成、逾期完成、逾期未完成）之比；"
                    + "逾期天数按工作日计算（不含周末和法定节假日，含调休上班日）。"),
        ]
        blocks += ranking("二、各市（州）按期完成率排名", figures.cities)
        blocks += ranking("三、省直部门按期完成率排名", figures.departments)
        blocks.append(.heading("四、逾期事项点名"))
        if figures.overdueItems.isEmpty {
            blocks.append(.paragraph("本期无逾期未完成事项。"))
        } else {
            blocks.append(
                .bullets(
                    figures.overdueItems.map {
                        "\($0.unitName)：节点\($0.milestoneId)「\($0.title)」，应于\(date($0.dueOn))完成，"
                            + "已逾期\($0.overdueWorkingDays)个工作日（\($0.overdueCalendarDays)个自然日）。"
                    }))
        }
        blocks.append(.heading("附表"))
        blocks.append(.subheading("附表1　各市（州）完成情况"))
        blocks.append(unitTable("市（州）", figures.cities))
        blocks.append(.subheading("附表2　省直部门完成情况"))
        blocks.append(unitTable("部门", figures.departments))
        blocks.append(.subheading("附表3　逾期事项清单"))
        blocks.append(
            .table(
                ["单位", "节点", "名称", "应完成日期", "逾期工作日", "逾期自然日"], numeric: [1, 4, 5],
                figures.overdueItems.map {
                    [
                        $0.unitName, String($0.milestoneId), $0.title, $0.dueOn, String($0.overdueWorkingDays),
                        String($0.overdueCalendarDays),
                    ]
                }))
        return blocks
    }

    static func ranking(_ heading: String, _ units: [BulletinFigures.Unit]) -> [Block] {
        let ranked = units.filter { $0.rank != nil }
        var blocks: [Block] = [.heading(heading)]
        if ranked.isEmpty {
            blocks.append(.paragraph("本期无已到期节点。"))
        } else {
            blocks.append(
                .numbered(
                    ranked.map {
                        "第\($0.rank ?? 0)名　\($0.name)：按期完成率\(BulletinFigures.percent($0.onTimeRate))（应完成\($0.due)个，"
                            + "按期完成\($0.onTime)个，逾期完成\($0.late)个，逾期未完成\($0.overdue)个，"
                            + "逾期共\($0.overdueWorkingDays)个工作日）"
                    }))
        }
        let unranked = units.filter { $0.rank == nil }.map(\.name)
        if !unranked.isEmpty {
            blocks.append(.paragraph("本期无已到期节点：\(unranked.joined(separator: "、"))。"))
        }
        return blocks
    }

    static func unitTable(_ header: String, _ units: [BulletinFigures.Unit]) -> Block {
        .table(
            ["排名", header, "应完成", "按期完成", "逾期完成", "逾期未完成", "逾期工作日", "尚未到期", "延期", "按期完成率"],
            numeric: [0, 2, 3, 4, 5, 6, 7, 8, 9],
            units.map {
                [
                    $0.rank.map(String.init) ?? "—", $0.name, String($0.due), String($0.onTime), String($0.late),
                    String($0.overdue), String($0.overdueWorkingDays), String($0.notYetDue), String($0.extensions),
                    BulletinFigures.percent($0.onTimeRate),
                ]
            })
    }

    // MARK: Markdown

    public static func markdown(_ figures: BulletinFigures, number: String?) -> String {
        var out: [String] = []
        for block in blocks(figures, number: number) {
            switch block {
            case .title(let text): out.append("# \(md(text))")
            case .subtitle(let text): out.append("**\(md(text))**")
            case .heading(let text): out.append("## \(md(text))")
            case .subheading(let text): out.append("### \(md(text))")
            case .paragraph(let text): out.append(md(text))
            case .numbered(let items): out.append(items.map { "- \(md($0))" }.joined(separator: "\n"))
            case .bullets(let items): out.append(items.map { "- \(md($0))" }.joined(separator: "\n"))
            case .table(let header, let numeric, let rows):
                var lines = ["| " + header.map(md).joined(separator: " | ") + " |"]
                lines.append("|" + header.indices.map { numeric.contains($0) ? " ---: |" : " --- |" }.joined())
                lines += rows.map { "| " + $0.map(md).joined(separator: " | ") + " |" }
                if rows.isEmpty { lines.append("| " + header.map { _ in "—" }.joined(separator: " | ") + " |") }
                out.append(lines.joined(separator: "\n"))
            }
        }
        return out.joined(separator: "\n\n") + "\n"
    }

    /// Markdown's punctuation escaped, one line: a title from the data never makes a heading, a
    /// link, a table cell or raw HTML.
    static func md(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "#", "|", "!", "(", ")", "{", "}", "~":
                result += "\\\(character)"
            case "\n", "\r": result += " "
            default: result.append(character)
            }
        }
        return result
    }

    // MARK: HTML

    public static func html(_ figures: BulletinFigures, number: String?) -> String {
        var body: [String] = []
        var title = ""
        for block in blocks(figures, number: number) {
            switch block {
            case .title(let text):
                title = text
                body.append("<h1>\(escape(text))</h1>")
            case .subtitle(let text): body.append("<p class=\"number\">\(escape(text))</p>")
            case .heading(let text): body.append("<h2>\(escape(text))</h2>")
            case .subheading(let text): body.append("<h3>\(escape(text))</h3>")
            case .paragraph(let text): body.append("<p>\(escape(text))</p>")
            case .numbered(let items), .bullets(let items):
                body.append("<ul>\n" + items.map { "<li>\(escape($0))</li>" }.joined(separator: "\n") + "\n</ul>")
            case .table(let header, let numeric, let rows):
                func cells(_ row: [String], _ tag: String) -> String {
                    row.enumerated().map { index, cell in
                        "<\(tag)\(numeric.contains(index) && tag == "td" ? " class=\"n\"" : "")>\(escape(cell))</\(tag)>"
                    }.joined()
                }
                var lines = ["<table>", "<thead><tr>\(cells(header, "th"))</tr></thead>", "<tbody>"]
                lines += rows.map { "<tr>\(cells($0, "td"))</tr>" }
                lines += ["</tbody>", "</table>"]
                body.append(lines.joined(separator: "\n"))
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <title>\(escape(title))</title>
            <style>
            body { font-family: "SimSun", "Songti SC", serif; max-width: 60em; margin: 2em auto; line-height: 1.6; }
            h1 { text-align: center; color: #c00; } .number { text-align: center; }
            table { border-collapse: collapse; } th, td { border: 1px solid #888; padding: 0.2em 0.5em; }
            td.n { text-align: right; }
            </style>
            </head>
            <body>
            \(body.joined(separator: "\n"))
            </body>
            </html>

            """
    }

    /// Text as HTML: &, <, >, " and ' escaped, so nothing from the data is markup.
    public static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
