import LibPQClient
import RelocationCore

/// Every value put on a page goes through `escape`: markup characters become entities, and
/// control characters (which a browser would drop or act on) become their visible pictures
/// (U+2400…), so a name like `<script>alert(1)</script>` or one holding a NUL reads as typed.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20: out.unicodeScalars.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case "\u{7F}": out += "\u{2421}"
            case _
            where (0x80...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
                || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value):
                // C1 controls, line separators and bidirectional overrides: shown, not obeyed.
                out += "&#x\(String(scalar.value, radix: 16, uppercase: true));"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The page frame: navigation for the signed-in person, the content, no script.
    static func page(title: String, person: WebPerson?, csrf: String?, body: String) -> String {
        var nav = ""
        if let person {
            nav = """
                <nav><a href="/">总览</a> <a href="/tasks">我的任务</a> <a href="/enterprises">企业</a>\
                <a href="/plans">实施方案</a> <a href="/land">用地</a> <a href="/reminders">提醒</a>\
                \(person.isProvince ? " <a href=\"/admin/sessions\">会话</a>" : "")
                <span class="who">\(escape(person.login)) · \(escape(person.organisation))</span>
                <form method="post" action="/signout" class="inline">\(csrfField(csrf))<button>退出</button></form></nav>
                """
        }
        return """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · 老工业区搬迁改造</title>
            <link rel="stylesheet" href="/static/reloc.css"></head>
            <body><header><h1>城区老工业区搬迁改造</h1>\(nav)</header>
            <main><h2>\(escape(title))</h2>
            \(body)
            </main></body></html>
            """
    }

    static func csrfField(_ csrf: String?) -> String {
        guard let csrf else { return "" }
        return "<input type=\"hidden\" name=\"csrf\" value=\"\(escape(csrf))\">"
    }

    /// A result as a table: `columns` (name, heading) in order; `link` makes a cell a link.
    static func table(
        _ result: PGResult, columns: [(String, String)], terms: [String: String] = Labels.domains,
        link: ((PGRow, String) -> String?)? = nil
    ) -> String {
        guard !result.rows.isEmpty else { return "<p class=\"empty\">无</p>" }
        var html = "<table><thead><tr>"
        for (_, heading) in columns { html += "<th>\(escape(heading))</th>" }
        html += "</tr></thead><tbody>"
        for row in result.rows {
            html += "<tr>"
            for (name, _) in columns {
                let text = escape(Labels.value(row[name], column: name, terms: terms))
                if let href = link?(row, name) {
                    html += "<td><a href=\"\(escape(href))\">\(text)</a></td>"
                } else {
                    html += "<td>\(text)</td>"
                }
            }
            html += "</tr>"
        }
        return html + "</tbody></table>"
    }
}

/// The Chinese words of coded values on pages (the codes stay in JSON, as in the CLI).
enum Labels {
    static let domains: [String: String] = [
        "status": TaskStatus.domain, "state": MilestoneState.domain, "kind": MilestoneKind.domain,
    ]

    static func value(_ value: String?, column: String, terms: [String: String] = domains) -> String {
        guard let value else { return UnknownFacts.columns.contains(column) ? UnknownFacts.word(.zh) : "" }
        if let domain = terms[column], let label = Terms.label(value, domain: domain, .zh) { return label }
        if column == "is_province" || value == "t" || value == "f" {
            return value == "t" ? "是" : value == "f" ? "否" : value
        }
        return value
    }
}
