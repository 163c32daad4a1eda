import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Issue 14: an enterprise registered to relocate gets its milestones from the province's rules
/// per plan (default none, so nothing is invented); and the plan's seven parts (§四(一)) are all
/// settable and shown.
@Suite("Milestone rules per plan; a plan's parts")
struct MilestoneRuleTests {
    @Test func anEnterpriseRegisteredToRelocateGetsTheMilestonesOfItsPlansRules() throws {
        try RegisterFixture.with { fixture in
            let admin = try fixture.admin()
            let kinds = fixture.milestoneKinds
            // No rule: nothing.
            #expect(try kinds(fixture.register()).isEmpty)
            #expect(
                try fixture.cli([
                    "milestone", "rules", "set", "SP-TD", "relocation-completed", "--due", "2018-12-31", "--as", "JL",
                ])
                .status == 0)
            #expect(
                try fixture.cli([
                    "milestone", "rules", "set", "SP-TD", "heritage-surveyed", "--days-after", "90", "--as", "JL",
                ])
                .status == 0)
            let today = try admin.query("SELECT (reloc.today() + 90)::text").scalar(String.self)
            #expect(try kinds(fixture.register()) == ["heritage-surveyed \(today)", "relocation-completed 2018-12-31"])
            // Only for enterprises that relocate.
            #expect(
                try kinds(
                    fixture.register {
                        $0.mode = "close"; $0.park = nil
                    }
                ).isEmpty)
            let listed = try fixture.cli(["milestone", "rules", "list", "--plan", "SP-TD", "--format", "csv"])
            #expect(listed.stdout.contains("SP-TD,heritage-surveyed,90,"), "\(listed.stdout)")
            // Removed: nothing again.
            #expect(
                try fixture.cli(["milestone", "rules", "set", "SP-TD", "heritage-surveyed", "--none", "--as", "JL"])
                    .status == 0)
            #expect(try kinds(fixture.register()) == ["relocation-completed 2018-12-31"])
            // Bad input: an unknown kind, a city, an unknown plan, two ways at once.
            expectCLIRule(
                try fixture.cli(["milestone", "rules", "set", "SP-TD", "approved", "--days-after", "5", "--as", "JL"]),
                "milestone_rule_kind")
            expectCLIRule(
                try fixture.cli(["milestone", "rules", "set", "SP-TD", "approved", "--none", "--as", "JL"]),
                "milestone_rule_kind")
            expectCLIRule(
                try fixture.cli([
                    "milestone", "rules", "set", "SP-TD", "relocation-started", "--days-after", "0", "--as", "JL",
                ]),
                "milestone_rule_when")
            #expect(
                try fixture.cli([
                    "milestone", "rules", "set", "SP-TD", "relocation-started", "--days-after", "5", "--as", "SP",
                ])
                .status == 77)
            #expect(
                try fixture.cli([
                    "milestone", "rules", "set", "XX", "relocation-started", "--days-after", "5", "--as", "JL",
                ])
                .status != 0)
            #expect(
                try fixture.cli([
                    "milestone", "rules", "set", "SP-TD", "relocation-started", "--days-after", "5", "--due",
                    "2016-01-01",
                    "--as", "JL",
                ]).status == 64)
        }
    }

    @Test func mainTasksAndScheduleAreSettableAndShown() throws {
        try ProgrammeFixture.with { fixture in
            let edit = try fixture.cli([
                "plan", "edit", "SP-TD", "--main-tasks", "企业搬迁改造；棚户区改造", "--schedule", "2015年启动，2022年基本完成",
                "--as", "SP",
            ])
            #expect(edit.status == 0, "\(edit.stderr)")
            let shown = try fixture.cli(["plan", "show", "SP-TD", "--format", "json"])
            #expect(shown.stdout.contains("\"main_tasks\": \"企业搬迁改造；棚户区改造\""), "\(shown.stdout)")
            #expect(shown.stdout.contains("\"schedule\": \"2015年启动，2022年基本完成\""), "\(shown.stdout)")
            // The key projects the opinion names, now all in the reference data (§四(六), §四(八)).
            #expect(shown.stdout.contains("§四(六) 四平南北河综合治理工程"), "\(shown.stdout)")
            let liaoyuan = try fixture.cli(["plan", "show", "LY", "--format", "json"])
            #expect(liaoyuan.stdout.contains("§四(八) 辽河北岸香港弘裕城市大型综合体项目"), "\(liaoyuan.stdout)")
            // Loading the data again adds nothing.
            #expect(try fixture.cli(["db", "seed", "jilin-2014"]).status == 0)
            #expect(
                try fixture.admin().query(
                    "SELECT count(*) FROM reloc.plan WHERE key_projects LIKE '%南北河综合治理工程%南北河综合治理工程%'"
                ).scalar(Int.self) == 0)
        }
    }
}
