import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// What a site records (origin, area, reuse, industrial heritage) and who may record it.
@Suite("Vacated sites: facts, heritage and permissions")
struct SiteRuleTests {
    @Test func aSiteFromAnEnterpriseTakesItsPlanAndName() throws {
        try LandFixture.with { fixture in
            let id = try SiteReleaseTests.addSite(fixture, extra: ["--reuse", "modern-services", "--no-heritage"])
            let shown = try fixture.cli(["site", "show", "\(id)", "--format", "json"]).stdout
            #expect(shown.contains("\"name\": \"哈达湾冀东水泥 原厂址\", \"city\": \"JLS\", \"plan\": \"JLS-HDW\""), "\(shown)")
            #expect(shown.contains("\"area_ha\": 10.0000, \"area_mu\": 150.0000"), "\(shown)")
            #expect(
                shown.contains(
                    "\"planned_reuse\": \"modern-services\", \"heritage_found\": false, \"heritage_item\": null"))
            #expect(shown.contains("\"env_state\": \"not-surveyed\""))
            let listed = try fixture.cli([
                "site", "list", "--city", "JLS", "--state", "not-surveyed", "--format", "csv",
            ]).stdout
            #expect(listed.split(separator: "\r\n").count == 2, "\(listed)")
            // Without an area of its own or the enterprise's, a site is refused.
            let plant = try fixture.admin().query("SELECT id FROM reloc.enterprise WHERE name = '哈达湾中钢吉铁'").scalar(
                Int64.self)
            expectCLIRule(
                try fixture.cli(["site", "add", "--as", "JLS", "--enterprise", "\(plant)"]), "site_area_positive")
            expectLandRule("site_area_positive") {
                try fixture.acting("JLS").execute("INSERT INTO reloc.site (enterprise_id) VALUES (\(plant))")
            }
        }
    }

    @Test func aPlanLevelParcelNeedsAPlanAndAName() throws {
        try LandFixture.with { fixture in
            let outcome = try fixture.cli([
                "site", "add", "--as", "JLS", "--plan", "JLS-HDW", "--name", "哈达湾东地块", "--ha", "3.5", "--reuse",
                "parks-green-space",
            ])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(try fixture.cli(["site", "add", "--as", "JLS", "--plan", "JLS-HDW", "--ha", "1"]).status == 64)
            #expect(
                try fixture.cli(["site", "add", "--as", "JLS", "--plan", "NOPE", "--name", "x", "--ha", "1"]).status
                    == 65)
            let jilin = try fixture.acting("JLS")
            expectLandRule("site_origin") {
                try jilin.execute("INSERT INTO reloc.site (name, area_ha) VALUES ('无处地块', 1)")
            }
            expectLandRule("site_origin") {
                try jilin.execute(
                    "INSERT INTO reloc.site (plan_id, name, area_ha) SELECT id, ' ', 1 FROM reloc.plan WHERE code = 'JLS-HDW'"
                )
            }
            expectLandRule("site_reuse_check") {
                try jilin.execute(
                    "INSERT INTO reloc.site (plan_id, name, area_ha, planned_reuse) SELECT id, 'x', 1, 'mall' FROM reloc.plan WHERE code = 'JLS-HDW'"
                )
            }
            expectLandRule("site_area_positive") {
                try jilin.execute(
                    "INSERT INTO reloc.site (plan_id, name, area_ha) SELECT id, 'x', 0 FROM reloc.plan WHERE code = 'JLS-HDW'"
                )
            }
            #expect(
                try fixture.cli([
                    "site", "add", "--as", "JLS", "--plan", "JLS-HDW", "--name", "x", "--ha", "1", "--reuse", "mall",
                ]).status == 64)
        }
    }

    /// Industrial heritage found on a site is recorded with its item (§四(五)).
    @Test func heritageRecordsItsItem() throws {
        try LandFixture.with { fixture in
            let item = "吉林哈达湾工业遗产主题公园"
            let refused = try fixture.cli([
                "site", "add", "--as", "JLS", "--plan", "JLS-HDW", "--name", "哈达湾老厂房", "--ha", "2", "--reuse",
                "industrial-heritage",
            ])
            expectCLIRule(refused, "site_heritage_reuse")
            let outcome = try fixture.cli([
                "site", "add", "--as", "JLS", "--plan", "JLS-HDW", "--name", "哈达湾老厂房", "--ha", "2", "--reuse",
                "industrial-heritage",
                "--heritage", item,
            ])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let id = Int64(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
            let shown = try fixture.cli(["site", "show", "\(id)"]).stdout
            #expect(shown.contains(item))
            let jilin = try fixture.acting("JLS")
            expectLandRule("site_heritage_item") {
                try jilin.execute("UPDATE reloc.site SET heritage_item = NULL WHERE id = \(id)")
            }
            expectLandRule("site_heritage_item") {
                try jilin.execute(
                    "INSERT INTO reloc.site (plan_id, name, area_ha, heritage_found) SELECT id, 'x', 1, true FROM reloc.plan WHERE code = 'JLS-HDW'"
                )
            }
            expectLandRule("site_heritage_item") {
                try jilin.execute(
                    "INSERT INTO reloc.site (plan_id, name, area_ha, heritage_found, heritage_item) SELECT id, 'x', 1, false, '酒窖' FROM reloc.plan WHERE code = 'JLS-HDW'"
                )
            }
            // --no-heritage on a heritage reuse is refused; a plain reuse is fine.
            expectCLIRule(
                try fixture.cli(["site", "edit", "\(id)", "--as", "JLS", "--no-heritage"]), "site_heritage_reuse")
            #expect(
                try fixture.cli([
                    "site", "edit", "\(id)", "--as", "JLS", "--reuse", "public-facilities", "--no-heritage",
                ]).status == 0)
            #expect(
                try fixture.cli(["site", "edit", "\(id)", "--as", "JLS", "--heritage", "x", "--no-heritage"]).status
                    == 64)
        }
    }

    @Test func aCityRecordsTheSitesOfItsOwnCity() throws {
        try LandFixture.with { fixture in
            let id = try SiteReleaseTests.addSite(fixture)
            let cement = try fixture.admin().query("SELECT id FROM reloc.enterprise WHERE name = '哈达湾冀东水泥'").scalar(
                Int64.self)
            // 长春 may not add a site in 吉林, nor survey, remediate, release or edit 吉林's.
            let add = try fixture.cli(["site", "add", "--as", "CC", "--enterprise", "\(cement)", "--ha", "1"])
            #expect(add.status == 77, "\(add.stderr)")
            expectLandDenied {
                try fixture.acting("CC").execute(
                    "INSERT INTO reloc.site (enterprise_id, area_ha) VALUES (\(cement), 1)")
            }
            expectLandDenied {
                try fixture.acting("CC").execute(
                    "INSERT INTO reloc.site (plan_id, name, area_ha) SELECT id, 'x', 1 FROM reloc.plan WHERE code = 'JLS-HDW'"
                )
            }
            let survey = try fixture.cli(["site", "survey", "\(id)", "--as", "CC", "--result", "clean"])
            #expect(survey.status == 77, "\(survey.stderr)")
            for code in ["CC", "JL-HBT"] {
                let db = try fixture.acting(code)
                expectLandDenied { try db.execute("SELECT reloc.survey_site(\(id), 'clean')") }
                #expect(try db.execute("UPDATE reloc.site SET env_state = 'surveyed' WHERE id = \(id)") == 0)
                #expect(try db.execute("UPDATE reloc.site SET name = 'x' WHERE id = \(id)") == 0)
                expectLandDenied { try db.execute("DELETE FROM reloc.site WHERE id = \(id)") }
            }
            #expect(try fixture.cli(["site", "edit", "\(id)", "--as", "CC", "--name", "x"]).status == 77)
            #expect(
                try fixture.admin().query("SELECT env_state FROM reloc.site WHERE id = \(id)").scalar(String.self)
                    == "not-surveyed")
            // The province may; everyone reads.
            #expect(try fixture.cli(["site", "survey", "\(id)", "--as", "JL"]).status == 0)
            #expect(try fixture.acting("CC").count("SELECT count(*) FROM reloc.site") == 1)
        }
    }
}
