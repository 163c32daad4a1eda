import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@Suite("Reference data: jilin-2014")
struct SeedTests {
    static let counts: SQLQuery = """
        SELECT (SELECT count(*) FROM reloc.organisation) AS organisations,
               (SELECT count(*) FROM reloc.plan) AS plans,
               (SELECT count(*) FROM reloc.park) AS parks,
               (SELECT count(*) FROM reloc.enterprise) AS enterprises,
               (SELECT count(*) FROM reloc.plan_status_change) AS status_changes,
               (SELECT max(updated_at)::text FROM reloc.enterprise) AS last_update
        """

    @Test func loadsTheDocumentsFactsAndLoadingTwiceChangesNothing() throws {
        try TestDatabase.with(.migrated) { name in
            let first = try RelocCLI.run(["db", "seed", "jilin-2014"], database: name)
            #expect(first.status == 0, "\(first.stderr)")
            let db = try TestDatabase.connect(name)
            let before = try db.query(Self.counts).rows[0].values
            let again = try RelocCLI.run(["db", "seed", "jilin-2014"], database: name)
            #expect(again.status == 0)
            #expect(try db.query(Self.counts).rows[0].values == before)
            let (organisations, plans, parks, enterprises) = try db.query(
                "SELECT (SELECT count(*) FROM reloc.organisation), (SELECT count(*) FROM reloc.plan), (SELECT count(*) FROM reloc.park), (SELECT count(*) FROM reloc.enterprise)"
            ).rows[0].decode((Int, Int, Int, Int).self)
            #expect(plans == 6)
            #expect(parks == 4)
            #expect(enterprises == 13)
            #expect(organisations > 20)
            #expect(
                try db.count(
                    "SELECT count(*) FROM reloc.plan WHERE compile_by = '2014-12-31' AND basic_completion_by = '2022-12-31'"
                ) == 6)
            // The 2018 reform: 省国土资源厅 is succeeded by 省自然资源厅 and keeps its own name.
            #expect(
                try db.query(
                    "SELECT s.name_zh FROM reloc.organisation o JOIN reloc.organisation s ON s.id = o.successor_id WHERE o.name_zh = '省国土资源厅'"
                ).scalar(String.self) == "省自然资源厅")
        }
    }

    @Test func theDemoRegisterShowsInTheCLI() throws {
        try TestDatabase.with(.jilin2014) { name in
            let plans = try RelocCLI.run(["plan", "list", "--format", "json"], database: name)
            #expect(plans.status == 0, "\(plans.stderr)")
            #expect(plans.stdout.contains("\"code\": \"SP-TD\""))
            let table = try RelocCLI.run(["enterprise", "list", "--city", "SP"], database: name)
            #expect(table.status == 0)
            #expect(table.stdout.contains("四平"))
            let csv = try RelocCLI.run(["park", "list", "--format", "csv"], database: name)
            #expect(csv.stdout.hasPrefix("code,name,city,kind"))
        }
    }

    /// Nothing invented: the opinion names the receiving parks but not their kinds, so the seed
    /// leaves kind unknown (NULL); a park added by hand still needs one.
    @Test func theSeededParksHaveNoKindTheOpinionDoesNotGive() throws {
        try TestDatabase.with(.jilin2014) { name in
            let db = try TestDatabase.connect(name)
            #expect(try db.query("SELECT count(*) FROM reloc.park").scalar(Int.self) == 4)
            #expect(try db.query("SELECT count(*) FROM reloc.park WHERE kind IS NOT NULL").scalar(Int.self) == 0)
            let json = try RelocCLI.run(["park", "show", "CC-ZBZZ", "--format", "json"], database: name)
            #expect(json.status == 0 && json.stdout.contains("\"kind\": null"), "\(json.stdout) \(json.stderr)")
            let noKind = try RelocCLI.run(["park", "add", "SP-NEW", "--name", "新园", "--city", "SP"], database: name)
            #expect(noKind.status == 64, "\(noKind.stderr)")
            let recorded = try RelocCLI.run(["park", "edit", "CC-ZBZZ", "--kind", "themed-park"], database: name)
            #expect(recorded.status == 0, "\(recorded.stderr)")
            let bad = try RelocCLI.run(["park", "edit", "CC-ZBZZ", "--kind", "zoo"], database: name)
            #expect(bad.status == 64, "\(bad.stderr)")
            #expect(
                try db.query("SELECT kind FROM reloc.park WHERE code = 'CC-ZBZZ'").scalar(String.self) == "themed-park")
        }
    }
}
