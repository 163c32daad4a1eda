import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// A vacated site is released only once risk-assessed and clean or remediated (§四(六); national
/// plan §九(三)); each refusal names the missing step — through the CLI and plain SQL.
@Suite("Vacated sites: release only when assessed and clean or remediated")
struct SiteReleaseTests {
    /// 吉林's 冀东水泥 site (哈达湾), added by 吉林 through the CLI; returns its id.
    /// By default with the facts a release needs besides the environmental record (heritage
    /// surveyed, none found; a planned reuse).
    static func addSite(_ fixture: LandFixture, extra: [String] = ["--no-heritage", "--reuse", "housing"]) throws
        -> Int64
    {
        let id = try fixture.admin().query("SELECT id FROM reloc.enterprise WHERE name = '哈达湾冀东水泥'").scalar(Int64.self)
        let outcome = try fixture.cli(["site", "add", "--as", "JLS", "--enterprise", "\(id)", "--mu", "１５０"] + extra)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return Int64(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    func release(_ fixture: LandFixture, _ id: Int64) throws -> RelocCLI.Outcome {
        try fixture.cli(["site", "release", "\(id)", "--as", "JLS", "--on", "2018-06-30", "--doc", "吉市国土〔2018〕5号"])
    }

    func releaseSQL(_ fixture: LandFixture, _ id: Int64) throws {
        try fixture.acting("JLS").execute(
            "UPDATE reloc.site SET released_on = '2018-06-30', release_doc = '吉市国土〔2018〕5号' WHERE id = \(id)")
    }

    @Test func anUnassessedSiteIsNotReleased() throws {
        try LandFixture.with { fixture in
            let id = try Self.addSite(fixture)
            var outcome = try release(fixture, id)
            expectCLIRule(outcome, "site_release_needs_risk_assessment")
            #expect(
                outcome.stderr.contains("the environmental survey (环境调查) and the risk assessment (风险评估) are missing"))
            expectLandRule("site_release_needs_risk_assessment") { try releaseSQL(fixture, id) }

            #expect(try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--on", "2016-05-01"]).status == 0)
            outcome = try release(fixture, id)
            expectCLIRule(outcome, "site_release_needs_risk_assessment")
            #expect(outcome.stderr.contains("is surveyed: the risk assessment (风险评估) is missing"), "\(outcome.stderr)")
            expectLandRule("site_release_needs_risk_assessment") { try releaseSQL(fixture, id) }

            try fixture.acting("JLS").execute("SELECT reloc.advance_site(\(id), 'risk-assessed')")
            outcome = try release(fixture, id)
            expectCLIRule(outcome, "site_release_needs_risk_assessment")
            #expect(outcome.stderr.contains("has no result yet"), "\(outcome.stderr)")
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.site WHERE released_on IS NOT NULL") == 0)
        }
    }

    @Test func aContaminatedSiteIsNotReleasedUntilRemediated() throws {
        try LandFixture.with { fixture in
            let id = try Self.addSite(fixture)
            let survey = try fixture.cli([
                "site", "survey", "\(id)", "--as", "JLS", "--result", "contaminated", "--on", "2016-05-01", "--doc",
                "环评〔2016〕3号",
            ])
            #expect(survey.stdout == "site \(id) is now contaminated\n", "\(survey.stderr)")
            var outcome = try release(fixture, id)
            expectCLIRule(outcome, "site_release_needs_remediation")
            #expect(
                outcome.stderr.contains("the remediation plan and the remediation (治理修复) are missing"),
                "\(outcome.stderr)")
            expectLandRule("site_release_needs_remediation") { try releaseSQL(fixture, id) }

            // Remediation is planned before it is done.
            expectCLIRule(
                try fixture.cli(["site", "remediate", "\(id)", "--as", "JLS", "--done"]), "site_env_state_order")
            #expect(
                try fixture.cli(["site", "remediate", "\(id)", "--as", "JLS", "--planned", "--on", "2016-09-01"]).status
                    == 0)
            outcome = try release(fixture, id)
            expectCLIRule(outcome, "site_release_needs_remediation")
            #expect(
                outcome.stderr.contains("is remediation-planned: the remediation (治理修复) is not done"),
                "\(outcome.stderr)")
            expectLandRule("site_release_needs_remediation") { try releaseSQL(fixture, id) }

            #expect(
                try fixture.cli(["site", "remediate", "\(id)", "--as", "JLS", "--done", "--on", "2017-10-01"]).status
                    == 0)
            outcome = try release(fixture, id)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let shown = try fixture.cli(["site", "show", "\(id)", "--format", "json"]).stdout
            #expect(
                shown.contains(
                    "\"env_state\": \"remediated\", \"released_on\": \"2018-06-30\", \"release_doc\": \"吉市国土〔2018〕5号\"")
            )
            let history = try fixture.cli(["site", "history", "\(id)", "--format", "csv"]).stdout
            let steps = history.split(separator: "\r\n").dropFirst().map {
                $0.split(separator: ",").prefix(3).joined(separator: ",")
            }
            #expect(
                steps == [
                    "not-surveyed,surveyed,2016-05-01", "surveyed,risk-assessed,2016-05-01",
                    "risk-assessed,contaminated,2016-05-01",
                    "contaminated,remediation-planned,2016-09-01", "remediation-planned,remediated,2017-10-01",
                ], "\(history)")
            #expect(history.contains("环评〔2016〕3号,"), "\(history)")
        }
    }

    @Test func aCleanSiteIsReleasedOnceAndForAll() throws {
        try LandFixture.with { fixture in
            let id = try Self.addSite(fixture)
            let survey = ["site", "survey", "\(id)", "--as", "JLS", "--result", "clean", "--on", "2016-05-01"]
            #expect(try fixture.cli(survey).status == 0)
            // A clean site needs no remediation.
            expectCLIRule(
                try fixture.cli(["site", "remediate", "\(id)", "--as", "JLS", "--planned"]), "site_env_state_order")
            // The release records its document.
            expectCLIRule(
                try fixture.cli(["site", "release", "\(id)", "--as", "JLS", "--on", "2018-06-30", "--doc", " "]),
                "site_release_needs_doc")
            expectLandRule("site_release_needs_doc") {
                try fixture.acting("JLS").execute("UPDATE reloc.site SET released_on = '2018-06-30' WHERE id = \(id)")
            }
            #expect(try release(fixture, id).status == 0)
            expectCLIRule(try release(fixture, id), "site_released_is_final")
            let jilin = try fixture.acting("JLS")
            expectLandRule("site_released_is_final") {
                try jilin.execute("UPDATE reloc.site SET released_on = NULL, release_doc = NULL WHERE id = \(id)")
            }
            expectLandRule("site_released_is_final") {
                try jilin.execute("UPDATE reloc.site SET env_state = 'contaminated' WHERE id = \(id)")
            }
        }
    }

    @Test func theEnvironmentalRecordMovesOneStepForward() throws {
        try LandFixture.with { fixture in
            let id = try Self.addSite(fixture)
            let jilin = try fixture.acting("JLS")
            expectLandRule("site_env_state_order") {
                try jilin.execute("UPDATE reloc.site SET env_state = 'clean' WHERE id = \(id)")
            }
            expectLandRule("site_env_state_order") {
                try jilin.execute("SELECT reloc.advance_site(\(id), 'risk-assessed')")
            }
            expectLandRule("site_env_state_check") {
                try jilin.execute("UPDATE reloc.site SET env_state = 'fine' WHERE id = \(id)")
            }
            expectLandRule("site_env_state_order") {
                try jilin.execute(
                    "INSERT INTO reloc.site (plan_id, name, area_ha, env_state) SELECT id, '新地块', 1, 'clean' FROM reloc.plan WHERE code = 'JLS-HDW'"
                )
            }
            #expect(try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--result", "dirty"]).status == 64)
            #expect(try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--result", "clean"]).status == 0)
            expectCLIRule(try fixture.cli(["site", "survey", "\(id)", "--as", "JLS"]), "site_env_state_order")
            #expect(try jilin.count("SELECT count(*) FROM reloc.site_env_change WHERE site_id = \(id)") == 3)
            // The history is the trigger's to write.
            expectLandDenied {
                try jilin.execute(
                    "INSERT INTO reloc.site_env_change (site_id, from_state, to_state, on_date) VALUES (\(id), 'clean', 'clean', '2016-01-01')"
                )
            }
        }
    }
}
