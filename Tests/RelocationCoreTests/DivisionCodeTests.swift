import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// GB/T 2260 division codes nest: a district's, and a plan's, begin with its city's first four
/// digits — refused otherwise, through the CLI and plain SQL as the province.
@Suite("Division codes lie in their city")
struct DivisionCodeTests {
    @Test func aDistrictOrPlanCodeOutsideItsCityIsRefused() throws {
        try TestDatabase.with(.jilin2014) { name in
            func cli(_ arguments: [String]) throws -> RelocCLI.Outcome { try RelocCLI.run(arguments, database: name) }
            let wrongDistrict = try cli([
                "--as", "JL", "org", "add", "LY-XA", "--name", "西安区", "--kind", "district", "--parent", "SP",
                "--division-code", "220403",
            ])
            #expect(wrongDistrict.status == 65, "\(wrongDistrict.stderr)")
            #expect(
                wrongDistrict.stderr.contains("[rule organisation_division_code_in_parent]"), "\(wrongDistrict.stderr)")
            let rightDistrict = try cli([
                "--as", "JL", "org", "add", "LY-XA", "--name", "西安区", "--kind", "district", "--parent", "LY",
                "--division-code", "２２０４０３",
            ])
            #expect(rightDistrict.status == 0, "\(rightDistrict.stderr)")

            let wrongPlan = try cli([
                "--as", "JL", "plan", "add", "SP-X", "--city", "SP", "--name", "四平某区", "--district-code", "220402",
            ])
            #expect(wrongPlan.status == 65, "\(wrongPlan.stderr)")
            #expect(wrongPlan.stderr.contains("[rule plan_division_code_in_city]"), "\(wrongPlan.stderr)")

            let province = try TestDatabase.connect(name, actingAs: "JL")
            do {
                try province.execute(
                    """
                    UPDATE reloc.plan SET division_code = '220103' WHERE code = 'SP-TD'
                    """)
                Issue.record("a 长春 code on 四平's plan was accepted")
            } catch let error as PGError {
                #expect(error.sqlState == "23514")
                #expect(error.constraint == "plan_division_code_in_city")
            }
        }
    }
}
