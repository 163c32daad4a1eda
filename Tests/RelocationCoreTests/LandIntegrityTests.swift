import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// What must stay true of the land record after the fact: dates in the order things happen,
/// allocations still resting on the enterprise facts they were checked against, site milestones
/// agreeing with the site — each tried through the CLI and plain SQL as the acting organisation.
@Suite("Land and sites: the record stays true")
struct LandIntegrityTests {
    @Test func siteStepsAreDatedInOrderAndNotInTheFuture() throws {
        try LandFixture.with { fixture in
            let id = try SiteReleaseTests.addSite(fixture)
            #expect(try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--on", "2020-01-01"]).status == 0)
            // The risk assessment before the survey it rests on.
            expectCLIRule(
                try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--result", "clean", "--on", "2019-01-01"]),
                "site_dates_in_order")
            expectLandRule("site_dates_in_order") {
                try fixture.acting("JLS").query(
                    "SELECT reloc.advance_site(\(id), 'risk-assessed', NULL, '2019-01-01'::date, NULL)")
            }
            // A step in the future.
            expectCLIRule(
                try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--result", "clean", "--on", "2099-01-01"]),
                "site_dates_in_order")
            #expect(
                try fixture.cli(["site", "survey", "\(id)", "--as", "JLS", "--result", "clean", "--on", "2020-02-01"])
                    .status == 0)
            // Released before it was assessed.
            expectCLIRule(
                try fixture.cli(["site", "release", "\(id)", "--as", "JLS", "--on", "2019-06-30", "--doc", "x〔2019〕1号"]
                ),
                "site_dates_in_order")
            #expect(
                try fixture.cli(["site", "release", "\(id)", "--as", "JLS", "--on", "2020-06-30", "--doc", "x〔2020〕1号"])
                    .status == 0)
        }
    }

    @Test func aReleaseNeedsTheHeritageSurveyAndAPlannedReuse() throws {
        try LandFixture.with { fixture in
            let id = try SiteReleaseTests.addSite(fixture, extra: [])
            let survey = ["site", "survey", "\(id)", "--as", "JLS", "--result", "clean", "--on", "2016-05-01"]
            #expect(try fixture.cli(survey).status == 0)
            let release = ["site", "release", "\(id)", "--as", "JLS", "--on", "2018-06-30", "--doc", "吉市国土〔2018〕5号"]
            expectCLIRule(try fixture.cli(release), "site_release_needs_heritage_survey")
            #expect(try fixture.cli(["site", "edit", "\(id)", "--as", "JLS", "--no-heritage"]).status == 0)
            expectLandRule("site_release_needs_reuse") {
                try fixture.acting("JLS").execute(
                    "UPDATE reloc.site SET released_on = '2018-06-30', release_doc = 'x' WHERE id = \(id)")
            }
            #expect(
                try fixture.cli(["site", "edit", "\(id)", "--as", "JLS", "--reuse", "parks-green-space"]).status == 0)
            #expect(try fixture.cli(release).status == 0)
        }
    }

    @Test func aSitesMilestonesFollowItsRecord() throws {
        try LandFixture.with { fixture in
            let id = try SiteReleaseTests.addSite(fixture)
            func add(_ kind: String) throws -> RelocCLI.Outcome {
                try fixture.cli([
                    "--as", "JLS", "milestone", "add", "--site", "\(id)", "--kind", kind, "--title", kind, "--due",
                    "2019-12-31",
                ])
            }
            expectCLIRule(try add("plan-compiled"), "milestone_site_record")
            let released = try add("site-released")
            let milestone = try #require(Int64(released.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            // Marked done by hand while the site is not even surveyed: refused.
            expectCLIRule(
                try fixture.cli(["--as", "JLS", "milestone", "done", "\(milestone)", "--on", "2019-01-01"]),
                "milestone_site_record")
            expectLandRule("milestone_site_record") {
                try fixture.acting("JLS").execute(
                    "UPDATE reloc.milestone SET done_on = '2019-01-01' WHERE id = \(milestone)")
            }
            let survey = ["site", "survey", "\(id)", "--as", "JLS", "--result", "clean", "--on", "2016-05-01"]
            #expect(try fixture.cli(survey).status == 0)
            let release = ["site", "release", "\(id)", "--as", "JLS", "--on", "2018-06-30", "--doc", "吉市国土〔2018〕5号"]
            #expect(try fixture.cli(release).status == 0)
            // Added after the fact, a milestone starts done on the record's dates.
            let assessed = try #require(
                Int64(try add("site-assessed").stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            let done = try fixture.admin().query(
                "SELECT id, done_on FROM reloc.milestone WHERE id IN (\(milestone), \(assessed)) ORDER BY id"
            ).rows.map { try $0.decode(CalendarDate.self, at: 1).description }
            #expect(done == ["2018-06-30", "2016-05-01"])
            // Nor can it be reopened against the record.
            expectCLIRule(
                try fixture.cli(["--as", "JLS", "milestone", "reopen", "\(milestone)"]), "milestone_site_record")
        }
    }

    @Test func anEnterpriseKeepsItsParkAndModeWhileAllocationsRestOnThem() throws {
        try LandFixture.with { fixture in
            try fixture.quota(LandFixture.park, hectares: "10")
            let allocation = try LandAllocations(try fixture.acting("CC")).allocate(
                .init(
                    holder: LandFixture.park, year: 2015, target: .enterprise(fixture.railCars),
                    area: .hectares(Decimal(exactText: "3")!), supply: "tender",
                    on: CalendarDate(year: 2015, month: 3, day: 1), doc: "长国土〔2015〕9号"))
            expectCLIRule(
                try fixture.cli(["enterprise", "edit", "\(fixture.railCars)", "--as", "CC", "--park", "JLS-JZ"]),
                "enterprise_allocations_kept")
            expectLandRule("enterprise_allocations_kept") {
                try fixture.acting("CC").execute(
                    "UPDATE reloc.enterprise SET mode = 'close', park_id = NULL WHERE id = \(fixture.railCars)")
            }
            // Released before it was made, or in the future: refused.
            for day in ["2015-01-01", "2099-01-01"] {
                expectCLIRule(
                    try fixture.cli(["land", "release", "\(allocation)", "--as", "CC", "--on", day]),
                    "land_allocation_dates")
            }
            #expect(
                try fixture.cli(["land", "release", "\(allocation)", "--as", "CC", "--on", "2015-06-30"]).status == 0)
            #expect(
                try fixture.cli(["enterprise", "edit", "\(fixture.railCars)", "--as", "CC", "--park", "JLS-JZ"]).status
                    == 0)
            // An allocation dated in the future.
            expectLandRule("land_allocation_dates") {
                _ = try fixture.allocate(hectares: "1", on: CalendarDate(year: 2099, month: 1, day: 1))
            }
        }
    }

    /// 协议出让 rests on the record that the original land was taken back: an allocation being made
    /// and the record being undone at the same moment cannot both succeed.
    @Test func anAgreementAllocationAndUndoingTheTakeBackDoNotRace() throws {
        try LandFixture.with { fixture in
            try fixture.quota(LandFixture.park, hectares: "10")
            #expect(try fixture.cli(["land", "take-back", "\(fixture.railCars)", "--as", "CC"]).status == 0)
            let allocating = try fixture.acting("CC")
            try allocating.execute("BEGIN")
            _ = try LandAllocations(allocating).allocate(
                .init(
                    holder: LandFixture.park, year: 2015, target: .enterprise(fixture.railCars),
                    area: .hectares(Decimal(exactText: "2")!), supply: "agreement",
                    on: CalendarDate(year: 2015, month: 3, day: 1), doc: "长国土〔2015〕10号"))
            // While the allocation is uncommitted, undoing the record waits for it (here: gives up).
            let undoing = try fixture.acting("CC")
            try undoing.execute("SET lock_timeout = '300ms'")
            let undo = "UPDATE reloc.enterprise SET original_land_taken_back = false WHERE id = \(fixture.railCars)"
            #expect(throws: PGError.self) { try undoing.execute(SQLQuery(unsafeSQL: undo)) }
            try allocating.execute("COMMIT")
            expectLandRule("enterprise_land_taken_back") { try undoing.execute(SQLQuery(unsafeSQL: undo)) }
        }
    }
}
