import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A person signed in to reloc-web: their PostgreSQL login and the organisation it acts for.
public struct WebPerson: Sendable, Equatable {
    public let login: String
    public let organisation: String
    /// The organisation's role: each request runs `SET LOCAL ROLE` to it.
    public let role: String
    public let isProvince: Bool

    public init(login: String, organisation: String, role: String, isProvince: Bool) {
        self.login = login
        self.organisation = organisation
        self.role = role
        self.isProvince = isProvince
    }
}

/// reloc-web's sessions and sign-in throttle (0025, sql/definitions/80_web.sql). Called on a
/// connection of the authenticator role reloc_web, before a request sets its role; `list` and
/// `endAsProvince` run as the province (row-level security refuses everyone else).
public struct WebSessions {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// The role reloc-web logs in as; reloc.acting_login() honours `reloc.web_login` for it only.
    public static let authenticator = "reloc_web"

    /// A login name as `reloc user add` makes them; anything else is not tried against PostgreSQL.
    public static func isLoginName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63, ("a"..."z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// A session token as the server makes them: 32 random bytes, 64 lower-case hex digits.
    public static func isToken(_ token: String) -> Bool {
        token.utf8.count == 64 && token.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Counts a sign-in attempt before its password is checked; false (and not counted) after too
    /// many for this login or from this address (reloc.web_signin_attempt: atomic, so parallel
    /// attempts cannot slip past the count). A success clears the login's attempts (`open`).
    public func beginAttempt(login: String, address: String) throws -> Bool {
        try db.query("SELECT reloc.web_signin_attempt(\(login), \(address))").scalar(Bool.self)
    }

    /// The organisation a login acts for, or nil (no such login, a superuser, not a person's login).
    public func person(login: String) throws -> WebPerson? {
        let rows = try db.query("SELECT org_code, role_name, is_province FROM reloc.web_person(\(login))").rows
        guard let row = rows.first, let code = row["org_code"], let role = row["role_name"] else { return nil }
        return WebPerson(login: login, organisation: code, role: role, isProvince: row["is_province"] == "t")
    }

    /// Opens a session for `person` under `token` (only its SHA-256 is stored); a success clears
    /// the login's failures.
    @discardableResult
    public func open(token: String, for person: WebPerson, address: String) throws -> Int64 {
        precondition(WebSessions.isToken(token))
        try db.execute("DELETE FROM reloc.web_signin_failure WHERE login = \(person.login)")
        return try db.query(
            """
            INSERT INTO reloc.web_session (token_hash, login, org_code, address)
            VALUES (sha256(decode(\(token), 'hex')), \(person.login), \(person.organisation), \(address))
            RETURNING id
            """
        ).scalar(Int64.self)
    }

    public struct Found: Sendable {
        public let id: Int64
        /// Nil when the login no longer acts for an organisation (dropped, moved, succeeded).
        public let person: WebPerson?
        /// The form token of this session: derived from the cookie's token, never stored.
        public let csrf: String
        public let idle: Bool
    }

    /// The open session of a cookie's token, touched (last seen now, to the half minute) unless idle.
    public func find(token: String, idleMinutes: Int) throws -> Found? {
        guard WebSessions.isToken(token) else { return nil }
        // One call (found, touched at most every 30 s, the person; reloc.web_session_find in
        // 80_web.sql): one round trip, the plans of its statements kept by the connection.
        let rows = try db.query(
            "SELECT id, login, org_code, role_name, is_province, idle, csrf FROM reloc.web_session_find(\(token), \(idleMinutes))"
        ).rows
        guard let row = rows.first else { return nil }
        let id = try row.decode(Int64.self, column: "id")
        let person = row["org_code"].flatMap { code in
            row["role_name"].map {
                WebPerson(
                    login: row["login"] ?? "", organisation: code, role: $0, isProvince: row["is_province"] == "t")
            }
        }
        let idle = row["idle"] == "t"
        return Found(id: id, person: person, csrf: row["csrf"] ?? "", idle: idle)
    }

    /// Ends a session as the server (sign-out, idle timeout): `by` says who or why.
    public func end(id: Int64, by: String) throws {
        try db.execute(
            "UPDATE reloc.web_session SET ended_at = now(), ended_by = \(by) WHERE id = \(id) AND ended_at IS NULL")
    }

    /// The sessions, open first, then the latest ended (the province: `reloc-web /admin/sessions`):
    /// `id, login, org, address, created_at, last_seen_at, ended_at, ended_by`.
    public func list(limit: Int = 200) throws -> PGResult {
        try db.query(
            """
            SELECT id, login, org_code AS org, address, created_at, last_seen_at, ended_at, ended_by
            FROM reloc.web_session
            ORDER BY ended_at IS NOT NULL, coalesce(ended_at, last_seen_at) DESC, id DESC
            LIMIT \(limit)
            """)
    }

    /// Ends a session as the province acting (the database stamps when and who). False when no
    /// open session has that id.
    public func endAsProvince(id: Int64) throws -> Bool {
        do {
            return try db.execute(
                "UPDATE reloc.web_session SET ended_at = now() WHERE id = \(id) AND ended_at IS NULL") == 1
        } catch let error as PGError where error.isPermissionDenied {
            throw PermissionRefusal(rule: "web_session_writers")
        }
    }

    /// Makes the open transaction act as `person`: their organisation's role (so row-level
    /// security decides as for `reloc --as ORG`) and their login for the audit trail and progress
    /// reports (reloc.acting_login). Both end with the transaction.
    public static func act(as person: WebPerson, on db: PGConnection) throws {
        try db.execute("SET LOCAL ROLE \(identifier: person.role)")
        try db.execute("SELECT set_config('reloc.web_login', \(person.login), true)")
    }
}
