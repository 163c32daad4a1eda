import Foundation
import LibPQClient
import RelocTestSupport
import Testing

@Suite("Errors carry the server's diagnostics; values never become SQL")
struct ErrorAndSafetyTests {
    @Test func uniqueViolationNamesTheConstraint() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            try db.execute("CREATE TABLE park (code text CONSTRAINT park_code_key UNIQUE)")
            try db.execute("INSERT INTO park VALUES (\("CC-ZBZZ"))")
            let error = try #require(throws: PGError.self) { try db.execute("INSERT INTO park VALUES (\("CC-ZBZZ"))") }
            #expect(error.sqlState == "23505")
            #expect(error.isUniqueViolation)
            #expect(error.constraint == "park_code_key")
            #expect(error.table == "park")
            #expect(error.detail?.contains("CC-ZBZZ") == true)
        }
    }

    @Test func rowLevelSecurityDenialIs42501() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let role = "reloc_test_rls_\(UUID().uuidString.prefix(8).lowercased())"
            try db.execute("CREATE ROLE \(identifier: role) NOLOGIN")
            defer {
                _ = try? db.execute("DROP OWNED BY \(identifier: role)");
                _ = try? db.execute("DROP ROLE \(identifier: role)")
            }
            try db.execute("CREATE TABLE note (city text, body text)")
            try db.execute("ALTER TABLE note ENABLE ROW LEVEL SECURITY")
            try db.execute("CREATE POLICY own_city ON note USING (city = 'SP') WITH CHECK (city = 'SP')")
            try db.execute("GRANT SELECT, INSERT ON note TO \(identifier: role)")
            try db.execute("SET ROLE \(identifier: role)")
            try db.execute("INSERT INTO note VALUES ('SP', 'ok')")
            let error = try #require(throws: PGError.self) {
                try db.execute("INSERT INTO note VALUES ('CC', 'not mine')")
            }
            #expect(error.sqlState == "42501")
            #expect(error.isPermissionDenied)
            try db.execute("RESET ROLE")
            #expect(try db.query("SELECT count(*) FROM note").scalar(Int.self) == 1)
        }
    }

    @Test func injectionLookingValuesAreStoredVerbatim() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            try db.execute("CREATE TABLE x (name text)")
            let hostile = ["'); DROP TABLE x; --", "Robert'); DROP TABLE x;--", "$1", "\\'; SELECT pg_sleep(10); --"]
            for value in hostile {
                try db.execute("INSERT INTO x (name) VALUES (\(value))")
            }
            #expect(try db.query("SELECT to_regclass('x') IS NOT NULL").scalar(Bool.self))
            let stored = try db.query("SELECT name FROM x ORDER BY name").decode((String).self)
            #expect(stored == hostile.sorted())
            #expect(try db.query("SELECT count(*) FROM x WHERE name = \(hostile[0])").scalar(Int.self) == 1)
        }
    }

    @Test func interpolationMakesBindsAndQuotesIdentifiers() {
        let name = "x\"; DROP TABLE y; --"
        let value = "'; DROP TABLE y; --"
        let query: SQLQuery = "SELECT * FROM \(identifier: name) WHERE a = \(value) AND b = \(42)"
        #expect(query.sql == "SELECT * FROM \"x\"\"; DROP TABLE y; --\" WHERE a = $1 AND b = $2")
        #expect(query.parameters == [value, "42"])
        var combined: SQLQuery = "SELECT \(1), "
        combined.append("\(2) + \(3)")
        #expect(combined.sql == "SELECT $1, $2 + $3")
        #expect(combined.parameters == ["1", "2", "3"])
    }

    @Test func transactionRollsBackOnAThrownSwiftError() throws {
        struct Abandon: Error {}
        try TestDatabase.withConnection(migrated: false) { db in
            try db.execute("CREATE TABLE plan (code text)")
            #expect(throws: Abandon.self) {
                try db.withTransaction { tx in
                    try tx.execute("INSERT INTO plan VALUES (\("SP-TD"))")
                    #expect(try tx.query("SELECT count(*) FROM plan").scalar(Int.self) == 1)
                    throw Abandon()
                }
            }
            #expect(!db.isInTransaction)
            #expect(try db.query("SELECT count(*) FROM plan").scalar(Int.self) == 0)
            try db.withTransaction { try $0.execute("INSERT INTO plan VALUES ('CC-KC')") }
            #expect(try db.query("SELECT count(*) FROM plan").scalar(Int.self) == 1)
        }
    }

    @Test func serializationFailureIsRetried() throws {
        try TestDatabase.with(migrated: false) { name in
            let first = try TestDatabase.connect(name)
            let second = try TestDatabase.connect(name)
            try first.execute("CREATE TABLE quota (total int)")
            try first.execute("INSERT INTO quota VALUES (0)")
            var attempts = 0
            try first.withTransaction(isolation: .serializable, retries: 2) { tx in
                attempts += 1
                _ = try tx.query("SELECT total FROM quota")
                if attempts == 1 {
                    // Another session commits a conflicting change in between: 40001 on update.
                    try second.execute("UPDATE quota SET total = total + 1")
                }
                try tx.execute("UPDATE quota SET total = total + 10")
            }
            #expect(attempts == 2)
            #expect(try first.query("SELECT total FROM quota").scalar(Int.self) == 11)
        }
    }

    @Test func connectionFailureNamesTheTarget() {
        let error = #expect(throws: PGError.self) {
            try PGConnection(
                .init(connectionString: "postgresql:///reloc?host=/nonexistent-dir&port=5999&connect_timeout=2"))
        }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.target?.contains("/nonexistent-dir") == true)
        #expect(error?.target?.contains("5999") == true)
    }

    @Test func serverErrorFromAScriptStopsIt() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let error = try #require(throws: PGError.self) {
                try db.executeUnsafeScript(
                    "CREATE TABLE a (x int); SELECT no_such_column FROM a; CREATE TABLE b (y int);")
            }
            #expect(error.sqlState == "42703")
            #expect(try db.query("SELECT to_regclass('b') IS NULL").scalar(Bool.self))
        }
    }
}
