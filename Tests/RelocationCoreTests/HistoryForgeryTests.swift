import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The histories (plan_status_change, site_env_change) are the database's to write: no
/// organisation role writes a row by any route — directly, from a trigger on a TEMP table, from a
/// temp function, through a view, by COPY — the login recorded is session_user, and every history
/// is audited (issue 11; DOMAIN.md: history is never rewritten).
@Suite("Histories cannot be forged")
struct HistoryForgeryTests {
    /// 吉林's 冀东水泥 site, risk-assessed by 吉林 on 2016-05-01; returns its id.
    static func assessedSite(_ fixture: LandFixture) throws -> Int64 {
        let id = try SiteReleaseTests.addSite(fixture)
        let jilin = try fixture.acting("JLS")
        try jilin.execute("SELECT reloc.advance_site(\(id), 'surveyed', NULL, '2016-05-01')")
        try jilin.execute("SELECT reloc.advance_site(\(id), 'risk-assessed', NULL, '2016-05-01')")
        return id
    }

    /// A TEMP table whose pg_temp trigger runs `statement`, then a row inserted into it: the
    /// route that passed `pg_trigger_depth() > 0`.
    static func forgeThroughTempTrigger(_ db: PGConnection, _ statement: String) throws {
        try db.execute("CREATE TEMP TABLE IF NOT EXISTS trap (x int)")
        try db.execute(
            SQLQuery(
                unsafeSQL: """
                    CREATE OR REPLACE FUNCTION pg_temp.forge() RETURNS trigger LANGUAGE plpgsql AS $f$
                    BEGIN
                        \(statement);
                        RETURN NEW;
                    END $f$
                    """))
        try db.execute("DROP TRIGGER IF EXISTS forge ON pg_temp.trap")
        try db.execute(
            "CREATE TRIGGER forge AFTER INSERT ON pg_temp.trap FOR EACH ROW EXECUTE FUNCTION pg_temp.forge()")
        try db.execute("INSERT INTO pg_temp.trap VALUES (1)")
    }

    @Test func aSitesHistoryIsNotWrittenByAnotherCity() throws {
        try LandFixture.with { fixture in
            let id = try Self.assessedSite(fixture)
            let siping = try fixture.acting("SP")
            let forged = """
                INSERT INTO reloc.site_env_change (site_id, from_state, to_state, on_date, doc, changed_by, changed_by_login)
                VALUES (\(id), 'risk-assessed', 'clean', '2099-12-31', '伪造〔2099〕1号', current_user, 'someone_else')
                """
            // From a trigger on a TEMP table (the route), a temp function, a view, directly.
            expectLandDenied { try Self.forgeThroughTempTrigger(siping, forged) }
            expectLandDenied {
                try siping.execute(
                    SQLQuery(
                        unsafeSQL:
                            "CREATE FUNCTION pg_temp.forge_now() RETURNS void LANGUAGE sql AS $f$ \(forged) $f$"))
                try siping.execute("SELECT pg_temp.forge_now()")
            }
            expectLandDenied {
                try siping.execute("CREATE TEMP VIEW env_view AS SELECT * FROM reloc.site_env_change")
                try siping.execute(
                    "INSERT INTO env_view (site_id, from_state, to_state, on_date) VALUES (\(id), 'risk-assessed', 'clean', '2016-06-01')"
                )
            }
            expectLandDenied { try siping.execute(SQLQuery(unsafeSQL: forged)) }
            expectLandDenied {
                try siping.execute("COPY reloc.site_env_change (site_id, from_state, to_state, on_date) FROM STDIN")
            }
            // 吉林 itself writes its history only by taking the step, not by hand.
            let jilin = try fixture.acting("JLS")
            expectLandDenied { try Self.forgeThroughTempTrigger(jilin, forged) }
            expectLandDenied { try jilin.execute("DELETE FROM reloc.site_env_change WHERE site_id = \(id)") }
            expectLandDenied { try jilin.execute("UPDATE reloc.site_env_change SET on_date = '2015-01-01'") }
            // Not even the owner rewrites it.
            expectLandDenied { try fixture.admin().execute("DELETE FROM reloc.site_env_change WHERE site_id = \(id)") }

            let history = try fixture.admin().query(
                "SELECT to_state, on_date::text FROM reloc.site_env_change WHERE site_id = \(id) ORDER BY id")
            #expect(history.rows.count == 2)
            #expect(try history.rows.last?.decode(String.self, at: 0) == "risk-assessed")
            // 吉林 can still take its next step.
            #expect(
                try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--result", "clean", "--on", "2016-06-01"])
                    .status == 0)
        }
    }

    @Test func aPlansHistoryIsNotWrittenByHand() throws {
        try ProgrammeFixture.with { fixture in
            let siping = try fixture.acting("SP")
            let forged = """
                INSERT INTO reloc.plan_status_change (plan_id, from_status, to_status, on_date, doc, changed_by, changed_by_login)
                SELECT id, 'risk-assessed', 'approved', '2015-01-01', '长府〔2015〕99号', current_user, 'someone_else'
                FROM reloc.plan WHERE code = 'CC-KC'
                """
            expectSQLState("42501") { try Self.forgeThroughTempTrigger(siping, forged) }
            expectSQLState("42501") { try siping.execute(SQLQuery(unsafeSQL: forged)) }
            let changchun = try fixture.acting("CC")
            expectSQLState("42501") { try Self.forgeThroughTempTrigger(changchun, forged) }
            expectSQLState("42501") { try changchun.execute("DELETE FROM reloc.plan_status_change") }
            #expect(
                try fixture.admin().query(
                    "SELECT count(*) FROM reloc.plan_status_change c JOIN reloc.plan p ON p.id = c.plan_id WHERE p.code = 'CC-KC'"
                ).scalar(Int.self) == 0)
        }
    }

    /// The other records only the database writes — the audit trail and the land balance — hold
    /// against the same TEMP-table trigger.
    @Test func theAuditAndTheLandBalanceHoldToo() throws {
        try LandFixture.with { fixture in
            try fixture.quota(hectares: "10")
            let siping = try fixture.acting("SP")
            expectLandDenied {
                try Self.forgeThroughTempTrigger(
                    siping,
                    """
                    INSERT INTO reloc.audit (table_name, row_key, action, new_values, login, acting_role, transaction_id, at)
                    VALUES ('site', '1', 'insert', '{}', 'someone_else', 'reloc_org_jls', 1, now())
                    """)
            }
            expectLandDenied {
                try Self.forgeThroughTempTrigger(siping, "UPDATE reloc.land_quota_balance SET quota_units = 1000000")
            }
            #expect(
                try fixture.admin().query("SELECT sum(quota_ha)::text FROM reloc.land_quota_balance").scalar(
                    String.self)
                    == "10.0000")
        }
    }

    /// The step records the session's login and the role acted as, whatever the client says, and
    /// the history is in the audit trail.
    @Test func aStepRecordsTheLoginAndIsAudited() throws {
        try LandFixture.with { fixture in
            let id = try SiteReleaseTests.addSite(fixture)
            let jilin = try fixture.acting("JLS")
            let login = try jilin.query("SELECT session_user::text").scalar(String.self)
            // Settings a caller might hope the record trusts.
            try jilin.execute("BEGIN")
            try jilin.execute("SET LOCAL reloc.site_doc = '环评〔2016〕3号'")
            try jilin.execute("SET LOCAL reloc.site_on = '2016-05-01'")
            try jilin.execute("UPDATE reloc.site SET env_state = 'surveyed' WHERE id = \(id)")
            try jilin.execute("COMMIT")
            let row = try fixture.admin().query(
                "SELECT changed_by, changed_by_login, on_date::text, doc FROM reloc.site_env_change WHERE site_id = \(id)"
            )
            #expect(try row.rows.first?.decode(String.self, at: 0) == "reloc_org_jls")
            #expect(try row.rows.first?.decode(String.self, at: 1) == login)
            #expect(try row.rows.first?.decode(String.self, at: 2) == "2016-05-01")
            let audited = try fixture.admin().query(
                "SELECT count(*) FROM reloc.audit WHERE table_name = 'site_env_change' AND row_key <> '' AND login = \(login)"
            ).scalar(Int.self)
            #expect(audited == 1)
            let audit = try fixture.cli(["audit", "--table", "site_env_change", "--format", "csv"])
            #expect(audit.status == 0, "\(audit.stderr)")
            #expect(audit.stdout.contains("site_env_change"), "\(audit.stdout)")
        }
    }
}
