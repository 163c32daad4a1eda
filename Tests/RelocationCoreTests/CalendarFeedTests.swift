import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// `reloc milestone ical-feed` (issue 17, 0030, sql/definitions/76_calendar_feed.sql): an
/// organisation makes, lists and revokes its own secret calendar feeds, the province any
/// organisation's; only the token's hash is kept; a feed is only ever revoked, once; who made and
/// who revoked are the database's stamps. Tried through the CLI and as the organisation's role.
@Suite("Calendars: feed addresses")
struct CalendarFeedTests {
    @Test func anOrganisationMakesListsAndRevokesItsOwnFeeds() throws {
        try TestDatabase.with(.jilin2014) { name in
            let made = try RelocCLI.run(
                [
                    "milestone", "ical-feed", "create", "CC", "--label", "办公室", "--base-url", "https://reloc.example/",
                    "--as", "CC", "--format", "json",
                ], database: name)
            #expect(made.status == 0, "\(made.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(made.stdout.utf8)) as? [String: Any])
            let token = try #require(object["token"] as? String)
            #expect(CalendarFeeds.isToken(token))
            #expect(object["url"] as? String == "https://reloc.example/calendar/\(token).ics")
            let id = try #require(object["id"] as? Int)
            // Only the hash is kept, and the maker is stamped by the database.
            let admin = try TestDatabase.connect(name)
            let row = try #require(
                try admin.query("SELECT encode(token_hash, 'hex') AS h, created_by, label FROM reloc.calendar_feed")
                    .rows.first)
            #expect(row["h"] != token && row["h"]?.count == 64 && row["label"] == "办公室")
            #expect(row["created_by"] == "postgres")
            // The audit records the feed without the hash.
            let audited = try admin.query(
                "SELECT new_values::text FROM reloc.audit WHERE table_name = 'calendar_feed'"
            ).scalar(String.self)
            #expect(!audited.contains(row["h"] ?? "-") && audited.contains("办公室"))

            let listed = try RelocCLI.run(
                ["milestone", "ical-feed", "list", "--as", "CC", "--format", "json"], database: name)
            #expect(listed.status == 0 && listed.stdout.contains("\"org\": \"CC\""), "\(listed.stdout)\(listed.stderr)")
            #expect(!listed.stdout.contains(token))
            // Another city neither sees nor revokes it.
            let other = try RelocCLI.run(
                ["milestone", "ical-feed", "list", "--as", "JL-FGW", "--format", "json"], database: name)
            #expect(other.status == 0 && !other.stdout.contains("\"CC\""), "\(other.stdout)")
            let refused = try RelocCLI.run(["milestone", "ical-feed", "revoke", "\(id)", "--as", "SP"], database: name)
            #expect(refused.status == 65 && refused.stderr.contains("no calendar feed \(id)"), "\(refused.stderr)")
            // Nor makes one for 长春.
            let forged = try RelocCLI.run(["milestone", "ical-feed", "create", "CC", "--as", "SP"], database: name)
            #expect(forged.status == 77 && forged.stderr.contains("calendar_feed_writers"), "\(forged.stderr)")

            let revoked = try RelocCLI.run(["milestone", "ical-feed", "revoke", "\(id)", "--as", "CC"], database: name)
            #expect(revoked.status == 0 && revoked.stdout.contains("revoked calendar feed \(id)"), "\(revoked.stderr)")
            let again = try RelocCLI.run(["milestone", "ical-feed", "revoke", "\(id)", "--as", "CC"], database: name)
            #expect(again.status == 65)
            #expect(try CalendarFeeds(admin).find(token: token) == nil)
            let all = try RelocCLI.run(
                ["milestone", "ical-feed", "list", "--all", "--as", "JL", "--format", "json"], database: name)
            #expect(all.stdout.contains("\"revoked_by\": \"postgres\""), "\(all.stdout)")
        }
    }

    @Test func theProvinceMakesAFeedForAnyOrganisation() throws {
        try TestDatabase.with(.jilin2014) { name in
            let made = try CalendarFeeds(try TestDatabase.connect(name, actingAs: "JL")).create(org: "SP", label: nil)
            #expect(try CalendarFeeds(try TestDatabase.connect(name)).find(token: made.token)?.organisation == "SP")
            try CalendarFeeds(try TestDatabase.connect(name, actingAs: "SP")).revoke(id: made.id)
            #expect(try CalendarFeeds(try TestDatabase.connect(name)).find(token: made.token) == nil)
        }
    }

    @Test func anOrganisationsRoleCannotForgeNorRewriteAFeed() throws {
        try TestDatabase.with(.jilin2014) { name in
            let theirs = try CalendarFeeds(try TestDatabase.connect(name, actingAs: "SP")).create(
                org: "SP", label: "四平")
            let mine = try CalendarFeeds(try TestDatabase.connect(name, actingAs: "CC")).create(org: "CC", label: "长春")
            let cc = try TestDatabase.connect(name, actingAs: "CC")
            func refused(_ sql: SQLQuery, _ state: String) {
                do {
                    _ = try cc.execute(sql)
                    Issue.record("not refused: \(sql)")
                } catch let error as PGError {
                    #expect(error.sqlState == state, "\(error.message)")
                } catch { Issue.record("\(error)") }
            }
            let hash = "sha256(decode(repeat('ab', 32), 'hex'))"
            // A feed for another organisation: row-level security.
            refused(
                "INSERT INTO reloc.calendar_feed (org_id, token_hash) SELECT id, \(unsafeRaw: hash) FROM reloc.organisation WHERE code = 'SP'",
                "42501")
            // Its own, with forged stamps: no grant on those columns.
            refused(
                "INSERT INTO reloc.calendar_feed (org_id, token_hash, created_by) SELECT id, \(unsafeRaw: hash), 'someone' FROM reloc.organisation WHERE code = 'CC'",
                "42501")
            // Rewriting anything but the revocation, together with it: no grant.
            refused("UPDATE reloc.calendar_feed SET revoked_at = now(), label = 'x' WHERE id = \(mine.id)", "42501")
            refused(
                "UPDATE reloc.calendar_feed SET revoked_at = now(), token_hash = \(unsafeRaw: hash) WHERE id = \(mine.id)",
                "42501")
            refused("DELETE FROM reloc.calendar_feed WHERE id = \(mine.id)", "42501")
            refused("SELECT token_hash FROM reloc.calendar_feed", "42501")
            refused("SELECT * FROM reloc.calendar_feed_find(\(unsafeRaw: hash))", "42501")
            // Another's feed: invisible, so not revoked.
            #expect(try cc.execute("UPDATE reloc.calendar_feed SET revoked_at = now() WHERE id = \(theirs.id)") == 0)
            // Revoked once, never un-revoked nor revoked again with a back-dated stamp.
            #expect(
                try cc.execute("UPDATE reloc.calendar_feed SET revoked_at = '2000-01-01' WHERE id = \(mine.id)") == 1)
            let stamp = try cc.query(
                "SELECT revoked_at > now() - interval '1 hour' FROM reloc.calendar_feed WHERE id = \(mine.id)")
            #expect(try stamp.scalar(Bool.self), "the database stamps the revocation, not the writer")
            refused("UPDATE reloc.calendar_feed SET revoked_at = NULL WHERE id = \(mine.id)", "23514")
            refused("UPDATE reloc.calendar_feed SET revoked_at = now() WHERE id = \(mine.id)", "23514")
        }
    }

    /// 0031: the token is the database's to make. A role that could INSERT its own hash could
    /// set an address it already knew (or a weak one) to the organisation's calendar.
    @Test func theDatabaseMakesTheTokenNotTheRole() throws {
        try TestDatabase.with(.jilin2014) { name in
            let cc = try TestDatabase.connect(name, actingAs: "CC")
            let known = String(repeating: "ab", count: 32)
            do {
                _ = try cc.execute(
                    """
                    INSERT INTO reloc.calendar_feed (org_id, token_hash, label)
                    SELECT id, sha256(decode(\(known), 'hex')), '自选' FROM reloc.organisation WHERE code = 'CC'
                    """)
                Issue.record("a role inserted a feed with a token of its choosing")
            } catch let error as PGError {
                #expect(error.sqlState == "42501", "\(error.message)")
            }
            #expect(try CalendarFeeds(try TestDatabase.connect(name)).find(token: known) == nil)

            // The function, as the role in raw SQL: a fresh token, returned once, its hash stored.
            let made = try #require(
                try cc.query("SELECT feed_id, token FROM reloc.calendar_feed_create('cc', '办公室')").rows.first)
            let token = try #require(made["token"])
            #expect(CalendarFeeds.isToken(token))
            let admin = try TestDatabase.connect(name)
            #expect(try CalendarFeeds(admin).find(token: token)?.organisation == "CC")
            let stored = try admin.query(
                "SELECT encode(token_hash, 'hex') = encode(sha256(decode(\(token), 'hex')), 'hex') AS same, created_by FROM reloc.calendar_feed WHERE id = \(made["feed_id"] ?? "0")::bigint"
            )
            #expect(stored.rows.first?["same"] == "t" && stored.rows.first?["created_by"] == "postgres")
            // Two calls, two tokens.
            let second = try cc.query("SELECT token FROM reloc.calendar_feed_create('CC')").scalar(String.self)
            #expect(second != token && CalendarFeeds.isToken(second))
            // Another organisation's feed is refused by the function too.
            do {
                _ = try cc.query("SELECT * FROM reloc.calendar_feed_create('SP')")
                Issue.record("a city made a feed of another city")
            } catch let error as PGError {
                #expect(error.sqlState == "42501", "\(error.message)")
            }
        }
    }
}
