import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Only the province issues quotas; a city allocates from its own and its parks' quotas, and no
/// other city from 长春's — through the CLI and through plain SQL as the organisation's role.
@Suite("Land permissions")
struct LandPermissionTests {
    @Test func onlyTheProvinceIssuesQuotas() throws {
        try LandFixture.with { fixture in
            for code in ["CC", "JL-ZRT", "CC-KC"] {
                let outcome = try fixture.cli([
                    "land", "quota", "add", "--as", code, "--holder", "CC", "--year", "2015", "--ha", "1", "--doc", "d",
                ])
                #expect(outcome.status == 77, "\(code): \(outcome.stderr)")
                #expect(outcome.stderr.contains("only the province"), "\(outcome.stderr)")
                expectLandDenied {
                    try fixture.acting(code).execute(
                        "INSERT INTO reloc.land_quota (year, holder_city_id, hectares, doc) SELECT 2015, id, 1, 'd' FROM reloc.organisation WHERE code = 'CC'"
                    )
                }
            }
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.land_quota") == 0)
            try fixture.quota(hectares: "1")
        }
    }

    @Test func anotherCityCannotAllocateFromChangchunsQuota() throws {
        try LandFixture.with { fixture in
            try fixture.quota("CC", hectares: "10")
            try fixture.quota(LandFixture.park, hectares: "10")
            for holder in ["CC", LandFixture.park] {
                for code in ["JLS", "SP", "JL-ZRT"] {
                    let outcome = try fixture.cli([
                        "land", "allocate", "--as", code, "--from", holder, "--year", "2015", "--project", "越界项目",
                        "--ha", "1",
                        "--supply", "tender", "--doc", "d",
                    ])
                    #expect(outcome.status == 77, "\(code) from \(holder): \(outcome.stderr)")
                    #expect(outcome.stderr.contains("not yours to allocate from"), "\(outcome.stderr)")
                    expectLandDenied { try fixture.allocate(as: code, from: holder, hectares: "1") }
                    expectLandDenied {
                        try fixture.acting(code).execute(
                            """
                            INSERT INTO reloc.land_allocation (year, holder_city_id, holder_park_id, project, hectares, supply, doc)
                            VALUES (2015, (SELECT id FROM reloc.organisation WHERE code = \(holder)),
                                    (SELECT id FROM reloc.park WHERE code = \(holder)), '越界项目', 1, 'tender', 'd')
                            """)
                    }
                }
            }
            #expect(try fixture.allocated("CC") == 0)
            // 长春 from its own and its park's quota; the province from any.
            try fixture.allocate(as: "CC", from: "CC", hectares: "1")
            try fixture.allocate(as: "CC", from: LandFixture.park, hectares: "1")
            try fixture.allocate(as: "JL", from: "CC", hectares: "1")
            #expect(try fixture.allocated("CC") == 2)
        }
    }

    @Test func anotherCityCannotReleaseChangchunsAllocation() throws {
        try LandFixture.with { fixture in
            try fixture.quota(hectares: "10")
            let id = try fixture.allocate(hectares: "3")
            let outcome = try fixture.cli(["land", "release", "\(id)", "--as", "JLS"])
            #expect(outcome.status == 77, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("is not yours"), "\(outcome.stderr)")
            #expect(
                try fixture.acting("JLS").execute(
                    "UPDATE reloc.land_allocation SET released_on = '2015-06-01' WHERE id = \(id)") == 0)
            #expect(try fixture.allocated() == 3)
            #expect(try fixture.cli(["land", "release", "\(id)", "--as", "CC"]).status == 0)
        }
    }

    @Test func nobodyWritesTheBalanceDirectly() throws {
        try LandFixture.with { fixture in
            try fixture.quota(hectares: "1")
            for code in ["JL", "CC"] {
                let db = try fixture.acting(code)
                expectLandDenied { try db.execute("UPDATE reloc.land_quota_balance SET quota_units = 1000") }
                expectLandDenied {
                    try db.execute(
                        "INSERT INTO reloc.land_quota_balance (year, holder_key, quota_units) VALUES (2016, 'city:1', 99)"
                    )
                }
                expectLandDenied { try db.execute("SELECT reloc.land_balance_adjust(2015, 1, NULL, 1000, 0)") }
                #expect(try db.count("SELECT count(*) FROM reloc.land_quota_balance") == 1)
            }
        }
    }
}
