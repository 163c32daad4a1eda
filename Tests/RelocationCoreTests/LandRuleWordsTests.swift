import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Every rule of 0005 has its words in reloc.rule, so every refusal reads as a sentence.
@Suite("Land and site rules have their words")
struct LandRuleWordsTests {
    @Test func everyCheckConstraintIsARegisteredRule() throws {
        try TestDatabase.withConnection { db in
            let unregistered = try db.query(
                """
                SELECT c.conrelid::regclass::text || '.' || c.conname
                FROM pg_constraint c
                WHERE c.contype = 'c'
                  AND c.conrelid IN ('reloc.land_quota'::regclass, 'reloc.land_allocation'::regclass,
                                     'reloc.land_quota_balance'::regclass, 'reloc.site'::regclass)
                  AND NOT EXISTS (SELECT FROM reloc.rule r WHERE r.name = c.conname)
                ORDER BY 1
                """
            ).decode(String.self)
            #expect(unregistered.isEmpty, "\(unregistered)")
            let rules = try db.query(
                "SELECT count(*) FROM reloc.rule WHERE table_name IN ('land_quota', 'land_allocation', 'site')"
            ).scalar(Int.self)
            #expect(rules >= 24)
            let blank = try db.query(
                "SELECT count(*) FROM reloc.rule WHERE table_name IN ('land_quota', 'land_allocation', 'site') AND btrim(message) = ''"
            ).scalar(Int.self)
            #expect(blank == 0)
        }
    }

    @Test func theEnterpriseShowsWhetherItsLandWasTakenBack() throws {
        try LandFixture.with { fixture in
            let before = try fixture.cli(["enterprise", "show", "\(fixture.railCars)", "--format", "json"]).stdout
            #expect(before.contains("\"original_land_taken_back\": false"), "\(before)")
            #expect(try fixture.cli(["land", "take-back", "\(fixture.railCars)", "--as", "CC"]).status == 0)
            let after = try fixture.cli(["enterprise", "show", "\(fixture.railCars)", "--format", "json"]).stdout
            #expect(after.contains("\"original_land_taken_back\": true"), "\(after)")
            // 吉林 does not record it for 长春's enterprise.
            #expect(
                try fixture.cli(["land", "take-back", "\(fixture.railCars)", "--as", "JLS", "--undo"]).status == 77)
            #expect(
                try fixture.acting("JLS").execute(
                    "UPDATE reloc.enterprise SET original_land_taken_back = false WHERE id = \(fixture.railCars)") == 0)
        }
    }
}
