import Foundation
import RelocTestSupport
import Testing

/// Numbers on the command line: a negative one is a value, not an option, so the database's rule
/// is what the user hears; one too large for the register is refused with its amount's rule, not
/// PostgreSQL's "numeric field overflow".
@Suite("Numbers on the command line")
struct NumericInputTests {
    private func expectRule(_ arguments: [String], _ rule: String, _ db: String, saying amount: String) throws {
        let outcome = try RelocCLI.run(arguments, database: db)
        #expect(outcome.status == 65, "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.contains("[rule \(rule)]"), "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.contains(amount), "\(arguments): \(outcome.stderr)")
        #expect(!outcome.stderr.contains("Missing value"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("overflow"), "\(outcome.stderr)")
        let message = try TestDatabase.connect(db).query("SELECT message FROM reloc.rule WHERE name = \(rule)")
            .scalar(String.self)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    @Test func negativeNumbersReachTheRules() throws {
        try TestDatabase.with(.jilin2014) { db in
            try expectRule(
                ["site", "add", "--as", "CC", "--plan", "CC-KC", "--name", "地块", "--ha", "-1"], "site_area_positive",
                db, saying: "-1")
            try expectRule(
                ["land", "quota", "add", "--holder", "CC", "--year", "2015", "--mu", "-15", "--doc", "文号"],
                "land_quota_hectares_positive", db, saying: "-1")
            try expectRule(
                ["enterprise", "register", "--plan", "SP-TD", "--name", "甲", "--mode", "close", "--employees", "-5"],
                "enterprise_workers", db, saying: "-5")
            try expectRule(
                ["enterprise", "edit", "1", "--site-ha", "-2"], "enterprise_site_area_nonnegative", db, saying: "-2")
            try expectRule(["plan", "edit", "CC-KC", "--area-km2", "-3"], "plan_area_positive", db, saying: "-3")
            let progress = try RelocCLI.run(
                ["task", "progress", "3", "--as", "JL-GXT", "--percent", "-5", "--note", "倒退"], database: db)
            #expect(progress.status == 65, "\(progress.stderr)")
            #expect(!progress.stderr.contains("Missing value"), "\(progress.stderr)")
        }
    }

    @Test func anAmountTooLargeForTheRegisterIsRefusedByItsRule() throws {
        try TestDatabase.with(.jilin2014) { db in
            try expectRule(
                ["site", "add", "--as", "CC", "--plan", "CC-KC", "--name", "地块", "--ha", "100000000"],
                "site_area_positive", db, saying: "100000000 ha")
            try expectRule(
                ["land", "quota", "add", "--holder", "CC", "--year", "2015", "--mu", "2000000000", "--doc", "文号"],
                "land_quota_hectares_positive", db, saying: "2000000000 mu")
            try expectRule(
                [
                    "land", "allocate", "--from", "CC", "--year", "2015", "--project", "道路", "--ha", "-100000000",
                    "--supply", "allocation", "--doc", "文号",
                ],
                "land_allocation_hectares_positive", db, saying: "-100000000 ha")
            try expectRule(
                [
                    "enterprise", "register", "--plan", "SP-TD", "--name", "甲", "--mode", "close", "--site-ha",
                    "123456789",
                ],
                "enterprise_site_area_nonnegative", db, saying: "123456789 ha")
            try expectRule(
                ["enterprise", "edit", "1", "--site-mu", "1500000000"], "enterprise_site_area_nonnegative", db,
                saying: "1500000000 mu")
        }
    }
}
