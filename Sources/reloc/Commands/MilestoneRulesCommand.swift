import ArgumentParser
import RelocationCore

/// `reloc milestone rules …`: the province's rules giving enterprises registered to relocate their
/// heritage-surveyed, relocation-started and relocation-completed milestones, per plan (default none).
struct MilestoneRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Milestones for enterprises registered to relocate, per plan (the province's; default none).",
        subcommands: [List.self, Set.self])

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the rules (plan, kind, days_after, due_on).")
        @Option(help: "Only this plan.", transform: Spellings.halfwidth) var plan: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            try output.print(Listing(MilestoneRules(session.open().connection).list(plan: plan)), .milestoneRules)
        }
    }

    struct Set: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set a plan's rule for one kind (province only).",
            discussion: """
                An enterprise registered with mode relocate into the plan then gets that milestone, due the given \
                number of days after its registration or on the given date; --none removes the rule. Kinds: \
                \(MilestoneRules.kinds.joined(separator: ", ")); another is refused (exit 65, milestone_rule_kind).
                """)
        @Argument(help: "Plan code.", transform: Spellings.halfwidth) var plan: String
        @Argument(help: "Kind of milestone.") var kind: String
        @Option(parsing: .unconditional, help: "Due this many days after registration.") var daysAfter: Int?
        @Option(help: "Due on this date.") var due: CalendarDate?
        @Flag(help: "No such milestone (remove the rule).") var none = false
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func validate() throws {
            if [daysAfter != nil, due != nil, none].filter({ $0 }).count != 1 {
                throw ValidationError("give one of --days-after N, --due DATE or --none")
            }
        }

        func execute() throws {
            let when: MilestoneRules.When =
                if let daysAfter { .daysAfter(daysAfter) } else if let due { .due(due) } else { .none }
            try MilestoneRules(session.open().connection).set(plan: plan, kind: kind, when)
            Console.write("milestone rule of plan \(plan.uppercased()) for \(kind): \(none ? "none" : "set")\n")
        }
    }
}
