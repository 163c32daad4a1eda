import Foundation

/// Words for PostgreSQL's own permission refusals ("permission denied for table park", "new row
/// violates row-level security policy for table "site""), which name a table, not the thing a
/// user knows nor who may change it. Who may is what the grants and policies of 0002–0006 say.
enum PermissionWords {
    /// What a table holds, and who may change it.
    static let tables: [String: (thing: String, whoMay: String)] = [
        "organisation": ("organisations", "the province"),
        "park": ("receiving parks", "the province"),
        "plan": ("plans", "the province, or the plan's city or district for its own plan"),
        "plan_status_change": ("plan status changes", "the province, or the plan's city or district"),
        "enterprise": ("enterprises", "the province, or the enterprise's city or district"),
        "task": ("tasks", "the province"),
        "task_assignment": ("task assignments", "the province"),
        "milestone": ("milestones", "the province, or the milestone's owner"),
        "progress_report": ("progress reports", "an organisation the task or milestone is assigned to"),
        "land_quota": ("land quotas", "the province"),
        "land_quota_balance": ("land quota balances", "the database itself, from quotas and allocations"),
        "land_allocation": ("land allocations", "the province, or the holder of the quota"),
        "site": ("vacated sites", "the province, or the site's city or district"),
        "site_env_change": ("sites' environmental records", "the province, or the site's city or district"),
        "reminder_rule": ("reminder rules", "the province"),
        "reminder_contact": ("reminder contacts", "each organisation for its own contacts"),
        "reminder_message": ("reminder messages", "the reminder job (reloc remind run)"),
        "reminder": ("reminders", "the reminder job (reloc remind run)"),
        "reminder_message_item": ("reminder messages", "the reminder job (reloc remind run)"),
        "audit": ("audit records", "the database itself"),
        "rule": ("rules", "the migrations (reloc db migrate)"),
    ]

    static let actAs = "act as an organisation that may do this (--as ORG)"

    /// The words for a refusal PostgreSQL worded itself, or nil for one of our own (those already
    /// say what was refused and what to do).
    static func words(for message: String) -> String? {
        if let table = capture(#"^permission denied for (?:table|relation|view|sequence) "?([a-z_]+)"?$"#, in: message)
        {
            return refusal("may not change", table: table)
        }
        if let table = capture(
            #"^new row violates row-level security policy (?:\(USING expression\) )?for table "?([a-z_]+)"?$"#,
            in: message)
        {
            return refusal("may not write this row of", table: table)
        }
        if let function = capture(#"^permission denied for (?:function|procedure) "?([a-z_]+)"?$"#, in: message) {
            return "permission denied: the organisation acted for may not call \(function) — \(actAs)"
        }
        if let schema = capture(#"^permission denied for schema "?([a-z_]+)"?$"#, in: message) {
            return "permission denied: this login may not use the schema \(schema) — \(actAs)"
        }
        if message.hasPrefix("permission denied") {
            return "permission denied: \(message) — \(actAs)"
        }
        return nil
    }

    private static func refusal(_ verb: String, table: String) -> String {
        guard let words = tables[table] else {
            return "permission denied: the organisation acted for \(verb) the table \(table) — \(actAs)"
        }
        return
            "permission denied: the organisation acted for \(verb) \(words.thing) (they are written by \(words.whoMay)) — \(actAs)"
    }

    private static func capture(_ pattern: String, in text: String) -> String? {
        guard let expression = try? NSRegularExpression(pattern: pattern),
            let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            let range = Range(match.range(at: 1), in: text)
        else { return nil }
        return String(text[range])
    }
}
