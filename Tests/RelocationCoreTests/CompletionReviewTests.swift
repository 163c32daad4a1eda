import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Completion review (办结审核, 销号, 退办; issue 15): for the milestones the province reviews (kinds,
/// and task milestones), `milestone done` by another body submits the completion with evidence; the
/// milestone is under review, still open, until the province accepts (closed on the day submitted)
/// or returns it. Only the province decides, once.
@Suite("Completion review (办结审核)")
struct CompletionReviewTests {
    static func state(_ fixture: ProgrammeFixture, _ milestone: Int64, asOf: String = "2030-01-02") throws -> String {
        let shown = try fixture.cli(["milestone", "list", "--plan", "CC-KC", "--as-of", asOf, "--format", "json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let rows = try #require(
            try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [[String: Any]])
        let row = try #require(rows.first { ($0["id"] as? Int).map(Int64.init) == milestone })
        return try #require(row["state"] as? String)
    }

    static func doneOn(_ fixture: ProgrammeFixture, _ milestone: Int64) throws -> String? {
        try fixture.admin().query("SELECT done_on::text FROM reloc.milestone WHERE id = \(milestone)").decode(
            String?.self
        )
        .first!
    }

    static func submissionID(_ outcome: RelocCLI.Outcome) throws -> Int64 {
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("submitted for review"), "\(outcome.stdout)")
        let digits = outcome.stdout.split(separator: "completion ").last.map { $0.filter(\.isNumber) } ?? ""
        return try #require(Int64(digits))
    }

    @Test func doneBecomesASubmissionTheProvinceAcceptsOrReturns() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try ExtensionRequestTests.milestone(fixture)
            // Evidence is required.
            let bare = try fixture.cli(["--as", "CC", "milestone", "done", "\(milestone)"])
            #expect(bare.status == 65 && bare.stderr.contains("completion_review_evidence"), "\(bare.stderr)")
            let first = try Self.submissionID(
                try fixture.cli(
                    [
                        "--as", "CC", "milestone", "done", "\(milestone)", "--on", "2015-03-02", "--evidence",
                        "长府办〔2015〕3号",
                    ]))
            #expect(try Self.doneOn(fixture, milestone) == nil)
            #expect(try Self.state(fixture, milestone) == "under-review")
            #expect(
                try fixture.admin().query("SELECT reloc.milestone_light(\(milestone), '2030-07-15')").scalar(
                    String.self)
                    == "yellow", "not red for lateness while under review")
            // One at a time.
            let again = try fixture.cli(["--as", "CC", "milestone", "done", "\(milestone)", "--evidence", "x"])
            #expect(again.status == 65 && again.stderr.contains("completion_review_one_pending"), "\(again.stderr)")
            // Listed for the province.
            let listed = try fixture.cli(["review", "list", "--format", "json"])
            #expect(listed.stdout.contains("\"id\": \(first)"), "\(listed.stdout)")

            // 退办: open again, the due date unchanged.
            let noReason = try fixture.cli(["--as", "JL", "review", "return", "\(first)", "--reason", " "])
            #expect(noReason.status == 65, "\(noReason.stderr)")
            let returned = try fixture.cli(["--as", "JL", "review", "return", "\(first)", "--reason", "佐证材料不全"])
            #expect(returned.status == 0, "\(returned.stderr)")
            #expect(try Self.doneOn(fixture, milestone) == nil)
            #expect(try Self.state(fixture, milestone) == "open")
            #expect(try ExtensionRequestTests.dueOn(fixture, milestone) == "2030-06-28")

            // Submitted again, then 销号: closed on the day submitted.
            let second = try Self.submissionID(
                try fixture.cli(
                    [
                        "--as", "CC", "milestone", "done", "\(milestone)", "--on", "2015-04-01", "--evidence",
                        "长府办〔2015〕9号",
                        "长府办〔2015〕10号",
                    ]))
            let accepted = try fixture.cli(["--as", "JL", "review", "accept", "\(second)"])
            #expect(accepted.status == 0, "\(accepted.stderr)")
            #expect(try Self.doneOn(fixture, milestone) == "2015-04-01")
            #expect(try Self.state(fixture, milestone) == "done")
            // Decided once.
            let twice = try fixture.cli(["--as", "JL", "review", "return", "\(second)", "--reason", "x"])
            #expect(twice.status == 65 && twice.stderr.contains("completion_review_decided"), "\(twice.stderr)")
            expectSQLState("23514", constraint: "completion_review_decided") {
                try fixture.acting("JL").execute(
                    "UPDATE reloc.completion_review SET state = 'returned', decision_note = 'x' WHERE id = \(second)")
            }
            expectSQLState("23514", constraint: "completion_review_decided") {
                try fixture.admin().execute("DELETE FROM reloc.completion_review WHERE id = \(first)")
            }
            // What the province struck off stays struck off for the city (hostile review): not
            // through the CLI, not by a raw UPDATE; the province may reopen it.
            let reopened = try fixture.cli(["--as", "CC", "milestone", "reopen", "\(milestone)"])
            #expect(
                reopened.status == 65 && reopened.stderr.contains("milestone_reopen_reviewed"), "\(reopened.stderr)")
            expectSQLState("23514", constraint: "milestone_reopen_reviewed") {
                try fixture.acting("CC").execute("UPDATE reloc.milestone SET done_on = NULL WHERE id = \(milestone)")
            }
            #expect(try Self.state(fixture, milestone) == "done")
            let byProvince = try fixture.cli(["--as", "JL", "milestone", "reopen", "\(milestone)"])
            #expect(byProvince.status == 0, "\(byProvince.stderr)")
        }
    }

    /// The province's deadline (review_by) is counted on the programme's calendar, the database's
    /// zone, whatever zone the submitting session reads dates in (hostile review, 2026-12-02: a
    /// session's reloc.timezone moved the deadline by a working day).
    @Test func theReviewDeadlineIsCountedInTheProgrammesZone() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            // The database's zone UTC+14 and the session's UTC−12: their dates always differ.
            try admin.execute(
                SQLQuery(unsafeSQL: "ALTER DATABASE \"\(fixture.database)\" SET reloc.timezone = 'Etc/GMT-14'"))
            // Every day around now a working day, so that a day's difference shows in the deadline.
            try admin.execute("DELETE FROM reloc.calendar_day WHERE day BETWEEN current_date - 5 AND current_date + 15")
            try admin.execute(
                """
                INSERT INTO reloc.calendar_day (day, kind, name)
                SELECT d::date, 'workday', '测试调休' FROM generate_series(current_date - 5, current_date + 15, interval '1 day') d
                WHERE extract(isodow FROM d) IN (6, 7)
                """)
            let milestone = try ExtensionRequestTests.milestone(fixture)
            let id = try Self.submissionID(
                try fixture.cli(
                    [
                        "--as", "CC", "milestone", "done", "\(milestone)", "--on", "2015-03-02", "--evidence",
                        "长府办〔2015〕3号",
                    ], environment: ["RELOC_TIMEZONE": "Etc/GMT+12"]))
            let deadline = try admin.query(
                """
                SELECT review_by::text AS stamped,
                       reloc.add_working_days((requested_at AT TIME ZONE 'Etc/GMT-14')::date,
                                              (SELECT review_within FROM reloc.supervision_setting)::integer)::text AS programme
                FROM reloc.completion_review WHERE id = \(id)
                """
            ).rows.first
            #expect(
                deadline?["stamped"] != nil && deadline?["stamped"] == deadline?["programme"],
                "\(String(describing: deadline))")
        }
    }

    @Test func nobodyButTheProvinceClosesOrAcceptsAReviewedMilestone() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try ExtensionRequestTests.milestone(fixture)
            // The owner's city cannot close it behind the review's back.
            expectSQLState("23514", constraint: "milestone_done_reviewed") {
                try fixture.acting("CC").execute(
                    "UPDATE reloc.milestone SET done_on = '2015-01-05' WHERE id = \(milestone)")
            }
            expectSQLState("23514", constraint: "milestone_done_reviewed") {
                try fixture.acting("CC").execute(
                    """
                    INSERT INTO reloc.milestone (title, due_on, plan_id, done_on)
                    SELECT 'x', '2030-06-28', id, '2015-01-05' FROM reloc.plan WHERE code = 'CC-KC'
                    """)
            }
            let submission = try Self.submissionID(
                try fixture.cli(["--as", "CC", "milestone", "done", "\(milestone)", "--evidence", "长府办〔2015〕3号"]))
            // Nor accept its own: CLI 77, raw SQL 42501 (the decision's columns are the province's).
            let own = try fixture.cli(["--as", "CC", "review", "accept", "\(submission)"])
            #expect(own.status == 77, "\(own.stderr)")
            expectSQLState("42501") {
                try fixture.acting("CC").execute(
                    "UPDATE reloc.completion_review SET state = 'accepted' WHERE id = \(submission)")
            }
            expectSQLState("42501") {
                try fixture.acting("CC").execute(
                    "UPDATE reloc.completion_review SET done_on = '2015-01-01', evidence = '{x}' WHERE id = \(submission)"
                )
            }
            // The province decides only the decision.
            expectSQLState("42501") {
                try fixture.acting("JL").execute(
                    "UPDATE reloc.completion_review SET state = 'accepted', done_on = '2015-01-01' WHERE id = \(submission)"
                )
            }
            // A forged submission: decision columns are not granted.
            expectSQLState("42501") {
                try fixture.acting("CC").execute(
                    "INSERT INTO reloc.completion_review (milestone_id, done_on, evidence, state) VALUES (\(milestone), '2015-01-01', '{x}', 'accepted')"
                )
            }
            // 通化 may not submit 长春's.
            let stranger = try fixture.cli(["--as", "TH", "milestone", "done", "\(milestone)", "--evidence", "x"])
            #expect(stranger.status == 77, "\(stranger.stderr)")
            // The province closes a reviewed milestone directly.
            let direct = try ExtensionRequestTests.milestone(fixture)
            let closed = try fixture.cli(["--as", "JL", "milestone", "done", "\(direct)", "--on", "2015-01-05"])
            #expect(closed.status == 0 && closed.stdout.contains("done"), "\(closed.stdout)\(closed.stderr)")
            #expect(try Self.doneOn(fixture, direct) == "2015-01-05")
        }
    }

    @Test func theProvinceChoosesWhatIsReviewedStepsNever() throws {
        try ProgrammeFixture.with { fixture in
            // Task 3's milestone (any kind) is reviewed by default: 省工业信息化厅 submits it.
            let added = try fixture.cli(
                [
                    "--as", "JL-GXT", "milestone", "add", "--task", "3", "--kind", "approved", "--title", "政策出台",
                    "--due", "2030-06-28", "--format", "json",
                ])
            let taskMilestone = try ExtensionRequestTests.id(added)
            _ = try Self.submissionID(
                try fixture.cli([
                    "--as", "JL-GXT", "milestone", "done", "\(taskMilestone)", "--evidence", "吉工信〔2015〕1号",
                ]))
            // Only the province sets the reviewed kinds.
            let city = try fixture.cli(["--as", "CC", "review", "kinds", "set", "custom", "--no-tasks"])
            #expect(city.status == 77, "\(city.stderr)")
            expectSQLState("42501") {
                try fixture.acting("CC").execute("DELETE FROM reloc.review_kind")
            }
            // No kind, no task milestones: 长春 closes its custom milestone itself.
            let set = try fixture.cli(["--as", "JL", "review", "kinds", "set", "--no-tasks"])
            #expect(set.status == 0, "\(set.stderr)")
            let shown = try fixture.cli(["review", "kinds", "--format", "csv"])
            #expect(shown.stdout.contains("custom,false") && shown.stdout.contains("tasks,false"), "\(shown.stdout)")
            let custom = try ExtensionRequestTests.milestone(fixture)
            let closed = try fixture.cli(["--as", "CC", "milestone", "done", "\(custom)", "--on", "2015-01-05"])
            #expect(closed.status == 0 && !closed.stdout.contains("review"), "\(closed.stdout)\(closed.stderr)")
            #expect(try Self.doneOn(fixture, custom) == "2015-01-05")
            // A kind a recorded step closes is never reviewed (the step is the evidence), even if named.
            #expect(try fixture.cli(["--as", "JL", "review", "kinds", "set", "plan-compiled", "custom"]).status == 0)
            let siping = try fixture.milestone(plan: "SP-TD")
            let stepKind = try fixture.cli(["--as", "SP", "milestone", "done", "\(siping)", "--on", "2014-12-10"])
            #expect(stepKind.status == 0 && !stepKind.stdout.contains("review"), "\(stepKind.stdout)\(stepKind.stderr)")
        }
    }

    @Test func underReviewIsNotChasedAndOnlyAnAcceptedCompletionIsDone() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try ExtensionRequestTests.milestone(fixture)
            let admin = try fixture.admin()
            // Chased: the owner's reminders and escalations (the province's 待审核 item is no chase).
            let due = """
                SELECT count(*) FROM reloc.reminders_due('2030-07-15')
                WHERE milestone_id = \(milestone) AND occurrence NOT LIKE 'review-%'
                """
            #expect(try admin.query(SQLQuery(unsafeSQL: due)).scalar(Int64.self) > 0)
            let submission = try Self.submissionID(
                try fixture.cli(["--as", "CC", "milestone", "done", "\(milestone)", "--evidence", "长府办〔2015〕3号"]))
            #expect(try admin.query(SQLQuery(unsafeSQL: due)).scalar(Int64.self) == 0)
            // Not done in any count until accepted; returned, it is chased again.
            let overdue = try fixture.cli([
                "milestone", "list", "--overdue", "--as-of", "2030-07-15", "--format", "csv",
            ])
            #expect(!overdue.stdout.contains("\n\(milestone),"), "\(overdue.stdout)")
            #expect(
                try fixture.cli(["--as", "JL", "review", "return", "\(submission)", "--reason", "未完成"]).status == 0)
            #expect(try admin.query(SQLQuery(unsafeSQL: due)).scalar(Int64.self) > 0)
        }
    }

    /// 待审核: a completion waiting review_within working days (default 2) is an item of the
    /// province's digest, labelled as such, once per submission.
    @Test func theProvinceIsRemindedOfCompletionsWaiting() throws {
        try ProgrammeFixture.with { fixture in
            let milestone = try ExtensionRequestTests.milestone(fixture)
            let submission = try Self.submissionID(
                try fixture.cli(["--as", "CC", "milestone", "done", "\(milestone)", "--evidence", "长府办〔2015〕3号"]))
            let admin = try fixture.admin()
            let days = try admin.query(
                """
                SELECT reloc.add_working_days(reloc.today(), 1)::text, reloc.add_working_days(reloc.today(), 2)::text
                """
            ).decode((String, String).self).first!
            let toProvince = """
                SELECT count(*) FROM reloc.reminders_due(%@::date) d JOIN reloc.organisation o ON o.id = d.recipient_id
                WHERE d.milestone_id = \(milestone) AND o.kind = 'province' AND d.occurrence = 'review-\(submission)'
                """
            func due(_ day: String) throws -> Int64 {
                try admin.query(SQLQuery(unsafeSQL: toProvince.replacingOccurrences(of: "%@", with: "'\(day)'")))
                    .scalar(Int64.self)
            }
            #expect(try due(days.0) == 0, "one working day is not yet review_within")
            #expect(try due(days.1) == 1)
            // Composed into the province's digest as 待审核.
            _ = try admin.query(SQLQuery(unsafeSQL: "SELECT * FROM reloc.remind_run('\(days.1)')"))
            let json = try admin.query(
                """
                SELECT m.digest::text FROM reloc.reminder_message m JOIN reloc.organisation o ON o.id = m.recipient_id
                WHERE o.kind = 'province' ORDER BY m.id DESC LIMIT 1
                """
            ).scalar(String.self)
            let digest = try JSONDecoder().decode(ReminderDigest.self, from: Data(json.utf8))
            let item = try #require(digest.items.first { $0.milestoneID == milestone })
            #expect(item.awaitingReview && item.stage == .awaitingReview)
            let body = DigestText.body(digest)
            #expect(body.contains("待审核") && body.contains("review accept"), "\(body)")
            // Once per submission: the next run plans nothing new for it.
            let again = try admin.query(
                SQLQuery(unsafeSQL: "SELECT planned FROM reloc.remind_run('\(days.1)')")
            ).scalar(Int64.self)
            #expect(again == 0)
        }
    }
}
