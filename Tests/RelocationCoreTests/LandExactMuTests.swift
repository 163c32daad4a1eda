import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Land documents are written in mu as often as in hectares (§五(四)): an amount is kept exactly in
/// the unit it was given and quotas are compared with allocations exactly (in 0.0001 mu =
/// 1/150000 ha). Before, mu were rounded to 0.0001 ha: a 1-mu quota took 1.5 mu, a 15-mu quota only
/// 14 × 1 mu, and 0.00075 mu became 0.0015 mu.
@Suite("Land amounts are exact in ha and mu")
struct LandExactMuTests {
    func allocate(_ fixture: LandFixture, mu: String, as code: String = "CC") throws -> RelocCLI.Outcome {
        try fixture.cli([
            "land", "allocate", "--as", code, "--from", "CC", "--year", "2015", "--project", "铁北", "--mu", mu,
            "--supply", "tender", "--on", "2015-03-01", "--doc", "长国土〔2015〕8号",
        ])
    }

    func quota(_ fixture: LandFixture, _ option: String, _ amount: String) throws {
        let outcome = try fixture.cli([
            "land", "quota", "add", "--as", "JL", "--holder", "CC", "--year", "2015", option, amount, "--doc", "d",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
    }

    @Test func aFifteenMuQuotaTakesFifteenTimesOneMu() throws {
        try LandFixture.with { fixture in
            try quota(fixture, "--mu", "15")
            for _ in 1...15 {
                let outcome = try allocate(fixture, mu: "1")
                #expect(outcome.status == 0, "\(outcome.stderr)")
            }
            let over = try allocate(fixture, mu: "0.0001")
            #expect(over.status == 65)
            #expect(over.stderr.contains("land_allocation_within_quota"), "\(over.stderr)")
        }
    }

    @Test func aOneMuQuotaTakesOneMuAndNotAFractionMore() throws {
        try LandFixture.with { fixture in
            try quota(fixture, "--mu", "1")
            #expect(try allocate(fixture, mu: "0.9999").status == 0)
            let over = try allocate(fixture, mu: "0.0002")
            #expect(over.status == 65, "\(over.stderr)")
            #expect(over.stderr.contains("remaining 0.0001 mu"), "\(over.stderr)")
            #expect(try allocate(fixture, mu: "0.0001").status == 0)
            #expect(try allocate(fixture, mu: "0.0001").status == 65)
            // The attempt: 0.002249 mu cannot be held to four places; it is refused, not rounded.
            let tooFine = try allocate(fixture, mu: "0.002249")
            #expect(tooFine.status == 65)
            #expect(tooFine.stderr.contains("land_amount_places"), "\(tooFine.stderr)")
        }
    }

    @Test func amountsAreShownInTheUnitGivenAndMixedUnitsCompareExactly() throws {
        try LandFixture.with { fixture in
            try quota(fixture, "--ha", "1")
            let tooFine = try allocate(fixture, mu: "0.00075")
            #expect(tooFine.status == 65, "\(tooFine.stderr)")
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.land_allocation") == 0)
            for _ in 1...15 { #expect(try allocate(fixture, mu: "1").status == 0) }
            #expect(try allocate(fixture, mu: "0.0001").status == 65)
            let listed = try fixture.cli(["land", "allocations", "--format", "json"])
            #expect(
                listed.stdout.contains("\"amount\": 1, \"unit\": \"mu\", \"hectares\": 0.0667, \"mu\": 1.0000"),
                "\(listed.stdout)")
            let usage = try fixture.cli(["land", "usage", "--format", "json"])
            #expect(usage.stdout.contains("\"allocated_ha\": 1.0000, \"allocated_mu\": 15.0000"), "\(usage.stdout)")
            #expect(usage.stdout.contains("\"remaining_ha\": 0.0000, \"remaining_mu\": 0.0000"), "\(usage.stdout)")
            let quotas = try fixture.cli(["land", "quota", "list", "--format", "json"])
            #expect(quotas.stdout.contains("\"amount\": 1, \"unit\": \"ha\", \"hectares\": 1.0000, \"mu\": 15.0000"))
        }
    }

    /// The rules hold for raw SQL as the city, whichever columns it names.
    @Test func rawSQLKeepsTheAmountExactToo() throws {
        try LandFixture.with { fixture in
            try fixture.quota(hectares: "1")
            let cc = try fixture.acting("CC")
            func insert(_ columns: String, _ values: String) throws {
                try cc.execute(
                    """
                    INSERT INTO reloc.land_allocation (year, holder_city_id, project, \(unsafeRaw: columns), supply, allocated_on, doc)
                    SELECT 2015, id, '道路', \(unsafeRaw: values), 'tender', '2015-03-01', 'd' FROM reloc.organisation WHERE code = 'CC'
                    """)
            }
            expectSQLState("23514", constraint: "land_amount_places") { try insert("amount, unit", "0.00075, 'mu'") }
            expectSQLState("23514", constraint: "land_amount_places") { try insert("hectares", "0.00001") }
            expectSQLState("23514", constraint: "land_amount_unit") { try insert("amount, unit", "1, 'acre'") }
            // A writer naming hectares only still counts exactly: 0.5 ha.
            try insert("hectares", "0.5")
            try insert("amount, unit, hectares", "7.5, 'mu', 99")
            let row = try fixture.admin().query(
                "SELECT allocated_units, allocated_ha::text FROM reloc.land_quota_balance"
            ).rows[0]
            let (units, hectares) = try row.decode((Int64, String).self)
            #expect(units == 150_000 && hectares == "1.0000")
            expectSQLState("23514", constraint: "land_allocation_within_quota") {
                try insert("amount, unit", "0.0001, 'mu'")
            }
            // Nobody rewrites an allocation's amount.
            expectSQLState("42501") { try cc.execute("UPDATE reloc.land_allocation SET amount = 0.0001, unit = 'mu'") }
            expectSQLState("428C9") { try cc.execute("UPDATE reloc.land_allocation SET area_units = 1") }
        }
    }
}
