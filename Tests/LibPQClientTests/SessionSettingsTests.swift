import LibPQClient
import RelocTestSupport
import Testing

/// The settings every reloc session starts with (PGConnection.init).
@Suite("Session settings")
struct SessionSettingsTests {
    @Test func aSessionStartsWithoutJITAndWithISODates() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            // JIT compiled the plan of a small listing for seconds (the lights' function is
            // costed high): off for every reloc session.
            let jit = try db.query("SHOW jit").scalar(String.self)
            let dates = try db.query("SHOW DateStyle").scalar(String.self)
            #expect(jit == "off")
            #expect(dates == "ISO, YMD")
        }
    }
}
