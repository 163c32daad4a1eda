import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Issue 14: §四(二)'s two groups of named enterprises (尽快完成 vs 重点推动开展) are data, and a fact
/// the opinion does not give (listed_in_plan) is unknown, not "no".
@Suite("Enterprise priority and unknown facts")
struct EnterprisePriorityTests {
    @Test func theSeedRecordsTheOpinionsTwoGroupsAndLeavesListingUnknown() throws {
        try RegisterFixture.with { fixture in
            let admin = try fixture.admin()
            let groups = try admin.query(
                """
                SELECT priority, count(*)::bigint, count(listed_in_plan)::bigint FROM reloc.enterprise
                WHERE source_document = '吉政办发〔2014〕29号' GROUP BY priority ORDER BY priority
                """
            ).rows.map {
                (try $0.decode(String?.self, at: 0), try $0.decode(Int64.self, at: 1), try $0.decode(Int64.self, at: 2))
            }
            #expect(groups.count == 2)
            #expect(groups.first.map { $0.0 == "finish-soon" && $0.1 == 5 && $0.2 == 0 } == true, "\(groups)")
            #expect(groups.last.map { $0.0 == "push-start" && $0.1 == 8 && $0.2 == 0 } == true, "\(groups)")

            let soon = try fixture.cli(["enterprise", "list", "--priority", "finish-soon", "--format", "csv"])
            #expect(soon.status == 0, "\(soon.stderr)")
            let names = soon.stdout.split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",")[1] }
            #expect(names == ["长春轨道客车装备", "哈达湾冀东水泥", "一汽四平专用车", "辽源百康药业", "通化金马"], "\(soon.stdout)")
            // The Chinese name of the group reads too.
            let push = try fixture.cli(["enterprise", "list", "--priority", "重点推动开展", "--format", "json"])
            #expect(push.stdout.components(separatedBy: "\"priority\": \"push-start\"").count == 9, "\(push.stdout)")
            #expect(try fixture.cli(["enterprise", "list", "--priority", "urgent"]).status == 64)

            let table = try fixture.cli(["enterprise", "show", "1"])
            #expect(table.stdout.contains("尽快完成") && table.stdout.contains("未知"), "\(table.stdout)")
            let json = try fixture.cli(["enterprise", "show", "1", "--format", "json"])
            #expect(
                json.stdout.contains("\"listed_in_plan\": null")
                    && json.stdout.contains("\"priority\": \"finish-soon\""),
                "\(json.stdout)")
            let listing = try fixture.cli(["enterprise", "list", "--plan", "SP-TD"])
            #expect(listing.stdout.contains("重点推动开展"), "\(listing.stdout)")
        }
    }

    @Test func priorityAndListingAreSetAtRegisterEditAndImport() throws {
        try RegisterFixture.with { fixture in
            let registered = try fixture.cli([
                "enterprise", "register", "--plan", "SP-TD", "--name", "四平优先企业", "--mode", "close", "--priority",
                "push-start", "--as", "SP",
            ])
            let id = try #require(
                Int64(registered.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(registered.stderr)")
            let admin = try fixture.admin()
            func row() throws -> (String?, Bool?) {
                let r = try admin.query("SELECT priority, listed_in_plan FROM reloc.enterprise WHERE id = \(id)").rows[
                    0]
                return (try r.decode(String?.self, at: 0), try r.decode(Bool?.self, at: 1))
            }
            #expect(try row() == ("push-start", nil))
            // `--listed-in-plan` stays the flag it always was (yes); `--no-listed-in-plan` says no.
            for (flag, listed) in [("--listed-in-plan", true), ("--no-listed-in-plan", false)] {
                let other = try fixture.cli([
                    "enterprise", "register", "--plan", "SP-TD", "--name", "四平\(flag)", "--mode", "close", flag,
                    "--as", "SP",
                ])
                let otherId = try #require(
                    Int64(other.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(other.stderr)")
                #expect(
                    try admin.query("SELECT listed_in_plan FROM reloc.enterprise WHERE id = \(otherId)").scalar(
                        Bool.self) == listed)
            }
            #expect(
                try fixture.cli([
                    "enterprise", "edit", "\(id)", "--priority", "finish-soon", "--listed-in-plan", "no", "--as", "SP",
                ]).status == 0)
            #expect(try row() == ("finish-soon", false))
            #expect(
                try fixture.cli([
                    "enterprise", "edit", "\(id)", "--clear", "priority", "--clear", "listed-in-plan", "--as", "SP",
                ]).status == 0)
            #expect(try row() == (nil, nil))
            // Raw SQL as the city: a priority outside the list is the rule's.
            expectSQLState("23514", constraint: "enterprise_priority_check") {
                _ = try fixture.acting("SP").execute("UPDATE reloc.enterprise SET priority = 'urgent' WHERE id = \(id)")
            }

            let header = "plan,name,mode,priority,listed_in_plan"
            func file(_ text: String) throws -> String {
                let path = NSTemporaryDirectory() + "reloc-priority-\(UUID().uuidString).csv"
                try text.write(toFile: path, atomically: true, encoding: .utf8)
                return path
            }
            let bad = try fixture.cli([
                "enterprise", "import", try file("\(header)\nSP-TD,导入甲,close,尽快完成,\nSP-TD,导入乙,close,urgent,是\n"),
                "--as", "SP",
            ])
            #expect(bad.status == 65 && bad.stderr.contains("unknown priority \"urgent\""), "\(bad.stderr)")
            #expect(try admin.count("SELECT count(*) FROM reloc.enterprise WHERE name LIKE '导入%'") == 0)
            let good = try fixture.cli([
                "enterprise", "import", try file("\(header)\nSP-TD,导入甲,close,尽快完成,\nSP-TD,导入乙,close,push-start,是\n"),
                "--as", "SP",
            ])
            #expect(good.status == 0, "\(good.stderr)")
            func imported(_ name: String) throws -> (String?, Bool?) {
                let r = try admin.query("SELECT priority, listed_in_plan FROM reloc.enterprise WHERE name = \(name)")
                    .rows[0]
                return (try r.decode(String?.self, at: 0), try r.decode(Bool?.self, at: 1))
            }
            #expect(try imported("导入甲") == ("finish-soon", nil))
            #expect(try imported("导入乙") == ("push-start", true))
        }
    }
}
