import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Quotas: exact hectares, mu accepted and shown, quotas adding up, usage per holder and year.
@Suite("Land quotas and usage")
struct LandQuotaTests {
    @Test func muConvertsExactlyInSQL() throws {
        try TestDatabase.withConnection { db in
            let cases: [(String, String)] = [
                ("15", "1.0000"), ("0.0015", "0.0001"), ("1", "0.0667"), ("150000", "10000.0000"), ("7.5", "0.5000"),
                ("0.00075", "0.0001"), ("0.00074", "0.0000"),
            ]
            for (mu, hectares) in cases {
                let converted = try db.query("SELECT reloc.ha_from_mu(\(Decimal(exactText: mu)!))::text").scalar(
                    String.self)
                #expect(converted == hectares, "\(mu) mu")
            }
            #expect(try db.query("SELECT reloc.ha_mu(2.5)").scalar(String.self) == "2.5000 ha (37.5000 mu)")
        }
    }

    @Test func quotasInHectaresOrMuAddUpAndShowBoth() throws {
        try LandFixture.with { fixture in
            var outcome = try fixture.cli([
                "land", "quota", "add", "--as", "JL", "--holder", "CC", "--year", "２０１５", "--ha", "１２．５",
                "--doc", "吉国土资发〔2015〕1号",
            ])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(Int(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) != nil)
            outcome = try fixture.cli([
                "land", "quota", "add", "--as", "JL", "--holder", "CC", "--year", "2015", "--mu", "15", "--doc",
                "吉国土资发〔2015〕2号",
            ])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            outcome = try fixture.cli(["land", "quota", "list", "--holder", "cc", "--format", "json"])
            #expect(outcome.stdout.contains("\"hectares\": 12.5000, \"mu\": 187.5000"), "\(outcome.stdout)")
            #expect(outcome.stdout.contains("\"hectares\": 1.0000, \"mu\": 15.0000"), "\(outcome.stdout)")
            outcome = try fixture.cli(["land", "usage", "--year", "2015", "--format", "json"])
            #expect(
                outcome.stdout
                    == """
                    [
                      {"year": 2015, "holder": "CC", "holder_name": "长春市", "holder_kind": "city", "quota_ha": 13.5000, "quota_mu": 202.5000, "allocated_ha": 0.0000, "allocated_mu": 0.0000, "remaining_ha": 13.5000, "remaining_mu": 202.5000}
                    ]

                    """, "\(outcome.stdout)")
        }
    }

    /// 0.1 + 0.2 = 0.3 exactly: a binary float would overshoot a 0.3 ha quota and refuse.
    @Test func noFloatingPointAnywhere() throws {
        try LandFixture.with { fixture in
            try fixture.quota(hectares: "0.3")
            try fixture.allocate(hectares: "0.1")
            let outcome = try fixture.cli([
                "land", "allocate", "--as", "CC", "--from", "CC", "--year", "2015", "--project", "道路", "--mu", "3",
                "--supply", "tender", "--doc", "d", "--on", "2015-03-01",
            ])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(try fixture.allocated() == Decimal(exactText: "0.3")!)
            let usage = try fixture.cli(["land", "usage", "--format", "csv"])
            #expect(
                usage.stdout.contains("2015,CC,长春市,city,0.3000,4.5000,0.3000,4.5000,0.0000,0.0000"), "\(usage.stdout)")
            expectLandRule("land_allocation_within_quota") { try fixture.allocate(hectares: "0.0001") }
        }
    }

    @Test func hectaresBeyondFourPlacesAreRefusedNotRounded() throws {
        try LandFixture.with { fixture in
            let outcome = try fixture.cli([
                "land", "quota", "add", "--as", "JL", "--holder", "CC", "--year", "2015", "--ha", "1.00005", "--doc",
                "d",
            ])
            #expect(outcome.status == 65)
            #expect(outcome.stderr.contains("0.0001 ha"), "\(outcome.stderr)")
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.land_quota") == 0)
        }
    }

    @Test func usageIsAnEmptyWellFormedTableAfterTheSeed() throws {
        try TestDatabase.with(.jilin2014) { database in
            let table = try RelocCLI.run(["land", "usage"], database: database)
            #expect(table.status == 0)
            let lines = table.stdout.split(separator: "\n")
            #expect(lines.count == 2, "\(table.stdout)")
            #expect(lines.first?.hasPrefix("year  holder  holder_name  holder_kind  quota_ha  quota_mu") == true)
            #expect(try RelocCLI.run(["land", "usage", "--format", "json"], database: database).stdout == "[]\n")
            let csv = try RelocCLI.run(["land", "usage", "--format", "csv"], database: database).stdout
            #expect(
                csv
                    == "year,holder,holder_name,holder_kind,quota_ha,quota_mu,allocated_ha,allocated_mu,remaining_ha,remaining_mu\r\n"
            )
        }
    }

    @Test func quotaRules() throws {
        try LandFixture.with { fixture in
            func add(_ extra: [String], holder: String = "CC") throws -> RelocCLI.Outcome {
                try fixture.cli(["land", "quota", "add", "--as", "JL", "--holder", holder] + extra)
            }
            expectCLIRule(try add(["--year", "2015", "--ha", "0", "--doc", "d"]), "land_quota_hectares_positive")
            expectCLIRule(try add(["--year", "1999", "--ha", "1", "--doc", "d"]), "land_quota_year")
            expectCLIRule(try add(["--year", "2015", "--ha", "1", "--doc", "　"]), "land_quota_needs_doc")
            expectCLIRule(try add(["--year", "2015", "--ha", "1", "--doc", "d"], holder: "CC-KC"), "land_quota_holder")
            #expect(try add(["--year", "2015", "--ha", "1", "--doc", "d"], holder: "NOPE").status == 65)
            let province = try fixture.acting("JL")
            expectLandRule("land_quota_hectares_positive") {
                try province.execute(
                    "INSERT INTO reloc.land_quota (year, holder_city_id, hectares, doc) SELECT 2015, id, -1, 'd' FROM reloc.organisation WHERE code = 'CC'"
                )
            }
            expectLandRule("land_quota_holder") {
                try province.execute(
                    """
                    INSERT INTO reloc.land_quota (year, holder_city_id, holder_park_id, hectares, doc)
                    SELECT 2015, o.id, k.id, 1, 'd' FROM reloc.organisation o, reloc.park k WHERE o.code = 'CC' AND k.code = 'CC-ZBZZ'
                    """)
            }
            expectLandRule("land_quota_needs_doc") {
                try province.execute(
                    "INSERT INTO reloc.land_quota (year, holder_city_id, hectares, doc) SELECT 2015, id, 1, '' FROM reloc.organisation WHERE code = 'CC'"
                )
            }
        }
    }

    /// The province may correct or withdraw a quota, but never below what is already allocated.
    @Test func aQuotaCoversItsAllocations() throws {
        try LandFixture.with { fixture in
            let first = try fixture.quota(hectares: "6")
            let second = try fixture.quota(hectares: "4")
            try fixture.allocate(hectares: "7")
            let province = try fixture.acting("JL")
            expectLandRule("land_quota_covers_allocations") {
                try province.execute("DELETE FROM reloc.land_quota WHERE id = \(first)")
            }
            expectLandRule("land_quota_covers_allocations") {
                try province.execute("UPDATE reloc.land_quota SET hectares = 0.9999 WHERE id = \(second)")
            }
            expectLandRule("land_quota_covers_allocations") {
                try province.execute("UPDATE reloc.land_quota SET year = 2016 WHERE id = \(second)")
            }
            #expect(try province.execute("UPDATE reloc.land_quota SET hectares = 3 WHERE id = \(second)") == 1)
            let usage = try fixture.cli(["land", "usage", "--holder", "CC", "--format", "csv"])
            #expect(
                usage.stdout.contains("2015,CC,长春市,city,9.0000,135.0000,7.0000,105.0000,2.0000,30.0000"),
                "\(usage.stdout)")
            // Cities neither issue nor change quotas.
            let changchun = try fixture.acting("CC")
            expectLandDenied { try changchun.execute("UPDATE reloc.land_quota SET hectares = 100 WHERE id = \(first)") }
            expectLandDenied { try changchun.execute("DELETE FROM reloc.land_quota WHERE id = \(first)") }
        }
    }
}
