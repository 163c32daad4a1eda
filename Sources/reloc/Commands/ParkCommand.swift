import ArgumentParser
import RelocationCore

struct ParkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "park",
        abstract: "Receiving parks (承接区) and the facts that decide whether they may take high-risk plants.",
        subcommands: [List.self, Show.self, Add.self, Edit.self]
    )

    struct List: SessionCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List parks.")
        @Option(help: "Only parks of this city.") var city: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: ListingOptions

        func execute() throws {
            try output.print(Listing(Parks(session.open().connection).list(city: city)), .parks)
        }
    }

    struct Show: SessionCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a park.")
        @Argument(help: "Park code.", transform: Spellings.halfwidth) var code: String
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            try output.printItem(
                Listing(Parks(session.open().connection).show(code)), sheet: "园区", labelling: ItemTerms.park)
        }
    }

    struct Add: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a receiving park (province only).",
            discussion:
                "A high-risk enterprise (§四(三)) may go only to a park with all three of --established, --env-infrastructure and --planning-eia."
        )
        @Argument(help: "Park code, e.g. SP-HBGY.", transform: Spellings.halfwidth) var code: String
        @Option(help: "Park name.") var name: String
        @Option(help: "The city (organisation code).") var city: String
        @Option(help: "econ-tech-zone, high-tech-zone, industrial-cluster or themed-park.")
        var kind: ParkKind
        @Flag(help: "The park is legally established (依法设立).") var established = false
        @Flag(help: "Its environmental infrastructure is complete (环保基础设施齐全).") var envInfrastructure = false
        @Flag(help: "Its planning EIA has passed (通过规划环评).") var planningEia = false
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            try Parks(session.open().connection).add(
                .init(
                    code: code, name: name, city: city, kind: kind.rawValue, legallyEstablished: established,
                    envInfrastructureComplete: envInfrastructure, planningEIAPassed: planningEia))
            printCode(code.uppercased(), output.format, table: "added park \(code.uppercased())")
        }
    }

    struct Edit: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(commandName: "edit", abstract: "Edit a park (province only).")
        @Argument(help: "Park code.", transform: Spellings.halfwidth) var code: String
        @Option(help: "Park name.") var name: String?
        @Option(help: "Kind of park.") var kind: ParkKind?
        @Option(help: "Legally established: yes or no.") var established: YesNo?
        @Option(help: "Environmental infrastructure complete: yes or no.") var envInfrastructure: YesNo?
        @Option(help: "Planning EIA passed: yes or no.") var planningEia: YesNo?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try Parks(session.open().connection).edit(
                code,
                .init(
                    name: name, kind: kind?.rawValue, legallyEstablished: established?.value,
                    envInfrastructureComplete: envInfrastructure?.value, planningEIAPassed: planningEia?.value))
            Console.write("updated park \(code.uppercased())\n")
        }
    }
}
