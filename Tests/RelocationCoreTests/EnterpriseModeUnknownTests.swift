import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Issue 14, last item: an enterprise's mode is unknown (null) when the source does not give it —
/// the opinion names thirteen enterprises (§四(二)) without a mode — and what depends on the mode
/// waits for it (rule enterprise_mode_known, migration 0026).
@Suite("Enterprise mode unknown")
struct EnterpriseModeUnknownTests {
    /// An import file of this text, in the temporary folder.
    static func csvFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "reloc-mode-\(UUID().uuidString).csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let opinion = "吉政办发〔2014〕29号"

    @Test func theSeedLeavesTheModeOfTheOpinionsEnterprisesUnknown() throws {
        try RegisterFixture.with { fixture in
            let admin = try fixture.admin()
            #expect(
                try admin.count(
                    "SELECT count(*) FROM reloc.enterprise WHERE source_document = \(Self.opinion) AND mode IS NULL")
                    == 13)
            // Listed as unknown: 未知 in a table (unknown in English), null in JSON, empty in CSV.
            let csv = try fixture.cli(["enterprise", "list", "--mode", "unknown", "--format", "csv"])
            #expect(csv.status == 0, "\(csv.stderr)")
            let lines = csv.stdout.split(whereSeparator: \.isNewline)
            #expect(lines.count == 14, "\(csv.stdout)")
            let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
            let modeColumn = try #require(header.firstIndex(of: "mode"))
            #expect(
                lines.dropFirst().allSatisfy {
                    $0.split(separator: ",", omittingEmptySubsequences: false)[modeColumn].isEmpty
                }, "\(csv.stdout)")
            #expect(try fixture.cli(["enterprise", "list", "--mode", "未知", "--format", "csv"]).stdout == csv.stdout)
            let json = try fixture.cli(["enterprise", "show", "1", "--format", "json"])
            #expect(json.stdout.contains("\"mode\": null"), "\(json.stdout)")
            let table = try fixture.cli(["enterprise", "list", "--plan", "CC-KC"])
            let railCars = try #require(table.stdout.split(separator: "\n").first { $0.contains("长春轨道客车装备") })
            #expect(railCars.contains("未知") && !railCars.contains("异地迁建"), "\(table.stdout)")
            let english = try RelocCLI.run(
                ["enterprise", "list", "--plan", "CC-KC"], database: fixture.database, environment: ["RELOC_LANG": "en"]
            )
            #expect(english.stdout.contains("unknown") && !english.stdout.contains("relocate"), "\(english.stdout)")
            // A known mode is not listed as unknown, and --mode relocate no longer finds the guesses.
            _ = try fixture.register()
            #expect(
                try fixture.cli(["enterprise", "list", "--mode", "unknown", "--format", "csv"]).stdout == csv.stdout)
            let relocating = try fixture.cli(["enterprise", "list", "--mode", "relocate", "--format", "csv"])
            #expect(relocating.stdout.split(whereSeparator: \.isNewline).count == 2, "\(relocating.stdout)")
            #expect(try fixture.cli(["enterprise", "list", "--mode", "maybe"]).status == 64)
        }
    }

    /// A database seeded before 0026 holds the guess (relocate): 0026 makes it unknown where nobody
    /// has set it since, and keeps what someone did set (a mode, a receiving park), audited.
    @Test func theMigrationTurnsTheSeedsGuessBackToUnknown() throws {
        try TestDatabase.with(migrated: false) { name in
            let all = try Migration.bundled()
            let db = try TestDatabase.connect(name)
            let before = all.filter { $0.version < 26 }
            #expect(before.count == 25)
            try MigrationRunner(migrations: before).migrate(db)
            _ = try ReferenceData.load("jilin-2014", into: db)
            #expect(
                try db.count("SELECT count(*) FROM reloc.enterprise WHERE mode = 'relocate'") == 13,
                "the schema before 0026 cannot say unknown")
            // What people did with two of them before the upgrade: a mode set, a park given.
            try db.execute("UPDATE reloc.enterprise SET mode = 'close' WHERE name = '中钢吉炭'")
            try db.execute(
                """
                UPDATE reloc.enterprise SET park_id = (SELECT id FROM reloc.park WHERE code = 'CC-ZBZZ')
                WHERE name = '长春大成集团'
                """)
            // One withdrawn (hostile review: the fix then failed the whole migration, as a
            // withdrawn enterprise no longer changes): it keeps the record it was withdrawn with.
            try db.execute("BEGIN")
            try db.execute("SET LOCAL session_replication_role = replica")
            try db.execute(
                """
                UPDATE reloc.enterprise SET withdrawn_on = '2020-01-01', withdrawn_reason = '登记有误',
                    withdrawn_by_login = 'postgres' WHERE name = '东风机械'
                """)
            try db.execute("COMMIT")
            try MigrationRunner.bundled().migrate(db)
            let modes = try db.query(
                "SELECT name, coalesce(mode, '?') FROM reloc.enterprise ORDER BY id"
            ).rows.map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1)) }
            #expect(modes.filter { $0.1 == "?" }.count == 10, "\(modes)")
            #expect(modes.first { $0.0 == "东风机械" }?.1 == "relocate")
            #expect(modes.first { $0.0 == "中钢吉炭" }?.1 == "close")
            #expect(modes.first { $0.0 == "长春大成集团" }?.1 == "relocate")
            #expect(
                try db.count(
                    """
                    SELECT count(*) FROM reloc.audit
                    WHERE table_name = 'enterprise' AND action = 'update' AND new_values -> 'mode' = 'null'::jsonb
                    """) == 10)
            // Loading the reference data again changes nothing.
            _ = try ReferenceData.load("jilin-2014", into: db)
            #expect(try db.count("SELECT count(*) FROM reloc.enterprise WHERE mode IS NULL") == 10)
        }
    }

    @Test func registerAndImportWithoutAModeLeaveItUnknown() throws {
        try RegisterFixture.with { fixture in
            let admin = try fixture.admin()
            func mode(_ name: String) throws -> String? {
                try admin.query("SELECT mode FROM reloc.enterprise WHERE name = \(name)").scalar(String?.self)
            }
            let registered = try fixture.cli([
                "enterprise", "register", "--plan", "SP-TD", "--name", "四平待定企业", "--as", "SP",
            ])
            #expect(registered.status == 0, "\(registered.stderr)")
            #expect(try mode("四平待定企业") == nil)
            // --mode works as before.
            #expect(
                try fixture.cli([
                    "enterprise", "register", "--plan", "SP-TD", "--name", "四平关停企业", "--mode", "依法关停", "--as", "SP",
                ]).status == 0)
            #expect(try mode("四平关停企业") == "close")
            // A park without a mode: the park waits for the mode.
            expectCLIRule(
                try fixture.cli([
                    "enterprise", "register", "--plan", "SP-TD", "--name", "四平有园区无方式", "--park",
                    RegisterFixture.compliantPark, "--as", "SP",
                ]), "enterprise_mode_known")
            // Raw SQL as the city: unknown is allowed, a park or a later status with it is not.
            let siping = try fixture.acting("SP")
            try siping.execute(
                "INSERT INTO reloc.enterprise (plan_id, name) SELECT id, '四平直写企业' FROM reloc.plan WHERE code = 'SP-TD'")
            #expect(try mode("四平直写企业") == nil)
            expectSQLState("23514", constraint: "enterprise_mode_known") {
                try siping.execute(
                    """
                    INSERT INTO reloc.enterprise (plan_id, name, park_id)
                    SELECT p.id, '四平直写有园区', k.id FROM reloc.plan p, reloc.park k
                    WHERE p.code = 'SP-TD' AND k.code = \(RegisterFixture.compliantPark)
                    """)
            }

            let file = Self.csvFile
            // An empty mode cell with a park is a bad line (nothing imported); an empty one alone is unknown.
            let bad = try fixture.cli([
                "enterprise", "import",
                try file("plan,name,mode,park\nSP-TD,导入待定甲,,\nSP-TD,导入待定乙,,\(RegisterFixture.compliantPark)\n"),
                "--as", "SP",
            ])
            #expect(bad.status == 65 && bad.stderr.contains("enterprise_mode_known"), "\(bad.stderr)")
            #expect(try admin.count("SELECT count(*) FROM reloc.enterprise WHERE name LIKE '导入待定%'") == 0)
            let good = try fixture.cli([
                "enterprise", "import",
                try file("plan,name,mode,park\nSP-TD,导入待定甲,,\nSP-TD,导入迁建,relocate,\(RegisterFixture.compliantPark)\n"),
                "--as", "SP",
            ])
            #expect(good.status == 0, "\(good.stderr)")
            #expect(try mode("导入待定甲") == nil)
            #expect(try mode("导入迁建") == "relocate")
            // A file without a mode column: every mode unknown.
            let noColumn = try fixture.cli([
                "enterprise", "import", try file("plan,name\nSP-TD,导入无方式列\n"), "--as", "SP",
            ])
            #expect(noColumn.status == 0, "\(noColumn.stderr)")
            #expect(
                try admin.count("SELECT count(*) FROM reloc.enterprise WHERE name = '导入无方式列' AND mode IS NULL") == 1)
            // A word that is no mode is still refused.
            let wrong = try fixture.cli([
                "enterprise", "import", try file("plan,name,mode\nSP-TD,导入错方式,move\n"), "--as", "SP",
            ])
            #expect(wrong.status == 65 && wrong.stderr.contains("unknown mode \"move\""), "\(wrong.stderr)")
        }
    }

    /// The word the tables show for an unknown mode (未知, unknown) reads back as unknown in an
    /// import cell, CSV or workbook, like an empty cell; with a park it is still a bad line.
    @Test func anImportCellSayingUnknownIsUnknown() throws {
        try RegisterFixture.with { fixture in
            let admin = try fixture.admin()
            let file = Self.csvFile
            let withPark = try fixture.cli([
                "enterprise", "import",
                try file("plan,name,mode,park\nSP-TD,未知带园区,未知,\(RegisterFixture.compliantPark)\n"), "--as", "SP",
            ])
            #expect(withPark.status == 65 && withPark.stderr.contains("enterprise_mode_known"), "\(withPark.stderr)")
            let csv = try fixture.cli([
                "enterprise", "import",
                try file(
                    "plan,name,mode,listed_in_plan\nSP-TD,未知甲,未知,\nSP-TD,未知乙,unknown,未知\nSP-TD,未知丙, ＵＮＫＮＯＷＮ ,Unknown\n"
                ), "--as", "SP",
            ])
            #expect(csv.status == 0, "\(csv.stderr)")
            #expect(
                try admin.count(
                    "SELECT count(*) FROM reloc.enterprise WHERE name LIKE '未知_' AND mode IS NULL AND listed_in_plan IS NULL"
                )
                    == 3)
            let workbook = try ExcelImportTests.workbook(extra: ["SP-TD|表格未知厂|未知"])
            let xlsx = try fixture.cli(["enterprise", "import", workbook, "--as", "SP"])
            #expect(xlsx.status == 0, "\(xlsx.stderr)")
            #expect(try admin.count("SELECT count(*) FROM reloc.enterprise WHERE name = '表格未知厂' AND mode IS NULL") == 1)
        }
    }

    /// 长春轨道客车装备 (enterprise 1 of the seed, plan CC-KC, mode unknown) through the CLI and as 长春 in SQL.
    @Test func whatDependsOnTheModeWaitsForIt() throws {
        try LandFixture.with(settingMode: false) { fixture in
            let id = fixture.railCars
            let changchun = try fixture.acting("CC")
            let admin = try fixture.admin()
            func row() throws -> (String?, String, String?) {
                let r = try admin.query(
                    """
                    SELECT e.mode, e.status, k.code FROM reloc.enterprise e LEFT JOIN reloc.park k ON k.id = e.park_id
                    WHERE e.id = \(id)
                    """
                ).rows[0]
                return (
                    try r.decode(String?.self, at: 0), try r.decode(String.self, at: 1),
                    try r.decode(String?.self, at: 2)
                )
            }
            #expect(try row() == (nil, "registered", nil))

            // Edited, and surveyed for heritage (every mode starts there, §四(五)).
            #expect(try fixture.cli(["enterprise", "edit", "\(id)", "--industry", "轨道交通装备", "--as", "CC"]).status == 0)
            let surveyed = try fixture.cli([
                "enterprise", "advance", "\(id)", "--to", "heritage-surveyed", "--on", "2015-03-01", "--as", "CC",
            ])
            #expect(surveyed.status == 0, "\(surveyed.stderr)")

            // A step of a mode: refused, naming the rule and what to do.
            for status in ["relocating", "closing", "renovating"] {
                let refused = try fixture.cli(["enterprise", "advance", "\(id)", "--to", status, "--as", "CC"])
                expectCLIRule(refused, "enterprise_mode_known")
                #expect(
                    refused.stderr.contains("set the mode first: reloc enterprise edit ID --mode"), "\(refused.stderr)")
            }
            expectSQLState("23514", constraint: "enterprise_mode_known") {
                try changchun.execute("SELECT reloc.advance_enterprise(\(id), 'relocating')")
            }
            expectSQLState("23514", constraint: "enterprise_mode_known") {
                try changchun.execute(
                    """
                    UPDATE reloc.enterprise SET status = 'relocating',
                        park_id = (SELECT id FROM reloc.park WHERE code = \(LandFixture.park)) WHERE id = \(id)
                    """)
            }
            // The CHECK holds when the triggers do not run (the administrator's replica mode).
            try admin.execute("SET session_replication_role = replica")
            expectSQLState("23514", constraint: "enterprise_mode_known") {
                try admin.execute("UPDATE reloc.enterprise SET status = 'relocating' WHERE id = \(id)")
            }
            try admin.execute("RESET session_replication_role")

            // A receiving park.
            expectCLIRule(
                try fixture.cli(["enterprise", "edit", "\(id)", "--park", LandFixture.park, "--as", "CC"]),
                "enterprise_mode_known")
            expectSQLState("23514", constraint: "enterprise_mode_known") {
                try changchun.execute(
                    "UPDATE reloc.enterprise SET park_id = (SELECT id FROM reloc.park WHERE code = \(LandFixture.park)) WHERE id = \(id)"
                )
            }

            // Land for it.
            try fixture.quota(hectares: "10")
            expectCLIRule(
                try fixture.cli([
                    "land", "allocate", "--as", "CC", "--from", "CC", "--year", "2015", "--enterprise", "\(id)", "--ha",
                    "1", "--supply", "tender", "--on", "2015-03-01", "--doc", "长国土〔2015〕8号",
                ]), "enterprise_mode_known")
            expectLandRule("enterprise_mode_known") {
                try changchun.execute(
                    """
                    INSERT INTO reloc.land_allocation (year, holder_city_id, enterprise_id, hectares, supply, doc, allocated_on)
                    VALUES (2015, (SELECT id FROM reloc.organisation WHERE code = 'CC'), \(id), 1, 'tender', 'd', '2015-03-01')
                    """)
            }

            // A relocation milestone (a heritage one is the survey's, for every mode).
            expectCLIRule(
                try fixture.cli([
                    "milestone", "add", "--enterprise", "\(id)", "--kind", "relocation-started", "--title", "开始搬迁",
                    "--due", "2016-01-01", "--as", "CC",
                ]), "enterprise_mode_known")
            expectSQLState("23514", constraint: "enterprise_mode_known") {
                try changchun.execute(
                    """
                    INSERT INTO reloc.milestone (kind, title, due_on, enterprise_id)
                    VALUES ('relocation-completed', '完成搬迁', '2018-01-01', \(id))
                    """)
            }
            let heritage = try fixture.cli([
                "milestone", "add", "--enterprise", "\(id)", "--kind", "heritage-surveyed", "--title", "工业遗产普查",
                "--due", "2015-06-30", "--as", "CC",
            ])
            #expect(heritage.status == 0, "\(heritage.stderr)")
            // …nor by turning a custom milestone of the enterprise into one (the province may change a kind).
            let custom = try fixture.cli([
                "milestone", "add", "--enterprise", "\(id)", "--title", "职工安置方案", "--due", "2015-06-30", "--as", "CC",
            ])
            let customId = try #require(
                Int64(custom.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(custom.stderr)")
            expectSQLState("23514", constraint: "enterprise_mode_known") {
                try fixture.acting("JL").execute(
                    "UPDATE reloc.milestone SET kind = 'relocation-started' WHERE id = \(customId)")
            }
            #expect(try row() == (nil, "heritage-surveyed", nil))

            // The mode set later: once, from unknown, with its park.
            let set = try fixture.cli([
                "enterprise", "edit", "\(id)", "--mode", "relocate", "--park", LandFixture.park, "--as", "CC",
            ])
            #expect(set.status == 0, "\(set.stderr)")
            #expect(try row() == ("relocate", "heritage-surveyed", LandFixture.park))
            // Not made unknown again, by anyone.
            expectSQLState("23514", constraint: "enterprise_mode_known") {
                try changchun.execute("UPDATE reloc.enterprise SET mode = NULL, park_id = NULL WHERE id = \(id)")
            }
            expectSQLState("23514", constraint: "enterprise_mode_known") {
                try fixture.acting("JL").execute(
                    "UPDATE reloc.enterprise SET mode = NULL, park_id = NULL WHERE id = \(id)")
            }
            // What waited now works.
            #expect(
                try fixture.cli([
                    "milestone", "add", "--enterprise", "\(id)", "--kind", "relocation-started", "--title", "开始搬迁",
                    "--due", "2016-01-01", "--as", "CC",
                ]).status == 0)
            // The existing rules on a known mode stay: changed while no step of the mode is recorded…
            #expect(try fixture.cli(["enterprise", "edit", "\(id)", "--mode", "close", "--as", "CC"]).status == 0)
            #expect(try row() == ("close", "heritage-surveyed", nil))
            #expect(
                try fixture.cli([
                    "enterprise", "advance", "\(id)", "--to", "closing", "--on", "2015-04-01", "--as", "CC",
                ])
                .status == 0)
            // …not after.
            expectCLIRule(
                try fixture.cli([
                    "enterprise", "edit", "\(id)", "--mode", "relocate", "--park", LandFixture.park, "--as", "CC",
                ]), "enterprise_status_matches_mode")
        }
    }

    /// The province's milestone rules give a relocation its milestones: an enterprise registered
    /// with its mode unknown gets none, and gets them when its mode is set to relocate.
    @Test func milestoneRulesWaitForTheMode() throws {
        try RegisterFixture.with { fixture in
            let admin = try fixture.admin()
            func kinds(_ id: Int64) throws -> [String] {
                try admin.query(
                    "SELECT kind || ' ' || due_on || ' ' || (done_on IS NOT NULL) FROM reloc.milestone WHERE enterprise_id = \(id) ORDER BY kind"
                ).decode(String.self)
            }
            for (kind, when) in [
                ("heritage-surveyed", ["--days-after", "90"]), ("relocation-started", ["--days-after", "30"]),
            ] {
                #expect(
                    try fixture.cli(["milestone", "rules", "set", "SP-TD", kind] + when + ["--as", "JL"]).status == 0)
            }
            let unknown = try fixture.register {
                $0.mode = nil; $0.park = nil
            }
            #expect(try kinds(unknown).isEmpty)
            // Surveyed first (its rule milestone is then created done), then the mode set.
            #expect(
                try fixture.cli(["enterprise", "advance", "\(unknown)", "--to", "heritage-surveyed", "--as", "SP"])
                    .status
                    == 0)
            #expect(
                try fixture.cli([
                    "enterprise", "edit", "\(unknown)", "--mode", "relocate", "--park", RegisterFixture.compliantPark,
                    "--as", "SP",
                ]).status == 0)
            let days = try admin.query("SELECT (reloc.today() + 90)::text, (reloc.today() + 30)::text").rows[0]
            #expect(
                try kinds(unknown) == [
                    "heritage-surveyed \(try days.decode(String.self, at: 0)) true",
                    "relocation-started \(try days.decode(String.self, at: 1)) false",
                ])
            // Set to close instead: none.
            let closing = try fixture.register {
                $0.mode = nil; $0.park = nil
            }
            #expect(try fixture.cli(["enterprise", "edit", "\(closing)", "--mode", "close", "--as", "SP"]).status == 0)
            #expect(try kinds(closing).isEmpty)
            // Registered to relocate: as before, once.
            let relocating = try fixture.register()
            #expect(try kinds(relocating).count == 2)
        }
    }

    /// A known mode changed to relocate (in-situ → relocate, close → relocate, while no step of
    /// the old mode is recorded) gets the plan's relocation milestone rules as unknown → relocate
    /// does: through the CLI and through raw SQL as the city's role.
    @Test func milestoneRulesFollowAModeChangedToRelocate() throws {
        try RegisterFixture.with { fixture in
            let admin = try fixture.admin()
            let kinds = fixture.milestoneKinds
            #expect(
                try fixture.cli([
                    "milestone", "rules", "set", "SP-TD", "relocation-started", "--days-after", "30", "--as", "JL",
                ]).status == 0)
            let due = try admin.query("SELECT (reloc.today() + 30)::text").scalar(String.self)
            let inSitu = try fixture.register {
                $0.mode = "in-situ"; $0.park = nil
            }
            #expect(try kinds(inSitu).isEmpty)
            #expect(
                try fixture.cli([
                    "enterprise", "edit", "\(inSitu)", "--mode", "relocate", "--park", RegisterFixture.compliantPark,
                    "--as", "SP",
                ]).status == 0)
            #expect(try kinds(inSitu) == ["relocation-started \(due)"])
            // Raw SQL as the city: close → relocate, one UPDATE of mode and park.
            let closing = try fixture.register {
                $0.mode = "close"; $0.park = nil
            }
            #expect(try kinds(closing).isEmpty)
            let city = try fixture.acting("SP")
            try city.execute(
                "UPDATE reloc.enterprise SET mode = 'relocate', park_id = (SELECT id FROM reloc.park WHERE code = \(RegisterFixture.compliantPark)) WHERE id = \(closing)"
            )
            #expect(try kinds(closing) == ["relocation-started \(due)"])
            // Back and forth: a kind it already has is not added twice.
            try city.execute("UPDATE reloc.enterprise SET mode = 'in-situ', park_id = NULL WHERE id = \(closing)")
            try city.execute(
                "UPDATE reloc.enterprise SET mode = 'relocate', park_id = (SELECT id FROM reloc.park WHERE code = \(RegisterFixture.compliantPark)) WHERE id = \(closing)"
            )
            #expect(try kinds(closing) == ["relocation-started \(due)"])
        }
    }
}
