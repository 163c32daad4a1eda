import LibPQClient

/// A database session acting for one organisation. `--as ORG` becomes `SET ROLE` to that
/// organisation's role: PostgreSQL refuses it unless the login is a member, and from then on its
/// row-level security policies decide what the session sees and may change.
public final class RelocSession {
    public let connection: PGConnection
    /// The organisation acted for, or nil when acting as the login itself.
    public let actingOrganisation: String?

    public init(settings: DatabaseSettings, actingAs organisation: String?) throws {
        connection = try settings.connect()
        actingOrganisation = organisation?.uppercased()
        if let code = actingOrganisation {
            try RelocSession.setRole(connection, organisation: code)
        }
    }

    static func setRole(_ connection: PGConnection, organisation code: String) throws {
        let rows = try connection.query("SELECT role_name FROM reloc.organisation WHERE code = \(code)").rows
        guard let role = try rows.first?.decode(String.self, at: 0) else {
            throw RelocError.notFound("no organisation with code \(code); see `reloc org list`")
        }
        do {
            try connection.execute("SET ROLE \(identifier: role)")
        } catch let error as PGError where error.sqlState == "42501" {
            let login = (try? connection.query("SELECT session_user::text").scalar(String.self)) ?? "this login"
            throw RelocError.permissionDenied(
                "\(login) may not act as \(code): the login is not a member of that organisation (ask the province for a login with `reloc user add`)"
            )
        }
    }
}
