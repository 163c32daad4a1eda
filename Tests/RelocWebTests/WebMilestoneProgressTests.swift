import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc_web

/// The desk's progress form posts through the same store as `reloc milestone progress`: a report
/// on a milestone done is refused in the rule's words (0037, progress_on_open_milestone), nothing
/// recorded.
@Suite("Web desk: progress only on an open milestone")
struct WebMilestoneProgressTests {
    @Test func aReportOnADoneMilestoneIsRefusedInTheRulesWords() async throws {
        try await WebFixture.with { fixture in
            let city = try await fixture.signedIn(try fixture.login("CC-KC"))
            let page = try await city.get("/milestones/1")
            #expect(page.status == 200, "\(page.body)")
            #expect(page.body.contains("action=\"/milestones/1/progress\""))
            let open = try await city.post(
                "/milestones/1/progress", form: [("csrf", page.csrf ?? ""), ("percent", "60"), ("note", "征收过半")])
            #expect(open.status == 303, "an open milestone takes reports: \(open.body)")
            let done = try await city.post(
                "/milestones/1/done", form: [("csrf", page.csrf ?? ""), ("on", "2026-11-30"), ("note", "")])
            #expect(done.status == 303, "\(done.body)")
            // The page of a done milestone offers no form PostgreSQL would refuse; it says why.
            let closed = try await city.get("/milestones/1")
            #expect(!closed.body.contains("action=\"/milestones/1/progress\""), "\(closed.body)")
            #expect(!closed.body.contains("action=\"/milestones/1/done\""))
            #expect(closed.body.contains("不再接受进展报告"))
            let refused = try await city.post(
                "/milestones/1/progress", form: [("csrf", page.csrf ?? ""), ("percent", "70"), ("note", "完成后再报")])
            #expect(refused.status == 422, "\(refused.status) \(refused.body.prefix(400))")
            #expect(refused.body.contains("[rule progress_on_open_milestone]"), "\(refused.body.prefix(400))")
            #expect(
                try fixture.admin().query("SELECT count(*) FROM reloc.progress_report WHERE milestone_id = 1").scalar(
                    Int.self) == 1)
        }
    }

    /// A milestone under review (办结审核) takes reports but not a second completion: its page
    /// offers the progress form only, and says it is under review (second hostile review).
    @Test func aMilestoneUnderReviewOffersTheProgressFormOnly() async throws {
        try await WebFixture.with { fixture in
            let added = try RelocCLI.run(
                [
                    "--as", "CC", "milestone", "add", "--plan", "CC-KC", "--title", "完成征收", "--due", "2030-06-28",
                    "--format", "json",
                ], database: fixture.database)
            let id = try #require(Int64(added.stdout.filter(\.isNumber)), "\(added.stderr)")
            let city = try await fixture.signedIn(try fixture.login("CC"))
            let page = try await city.get("/milestones/\(id)")
            #expect(page.body.contains("action=\"/milestones/\(id)/done\""))
            let submitted = try await city.post(
                "/milestones/\(id)/done",
                form: [("csrf", page.csrf ?? ""), ("on", "2026-11-30"), ("note", ""), ("evidence", "长府办〔2026〕3号")])
            #expect(submitted.status == 303, "\(submitted.body.prefix(400))")
            let underReview = try await city.get("/milestones/\(id)")
            #expect(underReview.body.contains("action=\"/milestones/\(id)/progress\""))
            #expect(!underReview.body.contains("action=\"/milestones/\(id)/done\""), "\(underReview.body)")
            #expect(underReview.body.contains("审核中"))
        }
    }
}
