import Foundation
import LibPQClient

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

    /// The words for a refusal PostgreSQL worded itself, or nil for one of our own (those carry a
    /// HINT saying what was refused and what to do). Decided without reading PostgreSQL's sentence,
    /// which is in the server's language (lc_messages): a grant refusal and a row-level security
    /// refusal are both SQLSTATE 42501 and name the table only inside that sentence, so the table
    /// is found as the one identifier of ours the message holds (identifiers are never translated).
    static func words(for error: PGError) -> String? {
        guard error.sqlState == "42501", !hasText(error.hint) else { return nil }
        let message = ErrorReport.oneLine(error.message)
        if let table = error.table.flatMap({ tables[$0] == nil ? nil : $0 }) ?? table(in: message) {
            return refusal(table: table)
        }
        return "permission denied: \(message) — \(actAs)"
    }

    /// True for PostgreSQL's own 42501 (no HINT), false for a refusal our SQL raised with its words.
    static func isPostgreSQLsOwn(_ error: PGError) -> Bool {
        error.sqlState == "42501" && !hasText(error.hint)
    }

    private static func hasText(_ text: String?) -> Bool {
        !(text ?? "").trimmingCharacters(in: .whitespaces).isEmpty
    }

    /// The longest of our table names that stands as a whole word in `message` ("plan_status_change"
    /// rather than "plan"), in any language's sentence around it.
    static func table(in message: String) -> String? {
        let words = Set(message.split { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) }.map(String.init))
        return tables.keys.filter { words.contains($0) }.max { $0.count < $1.count }
    }

    private static func refusal(table: String) -> String {
        guard let words = tables[table] else {
            return "permission denied: the organisation acted for may not write the table \(table) — \(actAs)"
        }
        return
            "permission denied: the organisation acted for may not write these \(words.thing) (they are written by \(words.whoMay)) — \(actAs)"
    }
}
