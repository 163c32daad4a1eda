import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc_web

/// `GET /calendar/<token>.ics` (issue 17): without a session, the token opens the feed's
/// organisation's calendar, the same as `reloc milestone ical --org CODE`, which Python's
/// icalendar parses; a revoked, unknown or malformed token answers 404.
@Suite("Web desk: calendar feeds")
struct WebCalendarFeedTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The number of events Python's icalendar reads in `text`.
    static func parsedEvents(_ text: String) throws -> Int {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-feed-\(UUID()).ics").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let python = try run("/usr/bin/env", ["bash", root.appendingPathComponent(".ci/python-tools.sh").path])
        let script = """
            import sys, icalendar
            cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
            assert cal['X-WR-TIMEZONE'] == 'Asia/Shanghai'
            print(len(list(cal.walk('VEVENT'))))
            """
        return Int(
            try run(python.trimmingCharacters(in: .whitespacesAndNewlines), ["-c", script, path])
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw WebFixtureError("\(executable) \(arguments.prefix(1)) failed: \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func unstamped(_ calendar: String) -> String {
        calendar.components(separatedBy: "\r\n").filter { !$0.hasPrefix("DTSTAMP:") }.joined(separator: "\r\n")
    }

    @Test func theTokenOpensTheOrganisationsCalendarUntilRevoked() async throws {
        try await WebFixture.with { fixture in
            let cc = try TestDatabase.connect(fixture.database, actingAs: "CC")
            let made = try CalendarFeeds(cc).create(org: "CC", label: "办公室")
            let client = fixture.client()  // no session: the token is the key
            let feed = try await client.get(CalendarFeeds.path(made.token))
            #expect(feed.status == 200, "\(feed.body)")
            #expect(feed.header("Content-Type")?.hasPrefix("text/calendar") == true)
            let cli = try RelocCLI.run(["milestone", "ical", "--org", "CC", "--as", "CC"], database: fixture.database)
            #expect(cli.status == 0, "\(cli.stderr)")
            #expect(Self.unstamped(feed.body) == Self.unstamped(cli.stdout))
            let events = feed.body.components(separatedBy: "BEGIN:VEVENT").count - 1
            #expect(events > 0)
            #expect(try Self.parsedEvents(feed.body) == events)

            try CalendarFeeds(cc).revoke(id: made.id)
            #expect(try await client.get(CalendarFeeds.path(made.token)).status == 404)
            #expect(try await client.get(CalendarFeeds.path(String(repeating: "ab", count: 32))).status == 404)
            #expect(try await client.get("/calendar/\(made.token).txt").status == 404)
            #expect(try await client.get("/calendar/..%2F..%2Fetc.ics").status == 404)
        }
    }
}
