import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Every "who" a step or a decision records is `reloc.acting_login()` (issue 16): the person that
/// reloc-web names for a request, never the web server's own role; for anyone else session_user.
@Suite("Who acted is the person")
struct ActingLoginStampTests {
    @Test func aStepTakenThroughTheWebRecordsThePersonInItsHistory() throws {
        try TestDatabase.with(.jilin2014) { name in
            let db = try TestDatabase.connect(name)
            let enterprise = try db.query(
                """
                SELECT e.id FROM reloc.enterprise e JOIN reloc.organisation o ON o.id = e.city_id
                WHERE o.code = 'SP' AND e.status = 'registered' ORDER BY e.id LIMIT 1
                """
            ).scalar(Int64.self)
            // As reloc-web does for a request (hostile review: the history said reloc_web).
            try db.execute("SET SESSION AUTHORIZATION reloc_web")
            try db.execute("BEGIN")
            try db.execute("SELECT set_config('reloc.web_login', 'alice', true)")
            try db.execute("SET LOCAL ROLE reloc_org_sp")
            try db.execute("UPDATE reloc.enterprise SET status = 'heritage-surveyed' WHERE id = \(enterprise)")
            try db.execute("COMMIT")
            try db.execute("RESET SESSION AUTHORIZATION")
            let login = try db.query(
                """
                SELECT changed_by_login FROM reloc.enterprise_status_change
                WHERE enterprise_id = \(enterprise) ORDER BY id DESC LIMIT 1
                """
            ).scalar(String.self)
            #expect(login == "alice")
        }
    }
}
