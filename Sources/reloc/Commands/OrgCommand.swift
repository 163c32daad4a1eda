import ArgumentParser
import RelocationCore

struct OrgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Organisations: the province, its departments, city and district governments.",
        subcommands: [List.self, Add.self, Rename.self]
    )

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List organisations.")
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions
        @Option(help: "Only this kind: province, department, city or district.")
        var kind: OrganisationKind?
        @Option(
            name: .customLong("as-of"),
            help: ArgumentHelp(
                "The succession as it stood on this day: a successor only for a body succeeded by then.",
                valueName: "DATE"))
        var asOf: AsOf?

        func execute() throws {
            let result = try Organisations(session.open().connection).list(kind: kind?.rawValue, asOf: asOf)
            try output.print(Listing(result), .organisations)
        }
    }

    struct Add: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add an organisation (province only); its database role is created with it.")
        @Argument(help: "Short code, e.g. SP or SP-TD.", transform: Spellings.halfwidth) var code: String
        @Option(help: "Chinese name, e.g. 四平市人民政府.") var name: String
        @Option(help: "English name.") var nameEn: String?
        @Option(help: "province, department, city or district.") var kind: OrganisationKind
        @Option(help: "Parent organisation (a district's city).") var parent: String?
        @Option(help: "Administrative division code (6 digits).") var divisionCode: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let role = try Organisations(session.open().connection).add(
                .init(
                    code: code, nameZh: name, nameEn: nameEn, kind: kind.rawValue, parent: parent,
                    divisionCode: divisionCode))
            printCode(code.uppercased(), output.format, table: "added \(code.uppercased()) (database role \(role))")
        }
    }

    struct Rename: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "rename",
            abstract: "Record a succession: OLD is succeeded by a new body (work assigned to OLD follows it).")
        @Argument(help: "The organisation being succeeded.") var old: String
        @Option(help: "Code of the successor.") var to: String
        @Option(help: "Chinese name of the successor.") var name: String
        @Option(help: "English name of the successor.") var nameEn: String?
        @Option(help: "Date of the succession (YYYY-MM-DD).") var on: String
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            guard let date = CalendarDate(Spellings.halfwidth(on)) else {
                throw ValidationError("--on takes a date as YYYY-MM-DD")
            }
            try Organisations(session.open().connection).rename(old, to: to, nameZh: name, nameEn: nameEn, on: date)
            Console.write("\(old.uppercased()) is succeeded by \(to.uppercased()) \(name) from \(date)\n")
        }
    }
}
