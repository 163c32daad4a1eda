import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Dates the programme records are dated within it and in order: a milestone's completion, a
/// succession, a land allocation against its quota's year (§五(四); issue 11).
@Suite("Completions, successions and allocations are dated within the programme")
struct ProgrammeDateTests {
    @Test func aMilestoneIsNotDoneInTheFutureNorBeforeTheProgramme() throws {
        try ProgrammeFixture.with { fixture in
            let siping = try fixture.milestone(plan: "SP-TD")
            for day in ["2099-01-01", "1900-01-01", "2013-12-31"] {
                let outcome = try fixture.cli(["milestone", "done", String(siping), "--as", "SP", "--on", day])
                expectCLIRule(outcome, "milestone_done_dates")
            }
            expectSQLState("23514", constraint: "milestone_done_dates") {
                try fixture.acting("SP").execute(
                    "UPDATE reloc.milestone SET done_on = reloc.today() + 1 WHERE id = \(siping)")
            }
            #expect(
                try fixture.admin().query("SELECT done_on IS NULL FROM reloc.milestone WHERE id = \(siping)").scalar(
                    Bool.self))
            #expect(
                try fixture.cli(["milestone", "done", String(siping), "--as", "SP", "--on", "2014-12-10"]).status == 0)
            #expect(try fixture.cli(["milestone", "done", String(siping), "--as", "SP"]).status == 0)
        }
    }

    @Test func successionsAreDatedInOrder() throws {
        try ProgrammeFixture.with { fixture in
            // JL-GTT → JL-ZRT on 2018-10-01 (seeded): JL-ZRT cannot be succeeded before that.
            let early = try fixture.cli([
                "--as", "JL", "org", "rename", "JL-ZRT", "--to", "JL-ZRX", "--name", "省某厅", "--on", "2010-01-01",
            ])
            expectCLIRule(early, "organisation_succession_dates")
            #expect(early.stderr.contains("2018-10-01"), "\(early.stderr)")
            let sameDay = try fixture.cli([
                "--as", "JL", "org", "rename", "JL-ZRT", "--to", "JL-ZRX", "--name", "省某厅", "--on", "2018-10-01",
            ])
            expectCLIRule(sameDay, "organisation_succession_dates")
            #expect(
                try fixture.admin().count("SELECT count(*) FROM reloc.organisation WHERE code = 'JL-ZRX'") == 0)
            // Nor in plain SQL, from either end of the chain.
            let province = try fixture.acting("JL")
            expectSQLState("23514", constraint: "organisation_succession_dates") {
                try province.execute(
                    "INSERT INTO reloc.organisation (code, name_zh, kind) VALUES ('JL-ZRY', '省某厅', 'department')")
                try province.execute(
                    """
                    UPDATE reloc.organisation SET successor_id = (SELECT id FROM reloc.organisation WHERE code = 'JL-ZRY'),
                                                  succeeded_on = '2010-01-01'
                    WHERE code = 'JL-ZRT'
                    """)
            }
            let later = try fixture.cli([
                "--as", "JL", "org", "rename", "JL-ZRT", "--to", "JL-ZRX", "--name", "省某厅", "--on", "2030-01-01",
            ])
            #expect(later.status == 0, "\(later.stderr)")
            // The earlier succession cannot now be moved after the later one.
            expectSQLState("23514", constraint: "organisation_succession_dates") {
                try province.execute("UPDATE reloc.organisation SET succeeded_on = '2031-01-01' WHERE code = 'JL-GTT'")
            }
        }
    }

    @Test func anAllocationIsDatedNearItsQuotasYear() throws {
        try LandFixture.with { fixture in
            try fixture.quota(hectares: "10")
            func allocate(on day: String) throws -> RelocCLI.Outcome {
                try fixture.cli([
                    "land", "allocate", "--as", "CC", "--from", "CC", "--year", "2015", "--project", "道路", "--ha", "1",
                    "--supply", "tender", "--doc", "长国土〔2015〕8号", "--on", day,
                ])
            }
            for day in ["1900-01-01", "2013-12-31", "2017-01-01", "2026-01-01"] {
                let outcome = try allocate(on: day)
                expectCLIRule(outcome, "land_allocation_in_quota_year")
                #expect(outcome.stderr.contains("2015"), "\(outcome.stderr)")
            }
            expectLandRule("land_allocation_in_quota_year") {
                try fixture.acting("CC").execute(
                    """
                    INSERT INTO reloc.land_allocation (year, holder_city_id, project, hectares, supply, doc, allocated_on)
                    SELECT 2015, id, '道路', 1, 'tender', 'd', '1900-01-01' FROM reloc.organisation WHERE code = 'CC'
                    """)
            }
            #expect(try fixture.allocated() == 0)
            for day in ["2014-01-01", "2015-06-30", "2016-12-31"] {
                let outcome = try allocate(on: day)
                #expect(outcome.status == 0, "\(outcome.stderr)")
            }
            #expect(try fixture.allocated() == 3)
        }
    }
}
