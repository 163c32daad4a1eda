import LibPQClient

/// Where each organisation's reminders go (`reloc remind contact add | list | remove`). An
/// organisation manages its own contacts; the province any organisation's.
public struct ReminderContacts {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// Adds an e-mail address or a webhook for `org`; returns the contact's id.
    public func add(org: String, channel: ChannelAddress, name: String?) throws -> Int64 {
        let (kind, address): (String, String)
        switch channel {
        case .email(let to): (kind, address) = ("email", to)
        case .webhook(let url): (kind, address) = ("webhook", url.absoluteString)
        default: throw RelocError.invalidInput("a contact is --email ADDRESS or --webhook URL")
        }
        try Organisations(db).requireExists(org)
        let rows = try db.query(
            """
            INSERT INTO reloc.reminder_contact (org_id, channel, address, name)
            SELECT id, \(kind), \(address), \(name) FROM reloc.organisation WHERE code = \(org.uppercased())
            RETURNING id
            """
        ).rows
        return try rows[0].decode(Int64.self, at: 0)
    }

    public func list(org: String?) throws -> PGResult {
        try db.query(
            """
            SELECT c.id, o.code AS org, o.name_zh AS org_name, c.channel, c.address, c.name, c.created_at
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
