import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The exit-code table (docs/operations.md#exit-codes) is the contract: a value that does not
/// read as its kind is bad data (65), a connection string that cannot be read is usage (64), a
/// refused login is 77 and names the login (no server start helps), a filter code of the wrong
/// kind is 65 saying the kind.
@Suite("Exit codes and messages, as the exit-code table says")
struct ExitCodeContractTests {
    @Test(arguments: [
        ["milestone", "done", "1", "--on", "2014-02-30"],
        ["milestone", "edit", "1", "--due", "2014-02-30"],
        ["task", "progress", "1", "--as", "JL-FGW", "--percent", "1e2", "--note", "x"],
    ])
    func aBadValueIsBadData(arguments: [String]) throws {
        let outcome = try RelocCLI.run(arguments, database: nil)
        #expect(outcome.status == 65, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("is invalid for"), "\(outcome.stderr)")
    }

    /// A capacity is read by the register's own parser: bad data too, with the value quoted.
    @Test func aBadCapacityIsBadData() throws {
        try TestDatabase.with(.jilin2014) { db in
            let outcome = try RelocCLI.run(
                [
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "x", "--mode", "close",
                    "--capacity", "-5 万吨/年",
                ],
                database: db)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("\"-5 万吨/年\""), "\(outcome.stderr)")
        }
    }

    /// A word not among an option's fixed choices is the command line's shape: usage, 64.
    @Test(arguments: [["plan", "list", "--format", "bogus"], ["enterprise", "edit", "3", "--clear", "bogus"]])
    func anUnknownChoiceIsUsage(arguments: [String]) throws {
        let outcome = try RelocCLI.run(arguments, database: nil)
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("Please provide one of"), "\(outcome.stderr)")
    }

    @Test func aMissingValueIsStillUsage() throws {
        #expect(try RelocCLI.run(["milestone", "done", "1", "--on"], database: nil).status == 64)
    }

    @Test func anUnreadableDatabaseURLIsUsageWithTheParseError() throws {
        let outcome = try RelocCLI.run(["org", "list", "--database", "not a url"], database: nil)
        #expect(outcome.status == 64, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("cannot be read"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("\"not\""), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("local-postgres.sh start"), "\(outcome.stderr)")
    }

    /// libpq's PQconninfoParse reads `sslmode=bogus`; connecting rejects it before trying: usage
    /// (64) with libpq's reason, not "start a server".
    @Test func aBadValueInTheConnectionStringIsUsageWithLibpqsReason() throws {
        try TestDatabase.with(.migrated) { db in
            var url = try #require(URLComponents(string: try TestDatabase.url(of: db)))
            url.queryItems = (url.queryItems ?? []) + [.init(name: "sslmode", value: "bogus")]
            let outcome = try RelocCLI.run(["org", "list", "--database", url.string!], database: nil)
            #expect(outcome.status == 64, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("sslmode") && outcome.stderr.contains("bogus"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("local-postgres.sh start"), "\(outcome.stderr)")
        }
    }

    /// A reachable database without reloc's schema: 69, saying to migrate, not an internal error.
    @Test func aDatabaseNotMigratedSaysToMigrate() throws {
        try TestDatabase.with(.empty) { db in
            for command in [["enterprise", "list"], ["org", "list"], ["land", "usage"]] {
                let outcome = try RelocCLI.run(command, database: db)
                #expect(outcome.status == 69, "\(command): \(outcome.stderr)")
                #expect(
                    outcome.stderr.contains("the database has no reloc schema (or is not migrated)")
                        && outcome.stderr.contains("reloc db migrate"), "\(command): \(outcome.stderr)")
            }
        }
    }

    @Test func aRefusedLoginNamesTheLoginAndIsNotUnavailable() throws {
        try TestDatabase.with(.migrated) { db in
            var url = try #require(URLComponents(string: try TestDatabase.url(of: db)))
            url.queryItems =
                (url.queryItems ?? []).filter { $0.name != "user" } + [.init(name: "user", value: "nobody_here")]
            let outcome = try RelocCLI.run(["org", "list", "--database", url.string!], database: nil)
            #expect(outcome.status == 77, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("refused the login nobody_here"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("local-postgres.sh start"), "\(outcome.stderr)")
        }
    }

    @Test func aFilterCodeOfTheWrongKindSaysTheKindWanted() throws {
        try TestDatabase.with(.jilin2014) { db in
            let city = try RelocCLI.run(["enterprise", "list", "--city", "SP-TD"], database: db)
            #expect(city.status == 65, "\(city.stderr)")
            #expect(
                city.stderr.contains("is a district") && city.stderr.contains("--city wants a city"), "\(city.stderr)")
            for command in [["plan", "list"], ["park", "list"], ["site", "list"]] {
                let outcome = try RelocCLI.run(command + ["--city", "JL-FGW"], database: db)
                #expect(outcome.status == 65 && outcome.stderr.contains("wants a city"), "\(command) \(outcome.stderr)")
            }
            let org = try RelocCLI.run(["task", "list", "--org", "SP"], database: db)
            #expect(org.status == 65, "\(org.stderr)")
            #expect(
                org.stderr.contains("is a city") && org.stderr.contains("--org wants a department"), "\(org.stderr)")
            #expect(try RelocCLI.run(["task", "list", "--org", "JL-FGW"], database: db).status == 0)
            #expect(try RelocCLI.run(["enterprise", "list", "--city", "SP"], database: db).status == 0)
        }
    }

    /// §五(三): one plan per district, also while the district is not coded yet.
    @Test func aCityHasOnePlanWithoutADistrict() throws {
        try TestDatabase.with(.jilin2014) { db in
            let first = try RelocCLI.run(["plan", "add", "SY-1", "--city", "SY", "--name", "松原甲"], database: db)
            #expect(first.status == 0, "\(first.stderr)")
            let second = try RelocCLI.run(["plan", "add", "SY-2", "--city", "SY", "--name", "松原乙"], database: db)
            #expect(second.status == 65, "\(second.stderr)")
            #expect(second.stderr.contains("[rule plan_city_one_without_district]"), "\(second.stderr)")
            #expect(!second.stderr.contains("city_id"), "\(second.stderr)")
            // Raw SQL as the province, many columns at once: the same refusal.
            let province = try TestDatabase.connect(db, actingAs: "JL")
            var raised: PGError?
            do {
                try province.execute(
                    "INSERT INTO reloc.plan (code, name, city_id) SELECT 'SY-3', '松原丙', id FROM reloc.organisation WHERE code = 'SY'"
                )
            } catch let error as PGError { raised = error }
            #expect(raised?.constraint == "plan_city_one_without_district", "\(String(describing: raised))")
            let count = try TestDatabase.connect(db).query(
                "SELECT count(*) FROM reloc.plan p JOIN reloc.organisation c ON c.id = p.city_id WHERE c.code = 'SY' AND p.district_id IS NULL"
            ).scalar(Int.self)
            #expect(count == 1)
        }
    }

    /// §六: the city carries overall responsibility, so it reads its districts' changes.
    @Test func aCitySeesItsDistrictsChangesInTheAudit() throws {
        try TestDatabase.with(.jilin2014) { db in
            let registered = try RelocCLI.run(
                [
                    "enterprise", "register", "--as", "SP-TD", "--plan", "SP-TD", "--name", "铁东区新登记企业", "--mode",
                    "close",
                ],
                database: db)
            #expect(registered.status == 0, "\(registered.stderr)")
            let city = try RelocCLI.run(
                ["audit", "--as", "SP", "--table", "enterprise", "--format", "csv"], database: db)
            #expect(city.status == 0, "\(city.stderr)")
            #expect(city.stdout.contains("铁东区新登记企业"), "\(city.stdout)")
            // Another city does not.
            let other = try RelocCLI.run(
                ["audit", "--as", "CC", "--table", "enterprise", "--format", "csv"], database: db)
            #expect(!other.stdout.contains("铁东区新登记企业"), "\(other.stdout)")
        }
    }

    /// A zone behind (or ahead of) Shanghai: an allocation without --on is dated today in that
    /// zone (the database's reloc.today()), not in Shanghai.
    @Test func anAllocationIsDatedTodayInTheConfiguredZone() throws {
        try LandFixture.with { fixture in
            let admin = try fixture.admin()
            let hour = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
                .hour!
            // At every hour one of these two zones has a date other than Shanghai's.
            let zone = (12..<16).contains(hour) ? "Etc/GMT-14" : "Etc/GMT+12"
            let dates = try admin.query(
                "SELECT (now() AT TIME ZONE \(zone))::date::text, (now() AT TIME ZONE 'Asia/Shanghai')::date::text"
            ).rows[0]
            let there = try dates.decode(String.self, at: 0)
            #expect(there != (try dates.decode(String.self, at: 1)), "pick another zone: the test cannot fail")
            // A session's zone moves "today" back, never ahead of the database's own zone: a zone
            // ahead of Shanghai is the administrator's to set (ALTER DATABASE … SET reloc.timezone).
            if zone == "Etc/GMT-14" {
                try admin.execute(
                    SQLQuery(unsafeSQL: "ALTER DATABASE \"\(fixture.database)\" SET reloc.timezone = 'Etc/GMT-14'"))
            }
            let year = Int(there.prefix(4))!
            try fixture.quota(year: year, hectares: "10")
            let outcome = try RelocCLI.run(
                [
                    "land", "allocate", "--as", "CC", "--from", "CC", "--year", String(year), "--project", "道路",
                    "--ha", "1", "--supply", "tender", "--doc", "d",
                ], database: fixture.database, environment: ["RELOC_TIMEZONE": zone])
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let stored = try admin.query(
                "SELECT allocated_on::text FROM reloc.land_allocation WHERE project = '道路' ORDER BY id DESC LIMIT 1"
            ).scalar(String.self)
            #expect(stored == there)
        }
    }
}
