import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// The review of issue 11's fix ("Values nobody meant"): numbers that are not numbers, invisible
/// look-alike names, a withdrawal racing an allocation, a withdrawn enterprise's milestones.
@Suite("Values nobody meant: the review")
struct ValuesReviewTests {
    /// NaN beat `capacity_new <= capacity_old` (NaN = NaN in PostgreSQL) and Infinity passed as an
    /// amount: every numeric column of reloc refuses them, read from the catalog.
    @Test func nanAndInfinityAreRefusedInEveryNumericColumn() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register()
            let sp = try fixture.acting("SP")
            for (old, new) in [("NaN", "Infinity"), ("NaN", "NaN"), ("5", "-Infinity"), ("Infinity", "5")] {
                expectSQLState("23514") {
                    try sp.execute(
                        """
                        UPDATE reloc.enterprise SET capacity_old = \(old)::numeric, capacity_old_unit = 't',
                            capacity_new = \(new)::numeric, capacity_new_unit = 't' WHERE id = \(id)
                        """)
                }
            }
            expectSQLState("23514") {
                try sp.execute("UPDATE reloc.enterprise SET site_area_ha = 'NaN' WHERE id = \(id)")
            }
            let unchecked = try fixture.admin().query(
                """
                SELECT t.relname || '.' || a.attname
                FROM pg_attribute a
                JOIN pg_class t ON t.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = 'reloc' AND t.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                  AND a.atttypid IN ('numeric'::regtype, 'float4'::regtype, 'float8'::regtype)
                  AND t.relname <> 'audit'
                  AND NOT EXISTS (
                      SELECT FROM pg_constraint k
                      WHERE k.conrelid = t.oid AND k.contype = 'c' AND a.attnum = ANY (k.conkey)
                        AND pg_get_constraintdef(k.oid) LIKE '%is_finite%')
                ORDER BY 1
                """
            ).decode(String.self)
            #expect(unchecked.isEmpty, "numeric columns that take NaN or Infinity: \(unchecked)")
            let columns = try fixture.admin().query(
                "SELECT count(*) FROM pg_constraint WHERE conname IN ('progress_report_percent_finite', 'plan_area_km2_finite')"
            ).scalar(Int64.self)
            #expect(columns == 2)
        }
    }

    /// "长春轨道\u{200B}客车装备" looked like the registered enterprise and was a second one.
    @Test func invisibleCharactersAreRefusedInNames() throws {
        try RegisterFixture.with { fixture in
            for mark in ["\u{200B}", "\u{200D}", "\u{2060}", "\u{00AD}", "\u{202E}", "\u{FEFF}", "\u{2066}"] {
                let outcome = try fixture.cli([
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "长春轨道\(mark)客车装备",
                    "--mode", "close",
                ])
                #expect(outcome.status == 65, "\(outcome.stderr)")
                #expect(outcome.stderr.contains("enterprise_name_text"), "\(outcome.stderr)")
                // The error shows the character escaped, never raw.
                #expect(!outcome.stderr.unicodeScalars.contains(mark.unicodeScalars.first!), "\(outcome.stderr)")
            }
            let db = try fixture.admin()
            let cases: [(String, Bool, Bool)] = [
                ("a\u{200B}b", false, false), ("a\u{202E}b", true, false), ("a\u{200D}b", true, true),
                ("长春轨道客车装备", false, true),
            ]
            for (text, multiline, expected) in cases {
                let clean = try db.query("SELECT reloc.is_clean_text(\(text), 200, \(multiline))").scalar(Bool.self)
                #expect(clean == expected, "\(text.debugDescription)")
            }
            // The same in a CSV file.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-zw-\(UUID()).csv").path
            try (EnterpriseImportTests.header + "\nSP-TD,长春轨道\u{200B}客车装备,close,,,,,,,,,,,\n")
                .write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let imported = try fixture.cli(["enterprise", "import", path, "--as", "SP"])
            #expect(imported.status == 65 && imported.stderr.contains("enterprise_name_text"), "\(imported.stderr)")
            #expect(imported.stderr.contains("\\u200b"), "\(imported.stderr)")
            #expect(DisplayWidth.visible("a\u{202E}b\u{200B}c") == "a\\u202eb\\u200bc")
            #expect(DisplayWidth.visible("长春") == "长春")
        }
    }

    /// `--clear new-capacity --clear new-capacity` was "multiple assignments to same column" (70).
    @Test func aFieldClearedTwiceIsClearedOnce() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register { $0.capacity = .init("30 万吨/年") }
            let outcome = try fixture.cli([
                "enterprise", "edit", "\(id)", "--as", "SP", "--clear", "new-capacity", "--clear", "new-capacity",
                "--clear", "uscc", "--clear", "uscc",
            ])
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
    }

    /// A withdrawal and an allocation at the same time: one of them fails, at REPEATABLE READ too
    /// (the advisory lock let the second read its old snapshot, and both committed).
    @Test func withdrawalAndAllocationNeverBothCommit() throws {
        try LandFixture.with { fixture in
            try fixture.quota(hectares: "10")
            let allocation = LandAllocations.NewAllocation(
                holder: "CC", year: 2015, target: .enterprise(fixture.railCars), area: .mu(1), supply: "tender",
                on: CalendarDate(year: 2015, month: 3, day: 1), doc: "d")
            // The allocation commits while a REPEATABLE READ withdrawal holds its snapshot.
            let withdrawing = try fixture.acting("CC")
            try withdrawing.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            _ = try withdrawing.query("SELECT count(*) FROM reloc.land_allocation").scalar(Int64.self)
            _ = try LandAllocations(try fixture.acting("CC")).allocate(allocation)
            expectSQLState("40001") {
                try withdrawing.execute(
                    "UPDATE reloc.enterprise SET withdrawn_reason = 'x' WHERE id = \(fixture.railCars)")
            }
            try withdrawing.execute("ROLLBACK")

            // The other way: a withdrawal commits while a REPEATABLE READ allocation holds its snapshot.
            let cc = try fixture.acting("CC")
            let other = try Enterprises(cc).register(
                {
                    var entry = Enterprises.Registration(plan: "CC-KC", name: "另一企业", mode: "relocate")
                    entry.park = LandFixture.park
                    return entry
                }())
            var second = allocation
            second.target = .enterprise(other)
            let allocating = try fixture.acting("CC")
            try allocating.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            _ = try allocating.query("SELECT count(*) FROM reloc.enterprise").scalar(Int64.self)
            try cc.execute("UPDATE reloc.enterprise SET withdrawn_reason = 'x' WHERE id = \(other)")
            expectSQLState("40001") { _ = try LandAllocations(allocating).allocate(second) }
            try allocating.execute("ROLLBACK")
            // Hostile: the organisation cannot write the guard rows itself (only the lock function).
            expectSQLState("42501") {
                try cc.execute("DELETE FROM reloc.enterprise_land_guard")
            }
            // READ COMMITTED: the rule refuses it.
            expectSQLState("23514", constraint: "enterprise_withdrawal") {
                _ = try LandAllocations(try fixture.acting("CC")).allocate(second)
            }
        }
    }

    /// A withdrawn enterprise's milestones stayed live and were reminded: the withdrawal waits for
    /// them to be closed, and a withdrawn enterprise takes no new milestone, reopening or progress.
    @Test func aWithdrawnEnterpriseHasNoOpenMilestones() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register()
            let sp = try fixture.acting("SP")
            let milestone = try sp.query(
                "INSERT INTO reloc.milestone (title, due_on, enterprise_id) VALUES ('搬迁', '2030-01-01', \(id)) RETURNING id"
            ).scalar(Int64.self)
            let refused = try fixture.cli(["enterprise", "withdraw", "\(id)", "--as", "SP", "--reason", "错登"])
            #expect(refused.status == 65, "\(refused.stderr)")
            #expect(refused.stderr.contains("open milestones \(milestone)"), "\(refused.stderr)")
            #expect(refused.stderr.contains("milestone done"), "\(refused.stderr)")
            // A custom milestone's completion is reviewed (办结审核, 0023): the province closes it.
            #expect(try fixture.cli(["milestone", "done", "\(milestone)", "--as", "JL"]).status == 0)
            let withdrawn = try fixture.cli(["enterprise", "withdraw", "\(id)", "--as", "SP", "--reason", "错登"])
            #expect(withdrawn.status == 0, "\(withdrawn.stderr)")
            expectSQLState("23514", constraint: "enterprise_withdrawal") {
                try sp.execute(
                    "INSERT INTO reloc.milestone (title, due_on, enterprise_id) VALUES ('x', '2030-01-01', \(id))")
            }
            expectSQLState("23514", constraint: "enterprise_withdrawal") {
                try sp.execute("UPDATE reloc.milestone SET done_on = NULL WHERE id = \(milestone)")
            }
            expectSQLState("23514", constraint: "enterprise_withdrawal") {
                try sp.execute(
                    "INSERT INTO reloc.progress_report (milestone_id, percent, note) VALUES (\(milestone), 10, 'x')")
            }
        }
    }

    /// Error messages quoted values raw: an import cell's ESC, `--plan $'\e[31mRED'`, a capacity's
    /// OSC title sequence reached the terminal. Every error is escaped where it is printed.
    @Test func errorsNeverWriteControlCharacters() throws {
        try RegisterFixture.with { fixture in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-esc-\(UUID()).csv").path
            try (EnterpriseImportTests.header + "\nSP-TD,转义企业,close,,,,,,,,,\"\u{1B}[31m5 t\",,\n")
                .write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let outcomes = [
                try fixture.cli(["enterprise", "import", path, "--as", "SP"]),
                try fixture.cli(["enterprise", "list", "--plan", "\u{1B}[31mRED"]),
                try fixture.cli([
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "转义", "--mode", "close",
                    "--capacity", "\u{1B}]0;pwned\u{07}5 t",
                ]),
                try fixture.cli(["enterprise", "list", "--format", "\u{1B}[31mRED"]),
            ]
            for outcome in outcomes {
                #expect(outcome.status != 0, "\(outcome.stdout)")
                #expect(
                    !outcome.stderr.contains("\u{1B}") && !outcome.stderr.contains("\u{07}"),
                    "\(outcome.stderr.debugDescription)")
                #expect(outcome.stderr.contains("\\x1b"), "\(outcome.stderr.debugDescription)")
            }
        }
    }

    /// A site's area_ha was still numeric(12, 4): raw SQL's 1.123456789 became 1.1235. A plan's
    /// area took any number of places and any size.
    @Test func siteAndPlanAreasAreRefusedNotRounded() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register { $0.siteHectares = 2 }
            let sp = try fixture.acting("SP")
            expectSQLState("23514", constraint: "site_area_places") {
                try sp.execute("INSERT INTO reloc.site (enterprise_id, area_ha) VALUES (\(id), 1.123456789)")
            }
            for area in ["1.123456789", "300000"] {
                expectSQLState("23514", constraint: "plan_area_km2_bounds") {
                    try sp.execute("UPDATE reloc.plan SET area_km2 = \(area)::numeric WHERE code = 'SP-TD'")
                }
            }
        }
    }

    /// 0.0005 mu stored 0.0001 ha (three times its size); 1499999999.9999 mu, below the limit, was
    /// refused as "100000000.0000 ha"; the withdrawal's hint promised that releasing land helps.
    @Test func derivedHectaresAreHonest() throws {
        try LandFixture.with { fixture in
            let quota = try fixture.cli([
                "land", "quota", "add", "--as", "JL", "--holder", "CC", "--year", "2015", "--mu", "1499999999.9999",
                "--doc", "d",
            ])
            #expect(quota.status == 0, "\(quota.stderr)")
            let id = try LandAllocations(try fixture.acting("CC")).allocate(
                .init(
                    holder: "CC", year: 2015, target: .project("小项目"),
                    area: .mu(Decimal(exactText: "0.0005")!), supply: "tender",
                    on: CalendarDate(year: 2015, month: 3, day: 1), doc: "d"))
            let hectares = try fixture.admin().query(
                "SELECT hectares::text FROM reloc.land_allocation WHERE id = \(id)"
            ).scalar(String.self)
            #expect(hectares == "0.0000333333")
            let hint = try fixture.admin().query("SELECT hint FROM reloc.rule WHERE name = 'enterprise_withdrawal'")
                .scalar(String.self)
            #expect(!hint.contains("release and keep") && hint.contains("even released"), "\(hint)")
        }
    }

    /// A site's or an enterprise's area in mu was rounded to 0.0001 ha, even to zero: 0.0007 mu
    /// became 0.0000 ha, 0.0008 mu 0.0001 ha (+87%), 1 mu 0.0667 ha (listed as 1.0005 mu). Kept in
    /// ha, a mu amount 0.0001 ha cannot hold is refused, with what it would be; the help says so.
    @Test func muAreasThatHectaresCannotHoldAreRefused() throws {
        try RegisterFixture.with { fixture in
            for mu in ["0.0007", "0.0008", "1"] {
                let register = try fixture.cli([
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "亩\(mu)", "--mode", "close",
                    "--site-mu", mu,
                ])
                #expect(register.status == 65, "\(register.stderr)")
                #expect(register.stderr.contains("enterprise_site_area_places"), "\(register.stderr)")
                #expect(register.stderr.contains("\(mu) mu is"), "\(register.stderr)")
            }
            let exact = try fixture.register { $0.siteMu = Decimal(string: "1.5") }
            let stored = try fixture.admin().query(
                "SELECT site_area_ha::text FROM reloc.enterprise WHERE id = \(exact)"
            )
            .scalar(String.self)
            #expect(stored == "0.1000")
            let site = try fixture.cli(["site", "add", "--as", "SP", "--enterprise", "\(exact)", "--mu", "0.0008"])
            #expect(site.status == 65, "\(site.stderr)")
            #expect(site.stderr.contains("site_area_places"), "\(site.stderr)")
            let help = try fixture.cli(["site", "add", "--help"])
            #expect(!help.stdout.contains("kept in mu") && help.stdout.contains("0.0015 mu"), "\(help.stdout)")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-mu-\(UUID()).csv").path
            try (EnterpriseImportTests.header + "\nSP-TD,亩企业,close,,,,,,0.0007,,,,,\n")
                .write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let imported = try fixture.cli(["enterprise", "import", path, "--as", "SP"])
            #expect(imported.status == 65, "\(imported.stderr)")
            #expect(imported.stderr.contains("site_mu 0.0007 is"), "\(imported.stderr)")
        }
    }

    /// The command line took "5. t", ".5 t", 23 digits and 12 decimals that the CSV import refused,
    /// and "5 °C" only for the database's check to refuse it without quoting it: one parser now
    /// (reloc.parse_capacity), one verdict, the value quoted.
    @Test func theCommandLineAndTheFileReadCapacitiesAlike() throws {
        try RegisterFixture.with { fixture in
            let spellings = ["5. t", ".5 t", "99999999999999999999999 t", "1,000.123456789012 t", "5 °C"]
            for (index, spelling) in spellings.enumerated() {
                let outcome = try fixture.cli([
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "产能\(index)", "--mode",
                    "close", "--capacity", spelling,
                ])
                #expect(outcome.status == 65, "\(spelling): \(outcome.stderr)")
                #expect(outcome.stderr.contains("\"\(spelling)\""), "\(outcome.stderr)")
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-cap-\(UUID()).csv").path
                try (EnterpriseImportTests.header + "\nSP-TD,产能文件\(index),close,,,,,,,,,\"\(spelling)\",,\n")
                    .write(toFile: path, atomically: true, encoding: .utf8)
                defer { try? FileManager.default.removeItem(atPath: path) }
                let imported = try fixture.cli(["enterprise", "import", path, "--as", "SP"])
                #expect(imported.status == 65, "\(spelling): \(imported.stderr)")
            }
            let good = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "产能好", "--mode", "close",
                "--capacity", "30,000 吨/日",
            ])
            #expect(good.status == 0, "\(good.stderr)")
        }
    }
}
