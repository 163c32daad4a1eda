import ArgumentParser
import RelocationCore

struct SiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Vacated sites (腾退区域): survey, risk assessment, remediation, release for reuse (§四(六), §四(八)).",
        discussion: """
            Environmental record, one step at a time: not-surveyed → surveyed → risk-assessed → clean, or contaminated → \
            remediation-planned → remediated. A site is released only once risk-assessed and clean or remediated; a \
            refusal (exit 65) says which step is missing.
            """,
        subcommands: [
            List.self, Show.self, Add.self, Edit.self, Survey.self, Remediate.self, Release.self, History.self,
        ]
    )

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List sites.")
        @Option(help: "Only this plan.", transform: Spellings.halfwidth) var plan: String?
        @Option(help: "Only this city.") var city: String?
        @Option(help: "Only this environmental state.") var state: SiteState?
        @Option(help: "Only the sites of this enterprise (id).") var enterprise: Int64?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let rows = try Sites(session.open().connection).rows(
                .init(plan: plan, city: city, state: state?.rawValue, enterprise: enterprise))
            try output.print(ListingRows(rows), .sites)
        }
    }

    struct Show: SessionCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a site.")
        @Argument(help: "Site id.") var id: Int64
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            try output.printItem(
                Listing(Sites(session.open().connection).show(id)), sheet: "腾退地块", labelling: ItemTerms.site)
        }
    }

    struct Add: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a vacated site of your city; prints its id.",
            discussion: """
                Either an enterprise's original site (--enterprise ID: plan, name and, unless given, area come from the \
                enterprise) or a plan-level parcel (--plan CODE --name NAME).
                """)
        @Option(help: "The enterprise (id) the site comes from.") var enterprise: Int64?
        @Option(help: "Or: the plan of a plan-level parcel.", transform: Spellings.halfwidth) var plan: String?
        @Option(help: "The site's name (required with --plan).") var name: String?
        @OptionGroup var amount: SiteAreaOptions
        @OptionGroup var heritage: HeritageOptions
        @Option(help: "Planned reuse: \(SiteReuse.codes.joined(separator: ", ")).")
        var reuse: SiteReuse?
        @Option(help: "A note.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func validate() throws {
            try amount.validate(required: false)
            try heritage.validate()
            if (enterprise == nil) == (plan == nil) {
                throw ValidationError("give --enterprise ID or --plan CODE (one of them)")
            }
            if plan != nil && name == nil { throw ValidationError("a plan-level parcel needs --name") }
        }

        func execute() throws {
            let origin: Sites.Origin = enterprise.map { .enterprise($0) } ?? .parcel(plan: plan!, name: name!)
            var site = Sites.NewSite(origin: origin, area: amount.area)
            site.name = name
            site.plannedReuse = reuse?.rawValue
            site.heritage = heritage.value
            site.note = note
            printID(try Sites(session.open().connection).add(site), output.format)
        }
    }

    struct Edit: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Edit a site's name, area, planned reuse, heritage or note.")
        @Argument(help: "Site id.") var id: Int64
        @Option(help: "Name.") var name: String?
        @OptionGroup var amount: SiteAreaOptions
        @OptionGroup var heritage: HeritageOptions
        @Option(help: "Planned reuse: \(SiteReuse.codes.joined(separator: ", ")).")
        var reuse: SiteReuse?
        @Option(help: "A note.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func validate() throws {
            try amount.validate(required: false)
            try heritage.validate()
        }

        func execute() throws {
            try Sites(session.open().connection).edit(
                id, name: name, area: amount.area, plannedReuse: reuse?.rawValue, heritage: heritage.value, note: note)
            Console.write("updated site \(id)\n")
        }
    }

    struct Survey: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "survey",
            abstract:
                "Record the environmental survey (环境调查); with --result, also the risk assessment (风险评估) and its result."
        )
        @Argument(help: "Site id.") var id: Int64
        @Option(help: "The risk assessment's result: clean or contaminated.")
        var result: SurveyResult?
        @OptionGroup var step: StepOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            let state = try Sites(session.open().connection).survey(id, result: result?.rawValue, step.value)
            Console.write("site \(id) is now \(state)\n")
        }
    }

    struct Remediate: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "remediate",
            abstract: "Record the remediation (治理修复) of a contaminated site: --planned, then --done.")
        @Argument(help: "Site id.") var id: Int64
        @Flag(help: "The remediation is planned.") var planned = false
        @Flag(help: "The remediation is done.") var done = false
        @OptionGroup var step: StepOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func validate() throws {
            if planned == done { throw ValidationError("give --planned or --done (one of them)") }
        }

        func execute() throws {
            try Sites(session.open().connection).remediate(id, done: done, step.value)
            Console.write("site \(id) is now \(done ? "remediated" : "remediation-planned")\n")
        }
    }

    struct Release: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "release",
            abstract: "Release a site for reuse; refused unless risk-assessed and clean or remediated.")
        @Argument(help: "Site id.") var id: Int64
        @Option(help: "The date of the release, YYYY-MM-DD.") var on: CalendarDate
        @Option(help: "The document number (文号).") var doc: String
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Sites(session.open().connection).release(id, on: on, doc: doc)
            Console.write("site \(id) released on \(on) (\(doc))\n")
        }
    }

    struct History: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "history", abstract: "The steps of a site's environmental record.")
        @Argument(help: "Site id.") var id: Int64
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            try output.print(Listing(Sites(session.open().connection).history(id)), .siteHistory)
        }
    }
}

/// `--heritage ITEM` or `--no-heritage`; neither: not known yet.
struct HeritageOptions: ParsableArguments {
    @Option(help: "Industrial heritage (工业遗产) identified on the site, e.g. 吉林哈达湾工业遗产主题公园.") var heritage: String?
    @Flag(help: "No industrial heritage on the site.") var noHeritage = false

    var value: Sites.Heritage? {
        if let heritage { return .item(heritage) }
        return noHeritage ? Sites.Heritage.none : nil
    }

    func validate() throws {
        if heritage != nil && noHeritage { throw ValidationError("give --heritage ITEM or --no-heritage, not both") }
    }
}

/// The date, document and note of a step in a site's record.
struct StepOptions: ParsableArguments {
    @Option(help: "The date of the step, YYYY-MM-DD (default: today, Asia/Shanghai).") var on: CalendarDate?
    @Option(help: "The document number (文号) of the report.") var doc: String?
    @Option(help: "A note.") var note: String?

    var value: Sites.Step { Sites.Step(on: on, doc: doc, note: note) }
}

/// A site's `--ha N` or `--mu N`: unlike a land amount, a site's area is kept in ha to 0.0001, so
/// its help says so (it once said "kept in mu") and a mu amount 0.0001 ha cannot hold is refused.
struct SiteAreaOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Area in hectares (公顷), up to 4 decimal places.") var ha: DecimalArgument?
    @Option(
        parsing: .unconditional,
        help:
            "Or in mu (亩; 15 mu = 1 ha): kept in ha to 0.0001, so a multiple of 0.0015 mu (1.5 mu, 15 mu); any other is refused."
    ) var mu: DecimalArgument?

    var area: LandArea? { LandArea(hectares: ha?.value, mu: mu?.value) }

    func validate(required: Bool) throws {
        if ha != nil && mu != nil { throw ValidationError("give --ha or --mu, not both") }
        if required && ha == nil && mu == nil { throw ValidationError("give the area: --ha N or --mu N") }
    }
}
