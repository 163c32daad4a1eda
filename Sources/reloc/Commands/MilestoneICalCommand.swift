import ArgumentParser
import Foundation
import RelocationCore

extension MilestoneCommand {
    /// `reloc milestone ical > FILE.ics`: the open milestones in everyone's calendar (issue 17).
    struct ICal: SessionCommand, PrintsSentence {
        static let configuration = CommandConfiguration(
            commandName: "ical",
            abstract: "The open milestones as an iCalendar file (RFC 5545) for Outlook, WPS and phone calendars.",
            discussion: """
                One all-day event per milestone not done by the as-of day, on its due date, with reminders at the \
                reminder rule's days before it (reloc remind rules list). Import the file again after a change: a \
                milestone keeps its UID, and a moved due date replaces the old event (SEQUENCE grows). \
                Example: reloc milestone ical --mine --as CC > 节点.ics
                """)
        @Option(help: "Only the milestones that concern this organisation (code).", transform: Spellings.halfwidth)
        var org: String?
        @Flag(help: "Only the acting organisation's milestones.") var mine = false
        @OptionGroup var asOf: AsOfOptions
        @OptionGroup var session: SessionOptions
        @OptionGroup(visibility: .hidden) var output: FormatOptions

        func validate() throws {
            if org != nil && mine { throw ValidationError("give --org CODE or --mine, not both") }
        }

        func execute() throws {
            let calendar = MilestoneCalendar(try session.open().connection)
            let scope: MilestoneCalendar.Scope = mine ? .mine : org.map { .organisation($0) } ?? .all
            let entries = try calendar.open(scope, asOf: asOf.asOf)
            let name =
                mine
                ? "reloc 节点（\(session.actingAs ?? "本单位")）" : org.map(ICalendar.name(organisation:)) ?? "reloc 节点"
            Console.write(ICalendar.render(entries, identity: try calendar.identity(), name: name, stamp: Date()))
        }
    }
}
