import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// One source for every word and every conversion (issue 13): the full-width folding, the
/// conversion of mu to hectares, and the words of who-may-do-what refusals.
@Suite("One source for every word")
struct OneSourceTests {
    /// Swift folds full-width forms in one function (Spellings.halfwidth), the database in one
    /// (reloc.halfwidth, for its own rules and the import): the same mapping for every character
    /// of the Basic Multilingual Plane.
    @Test func theFoldingIsTheDatabases() throws {
        let scalars = (0x20...0xFFFF).filter { !(0xD800...0xDFFF).contains($0) }.compactMap(Unicode.Scalar.init)
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        try TestDatabase.withConnection { db in
            let folded = try db.query("SELECT reloc.halfwidth(\(text))").scalar(String.self)
            let swift = Array(Spellings.halfwidth(text).unicodeScalars)
            let sql = Array(folded.unicodeScalars)
            #expect(swift.count == sql.count)
            let differing = zip(scalars, zip(swift, sql)).filter { $1.0 != $1.1 }.prefix(5)
            #expect(differing.isEmpty, "\(differing.map { "U+\(String($0.0.value, radix: 16))" })")
        }
        #expect(Spellings.halfwidth("２０１４－１２－３１，ＳＰ\u{3000}") == "2014-12-31,SP ")
    }

    /// The one conversion of mu to hectares is the database's: exact, or refused with the
    /// hectares it would be (no Swift arithmetic, no rounding).
    @Test func muBecomeHectaresInTheDatabaseOnly() throws {
        try TestDatabase.withConnection { db in
            let exact = try db.query("SELECT reloc.ha_from_mu_exact(1.5, 'enterprise_site_area_places')::text")
                .scalar(String.self)
            #expect(exact == "0.1000")
            let error = try #require(throws: PGError.self) {
                try db.query("SELECT reloc.ha_from_mu_exact(1, 'site_area_places')")
            }
            #expect(error.sqlState == "23514")
            #expect(error.constraint == "site_area_places")
            #expect(error.detail?.hasPrefix("1 mu is 0.06666667… ha") == true, "\(error.detail ?? "")")
        }
        let area = try LandArea.mu(Decimal(string: "0.0008")!).hectaresSQL(rule: "site_area_positive")
        #expect(area.sql.contains("reloc.ha_from_mu_exact("), "\(area.sql)")
    }

    /// The words of a who-may-do-what refusal are the database's: changed there, the CLI says the
    /// new words (and names the rule).
    @Test func aRefusalIsWordedByTheDatabase() throws {
        try TestDatabase.with(.jilin2014) { db in
            let admin = try TestDatabase.connect(db)
            try admin.execute("SET ROLE reloc_owner")
            try admin.execute(
                """
                UPDATE reloc.rule SET message = 'WORDS FROM THE DATABASE: departments register nothing'
                WHERE name = 'enterprise_register_department'
                """)
            try admin.execute(
                "UPDATE reloc.rule SET message = 'PARK WORDS FROM THE DATABASE' WHERE name = 'park_writers'")
            let department = try RelocCLI.run(
                ["--as", "JL-FGW", "enterprise", "register", "--plan", "SP-TD", "--name", "x", "--mode", "close"],
                database: db)
            #expect(department.status == 77, "\(department.stderr)")
            #expect(
                department.stderr.contains("WORDS FROM THE DATABASE: departments register nothing"),
                "\(department.stderr)")
            #expect(department.stderr.contains("[rule enterprise_register_department]"), "\(department.stderr)")
            #expect(
                department.stderr.contains("plan SP-TD belongs to the district SP-TD of the city SP"),
                "\(department.stderr)")
            let park = try RelocCLI.run(
                ["--as", "SP", "park", "add", "SP-X", "--name", "x", "--city", "SP", "--kind", "themed-park"],
                database: db)
            #expect(park.status == 77, "\(park.stderr)")
            #expect(park.stderr.contains("PARK WORDS FROM THE DATABASE [rule park_writers]"), "\(park.stderr)")
        }
    }
}
