import ArgumentParser
import RelocationCore

/// `reloc calendar …`: the working-day calendar the supervision loop counts in (督办, issue 15):
/// the State Council's holidays and the weekends made working days (调休), as the province imports
/// them. reloc ships none.
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "The working-day calendar: holidays and weekends made working days (调休).",
        subcommands: [Import.self, List.self, Workdays.self, AddDays.self])

    struct Import: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import a year's holidays and working weekends from a CSV file (province only), all or nothing.",
            discussion: """
                Header row date,kind,name (any order; all three required). kind: holiday or workday (also \
                节假日, 调休上班, 休, 班); a workday is a Saturday or Sunday made a working day. The file is the \
                calendar of each year it lists: its days are written, the days of those years it does not list \
                are removed, other years stay; importing the same file again changes nothing. If any line is \
                bad, nothing is imported and every bad line is listed as FILE:LINE; exit 65.
                """)
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "The file's encoding: utf-8 (default) or gb18030 (also gbk), as Excel saves CSV in Chinese.")
        var encoding: String = "utf-8"
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            guard let encoding = CSVEncoding(name: encoding) else {
                throw ValidationError("--encoding must be utf-8 or gb18030 (got \"\(encoding)\")")
            }
            switch try WorkingDayCalendar(session.open().connection).importFile(file, encoding: encoding) {
            case .imported(let written, let removed, let lines, let years):
                Console.write(
                    "imported \(lines) calendar days of \(years.map(String.init).joined(separator: ", ")) from \(file): "
                        + "\(written) written, \(removed) removed\n")
            case .rejected(let lines):
                for line in lines { Console.error("\(file):\(line.line): \(line.reason)") }
                throw RelocError.invalidInput(
                    "\(lines.count) bad line(s) in \(file); nothing was imported — correct them and import the whole file again"
                )
            }
        }
    }

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "The days of a year the calendar marks, and the year's number of working days.")
        @Option(help: "The year.") var year: Int
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let calendar = WorkingDayCalendar(try session.open().connection)
            let days = try Listing(calendar.list(year: year))
            var item = Listing(columns: [.init("year"), .init("working_days")])
            item.append([.integer(year), .integer(try calendar.workingDays(year: year))])
            switch output.format {
            case .json: Console.write(item.renderJSONObject(nested: [("days", days)]))
            case .csv, .table, .xlsx:
                try output.print(
                    ItemWithSections(item, sections: [.init(key: "days", title: "", days)]), sheet: "工作日历",
                    labelling: ["kind": CalendarDayKind.self])
            }
        }
    }

    struct Workdays: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "workdays",
            abstract: "Working days after FROM up to and including TO (negative when TO is earlier).")
        @Argument(help: "From (YYYY-MM-DD).") var from: CalendarDate
        @Argument(help: "To (YYYY-MM-DD).") var to: CalendarDate
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let count = try WorkingDayCalendar(session.open().connection).workingDays(from: from, to: to)
            var item = Listing(columns: [.init("from"), .init("to"), .init("working_days")])
            item.append([.text(from.description), .text(to.description), .integer(count)])
            if output.format == .table { Console.write("\(count)\n") } else { item.printItem(output.format) }
        }
    }

    struct AddDays: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-days",
            abstract: "The N-th working day after DATE (before it when N is negative).")
        @Argument(help: "The day (YYYY-MM-DD).") var date: CalendarDate
        @Argument(help: "Working days, e.g. 2 or -5.") var n: Int
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let day = try WorkingDayCalendar(session.open().connection).addWorkingDays(date, n)
            var item = Listing(columns: [.init("date"), .init("working_days"), .init("day")])
            item.append([.text(date.description), .integer(n), .text(day.description)])
            if output.format == .table { Console.write("\(day)\n") } else { item.printItem(output.format) }
        }
    }
}
