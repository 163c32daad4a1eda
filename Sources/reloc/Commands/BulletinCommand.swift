import ArgumentParser
import RelocationCore

/// `reloc bulletin …`: the periodic bulletins (通报, issue 15) — on-time rates per city and per
/// department, their ranking, the overdue items named (点名); drafted by anyone, issued by the
/// province with its figures frozen, shown again as issued.
struct BulletinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulletin",
        abstract: "Bulletins (通报): on-time rates per city and department, the ranking, the overdue items named.",
        subcommands: [Draft.self, Issue.self, List.self, Show.self])

    struct Draft: SessionCommand, PrintsDocument {
        static let configuration = CommandConfiguration(
            commandName: "draft",
            abstract: "Compute a bulletin for a month, a quarter or a year (nothing is stored).",
            discussion: """
                Per city and per department: items due in the period, done on time, done late, still overdue \
                (days in working days, the calendar's), not yet due, extensions granted, on-time rate, the \
                ranking; and every overdue item named. --format markdown or html prints the bulletin itself.
                """)
        @Option(help: "2015-01 (a month), 2015-Q1 (a quarter) or 2015 (a year).", transform: Spellings.halfwidth)
        var period: String
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let json = try Bulletins(session.open().connection).draft(period: period, asOf: asOf.asOf)
            try BulletinOutput.print(json: json, number: nil, output)
        }
    }

    struct Issue: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Issue a bulletin (province only): its figures frozen as of now, never changed afterwards.",
            discussion:
                "A correction is a new bulletin with a new number. The figures are computed for --as-of (default today)."
        )
        @Option(help: "2015-01 (a month), 2015-Q1 (a quarter) or 2015 (a year).", transform: Spellings.halfwidth)
        var period: String
        @Option(help: "The number (期号): 第N期 or 2015年第N期.", transform: Spellings.halfwidth) var number: String
        @Option(
            name: .customLong("as-of"), help: ArgumentHelp("Figures as of this day (default today).", valueName: "DATE")
        )
        var asOf: AsOf?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            let number = Spellings.trimmed(number)
            _ = try Bulletins(session.open().connection).issue(number: number, period: period, asOf: asOf)
            Console.write("issued bulletin \(number) (\(Spellings.trimmed(period).uppercased()))\n")
        }
    }

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the issued bulletins, the latest first.")
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            Console.write(try output.render(Listing(Bulletins(session.open().connection).list()), .all()))
        }
    }

    struct Show: SessionCommand, PrintsDocument {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print an issued bulletin again, exactly as issued (its stored figures).")
        @Argument(help: "Its number (期号), e.g. 第1期.", transform: Spellings.halfwidth) var number: String
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let issued = try Bulletins(session.open().connection).show(number: Spellings.trimmed(number))
            try BulletinOutput.print(json: issued.figures, number: issued.number, output)
        }
    }
}

/// A bulletin in each format: JSON as the database composed it; CSV one row per city and
/// department; a table the figures a person reads at a terminal; Markdown and HTML the document.
enum BulletinOutput {
    static func print(json: String, number: String?, _ options: FormatOptions) throws {
        let choice = options.choice
        if choice == .json {
            Console.write(json + "\n")
            return
        }
        let figures = try BulletinFigures(json: json)
        switch choice {
        case .xlsx:
            // A workbook (issue 17): the cities, the departments, and the items named (点名).
            try XLSXOutput.write(
                [
                    .init(name: "城市", listing: units(figures.cities)),
                    .init(name: "部门", listing: units(figures.departments)),
                    .init(name: "点名", listing: overdueItems(figures)),
                ], to: options.output, quiet: options.quiet)
        case .markdown: Console.write(BulletinText.markdown(figures, number: number))
        case .html: Console.write(BulletinText.html(figures, number: number))
        case .csv: Console.write(units(figures, kindColumn: true).render(.csv))
        case .table, .json:
            let t = figures.totals
            var text =
                "\(number.map { "\($0) " } ?? "")\(figures.period) (\(figures.periodStart)..\(figures.periodEnd)), as of "
            text += "\(figures.asOf): due \(t.due), on time \(t.onTime), late \(t.late), overdue \(t.overdue), "
            text += "not yet due \(t.notYetDue), extensions \(t.extensions), on-time rate "
            text += "\(BulletinFigures.percent(t.onTimeRate)); overdue days are working days\n"
            text += "\ncities\n" + units(figures.cities).render(.table)
            text += "\ndepartments\n" + units(figures.departments).render(.table)
            text += "\noverdue (点名)\n" + overdueItems(figures).render(.table)
            Console.write(text)
        }
    }

    static func overdueItems(_ figures: BulletinFigures) -> Listing {
        var items = Listing(columns: [
            .init("unit", "unit"), .init("milestone_id", "id"), .init("title", "title"), .init("due_on", "due"),
            .init("overdue_working_days", "wd overdue"), .init("overdue_calendar_days", "days overdue"),
        ])
        for item in figures.overdueItems {
            items.append([
                .text(item.unitName), .integer(Int(item.milestoneId)), .text(item.title), .text(item.dueOn),
                .integer(item.overdueWorkingDays), .integer(item.overdueCalendarDays),
            ])
        }
        return items
    }

    static func units(_ figures: BulletinFigures, kindColumn: Bool) -> Listing {
        var listing = Listing(columns: [.init("kind")] + units([]).columns)
        for (kind, list) in [("city", figures.cities), ("department", figures.departments)] {
            for row in units(list).rows { listing.append([.text(kind)] + row) }
        }
        return listing
    }

    static func units(_ list: [BulletinFigures.Unit]) -> Listing {
        var listing = Listing(columns: [
            .init("rank", "rank"), .init("code", "code"), .init("name", "name"), .init("due", "due"),
            .init("on_time", "on time"), .init("late", "late"), .init("overdue", "overdue"),
            .init("overdue_working_days", "wd overdue"), .init("not_yet_due", "not due"),
            .init("extensions", "ext"), .init("on_time_rate", "on-time %"),
        ])
        for unit in list {
            listing.append([
                unit.rank.map { .integer($0) } ?? .null, .text(unit.code), .text(unit.name), .integer(unit.due),
                .integer(unit.onTime), .integer(unit.late), .integer(unit.overdue), .integer(unit.overdueWorkingDays),
                .integer(unit.notYetDue), .integer(unit.extensions),
                unit.onTimeRate.map { .decimal(BulletinFigures.percent($0).replacingOccurrences(of: "%", with: "")) }
                    ?? .null,
            ])
        }
        return listing
    }
}
