import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Since 0014 the enterprise's BEFORE INSERT triggers fire only for a row they would change or
/// refuse (the import's rows, already checked set-based, skip them), and the statement audit
/// computes each row's JSON once. These tests hold the rest of the behaviour where it was: raw
/// inserts are still normalised, stamped and refused with the rule's words, the import's audit
/// rows are the rows as stored, and a city_id a client gives is held to the plan's city.
@Suite("Enterprise inserts: the triggers' work where a row needs it")
struct EnterpriseInsertPathTests {

    @Test func aRawInsertIsStillNormalisedAndStamped() throws {
        try RegisterFixture.with { fixture in
            let siping = try fixture.acting("SP")
            let id = try siping.query(
                """
                INSERT INTO reloc.enterprise (plan_id, name, mode, industry, uscc, registered_by, created_at, updated_at)
                VALUES ((SELECT id FROM reloc.plan WHERE code = 'SP-TD'), \("  四平　　原样  企业 "), 'close', \(" 机械 "),
                        \(" 91220300ma0y123454 "), 'forged', '2001-01-01', '2001-01-01')
                RETURNING id
                """
            ).scalar(Int64.self)
            let row = try fixture.admin().query(
                """
                SELECT e.name, e.industry, e.uscc, e.registered_by, e.created_at > now() - interval '1 hour',
                       e.updated_at > now() - interval '1 hour', e.city_id = p.city_id
                FROM reloc.enterprise e JOIN reloc.plan p ON p.id = e.plan_id WHERE e.id = \(id)
                """
            ).rows[0]
            let (name, industry, uscc, by, created, updated, city) = try row.decode(
                (String, String, String, String, Bool, Bool, Bool).self)
            #expect(name == "四平 原样 企业")
            #expect(industry == "机械")
            #expect(uscc == "91220300MA0Y123454")
            #expect(by != "forged" && created && updated && city)
        }
    }

    @Test(arguments: [
        ("mode, park_id", "'relocate', NULL", "enterprise_relocation_needs_park"),
        ("mode, employees, surplus_workers", "'close', 5, 6", "enterprise_workers"),
        ("mode, status", "'close', 'closed'", "enterprise_status_order"),
        (
            "mode, withdrawn_on, withdrawn_reason, withdrawn_by_login", "'close', current_date, 'x', 'y'",
            "enterprise_withdrawal"
        ),
        (
            "mode, capacity_old, capacity_old_unit, capacity_new, capacity_new_unit", "'close', 10, 't', 11, 't'",
            "enterprise_capacity_not_increased"
        ),
        ("mode, uscc", "'close', '91220300MA0Y123455'", "enterprise_uscc_checksum"),
        ("mode, site_area_ha", "'close', -1", "enterprise_site_area_nonnegative"),
    ])
    func aRawInsertBreakingARuleIsRefusedWithItsWords(columns: String, values: String, rule: String) throws {
        try RegisterFixture.with { fixture in
            let error = #expect(throws: PGError.self) {
                try fixture.acting("SP").execute(
                    SQLQuery(
                        unsafeSQL:
                            "INSERT INTO reloc.enterprise (plan_id, name, \(columns)) VALUES ((SELECT id FROM reloc.plan WHERE code = 'SP-TD'), 'rule test', \(values))"
                    ))
            }
            #expect(error?.sqlState == "23514")
            #expect(error?.constraint == rule, "\(String(describing: error))")
        }
    }

    @Test func aHighRiskPlantIntoAnUnprovenParkIsStillRefused() throws {
        try RegisterFixture.with { fixture in
            let error = #expect(throws: PGError.self) {
                try fixture.acting("SP").execute(
                    """
                    INSERT INTO reloc.enterprise (plan_id, name, mode, high_risk, park_id)
                    VALUES ((SELECT id FROM reloc.plan WHERE code = 'SP-TD'), 'risky', 'relocate', 'chemicals',
                            (SELECT id FROM reloc.park WHERE code = \(RegisterFixture.parkWithoutEIA)))
                    """)
            }
            #expect(error?.constraint == "enterprise_high_risk_park")
        }
    }

    /// The trigger used to overwrite a city_id given by the client; now the foreign key
    /// enterprise_plan_fkey (plan, city) refuses another city than the plan's, and row-level
    /// security still decides on the city.
    @Test func aCityIdOtherThanThePlansIsRefused() throws {
        try RegisterFixture.with { fixture in
            let before = try fixture.admin().count("SELECT count(*) FROM reloc.enterprise")
            // The province may write anywhere: the foreign key refuses the wrong city.
            let province = #expect(throws: PGError.self) {
                try fixture.acting("JL").execute(
                    """
                    INSERT INTO reloc.enterprise (plan_id, city_id, name, mode)
                    VALUES ((SELECT id FROM reloc.plan WHERE code = 'SP-TD'),
                            (SELECT id FROM reloc.organisation WHERE code = 'CC'), '错城企业', 'close')
                    """)
            }
            #expect(province?.sqlState == "23503")
            #expect(province?.constraint == "enterprise_plan_fkey")
            // 四平 naming 长春 as the city of its own plan: refused (row-level security).
            let city = #expect(throws: PGError.self) {
                try fixture.acting("SP").execute(
                    """
                    INSERT INTO reloc.enterprise (plan_id, city_id, name, mode)
                    VALUES ((SELECT id FROM reloc.plan WHERE code = 'SP-TD'),
                            (SELECT id FROM reloc.organisation WHERE code = 'CC'), '错城企业', 'close')
                    """)
            }
            #expect(city?.sqlState == "42501")
            // 四平 naming itself the city of 长春's plan: refused (the foreign key).
            #expect(throws: PGError.self) {
                try fixture.acting("SP").execute(
                    """
                    INSERT INTO reloc.enterprise (plan_id, city_id, name, mode)
                    VALUES ((SELECT id FROM reloc.plan WHERE code = 'CC-KC'),
                            (SELECT id FROM reloc.organisation WHERE code = 'SP'), '越界企业', 'close')
                    """)
            }
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise") == before)
            // The plan's own city, given: accepted.
            try fixture.acting("SP").execute(
                """
                INSERT INTO reloc.enterprise (plan_id, city_id, name, mode)
                VALUES ((SELECT id FROM reloc.plan WHERE code = 'SP-TD'),
                        (SELECT id FROM reloc.organisation WHERE code = 'SP'), '本城企业', 'close')
                """)
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise") == before + 1)
        }
    }

    @Test func theImportsAuditRowsAreTheRowsAsStored() throws {
        try RegisterFixture.with { fixture in
            let csv = """
                plan,name,mode,park,industry,uscc,employees,capacity,new_capacity
                SP-TD,  四平  审计  一 ,close,,机械,,10,,
                SP-TD,四平审计二,relocate,\(RegisterFixture.compliantPark),化工,91220300MA0Y123454,20,30 万吨/年,25 万吨/年
                SP-TD,四平审计三,in-situ,,,,,,

                """
            #expect(try EnterpriseImport(try fixture.acting("SP")).run(csv: csv) == .imported(count: 3))
            let admin = try fixture.admin()
            let imported: SQLQuery = "SELECT id FROM reloc.enterprise WHERE name LIKE '四平%审计%'"
            #expect(try admin.count("SELECT count(*) FROM (\(imported)) x") == 3)
            #expect(try admin.count("SELECT count(*) FROM reloc.enterprise WHERE name = '四平 审计 一'") == 1)
            // One audit row per enterprise, its values the stored row, as the acting city.
            #expect(
                try admin.count(
                    """
                    SELECT count(*) FROM reloc.enterprise e
                    JOIN reloc.plan p ON p.id = e.plan_id
                    JOIN reloc.audit a ON a.table_name = 'enterprise' AND a.row_id = e.id AND a.action = 'insert'
                    WHERE e.id IN (\(imported)) AND a.new_values = to_jsonb(e) AND a.row_key = e.id::text
                      AND a.acting_org_code = 'SP' AND e.city_id = p.city_id AND e.registered_by = a.acting_role
                    """) == 3)
            #expect(
                try admin.count(
                    "SELECT count(*) FROM reloc.audit a WHERE a.table_name = 'enterprise' AND a.row_id IN (\(imported))"
                )
                    == 3)
        }
    }
}
