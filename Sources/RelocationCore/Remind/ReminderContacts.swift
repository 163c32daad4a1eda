import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where each organisation's reminders go (`reloc remind contact add | list | remove`). An
/// organisation manages its own contacts; the province any organisation's.
public struct ReminderContacts {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// What `add` made: the contact's id and, for a webhook, the secret its requests are signed
    /// with (shown this once: it cannot be read back).
    public struct Added: Sendable {
        public var id: Int64
        public var secret: String?
    }

    /// A new signing secret: 32 bytes from the system's cryptographic generator, in hex.
    public static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return HMACSHA256.hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Adds an e-mail address or a webhook for `org`.
    public func add(org: String, channel: ChannelAddress, name: String?) throws -> Added {
        let (kind, address): (String, String)
        switch channel {
        case .email(let to): (kind, address) = ("email", to)
        case .webhook(let url): (kind, address) = ("webhook", url.absoluteString)
        default: throw RelocError.invalidInput("a contact is --email ADDRESS or --webhook URL")
        }
        try Organisations(db).requireExists(org)
        let secret = kind == "webhook" ? ReminderContacts.newSecret() : nil
        let rows = try db.query(
            """
            INSERT INTO reloc.reminder_contact (org_id, channel, address, name, secret)
            SELECT id, \(kind), \(address), \(name), \(secret) FROM reloc.organisation WHERE code = \(org.uppercased())
            RETURNING id
            """
        ).rows
        return Added(id: try rows[0].decode(Int64.self, at: 0), secret: secret)
    }

    public func list(org: String?) throws -> PGResult {
        try db.query(
            """
            SELECT c.id, o.code AS org, o.name_zh AS org_name, c.channel,
                   reloc.url_shown(c.address) AS address, c.name, c.created_at
            FROM reloc.reminder_contact c JOIN reloc.organisation o ON o.id = c.org_id
            WHERE \(org?.uppercased())::text IS NULL OR o.code = \(org?.uppercased())
            ORDER BY o.code, c.id
            """)
    }

    /// Removes a contact; the messages already sent to it keep their record.
    public func remove(id: Int64) throws {
        guard try db.execute("DELETE FROM reloc.reminder_contact WHERE id = \(id)") == 1 else {
            throw RelocError.notFound("no contact \(id) that you may remove; see `reloc remind contact list`")
        }
    }
}
