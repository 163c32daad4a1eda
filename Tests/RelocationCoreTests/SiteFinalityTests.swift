import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Every change of a site goes through one checked path whatever columns an UPDATE touches; a
/// released site's facts are final (corrections by the province only, audited); a step is taken
/// once, and dated within the programme (§四(六), §四(八); national plan §九(三); issue 11).
@Suite("Vacated sites: one checked path, final once released")
struct SiteFinalityTests {
    func released(_ fixture: LandFixture) throws -> Int64 {
        let id = try SiteReleaseTests.addSite(fixture)
        #expect(
            try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--result", "clean", "--on", "2016-05-01"])
                .status == 0)
        let release = try fixture.cli([
            "site", "release", "\(id)", "--as", "JLS", "--on", "2018-06-30", "--doc", "吉市国土〔2018〕5号",
        ])
        #expect(release.status == 0, "\(release.stderr)")
        return id
    }

    /// The UPDATE: assessed clean on 2021-06-01 and released on 2020-01-03, in one statement.
    @Test func aReleaseIsNotDatedBeforeTheStepTakenWithIt() throws {
        try LandFixture.with { fixture in
            let id = try HistoryForgeryTests.assessedSite(fixture)
            let jilin = try fixture.acting("JLS")
            try jilin.execute("BEGIN")
            expectLandRule("site_dates_in_order") {
                try jilin.execute("SET LOCAL reloc.site_on = '2021-06-01'")
                try jilin.execute(
                    "UPDATE reloc.site SET env_state = 'clean', released_on = '2020-01-03', release_doc = 'x' WHERE id = \(id)"
                )
            }
            try jilin.execute("ROLLBACK")
            let state = try fixture.admin().query(
                "SELECT env_state || ' ' || coalesce(released_on::text, '-') FROM reloc.site WHERE id = \(id)"
            ).scalar(String.self)
            #expect(state == "risk-assessed -")
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.site_env_change WHERE site_id = \(id)") == 2)
            // The same statement, dated in order, is one legal path.
            try jilin.execute("BEGIN")
            try jilin.execute("SET LOCAL reloc.site_on = '2019-06-01'")
            try jilin.execute(
                "UPDATE reloc.site SET env_state = 'clean', released_on = '2020-01-03', release_doc = 'x' WHERE id = \(id)"
            )
            try jilin.execute("COMMIT")
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.site_env_change WHERE site_id = \(id)") == 3)
        }
    }

    @Test func aReleasedSitesFactsAreFinalForTheCity() throws {
        try LandFixture.with { fixture in
            let id = try released(fixture)
            let jilin = try fixture.acting("JLS")
            for change in [
                "planned_reuse = NULL", "heritage_found = NULL", "heritage_found = true, heritage_item = '厂房'",
                "enterprise_id = NULL", "area_ha = 0.5", "name = '改名', note = '备注'",
            ] {
                expectLandRule("site_released_is_final") {
                    try jilin.execute(SQLQuery(unsafeSQL: "UPDATE reloc.site SET \(change) WHERE id = \(id)"))
                }
            }
            expectCLIRule(
                try fixture.cli(["site", "edit", "\(id)", "--as", "JLS", "--ha", "0.5"]), "site_released_is_final")
            // A note is not a fact: the city may still add one.
            #expect(try fixture.cli(["site", "edit", "\(id)", "--as", "JLS", "--note", "已移交"]).status == 0)
            let area = try fixture.admin().query("SELECT area_ha::text FROM reloc.site WHERE id = \(id)").scalar(
                String.self)
            #expect(area == "10.0000")
        }
    }

    @Test func theProvinceCorrectsAReleasedSiteOnTheRecord() throws {
        try LandFixture.with { fixture in
            let id = try released(fixture)
            let corrected = try fixture.cli(["site", "edit", "\(id)", "--as", "JL", "--ha", "9.5"])
            #expect(corrected.status == 0, "\(corrected.stderr)")
            let audited = try fixture.admin().query(
                """
                SELECT count(*) FROM reloc.audit
                WHERE table_name = 'site' AND row_id = \(id) AND action = 'update' AND acting_org_code = 'JL'
                  AND new_values -> 'area_ha' IS NOT NULL
                """
            ).scalar(Int.self)
            #expect(audited == 1)
            // Not its release, nor into a state a release could not have had.
            let province = try fixture.acting("JL")
            expectLandRule("site_released_is_final") {
                try province.execute("UPDATE reloc.site SET released_on = '2018-07-01' WHERE id = \(id)")
            }
            expectLandRule("site_released_is_final") {
                try province.execute("UPDATE reloc.site SET enterprise_id = NULL WHERE id = \(id)")
            }
            expectLandRule("site_release_needs_reuse") {
                try province.execute("UPDATE reloc.site SET planned_reuse = NULL WHERE id = \(id)")
            }
        }
    }

    @Test func aStepIsTakenOnce() throws {
        try LandFixture.with { fixture in
            let id = try SiteReleaseTests.addSite(fixture)
            #expect(try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--on", "2016-05-01"]).status == 0)
            let again = try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--doc", "环调〔2016〕2号"])
            expectCLIRule(again, "site_env_state_order")
            #expect(again.stderr.contains("already surveyed"), "\(again.stderr)")
            #expect(again.stdout.isEmpty)
            #expect(
                try fixture.cli([
                    "site", "survey", "\(id)", "--as", "JLS", "--result", "contaminated", "--on", "2016-06-01",
                ]).status == 0)
            expectCLIRule(
                try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--result", "contaminated"]),
                "site_env_state_order")
            let planned = ["site", "remediate", "\(id)", "--as", "JLS", "--planned", "--on", "2016-07-01"]
            #expect(try fixture.cli(planned).status == 0)
            expectCLIRule(try fixture.cli(planned), "site_env_state_order")
            expectLandRule("site_env_state_order") {
                try fixture.acting("JLS").execute("UPDATE reloc.site SET env_state = env_state WHERE id = \(id)")
            }
            // Another city still hears "not yours" (77), not the site's state.
            #expect(try fixture.cli(planned.map { $0 == "JLS" ? "SP" : $0 }).status == 77)
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.site_env_change WHERE site_id = \(id)") == 4)
        }
    }

    @Test func stepsAreDatedWithinTheProgramme() throws {
        try LandFixture.with { fixture in
            let id = try SiteReleaseTests.addSite(fixture)
            let early = try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--on", "1900-01-01"])
            expectCLIRule(early, "site_dates_in_order")
            #expect(early.stderr.contains("2014-01-01"), "\(early.stderr)")
            expectLandRule("site_dates_in_order") {
                try fixture.acting("JLS").execute("SELECT reloc.advance_site(\(id), 'surveyed', NULL, '2013-12-31')")
            }
            #expect(try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--on", "2014-01-01"]).status == 0)
        }
    }
}
