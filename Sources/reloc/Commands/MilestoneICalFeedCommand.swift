import ArgumentParser
import Foundation
import RelocationCore

extension MilestoneCommand {
    /// `reloc milestone ical-feed`: secret, revocable addresses of `reloc milestone ical --org CODE`
    /// served by reloc-web (issue 17), so that a calendar program subscribes once and follows
    /// every change. A sub-command of `milestone ical` in spirit, named beside it: the feed is the
    /// same calendar, kept by a server instead of written to a file.
    struct ICalFeed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ical-feed",
            abstract:
                "Secret calendar feed addresses (reloc-web /calendar/<token>.ics) of an organisation's milestones.",
            subcommands: [Create.self, List.self, Revoke.self])

        struct Create: SessionCommand {
            static let configuration = CommandConfiguration(
                commandName: "create",
                abstract: "Make a feed address for an organisation (its own; the province any organisation's).",
                discussion: """
                    Prints the address once: only its hash is kept. Whoever holds it reads the calendar of \
                    `reloc milestone ical --org CODE`, without signing in; revoke it when it leaks. \
                    Example: reloc milestone ical-feed create CC --label 办公室日历 --base-url https://reloc.jl.gov.cn --as CC
                    """)
            @Argument(help: "Organisation code, e.g. CC.", transform: Spellings.halfwidth) var org: String
            @Option(help: "What the feed is for, e.g. 办公室 Outlook.") var label: String?
            @Option(help: "reloc-web's address, to print the whole URL (otherwise the path).") var baseURL: String?
            @OptionGroup var session: SessionOptions
            @OptionGroup var output: FormatOptions

            func execute() throws {
                let made = try CalendarFeeds(session.open().connection).create(org: org, label: label)
                let base = (baseURL ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
                let address = base + CalendarFeeds.path(made.token)
                let sentence = """
                    made calendar feed \(made.id) for \(org.uppercased())
                    address (shown only now; anyone holding it reads the calendar): \(address)
                    """
                printCreated(
                    [("id", .integer(Int(made.id))), ("token", .text(made.token)), ("url", .text(address))],
                    table: sentence, output.format)
            }
        }

        struct List: SessionCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: "List the feeds the acting organisation may see (its own; the province everyone's).")
            @Option(help: "Only this organisation's.", transform: Spellings.halfwidth) var org: String?
            @Flag(help: "Revoked feeds too.") var all = false
            @OptionGroup var session: SessionOptions
            @OptionGroup var output: ListingOptions

            func execute() throws {
                let feeds = try CalendarFeeds(session.open().connection).list(org: org, includeRevoked: all)
                try output.print(Listing(feeds), .calendarFeeds)
            }
        }

        struct Revoke: SessionCommand, PrintsSentence {
            static let configuration = CommandConfiguration(
                commandName: "revoke",
                abstract: "Revoke a feed (by its id in the list): its address answers 404 from now on.")
            @Argument(help: "Feed id.") var id: Int64
            @OptionGroup var session: SessionOptions
            @OptionGroup(visibility: .hidden) var output: FormatOptions

            func execute() throws {
                try CalendarFeeds(session.open().connection).revoke(id: id)
                Console.write("revoked calendar feed \(id)\n")
            }
        }
    }
}
