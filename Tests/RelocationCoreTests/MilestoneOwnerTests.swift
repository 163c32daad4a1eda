import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// A milestone's owner may report on it and close it, so the owner must be one the milestone
/// concerns: the city or district of a plan or enterprise, a department assigned to a task, the
/// city or district of a vacated site — or the province.
@Suite("A milestone's owner is one it concerns")
struct MilestoneOwnerTests {
    func add(_ fixture: ProgrammeFixture, as code: String, _ attachment: [String], owner: String) throws
        -> RelocCLI.Outcome
    {
        try fixture.cli(
            ["--as", code, "milestone", "add", "--title", "节点", "--due", "2015-06-30", "--owner", owner] + attachment)
    }

    @Test func aCityCannotHandItsPlanToAnotherCity() throws {
        try ProgrammeFixture.with { fixture in
            let other = try add(fixture, as: "CC", ["--plan", "CC-KC"], owner: "TH")
            #expect(other.status == 65, "\(other.stderr)")
            #expect(other.stderr.contains("milestone_owner_concerned"))
            #expect(other.stderr.contains("TH"))
            expectSQLState("23514", constraint: "milestone_owner_concerned") {
                try fixture.acting("CC").execute(
                    """
                    INSERT INTO reloc.milestone (title, due_on, plan_id, owner_id)
                    SELECT 'x', '2015-06-30', p.id, o.id FROM reloc.plan p, reloc.organisation o
                    WHERE p.code = 'CC-KC' AND o.code = 'TH'
                    """)
            }
            // Not the province either, nor a department on a plan.
            #expect(try add(fixture, as: "JL", ["--plan", "CC-KC"], owner: "TH").status == 65)
            #expect(try add(fixture, as: "JL", ["--plan", "CC-KC"], owner: "JL-FGW").status == 65)
            // The plan's city, its district and the province may own it.
            for owner in ["CC", "CC-KC", "JL"] {
                let fine = try add(fixture, as: "CC", ["--plan", "CC-KC"], owner: owner)
                #expect(fine.status == 0, "\(owner): \(fine.stderr)")
            }
            // So 通化 never gets report or done rights on 长春's plan.
            let changchun = try fixture.milestone(plan: "CC-KC")
            #expect(try fixture.cli(["--as", "TH", "milestone", "done", "\(changchun)"]).status == 77)
            // The province re-owning an existing milestone is held to the same rule.
            let moved = try fixture.cli(["--as", "JL", "milestone", "edit", "\(changchun)", "--owner", "TH"])
            #expect(moved.status == 65, "\(moved.stderr)")
            expectSQLState("23514", constraint: "milestone_owner_concerned") {
                try fixture.acting("JL").execute(
                    "UPDATE reloc.milestone SET owner_id = (SELECT id FROM reloc.organisation WHERE code = 'TH') WHERE id = \(changchun)"
                )
            }
        }
    }

    @Test func enterpriseAndTaskMilestones() throws {
        try ProgrammeFixture.with { fixture in
            let enterprise = try fixture.admin().query(
                "SELECT id FROM reloc.enterprise WHERE city_id = (SELECT id FROM reloc.organisation WHERE code = 'SP') LIMIT 1"
            ).scalar(Int64.self)
            #expect(try add(fixture, as: "SP", ["--enterprise", "\(enterprise)"], owner: "CC").status == 65)
            #expect(try add(fixture, as: "SP", ["--enterprise", "\(enterprise)"], owner: "SP-TD").status == 0)
            // Task 3: 省工业信息化厅 leads, 省财政厅 is co-responsible; 省科技厅 is not on it.
            let stranger = try add(fixture, as: "JL", ["--task", "3"], owner: "JL-KJT")
            #expect(stranger.status == 65, "\(stranger.stderr)")
            #expect(stranger.stderr.contains("milestone_owner_concerned"))
            expectSQLState("23514", constraint: "milestone_owner_concerned") {
                try fixture.acting("JL-GXT").execute(
                    """
                    INSERT INTO reloc.milestone (title, due_on, task_id, owner_id)
                    SELECT 'x', '2015-06-30', t.id, o.id FROM reloc.task t, reloc.organisation o
                    WHERE t.number = 3 AND o.code = 'SP'
                    """)
            }
            #expect(try add(fixture, as: "JL-GXT", ["--task", "3"], owner: "JL-CZT").status == 0)
            // Task 14 was assigned to 省国土资源厅: it and its successor may own its milestones.
            #expect(try add(fixture, as: "JL", ["--task", "14"], owner: "JL-GTT").status == 0)
            #expect(try add(fixture, as: "JL", ["--task", "14"], owner: "JL-ZRT").status == 0)
        }
    }

    @Test func siteMilestones() throws {
        try LandFixture.with { fixture in
            let site = try SiteReleaseTests.addSite(fixture)
            func add(as code: String, owner: String) throws -> RelocCLI.Outcome {
                try fixture.cli([
                    "--as", code, "milestone", "add", "--site", "\(site)", "--title", "地块节点", "--due", "2016-06-30",
                    "--owner", owner,
                ])
            }
            let other = try add(as: "JLS", owner: "CC")
            #expect(other.status == 65, "\(other.stderr)")
            #expect(other.stderr.contains("milestone_owner_concerned"))
            expectLandRule("milestone_owner_concerned") {
                try fixture.acting("JLS").execute(
                    """
                    INSERT INTO reloc.milestone (title, due_on, site_id, owner_id)
                    SELECT 'x', '2016-06-30', \(site), id FROM reloc.organisation WHERE code = 'CC'
                    """)
            }
            #expect(try add(as: "JLS", owner: "JLS").status == 0)
            #expect(try add(as: "JL", owner: "JL").status == 0)
            // Another city naming itself owner still hears "not yours" (row-level security).
            #expect(try add(as: "CC", owner: "CC").status == 77)
        }
    }
}
