import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Everything that changes is audited: every table of schema reloc holding programme data has the
/// audit triggers of reloc.audit_table (0003). Read from the catalog, so a table a later migration
/// adds without them fails here. (0006 skipped them silently for the reminder rules and contacts.)
@Suite struct AuditCoverageTests {
    /// Tables that are not programme data, each with the reason.
    static let notAudited: [String: String] = [
        "audit": "the audit trail itself",
        "web_session": "reloc-web's sessions: the row itself says who signed in, from where, and who ended it",
        "web_signin_failure": "reloc-web's failed sign-ins, the throttle's count: append-only bookkeeping",
        "rule": "the rules' words, written by migrations only",
        "term": "the enumerated values' words (0016), written by migrations only",
        "enterprise_land_guard": "a lock row per enterprise, written only by reloc.lock_enterprise_land",
        "land_quota_balance": "a derived per-holder-year lock row, recomputed from the audited quotas and allocations",
        "reminder": "the reminder job's ledger, written only by the job (reloc remind history shows it)",
        "reminder_message": "the reminder job's delivery queue, written only by the job (reloc remind history)",
        "reminder_job_lock": "the reminder job's one lock row, never changed (locked FOR UPDATE by the planning run)",
        "reminder_run": "the reminder job's own record of its runs (reloc remind status), written only by the job",
        "milestone_due_change":
            "a history written only by the database from the milestone's own audited due_on updates (0028)",
    ]

    @Test func everyProgrammeTableHasItsAuditTriggers() throws {
        try TestDatabase.withConnection { db in
            let tables = try db.query(
                """
                SELECT c.relname::text,
                       EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'audit_row'
                               AND t.tgfoid = 'reloc.audit_row'::regproc AND t.tgenabled <> 'D'),
                       EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'audit_insert'
                               AND t.tgfoid = 'reloc.audit_insert'::regproc AND t.tgenabled <> 'D')
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'reloc' AND c.relkind IN ('r', 'p')
                ORDER BY 1
                """
            ).decode((String, Bool, Bool).self)
            #expect(tables.contains { $0.0 == "reminder_contact" })
            let missing = tables.filter { !($0.1 && $0.2) && Self.notAudited[$0.0] == nil }.map(\.0)
            #expect(missing.isEmpty, "tables without audit triggers (audit them, or list them here with a reason)")
            let listedButAudited = tables.filter { $0.1 && $0.2 && Self.notAudited[$0.0] != nil }.map(\.0)
            #expect(listedButAudited.isEmpty, "audited tables listed as not audited: take them off the list")
            let stale = Set(Self.notAudited.keys).subtracting(tables.map(\.0))
            #expect(stale.isEmpty, "exclusions for tables that do not exist")
        }
    }

    /// A contact and a rule changed through the CLI leave their audit rows.
    @Test func reminderContactsAndRulesAreAudited() throws {
        try RemindFixture.with { f in
            let add = try f.cli(["remind", "contact", "add", "SP", "--email", "ban@sp.gov.cn", "--as", "SP"])
            #expect(add.status == 0, "\(add.stderr)")
            let set = try f.cli(["remind", "rules", "set", "custom", "--before", "10,3", "--as", "JL"])
            #expect(set.status == 0, "\(set.stderr)")
            let rows = try f.db.query(
                """
                SELECT table_name || ' ' || action || ' ' || coalesce(acting_org_code, '') FROM reloc.audit
                WHERE table_name IN ('reminder_contact', 'reminder_rule') ORDER BY id
                """
            ).decode(String.self)
            #expect(rows == ["reminder_contact insert SP", "reminder_rule insert JL"])
        }
    }
}
