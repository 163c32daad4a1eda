import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Issue 14, "Bad input": dates out of order, steps skipped, a milestone attached to something that
/// does not exist, a rule for an unknown kind: exit 65 (naming the rule where one is broken), and
/// nothing written.
@Suite("Bad input to steps and milestones")
struct BadStepInputTests {
    @Test func eachIsRefusedWith65AndNothingIsWritten() throws {
        try ProgrammeFixture.with { fixture in
            let admin = try fixture.admin()
            let written: SQLQuery = """
                SELECT (SELECT count(*) FROM reloc.milestone) + (SELECT count(*) FROM reloc.milestone_rule)
                     + (SELECT count(*) FROM reloc.plan_status_change) + (SELECT count(*) FROM reloc.enterprise_status_change)
                     + (SELECT count(*) FROM reloc.status_correction)
                """
            let before = try admin.count(written)
            #expect(
                try fixture.cli([
                    "plan", "advance", "SP-TD", "--to", "consultation", "--on", "2014-12-10", "--as", "SP",
                ])
                .status == 0)
            // Dates out of order; a step skipped; a correction of a step that is not the latest.
            expectCLIRule(
                try fixture.cli([
                    "plan", "advance", "SP-TD", "--to", "risk-assessed", "--on", "2014-12-09", "--as", "SP",
                ]),
                "plan_status_dates")
            expectCLIRule(
                try fixture.cli(["plan", "advance", "SP-TD", "--to", "approved", "--doc", "x", "--as", "JL"]),
                "plan_status_order")
            expectCLIRule(
                try fixture.cli(["enterprise", "advance", "5", "--to", "relocating", "--as", "JL"]),
                "enterprise_status_order")
            expectCLIRule(
                try fixture.cli(["plan", "correct", "SP-TD", "--step", "drafting", "--reason", "x", "--as", "JL"]),
                "status_correction")
            // Attached to nothing that exists.
            for attachment in [["--plan", "NOPE"], ["--enterprise", "99999"], ["--task", "9999"]] {
                let outcome = try fixture.cli(
                    ["milestone", "add"] + attachment + [
                        "--kind", "custom", "--title", "x", "--due", "2015-01-01", "--as", "JL",
                    ])
                #expect(outcome.status == 65, "\(attachment): \(outcome.stderr)")
            }
            // A rule for a kind it cannot be for, or no kind at all.
            for kind in ["approved", "bogus"] {
                expectCLIRule(
                    try fixture.cli(["milestone", "rules", "set", "SP-TD", kind, "--days-after", "30", "--as", "JL"]),
                    "milestone_rule_kind")
            }
            #expect(try admin.count(written) == before + 1, "only the one good step was written")
        }
    }
}
