import ArgumentParser
import Foundation
import RelocationCore

@main
struct Reloc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reloc",
        abstract: "Track the relocation of a province's urban old-industrial districts (城区老工业区搬迁改造).",
        discussion: """
            Connection: --database URL, else DATABASE_URL, else libpq's PG* variables and service files. \
            Acting identity: --as ORG acts as that organisation's database role (SET ROLE); PostgreSQL's \
            roles and row-level security decide what it may see and change.

            A local database for trying reloc: deploy/local-postgres.sh start; eval "$(deploy/local-postgres.sh env)".

            Exit status: 0 ok, 64 usage, 65 invalid data or a rule violated, 69 database unavailable, \
            70 internal error, 75 try again later (e.g. remind run while another run holds its lock), \
            77 permission denied.
            """,
        subcommands: [
            DbCommand.self, OrgCommand.self, UserCommand.self, PlanCommand.self, ParkCommand.self,
            EnterpriseCommand.self,
            TaskCommand.self, MilestoneCommand.self, AuditCommand.self, LandCommand.self, SiteCommand.self,
            RemindCommand.self, TemplateCommand.self,
            CalendarCommand.self, SupervisionCommand.self, AckCommand.self, ExtensionCommand.self, ReviewCommand.self,
            BoardCommand.self, BulletinCommand.self, EvaluationCommand.self,
        ]
    )

    /// The options every command shares, declared once here so that they may stand before the
    /// subcommand (`reloc --as JL-FGW task list --mine`, `reloc --database URL db status`) as well as
    /// after it. ArgumentParser reads a command's options wherever they stand after it on the line,
    /// and hands the option group it decoded here to every subcommand's `@OptionGroup` of the same
    /// type (its sharing of option groups down the command tree): the commands keep declaring
    /// `@OptionGroup var session: SessionOptions` / `output: FormatOptions`, see these values and
    /// list them in their help. A command acting for nobody refuses `--as` (ConnectionCommand).
    @OptionGroup(title: "Shared options") var session: SessionOptions
    @OptionGroup(title: "Shared options") var output: FormatOptions

    static func main() {
        let arguments = FullWidthArguments.normalised(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch  where BadValue.isBadValue(error) && !BadValue.isUnknownChoice(message(for: error)) {
            // A value that does not read as its kind (2014-02-30 as a date, 1e2 as a percent) is
            // bad data, 65 by docs/operations.md#exit-codes; 64 stays for the command line's shape, and for a
            // word not among an option's fixed choices (--format bogus, --clear bogus).
            Console.error("reloc: \(message(for: error)) (see --help)")
            exit(withError: ExitCode(ExitStatus.dataError.rawValue))
        } catch {
            // ArgumentParser's own words quote the value given (`--as $'\e]0;x\a'`): escaped
            // like every other error (Console.error); help and version still go to stdout.
            let code = exitCode(for: error)
            if code != .success, !(error is ExitCode) {
                Console.error(fullMessage(for: error))
                exit(withError: ExitCode(code.rawValue))
            }
            exit(withError: error)
        }
    }
}
