import ArgumentParser
import RelocationCore

extension EvaluationRating: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

/// `reloc evaluation …`: the annual evaluation (年度评估, issue 15; 2021 demonstration-zone plan
/// §(十四), §(十五)): weights and bands, compute, adjust with a reason, publish (final), list.
struct EvaluationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluation",
        abstract: "The annual evaluation (年度评估): each city's and department's score and rating 好/较好/一般/较差.",
        subcommands: [Weights.self, Compute.self, Adjust.self, Publish.self, List.self])

    struct Weights: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "weights",
            abstract: "The weights of the score and the rating bands.", subcommands: [Show.self, Set.self])

        struct Show: SessionCommand {
            static let configuration = CommandConfiguration(
                commandName: "show", abstract: "Show the weights and bands.")
            @OptionGroup var session: SessionOptions
            @OptionGroup var output: FormatOptions

            func execute() throws {
                try Listing(Evaluations(session.open().connection).weights()).printItem(output.format)
            }
        }

        struct Set: SessionCommand, PrintsSentence {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Set weights or bands (province only); what is left out stays.",
                discussion: """
                    score = on-time × on-time rate + completion × completion rate − overdue-day × overdue working \
                    days per milestone due − escalation × escalations − extension × extensions, within 0 to 100. An \
                    escalation: a milestone late (or still open) by more than --escalate-after working days. \
                    Rated 好 from --good, 较好 from --fairly-good, 一般 from --fair, else 较差.
                    """)
            @Option(help: "Points for a 100% on-time rate.") var onTime: String?
            @Option(help: "Points for completing every milestone due in the year.") var completion: String?
            @Option(help: "Points off per overdue working day per milestone due.") var overdueDay: String?
            @Option(help: "Points off per escalation.") var escalation: String?
            @Option(help: "Points off per extension granted.") var `extension`: String?
            @Option(help: "Working days late after which a milestone counts as an escalation.") var escalateAfter: Int?
            @Option(help: "Lowest score rated 好.") var good: String?
            @Option(help: "Lowest score rated 较好.") var fairlyGood: String?
            @Option(help: "Lowest score rated 一般 (below: 较差).") var fair: String?
            @OptionGroup var session: SessionOptions
            @OptionGroup(visibility: .hidden) var output: FormatOptions

            func execute() throws {
                var w = Evaluations.Weights()
                let number = { (text: String?) in text.map { Spellings.halfwidth(Spellings.trimmed($0)) } }
                w.onTime = number(onTime)
                w.completion = number(completion)
                w.overdueDay = number(overdueDay)
                w.escalation = number(escalation)
                w.`extension` = number(`extension`)
                w.escalateAfter = escalateAfter
                w.goodFrom = number(good)
                w.fairlyGoodFrom = number(fairlyGood)
                w.fairFrom = number(fair)
                guard !w.isEmpty else { throw ValidationError("give at least one weight or band") }
                try Evaluations(session.open().connection).set(w)
                Console.write("evaluation weights set\n")
            }
        }
    }

    struct Compute: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "compute",
            abstract: "Compute a year's scores and ratings (province only; a published year is final).",
            discussion: "A rating the province adjusted stays as adjusted. Prints the year's results.")
        @Option(help: "The year.") var year: Int
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            let evaluations = Evaluations(try session.open().connection)
            _ = try evaluations.compute(year: year)
            try output.print(try Listing(evaluations.list(year: year, only: .all)), .evaluation)
        }
    }

    struct Adjust: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "adjust",
            abstract: "Override a computed rating, with a reason (province only; audited).")
        @Argument(help: "The city's or department's code.", transform: Spellings.halfwidth) var org: String
        @Option(help: "The year.") var year: Int
        @Option(help: "好, 较好, 一般 or 较差 (good, fairly-good, fair, poor).") var rating: EvaluationRating
        @Option(help: "Why.") var reason: String
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Evaluations(session.open().connection).adjust(org: org, year: year, rating: rating, reason: reason)
            Console.write("\(org.uppercased()) \(year): rated \(rating.zh)\n")
        }
    }

    struct Publish: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "publish",
            abstract: "Publish a year's evaluation (province only): final from then on.")
        @Option(help: "The year.") var year: Int
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Evaluations(session.open().connection).publish(year: year)
            Console.write("published the evaluation of \(year)\n")
        }
    }

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List results: the province all, a city or department its own, everyone a published year.",
            discussion: """
                --flagged: cities rated 较差 in two consecutive published years (2021 plan §(十五): they lose the \
                status). --recommended: cities rated 好 in a published year (§(十四): recommended for incentives).
                """)
        @Option(help: "Only this year.") var year: Int?
        @Flag(help: "Only cities rated 较差 two published years running.") var flagged = false
        @Flag(help: "Only cities rated 好 in a published year.") var recommended = false
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func validate() throws {
            if flagged && recommended { throw ValidationError("give --flagged or --recommended, not both") }
        }

        func execute() throws {
            let only: Evaluations.Only = flagged ? .flagged : recommended ? .recommended : .all
            try output.print(
                Listing(Evaluations(session.open().connection).list(year: year, only: only)), .evaluation)
        }
    }
}

extension TableView {
    static let evaluation = TableView(
        [
            ("year", "year"), ("code", "code"), ("name", "name"), ("score", "score"), ("rating", "rating"),
            ("computed_rating", "computed"), ("on_time_rate", "on time"), ("completion_rate", "done"),
            ("overdue_days", "wd late"), ("escalations", "esc"), ("extensions", "ext"), ("flagged", "flagged"),
            ("recommended", "recommended"),
        ],
        terms: ["rating": EvaluationRating.self, "computed_rating": EvaluationRating.self])
}
