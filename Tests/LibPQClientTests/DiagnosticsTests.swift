import Foundation
import LibPQClient
import Logging
import RelocTestSupport
import Testing

/// Every field the server sends with an error reaches `PGError`, and the server's notices reach
/// swift-log (docs/layers.md, "Errors and notices").
@Suite("The server's error fields and notices")
struct DiagnosticsTests {
    @Test func aRaisedExceptionCarriesEveryField() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let error = try #require(throws: PGError.self) {
                try db.execute(
                    """
                    DO $$ BEGIN
                        RAISE EXCEPTION 'plan % refused', 'SP-TD' USING
                            ERRCODE = '23514', DETAIL = 'the detail', HINT = 'the hint',
                            CONSTRAINT = 'plan_status_dates', SCHEMA = 'reloc', TABLE = 'plan',
                            COLUMN = 'approved_on', DATATYPE = 'date';
                    END $$
                    """)
            }
            #expect(error.kind == .server)
            #expect(error.message == "plan SP-TD refused")
            #expect(error.sqlState == "23514")
            #expect(error.sqlStateClass == "23")
            #expect(error.severityCode == "ERROR")
            #expect(error.severity?.isEmpty == false)  // in the server's language
            #expect(error.detail == "the detail")
            #expect(error.hint == "the hint")
            #expect(error.constraint == "plan_status_dates")
            #expect(error.schema == "reloc")
            #expect(error.table == "plan")
            #expect(error.column == "approved_on")
            #expect(error.dataType == "date")
            #expect(error.context?.contains("PL/pgSQL") == true, "\(error.context ?? "no context")")
            #expect(error.position == nil)
        }
    }

    @Test func positionsPointAtTheFault() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let sent = try #require(throws: PGError.self) { try db.query("SELECT 1, no_such_column") }
            #expect(sent.sqlState == "42703")
            #expect(sent.position == 11)  // 1-based, in characters: "no_such_column"
            #expect(sent.internalPosition == nil)
            // A fault in a statement the server ran for us: its text and the position in it.
            let inner = try #require(throws: PGError.self) {
                try db.execute("DO $$ BEGIN PERFORM no_such_column; END $$")
            }
            #expect(inner.sqlState == "42703")
            #expect(inner.internalQuery?.contains("no_such_column") == true, "\(inner.internalQuery ?? "none")")
            #expect(inner.internalPosition != nil)
            #expect(inner.context?.isEmpty == false)
        }
    }

    @Test func noticesAndWarningsReachTheLogHandler() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let records = LogRecords()
            db.noticeLogger = Logger(label: "test.postgresql") { _ in RecordingHandler(records: records) }
            // The connection asks for warnings and worse (client_min_messages): a warning arrives …
            try db.execute(
                "DO $$ BEGIN RAISE WARNING 'careful: %', 42 USING HINT = 'a hint', DETAIL = 'a detail'; END $$")
            // … and a notice, once the session asks for notices.
            try db.execute("SET client_min_messages = notice")
            try db.execute("DO $$ BEGIN RAISE NOTICE 'hello %', 'notice' USING ERRCODE = '01000'; END $$")
            let seen = records.all
            try #require(seen.count == 2, "\(seen)")
            #expect(seen[0].level == .warning)
            #expect(seen[0].message == "careful: 42")
            #expect(seen[0].metadata["hint"] == "a hint")
            #expect(seen[0].metadata["detail"] == "a detail")
            #expect(seen[0].metadata["sqlstate"] == "01000")
            #expect(seen[1].level == .notice)
            #expect(seen[1].message == "hello notice")
            #expect(seen[1].metadata["context"]?.description.contains("PL/pgSQL") == true)
        }
    }

    @Test func aNoticeDoesNotReachAnotherConnectionsLog() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let mine = LogRecords()
            let other = LogRecords()
            db.noticeLogger = Logger(label: "mine") { _ in RecordingHandler(records: mine) }
            let second = try TestDatabase.connect("postgres")
            second.noticeLogger = Logger(label: "other") { _ in RecordingHandler(records: other) }
            try db.execute("DO $$ BEGIN RAISE WARNING 'only mine'; END $$")
            #expect(mine.all.map(\.message) == ["only mine"])
            #expect(other.all.isEmpty)
        }
    }
}

/// What a test log handler saw.
final class LogRecords: @unchecked Sendable {
    struct Record: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var records: [Record] = []

    func append(_ record: Record) {
        lock.lock()
        defer { lock.unlock() }
        records.append(record)
    }

    var all: [Record] {
        lock.lock()
        defer { lock.unlock() }
        return records
    }
}

struct RecordingHandler: LogHandler {
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.append(.init(level: event.level, message: "\(event.message)", metadata: event.metadata ?? [:]))
    }
}
