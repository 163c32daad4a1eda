import Foundation
import LibPQClient
import RelocTestSupport
import Testing

/// `reloc milestone ical` (issue 17): an RFC 5545 calendar that Python's icalendar parses, one
/// all-day event per open milestone, whose UIDs survive a second export and whose SEQUENCE grows
/// when the due date moves; lines CR LF, folded at 75 octets without splitting a character.
@Suite("Calendars: milestone ical")
struct ICalendarTests {
    /// Parses the calendar and prints, per event: uid, sequence, start, summary, alarm triggers.
    static let parse = #"""
        import sys, json, icalendar
        raw = open(sys.argv[1], 'rb').read()
        for line in raw.split(b'\r\n')[:-1]:
            assert len(line) <= 75, (len(line), line)
            line.decode('utf-8')
        assert raw.endswith(b'\r\n') and b'\n' not in raw.replace(b'\r\n', b'')
        cal = icalendar.Calendar.from_ical(raw)
        assert cal['X-WR-TIMEZONE'] == 'Asia/Shanghai'
        assert cal['VERSION'] == '2.0'
        events = []
        for event in cal.walk('VEVENT'):
            start = event.decoded('DTSTART')
            end = event.decoded('DTEND')
            assert not hasattr(start, 'hour'), 'an all-day event'
            assert (end - start).days == 1
            alarms = [str(a['TRIGGER'].to_ical().decode()) for a in event.walk('VALARM')]
            events.append({'uid': str(event['UID']), 'sequence': int(event['SEQUENCE']), 'start': start.isoformat(),
                           'summary': str(event['SUMMARY']), 'description': str(event['DESCRIPTION']), 'alarms': alarms})
        print(json.dumps(events, ensure_ascii=False))
        """#

    struct Event: Decodable {
        let uid: String
        let sequence: Int
        let start: String
        let summary: String
        let description: String
        let alarms: [String]
    }

    static func export(_ fixture: ProgrammeFixture, _ arguments: [String]) throws -> [Event] {
        let outcome = try fixture.cli(["milestone", "ical"] + arguments)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let path = PythonTools.temporary("milestones.ics")
        try Data(outcome.stdout.utf8).write(to: URL(fileURLWithPath: path))
        let json = try PythonTools.script(parse, [path])
        return try JSONDecoder().decode([Event].self, from: Data(json.utf8))
    }

    @Test func oneAllDayEventPerOpenMilestoneWithItsAlarms() throws {
        try ProgrammeFixture.with { fixture in
            let events = try Self.export(fixture, ["--as-of", "2015-01-05"])
            let listed = try fixture.cli(["milestone", "list", "--as-of", "2015-01-05", "--format", "json"])
            let open = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as! [[String: Any]]
            let openIDs = open.filter { ($0["state"] as? String) != "done" }.map { "\($0["id"]!)" }
            #expect(events.count == openIDs.count && !events.isEmpty)
            #expect(events.map { $0.uid.split(separator: "@")[0] } == openIDs.map { "milestone-\($0)" })
            let first = try #require(events.first)
            #expect(first.summary.contains("【方案编制完成】") && first.summary.contains("方案 "), "\(first.summary)")
            #expect(first.description.contains("责任单位：") && first.description.contains("已逾期"), "\(first.description)")
            // The default rule: 30, 7 and 1 days before, and on the day.
            #expect(first.alarms == ["-P30D", "-P7D", "-P1D", "PT9H"], "\(first.alarms)")
        }
    }

    @Test func theLatestProgressIsInTheDescription() throws {
        try ProgrammeFixture.with { fixture in
            let id = try fixture.milestone(plan: "SP-TD")
            let reported = try fixture.cli([
                "milestone", "progress", "\(id)", "--percent", "40", "--note", "方案初稿已完成，正在征求意见；第二稿", "--as", "SP",
            ])
            #expect(reported.status == 0, "\(reported.stderr)")
            let events = try Self.export(fixture, ["--org", "SP"])
            let event = try #require(events.first { $0.uid.hasPrefix("milestone-\(id)@") })
            #expect(event.description.contains("40%") && event.description.contains("方案初稿已完成，正在征求意见；第二稿"))
        }
    }

    /// The same milestone keeps its UID; a moved due date raises SEQUENCE (and moves the event).
    @Test func uidsSurviveAndAMovedDateRaisesTheSequence() throws {
        try ProgrammeFixture.with { fixture in
            let id = try fixture.milestone(plan: "SP-TD")
            let before = try Self.export(fixture, [])
            let moved = try fixture.cli(["milestone", "edit", "\(id)", "--due", "2016-06-30", "--as", "JL"])
            #expect(moved.status == 0, "\(moved.stderr)")
            let renamed = try fixture.cli(["milestone", "edit", "\(id)", "--title", "改名不改日期", "--as", "JL"])
            #expect(renamed.status == 0, "\(renamed.stderr)")
            let after = try Self.export(fixture, [])
            #expect(Set(before.map(\.uid)) == Set(after.map(\.uid)))
            let old = try #require(before.first { $0.uid.hasPrefix("milestone-\(id)@") })
            let new = try #require(after.first { $0.uid.hasPrefix("milestone-\(id)@") })
            #expect(new.sequence == old.sequence + 1, "\(old.sequence) → \(new.sequence)")
            #expect(new.start == "2016-06-30")
            for event in after where event.uid != new.uid {
                #expect(event.sequence == before.first { $0.uid == event.uid }?.sequence)
            }
        }
    }

    /// The count of moves is read as the owner (an organisation's role reads only its own audit
    /// records): the same for every reader, and the function writes nothing.
    @Test func theMovesAreCountedWhoeverReads() throws {
        try ProgrammeFixture.with { fixture in
            let id = try fixture.milestone(plan: "SP-TD")
            #expect(try fixture.cli(["milestone", "edit", "\(id)", "--due", "2016-06-30", "--as", "JL"]).status == 0)
            let city = try fixture.acting("SP")
            let seen = try city.query(
                "SELECT count(*) FROM reloc.audit WHERE table_name = 'milestone' AND row_id = \(id) AND action = 'update'"
            ).scalar(Int.self)
            #expect(seen == 0, "the province's change is not the city's to read")
            let moves = try city.query("SELECT due_moves FROM reloc.milestone_due_moves(ARRAY[\(id)]::bigint[])")
                .scalar(
                    Int.self)
            #expect(moves == 1)
            let spOnly = try Self.export(fixture, ["--mine", "--as", "SP"])
            #expect(spOnly.first { $0.uid.hasPrefix("milestone-\(id)@") }?.sequence == 1)
            #expect(!spOnly.isEmpty && spOnly.allSatisfy { $0.summary.contains("SP") || $0.description.contains("SP") })
        }
    }

    @Test func textIsEscapedAndFolded() throws {
        try ProgrammeFixture.with { fixture in
            let id = try fixture.milestone(plan: "SP-TD")
            let title = "逗号,分号;反斜杠\\ 很长的节点名称很长的节点名称很长的节点名称很长的节点名称"
            #expect(try fixture.cli(["milestone", "edit", "\(id)", "--title", title, "--as", "JL"]).status == 0)
            let events = try Self.export(fixture, ["--org", "SP"])
            let event = try #require(events.first { $0.uid.hasPrefix("milestone-\(id)@") })
            #expect(event.summary.contains(title), "\(event.summary)")
            let both = try fixture.cli(["milestone", "ical", "--org", "SP", "--mine"])
            #expect(both.status == 64, "\(both.stderr)")
        }
    }
}
