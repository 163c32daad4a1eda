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
}
