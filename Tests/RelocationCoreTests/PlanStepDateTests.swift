import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// A plan's steps are dated in order and not in the future, and advancing to the status a plan
/// already has is no step (plan_status_dates, plan_status_order; §四(一)).
@Suite("Plan steps are dated in order")
struct PlanStepDateTests {
    @Test func aStepBeforeTheLastOrInTheFutureIsRefused() throws {
        try ProgrammeFixture.with { fixture in
            func advance(_ to: String, on date: String?, as code: String = "SP") throws -> RelocCLI.Outcome {
                try fixture.cli(
                    ["--as", code, "plan", "advance", "SP-TD", "--to", to] + (date.map { ["--on", $0] } ?? []))
            }
            #expect(try advance("consultation", on: "2014-10-01").status == 0)
            let backwards = try advance("risk-assessed", on: "2014-09-01")
            #expect(backwards.status == 65, "\(backwards.stderr)")
            #expect(backwards.stderr.contains("plan_status_dates"))
            #expect(backwards.stderr.contains("2014-10-01"))
            let future = try advance("risk-assessed", on: "2999-01-01")
            #expect(future.status == 65)
            #expect(future.stderr.contains("plan_status_dates"))
            let again = try advance("consultation", on: nil)
            #expect(again.status == 65, "\(again.stderr)")
            #expect(again.stderr.contains("plan_status_order"))
            #expect(again.stderr.contains("already consultation"))
            let sp = try fixture.acting("SP")
            expectSQLState("23514", constraint: "plan_status_dates") {
                try sp.execute("SELECT reloc.advance_plan('SP-TD', 'risk-assessed', NULL, '2014-09-30')")
            }
            expectSQLState("23514", constraint: "plan_status_dates") {
                try sp.execute("SELECT reloc.advance_plan('SP-TD', 'risk-assessed', NULL, reloc.today() + 1)")
            }
            expectSQLState("23514", constraint: "plan_status_order") {
                try sp.execute("SELECT reloc.advance_plan('SP-TD', 'consultation')")
            }
            expectSQLState("23514", constraint: "plan_status_order") {
                try sp.execute("UPDATE reloc.plan SET status = 'consultation' WHERE code = 'SP-TD'")
            }
            // The same day as the last step, and today, are fine.
            #expect(try advance("risk-assessed", on: "2014-10-01").status == 0)
            #expect(try advance("approved", on: nil, as: "JL").status == 65)  // needs its document
            #expect(
                try fixture.cli(["--as", "SP", "plan", "advance", "SP-TD", "--to", "approved", "--doc", "四政函〔2015〕1号"])
                    .status == 0)
            #expect(
                try fixture.admin().query(
                    "SELECT count(*) FROM reloc.plan_status_change c JOIN reloc.plan p ON p.id = c.plan_id WHERE p.code = 'SP-TD'"
                ).scalar(Int.self) == 3)
            // Another city's plan is still "not yours" (77), whatever the status named.
            #expect(try fixture.cli(["--as", "CC", "plan", "advance", "SP-TD", "--to", "approved"]).status == 77)
        }
    }

    /// The deadlines are the province's (§三); an approval is recorded by the approval step.
    @Test func deadlinesAreTheProvincesAndApprovalComesWithTheStep() throws {
        try ProgrammeFixture.with { fixture in
            let city = try fixture.cli(["--as", "SP", "plan", "edit", "SP-TD", "--compile-by", "2015-06-30"])
            #expect(city.status == 77, "\(city.stderr)")
            #expect(city.stderr.contains("only the province sets or moves plan SP-TD's deadlines"), "\(city.stderr)")
            let province = try fixture.cli(["--as", "JL", "plan", "edit", "SP-TD", "--compile-by", "2015-06-30"])
            #expect(province.status == 0, "\(province.stderr)")
            expectSQLState("23514", constraint: "plan_approval_at_approval") {
                try fixture.acting("SP").execute(
                    "UPDATE reloc.plan SET approval_doc = '四政发〔2015〕3号' WHERE code = 'SP-TD'")
            }
            expectSQLState("42501") {
                try fixture.acting("SP").execute(
                    "UPDATE reloc.plan SET basic_completion_by = '2030-12-31' WHERE code = 'SP-TD'")
            }
        }
    }
}
