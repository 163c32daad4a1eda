import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Old and new capacity are compared in one unit (等量或减量置换, §四(二)): a capacity given in
/// another unit than the one recorded is refused, never allowed to re-label the other capacity.
@Suite("Capacities keep their unit")
struct CapacityUnitTests {
    func units(_ fixture: RegisterFixture, _ id: Int64) throws -> [String?] {
        let row = try fixture.admin().query(
            "SELECT capacity_old::text, capacity_old_unit, capacity_new::text, capacity_new_unit FROM reloc.enterprise WHERE id = \(id)"
        ).rows[0]
        return try (0..<4).map { try row.decode(String?.self, at: $0) }
    }

    @Test func aNewCapacityInAnotherUnitIsRefusedThroughTheCLI() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register { $0.capacity = .init("30 万吨/年") }
            let edit = try fixture.cli(["enterprise", "edit", "\(id)", "--as", "SP", "--new-capacity", "5 吨/日"])
            #expect(edit.status == 65, "\(edit.stderr)")
            #expect(edit.stderr.contains("enterprise_capacity_same_unit"))
            #expect(edit.stderr.contains("30 万吨/年"))
            #expect(try units(fixture, id) == ["30", "万吨/年", nil, nil])
            // The old capacity alone in another unit, while a new one is recorded: refused too.
            #expect(
                try fixture.cli(["enterprise", "edit", "\(id)", "--as", "SP", "--new-capacity", "25 万吨/年"]).status == 0)
            let oldOnly = try fixture.cli(["enterprise", "edit", "\(id)", "--as", "SP", "--capacity", "30 吨/日"])
            #expect(oldOnly.status == 65)
            #expect(oldOnly.stderr.contains("enterprise_capacity_same_unit"))
            #expect(try units(fixture, id) == ["30", "万吨/年", "25", "万吨/年"])
            // Both in the new unit (the same numbers too: a unit corrected) is what the rule asks for.
            let both = try fixture.cli([
                "enterprise", "edit", "\(id)", "--as", "SP", "--capacity", "30 万吨/月", "--new-capacity", "25 万吨/月",
            ])
            #expect(both.status == 0, "\(both.stderr)")
            #expect(try units(fixture, id) == ["30", "万吨/月", "25", "万吨/月"])
            let shown = try fixture.cli(["enterprise", "show", "\(id)", "--format", "json"])
            #expect(shown.stdout.contains("\"capacity_unit\": \"万吨/月\""), "\(shown.stdout)")
        }
    }

    @Test func plainSQLAsTheCityIsRefusedToo() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register { $0.capacity = .init("30 万吨/年") }
            let sp = try fixture.acting("SP")
            expectSQLState("23514", constraint: "enterprise_capacity_same_unit") {
                try sp.execute(
                    "UPDATE reloc.enterprise SET capacity_new = 5, capacity_new_unit = '吨/日' WHERE id = \(id)")
            }
            expectSQLState("23514", constraint: "enterprise_capacity_same_unit") {
                try sp.execute(
                    """
                    INSERT INTO reloc.enterprise (plan_id, name, mode, capacity_old, capacity_old_unit, capacity_new, capacity_new_unit)
                    SELECT id, '单位不一', 'close', 30, '万吨/年', 5, '吨/日' FROM reloc.plan WHERE code = 'SP-TD'
                    """)
            }
            expectSQLState("23514", constraint: "enterprise_capacity_unit") {
                try sp.execute("UPDATE reloc.enterprise SET capacity_new = 5 WHERE id = \(id)")
            }
            // The single unit column of old is derived: nobody writes it.
            expectSQLState("428C9") {
                try sp.execute("UPDATE reloc.enterprise SET capacity_unit = '吨/日' WHERE id = \(id)")
            }
            #expect(
                try sp.execute(
                    "UPDATE reloc.enterprise SET capacity_new = 5, capacity_new_unit = '万吨/年' WHERE id = \(id)") == 1)
            #expect(try units(fixture, id) == ["30", "万吨/年", "5", "万吨/年"])
        }
    }

    /// Both capacities given at once in two units: refused before SQL, in the database's words for
    /// the rule (reloc.rule), not in English of Swift's own (issue 13, one source for every word).
    @Test func bothCapacitiesInTwoUnitsAreRefusedInTheRulesWords() throws {
        try RegisterFixture.with { fixture in
            let words = "so that they can be compared (等量或减量置换, §四(二))"
            let register = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "两种单位", "--mode", "close",
                "--capacity", "30 万吨/年", "--new-capacity", "25 吨/日",
            ])
            #expect(register.status == 65, "\(register.stderr)")
            #expect(register.stderr.contains(words), "\(register.stderr)")
            #expect(register.stderr.contains("[rule enterprise_capacity_same_unit]"), "\(register.stderr)")
            #expect(register.stderr.contains("old capacity 30 万吨/年, new capacity 25 吨/日"), "\(register.stderr)")
            let id = try fixture.register()
            let edit = try fixture.cli([
                "enterprise", "edit", "\(id)", "--as", "SP", "--capacity", "30 万吨/年", "--new-capacity", "25 吨/日",
            ])
            #expect(edit.status == 65, "\(edit.stderr)")
            #expect(edit.stderr.contains(words), "\(edit.stderr)")
            #expect(edit.stderr.contains("[rule enterprise_capacity_same_unit]"), "\(edit.stderr)")
            #expect(try units(fixture, id) == [nil, nil, nil, nil])
        }
    }
}
