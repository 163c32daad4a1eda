import LibPQClient

/// Secret, revocable calendar feed addresses (issue 17; 0030, sql/definitions/76_calendar_feed.sql):
/// reloc-web serves `/calendar/<token>.ics`, the calendar of `reloc milestone ical --org CODE`
/// for the feed's organisation, to whoever holds the token. Only the token's SHA-256 is stored;
/// the token itself is shown once, when made. An organisation makes and revokes its own feeds,
/// the province any organisation's (row-level security decides).
public struct CalendarFeeds {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    public struct Made: Sendable {
        public let id: Int64
        /// 32 random bytes as 64 hex digits: the secret part of the address.
        public let token: String
    }

    /// A feed found by its token: whose calendar it opens and the role to read it as.
    public struct Found: Sendable {
        public let id: Int64
        public let organisation: String
        public let role: String
    }

    /// The address path of a feed's token, as reloc-web serves it.
    public static func path(_ token: String) -> String { "/calendar/\(token).ics" }

    /// A token as made here: 64 lower-case hex digits (nothing else is looked up).
    public static func isToken(_ token: String) -> Bool {
        token.utf8.count == 64 && token.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Makes a feed for ORG: the database makes the token (reloc.calendar_feed_create, 0031), so
    /// that no role can choose one it already knows; it is returned here once and never again.
    public func create(org: String, label: String?) throws -> Made {
        let code = org.uppercased()
        try Organisations(db).requireExists(code)
        do {
            let row = try db.query("SELECT feed_id, token FROM reloc.calendar_feed_create(\(code), \(label))").rows
            guard let made = row.first else { throw RelocError.notFound("no organisation \(code)") }
            return Made(id: try made.decode(Int64.self, at: 0), token: try made.decode(String.self, at: 1))
        } catch let error as PGError where error.sqlState == "42501" {
            throw PermissionRefusal(rule: "calendar_feed_writers", detail: "a calendar feed of \(code)")
        }
    }

    /// The feeds the acting organisation may see: its own, or (the province) everyone's.
    public func list(org: String? = nil, includeRevoked: Bool = false) throws -> PGResult {
        let code = org?.uppercased()
        if let code { try Organisations(db).requireExists(code) }
        return try db.query(
            """
            SELECT f.id, o.code AS org, o.name_zh AS org_name, f.label, f.created_at, f.created_by,
                   f.revoked_at, f.revoked_by
            FROM reloc.calendar_feed f JOIN reloc.organisation o ON o.id = f.org_id
            WHERE (\(code)::text IS NULL OR o.code = \(code)) AND (\(includeRevoked) OR f.revoked_at IS NULL)
            ORDER BY o.code, f.id
            """)
    }

    /// Revokes a feed: its address answers 404 from now on.
    public func revoke(id: Int64) throws {
        let updated: Int
        do {
            updated = try db.execute(
                "UPDATE reloc.calendar_feed SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL")
        } catch let error as PGError where error.isPostgreSQLsOwnRefusal {
            throw PermissionRefusal(rule: "calendar_feed_writers", detail: "calendar feed \(id)")
        }
        guard updated == 1 else {
            throw RelocError.notFound(
                "no calendar feed \(id) that you may revoke (not yours, or revoked already); see `reloc milestone ical-feed list`"
            )
        }
    }

    /// The feed a token opens, for reloc-web (as its authenticator role): nil for an unknown or
    /// revoked token. The stored hash is compared with the token's in constant time as well,
    /// after the index lookup.
    public func find(token: String) throws -> Found? {
        guard CalendarFeeds.isToken(token) else { return nil }
        let rows = try db.query(
            """
            SELECT f.feed_id, f.org_code, f.role_name, encode(f.token_hash, 'hex') AS stored,
                   encode(sha256(decode(\(token), 'hex')), 'hex') AS wanted
            FROM reloc.calendar_feed_find(sha256(decode(\(token), 'hex'))) f
            """
        ).rows
        guard let row = rows.first, let stored = row["stored"], let wanted = row["wanted"],
            CalendarFeeds.equal(stored, wanted)
        else { return nil }
        return Found(
            id: try row.decode(Int64.self, at: 0), organisation: try row.decode(String.self, at: 1),
            role: try row.decode(String.self, at: 2))
    }

    /// Compares without stopping at the first difference.
    static func equal(_ a: String, _ b: String) -> Bool {
        ConstantTime.equal(a, b)
    }
}
