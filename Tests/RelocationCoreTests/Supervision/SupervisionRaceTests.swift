import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Two sessions on one milestone (issue 15, 督办): an acceptance (销号) or a close racing an
/// extension's approval never leaves a closed milestone whose due date the approval then moved;
/// the loser hears the rule's words. A request pending when its milestone is closed is answered:
/// a completion under review blocks a direct close, an extension request lapses. The order is
/// made by one session holding its transaction open while the other waits on its lock (seen in
/// pg_stat_activity), not by sleeping.
@Suite("Supervision: racing sessions and requests left pending")
struct SupervisionRaceTests {
    /// A reviewed milestone of 长春宽城区 (due 2030-06-28) with a pending extension request (to
    /// 2030-09-30) and, if asked, a completion submitted (done on 2015-03-02).
    static func pendingBoth(_ fixture: ProgrammeFixture, completion: Bool = true) throws -> (
        milestone: Int64, request: Int64, completion: Int64?
    ) {
        let milestone = try ExtensionRequestTests.milestone(fixture)
        let request = try ExtensionRequestTests.id(
            try ExtensionRequestTests.request(fixture, milestone, to: "2030-09-30"))
        guard completion else { return (milestone, request, nil) }
        let submitted = try CompletionReviewTests.submissionID(
            try fixture.cli([
                "--as", "CC", "milestone", "done", "\(milestone)", "--on", "2015-03-02", "--evidence", "长府办〔2015〕3号",
            ]))
        return (milestone, request, submitted)
    }

    static func milestoneDates(_ fixture: ProgrammeFixture, _ id: Int64) throws -> (due: String, done: String?) {
        let row = try fixture.admin().query(
            "SELECT due_on::text, done_on::text FROM reloc.milestone WHERE id = \(id)"
        ).decode((String, String?).self)
        return (row[0].0, row[0].1)
    }

    static func requestState(_ fixture: ProgrammeFixture, _ id: Int64) throws -> String {
        try fixture.admin().query("SELECT state FROM reloc.extension_request WHERE id = \(id)").scalar(String.self)
    }

    /// Returns once a session of the database waits for a lock (the other session's), or records
    /// an issue after 30 s.
    static func waitForALockWait(_ database: String) throws {
        let admin = try TestDatabase.connect(database)
        for _ in 0..<600 {
            let waiting = try admin.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = \(database) AND wait_event_type = 'Lock'"
            ).scalar(Int.self)
            if waiting > 0 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("no session waited for the other's lock")
    }

    /// Item: `review accept` holds its transaction; `extension approve` (CLI, then raw SQL as the
    /// province) waits, and once the acceptance commits it is refused in words: the request lapsed
    /// with the close, the due date stays.
    @Test(arguments: ["cli", "sql"])
    func anApprovalLosingToAnAcceptanceIsRefusedInWords(path: String) throws {
        try ProgrammeFixture.with { fixture in
            let (milestone, request, completion) = try Self.pendingBoth(fixture)
            let province = try fixture.acting("JL")
            try province.execute("BEGIN")
            try province.execute(
                "UPDATE reloc.completion_review SET state = 'accepted' WHERE id = \(try #require(completion))")
            let database = fixture.database
            let approval = Background {
                if path == "cli" {
                    let outcome = try RelocCLI.run(
                        ["--as", "JL", "extension", "approve", "\(request)"], database: database)
                    return (outcome.status, outcome.stderr)
                }
                let racing = try TestDatabase.connect(database, actingAs: "JL")
                do {
                    try racing.execute(
                        "UPDATE reloc.extension_request SET state = 'approved' WHERE id = \(request)")
                    return (0, "")
                } catch let error as PGError {
                    return (error.sqlState == "23514" ? 65 : 1, "\(error.constraint ?? "") \(error)")
                }
            }
            try Self.waitForALockWait(database)
            try province.execute("COMMIT")
            let (status, stderr) = try approval.result()
            #expect(status == 65 && stderr.contains("extension_request_open_milestone"), "\(stderr)")
            let dates = try Self.milestoneDates(fixture, milestone)
            #expect(dates.done == "2015-03-02")
            #expect(dates.due == "2030-06-28", "a closed milestone's due date was moved")
            #expect(try Self.requestState(fixture, request) == "lapsed")
        }
    }

    /// The other order: the approval holds its transaction, the acceptance waits for it and then
    /// closes the milestone with the due date it moved — as if one had come after the other.
    @Test func anAcceptanceWaitsForAnApprovalInProgress() throws {
        try ProgrammeFixture.with { fixture in
            let (milestone, request, completion) = try Self.pendingBoth(fixture)
            let province = try fixture.acting("JL")
            try province.execute("BEGIN")
            try province.execute("UPDATE reloc.extension_request SET state = 'approved' WHERE id = \(request)")
            let database = fixture.database
            let acceptance = Background {
                let outcome = try RelocCLI.run(
                    ["--as", "JL", "review", "accept", "\(completion!)"], database: database)
                return (outcome.status, outcome.stderr)
            }
            try Self.waitForALockWait(database)
            try province.execute("COMMIT")
            let (status, stderr) = try acceptance.result()
            #expect(status == 0, "\(stderr)")
            let dates = try Self.milestoneDates(fixture, milestone)
            #expect(dates.done == "2015-03-02" && dates.due == "2030-09-30", "\(dates)")
            #expect(try Self.requestState(fixture, request) == "approved")
        }
    }

    /// A session already holds the milestone when the province starts approving its extension (the
    /// approval holds the request and waits for the milestone); that session now closes the
    /// milestone: refused in words at once (no deadlock, no moved due date on a closed milestone);
    /// once it gives up, the approval goes through.
    @Test func aCloseWhileTheExtensionIsBeingDecidedIsRefused() throws {
        try ProgrammeFixture.with { fixture in
            let (milestone, request, _) = try Self.pendingBoth(fixture, completion: false)
            let holder = try fixture.acting("JL")
            try holder.execute("BEGIN")
            try holder.execute("UPDATE reloc.milestone SET note = '督办' WHERE id = \(milestone)")
            let database = fixture.database
            let approval = Background {
                let outcome = try RelocCLI.run(
                    ["--as", "JL", "extension", "approve", "\(request)"], database: database)
                return (outcome.status, outcome.stderr)
            }
            try Self.waitForALockWait(database)
            expectSQLState("23514", constraint: "milestone_close_extension_deciding") {
                try holder.execute("UPDATE reloc.milestone SET done_on = '2015-03-02' WHERE id = \(milestone)")
            }
            try holder.execute("ROLLBACK")
            let (status, stderr) = try approval.result()
            #expect(status == 0, "\(stderr)")
            let dates = try Self.milestoneDates(fixture, milestone)
            #expect(dates.done == nil && dates.due == "2030-09-30", "\(dates)")
        }
    }

    /// The province closing directly a milestone whose completion is under review: refused with
    /// words naming the submission (CLI, raw SQL as the province, even the superuser); answered
    /// (returned), the province closes it.
    @Test func aCompletionUnderReviewIsAnsweredBeforeAClose() throws {
        try ProgrammeFixture.with { fixture in
            let (milestone, _, completion) = try Self.pendingBoth(fixture)
            let direct = try fixture.cli(["--as", "JL", "milestone", "done", "\(milestone)", "--on", "2015-04-01"])
            #expect(
                direct.status == 65 && direct.stderr.contains("milestone_done_under_review")
                    && direct.stderr.contains("completion \(completion!)"), "\(direct.stderr)")
            for connection in [try fixture.acting("JL"), try fixture.admin()] {
                expectSQLState("23514", constraint: "milestone_done_under_review") {
                    try connection.execute(
                        "UPDATE reloc.milestone SET done_on = '2015-04-01', note = 'x' WHERE id = \(milestone)")
                }
            }
            #expect(try Self.milestoneDates(fixture, milestone).done == nil)
            #expect(
                try fixture.cli(["--as", "JL", "review", "return", "\(completion!)", "--reason", "佐证不全"]).status == 0)
            let closed = try fixture.cli(["--as", "JL", "milestone", "done", "\(milestone)", "--on", "2015-04-01"])
            #expect(closed.status == 0, "\(closed.stderr)")
            #expect(try Self.milestoneDates(fixture, milestone).done == "2015-04-01")
        }
    }

    /// A pending extension request lapses when its milestone is closed (by the acceptance, by a
    /// direct close): stamped, listed as such, never decided afterwards, never set by a role.
    /// A step closes a milestone whose kind changes to one the step measures (milestone_step_link,
    /// a BEFORE trigger): that is a close too. Hostile review: the checks fired on `UPDATE OF
    /// done_on` only, so the completion stayed unanswered and the extension pending on a closed
    /// milestone.
    @Test func aCloseByAChangedKindAnswersPendingRequestsToo() throws {
        try ProgrammeFixture.with { fixture in
            for (step, on) in [("consultation", "2014-12-10"), ("risk-assessed", "2014-12-15")] {
                let advanced = try fixture.cli(["--as", "CC", "plan", "advance", "CC-KC", "--to", step, "--on", on])
                #expect(advanced.status == 0, "\(advanced.stderr)")
            }
            let (reviewed, _, _) = try Self.pendingBoth(fixture)
            let refused = try fixture.cli(["--as", "JL", "milestone", "edit", "\(reviewed)", "--kind", "risk-assessed"])
            #expect(
                refused.status == 65 && refused.stderr.contains("milestone_done_under_review"), "\(refused.stderr)")
            #expect(try Self.milestoneDates(fixture, reviewed).done == nil)
            let (lapsing, request, _) = try Self.pendingBoth(fixture, completion: false)
            try fixture.acting("JL").execute("UPDATE reloc.milestone SET kind = 'risk-assessed' WHERE id = \(lapsing)")
            #expect(try Self.milestoneDates(fixture, lapsing).done == "2014-12-15")
            #expect(try Self.requestState(fixture, request) == "lapsed")
        }
    }

    /// A direct close in a REPEATABLE READ transaction whose snapshot is older than a request
    /// committed meanwhile in another session (an extension asked, a completion submitted): the
    /// request writes the milestone's row, so the close fails with a serialization error (40001,
    /// the CLI's 75: try again) instead of closing past a request it never saw — hostile review:
    /// the request only locked the row, and the close left the completion 待审核 or the extension
    /// pending on a closed milestone. Tried again (a new snapshot), the close sees the request.
    @Test(arguments: ["extension", "completion"])
    func aRepeatableReadCloseDoesNotSkipANewRequest(request: String) throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try ExtensionRequestTests.milestone(fixture)
            let closer = try fixture.acting("JL")
            try closer.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            // The snapshot is taken by the first statement, before the request.
            #expect(
                try closer.query("SELECT count(*) FROM reloc.milestone WHERE id = \(milestone)").scalar(Int.self) == 1)
            var asked: Int64?
            if request == "extension" {
                asked = try ExtensionRequestTests.id(
                    try ExtensionRequestTests.request(fixture, milestone, to: "2030-09-30"))
            } else {
                _ = try CompletionReviewTests.submissionID(
                    try fixture.cli([
                        "--as", "CC", "milestone", "done", "\(milestone)", "--on", "2015-03-02", "--evidence",
                        "长府办〔2015〕3号",
                    ]))
            }
            expectSQLState("40001") {
                try closer.execute("UPDATE reloc.milestone SET done_on = '2015-04-01' WHERE id = \(milestone)")
            }
            try closer.execute("ROLLBACK")
            #expect(try Self.milestoneDates(fixture, milestone).done == nil)
            // Tried again: the close sees the request (refused in words, or the request lapses).
            try closer.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            if let asked {
                try closer.execute("UPDATE reloc.milestone SET done_on = '2015-04-01' WHERE id = \(milestone)")
                try closer.execute("COMMIT")
                #expect(try Self.requestState(fixture, asked) == "lapsed")
            } else {
                expectSQLState("23514", constraint: "milestone_done_under_review") {
                    try closer.execute("UPDATE reloc.milestone SET done_on = '2015-04-01' WHERE id = \(milestone)")
                }
                try closer.execute("ROLLBACK")
                #expect(try Self.milestoneDates(fixture, milestone).done == nil)
            }
        }
    }

    @Test func aPendingExtensionLapsesWhenTheMilestoneIsClosed() throws {
        try ProgrammeFixture.with { fixture in
            // Closed by the acceptance (销号).
            let (accepted, acceptedRequest, completion) = try Self.pendingBoth(fixture)
            #expect(try fixture.cli(["--as", "JL", "review", "accept", "\(completion!)"]).status == 0)
            // Closed directly by the province (no completion submitted).
            let (closed, closedRequest, _) = try Self.pendingBoth(fixture, completion: false)
            #expect(
                try fixture.cli(["--as", "JL", "milestone", "done", "\(closed)", "--on", "2015-05-04"]).status == 0)
            for (milestone, request) in [(accepted, acceptedRequest), (closed, closedRequest)] {
                let row = try fixture.admin().query(
                    """
                    SELECT state, decided_to::text, decided_by, decided_at IS NOT NULL, decision_note
                    FROM reloc.extension_request WHERE id = \(request)
                    """
                ).decode((String, String?, String?, Bool, String?).self)
                #expect(row[0].0 == "lapsed" && row[0].1 == nil && row[0].2 != nil && row[0].3, "\(row)")
                #expect(row[0].4?.contains("closed on") == true, "\(row)")
                #expect(try Self.milestoneDates(fixture, milestone).due == "2030-06-28")
                for decision in [
                    ["--as", "JL", "extension", "approve", "\(request)"],
                    ["--as", "JL", "extension", "reject", "\(request)", "--note", "已办结"],
                ] {
                    let late = try fixture.cli(decision)
                    #expect(
                        late.status == 65 && late.stderr.contains("extension_request_open_milestone"), "\(late.stderr)")
                }
                expectSQLState("23514", constraint: "extension_request_open_milestone") {
                    try fixture.acting("JL").execute(
                        "UPDATE reloc.extension_request SET state = 'approved' WHERE id = \(request)")
                }
            }
            let listed = try fixture.cli(["extension", "list", "--format", "csv"])
            #expect(listed.stdout.contains(",lapsed,"), "\(listed.stdout)")
            let human = try fixture.cli(["extension", "list"])
            #expect(human.stdout.contains("已失效"), "\(human.stdout)")
            // Only the database lapses a request: not the province, not by a raw UPDATE.
            let pending = try ExtensionRequestTests.milestone(fixture)
            let open = try ExtensionRequestTests.id(
                try ExtensionRequestTests.request(fixture, pending, to: "2030-09-30"))
            expectSQLState("23514", constraint: "extension_request_lapsed") {
                try fixture.acting("JL").execute(
                    "UPDATE reloc.extension_request SET state = 'lapsed', decision_note = 'x' WHERE id = \(open)")
            }
            #expect(try Self.requestState(fixture, open) == "pending")
        }
    }

    /// `evaluation compute|adjust|publish --year 99999999999` once said "integer out of range": the
    /// year is checked against the rule first, through the CLI and as raw SQL; `evaluation list
    /// --year` of such a year once answered an empty list: it gives the rule too.
    @Test func anEvaluationYearOutOfRangeIsTheRulesWords() throws {
        try ProgrammeFixture.with { fixture in
            // A year in range lists (nothing computed yet), as the province and as a city.
            for code in ["JL", "CC"] {
                let listed = try fixture.cli(["--as", code, "evaluation", "list", "--year", "2015", "--format", "csv"])
                #expect(listed.status == 0, "\(listed.stderr)")
            }
            for year in ["99999999999", "2013", "2101"] {
                for arguments in [
                    ["evaluation", "compute", "--year", year],
                    ["evaluation", "adjust", "CC", "--year", year, "--rating", "好", "--reason", "复核"],
                    ["evaluation", "publish", "--year", year],
                    ["evaluation", "list", "--year", year],
                ] {
                    let outcome = try fixture.cli(["--as", "JL"] + arguments)
                    #expect(
                        outcome.status == 65 && outcome.stderr.contains("evaluation_year_range"),
                        "\(arguments): \(outcome.stderr)")
                }
                for statement in [
                    "SELECT reloc.evaluation_compute(\(year))",
                    "SELECT reloc.evaluation_adjust('CC', \(year), 'good', '复核')",
                    "SELECT reloc.evaluation_publish(\(year))",
                    "SELECT count(*) FROM reloc.evaluation_figures(\(year))",
                ] {
                    expectSQLState("23514", constraint: "evaluation_year_range") {
                        try fixture.acting("JL").execute(SQLQuery(unsafeSQL: statement))
                    }
                }
            }
            // A year of the programme still computes.
            #expect(try fixture.cli(["--as", "JL", "evaluation", "compute", "--year", "2015"]).status == 0)
        }
    }
}

/// Runs `body` on its own thread; `result()` waits for it.
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        let thread = Thread { [self] in
            outcome = Result { try body() }
            done.signal()
        }
        thread.start()
    }

    func result() throws -> T {
        done.wait()
        return try outcome!.get()
    }
}
