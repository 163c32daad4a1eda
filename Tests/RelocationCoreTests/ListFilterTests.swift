import Foundation
import RelocTestSupport
import Testing

/// A list filtered by a code that names nothing says so (65), rather than printing an empty table
/// that reads as "there are none".
@Suite("List filters with unknown codes")
struct ListFilterTests {
    @Test(arguments: [
        (["land", "usage", "--holder", "NOPE"], "no city or park with code NOPE"),
        (["land", "quota", "list", "--holder", "NOPE"], "no city or park with code NOPE"),
        (["land", "allocations", "--holder", "NOPE"], "no city or park with code NOPE"),
        (["site", "list", "--plan", "NOPE"], "no plan NOPE; see `reloc plan list`"),
        (["site", "list", "--city", "XX"], "no organisation XX; see `reloc org list`"),
        (["enterprise", "list", "--city", "XX"], "no organisation XX; see `reloc org list`"),
        (["enterprise", "list", "--plan", "NOPE"], "no plan NOPE; see `reloc plan list`"),
        (["plan", "list", "--city", "XX"], "no organisation XX; see `reloc org list`"),
        (["park", "list", "--city", "XX"], "no organisation XX; see `reloc org list`"),
    ])
    func anUnknownCodeIsAnError(arguments: [String], words: String) throws {
        try TestDatabase.with(.jilin2014) { db in
            let outcome = try RelocCLI.run(arguments, database: db)
            #expect(outcome.status == 65, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains(words), "\(arguments): \(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
        }
    }

    /// A holder is a city or a park: a district, the province or a department named as `--holder`
    /// is a wrong kind of code (65), not an empty table.
    @Test(arguments: [
        (["land", "usage", "--holder", "SP-TD"], "SP-TD"),
        (["land", "usage", "--holder", "JL"], "JL"),
        (["land", "allocations", "--holder", "JL-GXT"], "JL-GXT"),
        (["land", "quota", "list", "--holder", "SP-TD"], "SP-TD"),
    ])
    func aHolderOfTheWrongKindIsAnError(arguments: [String], code: String) throws {
        try TestDatabase.with(.jilin2014) { db in
            let outcome = try RelocCLI.run(arguments, database: db)
            #expect(outcome.status == 65, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains("\(code) ("), "\(arguments): \(outcome.stderr)")
            #expect(outcome.stderr.contains("a land holder is a city or park code"), "\(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
        }
    }

    @Test func aKnownCodeWithNothingToShowIsAnEmptyList() throws {
        try TestDatabase.with(.jilin2014) { db in
            for arguments in [["land", "usage", "--holder", "CC"], ["site", "list", "--plan", "CC-KC"]] {
                let outcome = try RelocCLI.run(arguments + ["--format", "json"], database: db)
                #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
                #expect(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(outcome.stdout)")
            }
        }
    }
}
