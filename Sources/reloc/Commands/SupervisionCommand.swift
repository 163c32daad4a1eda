import ArgumentParser
import RelocationCore

/// `reloc supervision …`: the supervision loop's settings (督办, issue 15).
struct SupervisionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervision",
        abstract: "The supervision loop (督办): its settings in working days.",
        subcommands: [Settings.self])

    struct Settings: SessionCommand {
        static let configuration = CommandConfiguration(
            commandName: "settings",
            abstract: "Show the supervision settings, or set them (province only), in working days.",
            discussion: """
                Without options: shows them (anyone). Each is a number of working days, 1 to 30 \
                (--extension-grace 0 to 30): acknowledge within (签收, default 2), extension grace after the due \
                date (延期申请, default 0), review within (办结审核, default 2), due soon within (黄灯, default 3).
                """)
        @Option(help: "签收: acknowledge an assignment within this many working days.") var acknowledgeWithin: Int?
        @Option(help: "延期申请: working days after the due date a request is still taken (0: before it).")
        var extensionGrace: Int?
        @Option(help: "办结审核: a completion under review this long goes into the province's digest.")
        var reviewWithin: Int?
        @Option(help: "黄灯: an open milestone due within this many working days is yellow.") var dueSoonWithin: Int?
        @OptionGroup var session: SessionOptions
        @OptionGroup var output: FormatOptions

        func execute() throws {
            let settings = SupervisionSettings(try session.open().connection)
            let change = SupervisionSettings.Change(
                acknowledgeWithin: acknowledgeWithin, extensionGrace: extensionGrace, reviewWithin: reviewWithin,
                dueSoonWithin: dueSoonWithin)
            if !change.isEmpty { try settings.set(change) }
            try Listing(settings.show()).printItem(output.format)
        }
    }
}
