import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Each optional field of an enterprise can be cleared (`enterprise edit --clear FIELD`); an empty
/// value is refused with the way to clear it (it once said "nothing to change" or exited 64), and a
/// mode without a park clears the park itself. Areas keep four decimal places, never rounded.
@Suite("Clearing an enterprise's fields; areas to four places")
struct EnterpriseClearTests {
    func row(_ fixture: RegisterFixture, _ id: Int64) throws -> [String?] {
        let row = try fixture.admin().query(
            "SELECT uscc, high_risk, park_id::text, industry, site_area_ha::text, capacity_old::text, mode FROM reloc.enterprise WHERE id = \(id)"
        ).rows[0]
        return try (0..<7).map { try row.decode(String?.self, at: $0) }
    }

    @Test func clearRemovesEachNamedField() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register {
                $0.uscc = RegisterFixture.validUSCC[0]
                $0.highRisk = "chemicals"
                $0.industry = "化工"
                $0.siteHectares = 2
                $0.capacity = .init("30 万吨/年")
            }
            for (option, field) in [("--uscc", "uscc"), ("--high-risk", "high-risk")] {
                let empty = try fixture.cli(["enterprise", "edit", "\(id)", "--as", "SP", option, ""])
                #expect(empty.status == 64, "\(empty.stderr)")
                #expect(empty.stderr.contains("--clear \(field)"), "\(empty.stderr)")
            }
            let outcome = try fixture.cli([
                "enterprise", "edit", "\(id)", "--as", "SP", "--clear", "uscc", "--clear", "high-risk", "--clear",
                "industry", "--clear", "site-area", "--clear", "capacity",
            ])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(try row(fixture, id) == [nil, nil, try row(fixture, id)[2], nil, nil, nil, "relocate"])
            #expect(try row(fixture, id)[2] != nil)
            // Switching to close needs no hidden --park "": the park goes with the mode.
            let close = try fixture.cli(["enterprise", "edit", "\(id)", "--as", "SP", "--mode", "close"])
            #expect(close.status == 0, "\(close.stderr)")
            #expect(try row(fixture, id)[2] == nil && row(fixture, id)[6] == "close")
            let both = try fixture.cli(["enterprise", "edit", "\(id)", "--as", "SP", "--clear", "uscc", "--uscc", "x"])
            #expect(both.status == 64)
        }
    }

    @Test func areasWithMoreThanFourPlacesAreRefusedEverywhere() throws {
        try RegisterFixture.with { fixture in
            let outcome = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "面积", "--mode", "close",
                "--site-ha", "1.123456789",
            ])
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("enterprise_site_area_places"), "\(outcome.stderr)")
            let mu = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "面积亩", "--mode", "close",
                "--site-mu", "1.00001",
            ])
            #expect(mu.status == 65, "\(mu.stderr)")
            let imported = try EnterpriseImport(try fixture.acting("SP")).run(
                csv: "plan,name,mode,site_ha\nSP-TD,面积,close,1.123456789\n")
            guard case .rejected(let rows) = imported else {
                Issue.record("imported")
                return
            }
            #expect(rows.first?.reason.contains("enterprise_site_area_places") == true, "\(rows)")
            let id = try fixture.register()
            expectSQLState("23514", constraint: "enterprise_site_area_places") {
                try fixture.acting("SP").execute(
                    "UPDATE reloc.enterprise SET site_area_ha = 1.123456789 WHERE id = \(id)")
            }
            #expect(try fixture.cli(["enterprise", "edit", "\(id)", "--as", "SP", "--site-ha", "1.1235"]).status == 0)
            #expect(try row(fixture, id)[4] == "1.1235")
        }
    }
}
