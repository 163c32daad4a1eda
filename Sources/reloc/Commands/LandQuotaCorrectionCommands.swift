import ArgumentParser
import RelocationCore

extension LandCommand.Quota {
    struct Edit: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "edit",
            abstract: "Correct a quota (province only): its amount, document number or note.",
            discussion:
                "Refused (exit 65) when the holder's live allocations for that year would exceed the corrected quota.")
        @Argument(help: "The quota's id (reloc land quota list).") var id: Int64
        @OptionGroup var amount: AreaOptions
        @Option(help: "The issuing document number (文号).") var doc: String?
        @Option(help: "A note.") var note: String?
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func validate() throws { try amount.validate(required: false) }

        func execute() throws {
            try LandQuotas(session.open().connection).correct(id, area: amount.area, doc: doc, note: note)
            Console.write("updated quota \(id)\n")
        }
    }

    struct Withdraw: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "withdraw",
            abstract: "Withdraw a quota (province only).",
            discussion:
                "Refused (exit 65) while live allocations rest on it: release them first (reloc land release ID).")
        @Argument(help: "The quota's id (reloc land quota list).") var id: Int64
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func execute() throws {
            try LandQuotas(session.open().connection).withdraw(id)
            Console.write("withdrew quota \(id)\n")
        }
    }
}
