import RelocTestSupport
import RelocationCore
import Testing

/// `--as`, `--database` and `--format` are the root command's options (ArgumentParser's own
/// option groups, no rewriting of the command line): they may stand before the subcommand or
/// after it, with the same effect.
@Suite("Shared options, before or after the subcommand")
struct SharedOptionsTests {
    /// The root's help lists the options it takes before a subcommand (before: none).
    @Test func theRootHelpListsTheSharedOptions() throws {
        let help = try RelocCLI.run(["--help"], database: nil)
        #expect(help.status == 0)
        for option in ["--as <ORG>", "--database <URL>", "--format <format>"] {
            #expect(help.stdout.contains(option), "\(option) in\n\(help.stdout)")
        }
    }

    @Test func beforeAndAfterTheSubcommandAreTheSame() throws {
        try TestDatabase.with(.jilin2014) { name in
            let url = try TestDatabase.url(of: name)
            let before = try RelocCLI.run(
                ["--as", "JL-FGW", "--format", "json", "task", "list", "--mine"], database: name)
            let after = try RelocCLI.run(
                ["task", "list", "--mine", "--format", "json", "--as", "JL-FGW"], database: name)
            let mixed = try RelocCLI.run(
                ["--database", url, "task", "--as", "JL-FGW", "list", "--format=json", "--mine"], database: nil)
            #expect(before.status == 0, "\(before.stderr)")
            #expect(before.stdout.hasPrefix("[") && before.stdout == after.stdout && before.stdout == mixed.stdout)
            let all = try RelocCLI.run(["--format", "json", "task", "list", "--mine"], database: name)
            #expect(all.stdout != before.stdout, "--as JL-FGW: the department's own tasks only")
        }
    }

    /// A command acting for nobody refuses `--as` wherever it stands (usage, 64), as it did.
    @Test(arguments: [["--as", "SP", "db", "status"], ["db", "status", "--as", "SP"], ["remind", "run", "--as=SP"]])
    func aCommandActingForNobodyRefusesAs(arguments: [String]) throws {
        let outcome = try RelocCLI.run(arguments, database: nil)
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("--as"), "\(outcome.stderr)")
    }
}
