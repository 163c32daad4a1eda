import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Vacated sites get milestones like plans and enterprises (site assessed, site released); the
/// site's own record closes them; who may add them is the database's to say; quotas, allocations
/// and sites are in the audit trail.
@Suite("Vacated sites: milestones and audit")
struct SiteMilestoneTests {
    @Test func aSitesMilestonesBelongToItsCityAndItsRecordClosesThem() throws {
        try LandFixture.with { fixture in
            let site = try SiteReleaseTests.addSite(fixture)
            func add(_ kind: String, as code: String) throws -> RelocCLI.Outcome {
                try fixture.cli([
                    "--as", code, "milestone", "add", "--site", "\(site)", "--kind", kind, "--title", "哈达湾地块\(kind)",
                    "--due", "2016-06-30",
                ])
            }
            let assessed = try add("site-assessed", as: "JLS")
            #expect(assessed.status == 0, "\(assessed.stderr)")
            #expect(try add("site-released", as: "JLS").status == 0)
            // Another city may not add to 吉林's site, neither through the CLI nor in plain SQL.
            #expect(try add("custom", as: "CC").status == 77)
            expectLandDenied {
                try fixture.acting("CC").execute(
                    "INSERT INTO reloc.milestone (kind, title, due_on, site_id) VALUES ('custom', 'x', '2016-01-01', \(site))"
                )
            }
            // Attached to one thing only, site included.
            expectLandRule("milestone_attached_once") {
                try fixture.acting("JLS").execute(
                    """
                    INSERT INTO reloc.milestone (kind, title, due_on, site_id, plan_id)
                    SELECT 'custom', 'x', '2016-01-01', \(site), id FROM reloc.plan WHERE code = 'JLS-HDW'
                    """)
            }

            let listed = try fixture.cli([
                "--as", "JLS", "milestone", "list", "--site", "\(site)", "--mine", "--format", "json",
            ])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.contains("\"site_id\": \(site)"), "\(listed.stdout)")
            #expect(listed.stdout.contains("\"owner\": \"JLS\""), "\(listed.stdout)")
            #expect(listed.stdout.contains("\"attached_to\": \"site \(site) "), "\(listed.stdout)")
            #expect(!listed.stdout.contains("\"state\": \"done\""))

            #expect(
                try fixture.cli(["site", "survey", "\(site)", "--as", "JLS", "--result", "clean", "--on", "2016-05-01"])
                    .status
                    == 0)
            #expect(
                try fixture.cli([
                    "site", "release", "\(site)", "--as", "JLS", "--on", "2018-06-30", "--doc", "吉市国土〔2018〕5号",
                ]).status == 0)
            let done = try fixture.admin().query(
                "SELECT kind, done_on FROM reloc.milestone WHERE site_id = \(site) ORDER BY kind"
            ).rows.map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(CalendarDate.self, at: 1))" }
            #expect(done == ["site-assessed 2016-05-01", "site-released 2018-06-30"])
        }
    }

    @Test func quotasAllocationsAndSitesAreAudited() throws {
        try LandFixture.with { fixture in
            _ = try fixture.quota(hectares: "10")
            let site = try SiteReleaseTests.addSite(fixture)
            for (table, key) in [("land_quota", nil), ("site", "\(site)")] as [(String, String?)] {
                let outcome = try fixture.cli(["audit", "--table", table] + (key.map { ["--key", $0] } ?? []))
                #expect(outcome.status == 0, "\(outcome.stderr)")
                #expect(outcome.stdout.contains("insert"), "\(table): \(outcome.stdout)")
            }
            #expect(try fixture.cli(["audit", "--table", "land_allocation"]).status == 0)
            // An insert of land names its amount and document, there being no name.
            #expect(try fixture.cli(["audit", "--table", "land_quota"]).stdout.contains("10.0000 ha 吉国土资发〔2015〕1号"))
        }
    }
}
