import Foundation
import LibPQClient
import RelocTestSupport
import Testing

/// A transaction inside a transaction nests with a savepoint: the inner one's COMMIT must not
/// commit the outer work, and its failure undoes only its own. COPY takes no bind parameters.
@Suite("Nested transactions and COPY's parameters")
struct NestedTransactionTests {
    @Test func anInnerTransactionDoesNotCommitTheOuterOne() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            try db.execute("CREATE TABLE t (n int)")
            struct Abandon: Error {}
            do {
                try db.withTransaction { tx in
                    try tx.execute("INSERT INTO t VALUES (1)")
                    try tx.withTransaction { inner in try inner.execute("INSERT INTO t VALUES (2)") }
                    #expect(tx.isInTransaction, "the inner transaction ended the outer one")
                    throw Abandon()
                }
            } catch is Abandon {}
            #expect(try db.query("SELECT count(*) FROM t").scalar(Int.self) == 0)
            #expect(!db.isInTransaction)
        }
    }

    @Test func anInnerFailureUndoesOnlyItsOwnWork() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            try db.execute("CREATE TABLE t (n int PRIMARY KEY)")
            try db.withTransaction { tx in
                try tx.execute("INSERT INTO t VALUES (1)")
                #expect(throws: PGError.self) {
                    try tx.withTransaction { inner in
                        try inner.execute("INSERT INTO t VALUES (2)")
                        try inner.execute("INSERT INTO t VALUES (1)")  // unique violation
                    }
                }
                try tx.execute("INSERT INTO t VALUES (3)")  // the outer transaction is still usable
            }
            #expect(try db.query("SELECT array_agg(n ORDER BY n)::text FROM t").scalar(String.self) == "{1,3}")
        }
    }

    @Test func aNestedTransactionCannotAskForStrongerIsolation() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            try db.withTransaction { tx in
                #expect(throws: PGError.self) {
                    try tx.withTransaction(isolation: .serializable) { _ in }
                }
            }
        }
    }

    @Test func copyRefusesQueryParameters() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            try db.execute("CREATE TABLE t (a text, b text)")
            let b = "given"
            var refused: PGError?
            do {
                try db.copyIn(into: "COPY t (a) FROM STDIN WHERE b = \(b)", rows: [["x"]])
            } catch let error as PGError { refused = error }
            #expect(refused?.kind == .usage, "\(String(describing: refused))")
            #expect(refused?.message.contains("no query parameters") == true)
            #expect(try db.query("SELECT count(*) FROM t").scalar(Int.self) == 0)
        }
    }

    @Test func serverErrorsCarryTheirFields() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            var raised: PGError?
            do {
                try db.execute(
                    "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'm', DETAIL = 'd', HINT = 'h', CONSTRAINT = 'c'; END $$"
                )
            } catch let error as PGError { raised = error }
            let error = try #require(raised)
            #expect(error.sqlState == "23514" && error.detail == "d" && error.hint == "h" && error.constraint == "c")
            #expect(error.severityCode == "ERROR")
            #expect(error.context != nil)
        }
    }
}
