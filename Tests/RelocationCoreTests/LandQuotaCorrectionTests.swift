import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The province corrects or withdraws a quota it issued, never below what is allocated from it;
/// nobody else does either — through the CLI and plain SQL.
@Suite("Land quotas: corrections and withdrawals")
struct LandQuotaCorrectionTests {
    @Test func theProvinceCorrectsAndWithdrawsButNeverBelowTheAllocations() throws {
        try LandFixture.with { fixture in
            let quota = try fixture.quota(hectares: "10")
            #expect(try fixture.cli(["land", "quota", "edit", "\(quota)", "--as", "JL", "--ha", "12.5"]).status == 0)
            #expect(
                try fixture.cli(["land", "quota", "edit", "\(quota)", "--as", "JL", "--doc", "吉国土资发〔2015〕2号"]).status
                    == 0)
            let listed = try fixture.cli(["land", "quota", "list", "--format", "json"]).stdout
            #expect(listed.contains("\"hectares\": 12.5000"), "\(listed)")
            #expect(listed.contains("吉国土资发〔2015〕2号"))

            try fixture.allocate(hectares: "8")
            expectCLIRule(
                try fixture.cli(["land", "quota", "edit", "\(quota)", "--as", "JL", "--mu", "105"]),
                "land_quota_covers_allocations")
            expectCLIRule(
                try fixture.cli(["land", "quota", "withdraw", "\(quota)", "--as", "JL"]),
                "land_quota_covers_allocations")

            // A city neither corrects nor withdraws, in the CLI or in plain SQL.
            #expect(try fixture.cli(["land", "quota", "edit", "\(quota)", "--as", "CC", "--ha", "20"]).status == 77)
            #expect(try fixture.cli(["land", "quota", "withdraw", "\(quota)", "--as", "CC"]).status == 77)
            expectLandDenied { try fixture.acting("CC").execute("DELETE FROM reloc.land_quota WHERE id = \(quota)") }
            #expect(try fixture.cli(["land", "quota", "withdraw", "999999", "--as", "JL"]).status == 65)

            let spare = try fixture.quota(hectares: "1")
            #expect(try fixture.cli(["land", "quota", "withdraw", "\(spare)", "--as", "JL"]).status == 0)
            #expect(try fixture.admin().query("SELECT count(*) FROM reloc.land_quota").scalar(Int.self) == 1)
        }
    }
}
