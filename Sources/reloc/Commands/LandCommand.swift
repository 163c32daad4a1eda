import ArgumentParser
import Foundation
import RelocationCore

struct LandCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "land",
        abstract: "Construction-land quotas (年度新增建设用地计划指标) and their allocations (§五(四)).",
        discussion: """
            Amounts are hectares (公顷) or mu with --mu (亩; 1 ha = 15 mu), each kept exactly as given to four decimal \
            places (more are refused, never rounded); quotas and allocations are compared exactly, and lists show the \
            amount as given and in both units. Full-width digits are accepted (２．５).
            """,
        subcommands: [Quota.self, Allocate.self, Release.self, Usage.self, Allocations.self, TakeBack.self]
    )

    struct Quota: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "quota",
            abstract: "Quotas issued by the province to a city or a receiving park.",
            subcommands: [Add.self, List.self, Edit.self, Withdraw.self])

        struct Add: SessionCommand {
            static let configuration = CommandConfiguration(
                commandName: "add",
                abstract: "Issue a quota (province only); prints its id. Several for one holder and year add up.")
            @Option(
                help: "The holder: a city code (e.g. CC) or a park code (e.g. CC-ZBZZ).", transform: Spellings.halfwidth
            ) var holder: String
            @Option(help: "The year of the quota.") var year: YearArgument
            @OptionGroup var amount: AreaOptions
            @Option(help: "The issuing document number (文号).") var doc: String
            @Option(help: "A note.") var note: String?
            @OptionGroup var session: SessionOptions
            @OptionGroup var output: FormatOptions

            func validate() throws { try amount.validate(required: true) }

            func execute() throws {
                let id = try LandQuotas(session.open().connection).add(
                    .init(holder: holder, year: year.value, area: amount.area!, doc: doc, note: note))
                printID(id, output.format)
            }
        }

        struct List: SessionCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List quotas.")
            @Option(help: "Only this year.") var year: YearArgument?
            @Option(help: "Only this holder (city or park code).", transform: Spellings.halfwidth) var holder: String?
            @OptionGroup var session: SessionOptions
            @OptionGroup var output: ListingOptions

            func execute() throws {
                let result = try LandQuotas(session.open().connection).list(year: year?.value, holder: holder)
                try output.print(Listing(result), .landQuotas)
            }
        }
    }

    struct Allocate: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "allocate",
            abstract: "Allocate land from a holder's quota for a year; prints the allocation's id.",
            discussion: """
                A city allocates from its own and its parks' quotas; the province from any. Refused (exit 65, naming the \
                rule) when it would exceed the remaining quota (the message says how much remains); when an enterprise's \
                land does not come from its receiving park or that park's city; and for --supply agreement (协议出让) \
                unless the enterprise's original land was taken back (reloc land take-back ENTERPRISE).
                """)
        @Option(help: "The quota's holder: a city code or a park code.") var from: String
        @Option(help: "The quota year.") var year: YearArgument
        @Option(help: "The relocating enterprise (id) the land is for.") var enterprise: Int64?
        @Option(help: "Or: the named project the land is for.") var project: String?
        @OptionGroup var amount: AreaOptions
        @Option(
            help: "How the land is supplied: agreement (协议出让), allocation (划拨) or tender (招拍挂).")
        var supply: LandSupply
        @Option(help: "The date of the allocation, YYYY-MM-DD (default: today, Asia/Shanghai).") var on: CalendarDate?
        @Option(help: "The document number (文号).") var doc: String
        @Option(help: "A note.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func validate() throws {
            try amount.validate(required: true)
            if (enterprise == nil) == (project == nil) {
                throw ValidationError("give --enterprise ID or --project NAME (one of them)")
            }
        }

        func execute() throws {
            let target: LandAllocations.Target = enterprise.map { .enterprise($0) } ?? .project(project!)
            let id = try LandAllocations(session.open().connection).allocate(
                .init(
                    holder: from, year: year.value, target: target, area: amount.area!, supply: supply.rawValue, on: on,
                    doc: doc, note: note))
            printID(id, output.format)
        }
    }

    struct Release: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "release",
            abstract:
                "Release an allocation: it stays on record, marked released, and no longer counts against the quota.")
        @Argument(help: "Allocation id.") var id: Int64
        @Option(help: "The date of the release (default: today).") var on: CalendarDate?
        @Option(help: "Why it was released.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try LandAllocations(session.open().connection).release(id, on: on, note: note)
            Console.write("released allocation \(id)\n")
        }
    }

    struct Usage: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "usage",
            abstract: "Quota, allocated and remaining land per holder and year, in hectares and mu.")
        @Option(help: "Only this year.") var year: YearArgument?
        @Option(help: "Only this holder (city or park code).", transform: Spellings.halfwidth) var holder: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let result = try LandQuotas(session.open().connection).usage(year: year?.value, holder: holder)
            try output.print(Listing(result), .landUsage)
        }
    }

    struct Allocations: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "allocations",
            abstract: "List allocations (live ones; --all for released too).")
        @Option(help: "Only this year.") var year: YearArgument?
        @Option(help: "Only this holder (city or park code).", transform: Spellings.halfwidth) var holder: String?
        @Option(help: "Only this enterprise (id).") var enterprise: Int64?
        @Flag(help: "Include released allocations.") var all = false
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let result = try LandAllocations(session.open().connection).list(
                year: year?.value, holder: holder, enterprise: enterprise, includeReleased: all)
            try output.print(Listing(result), .landAllocations)
        }
    }

    struct TakeBack: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "take-back",
            abstract:
                "Record that an enterprise's original land was taken back (收回), so its new land may be supplied by agreement (协议出让)."
        )
        @Argument(help: "Enterprise id.") var enterprise: Int64
        @Flag(help: "Withdraw the record (refused while agreement allocations rest on it).") var undo = false
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try LandAllocations(session.open().connection).recordLandTakenBack(enterprise: enterprise, !undo)
            Console.write(
                undo
                    ? "enterprise \(enterprise): original land no longer recorded as taken back\n"
                    : "enterprise \(enterprise): original land recorded as taken back\n")
        }
    }
}

/// `--ha N` or `--mu N` (亩; 1 ha = 15 mu), full-width digits accepted.
struct AreaOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Hectares (公顷), up to 4 decimal places.") var ha: DecimalArgument?
    @Option(parsing: .unconditional, help: "Or mu (亩): 15 mu = 1 ha, kept in mu, up to 4 decimal places.") var mu:
        DecimalArgument?

    var area: LandArea? { LandArea(hectares: ha?.value, mu: mu?.value) }

    func validate(required: Bool) throws {
        if ha != nil && mu != nil { throw ValidationError("give --ha or --mu, not both") }
        if required && ha == nil && mu == nil { throw ValidationError("give the area: --ha N or --mu N") }
    }
}

/// A year on the command line, full-width digits accepted (２０１５).
struct YearArgument: ExpressibleByArgument, Sendable {
    let value: Int
    init?(argument: String) {
        let ascii = Spellings.halfwidth(argument).trimmingCharacters(in: .whitespaces)
        guard ascii.count == 4, ascii.allSatisfy(\.isASCII), let value = Int(ascii) else { return nil }
        self.value = value
    }
}
