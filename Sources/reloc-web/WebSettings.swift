import Foundation
import RelocationCore

/// How reloc-web is run: `reloc-web [--listen HOST:PORT] [--database URL]`, the rest by
/// environment, as the CLI's settings are (docs/usage/web.md).
struct WebSettings: Sendable {
    var host = "127.0.0.1"
    var port = 8080
    /// The authenticator's connection (user reloc_web): --database, else DATABASE_URL.
    var database: DatabaseSettings
    /// Where a person's password is checked by PostgreSQL itself: a connection as their login,
    /// to this server (RELOC_WEB_SIGNIN_URL, e.g. postgresql://127.0.0.1:5432/reloc), where
    /// pg_hba.conf asks for a password; without it, the database URL's server.
    var signInURL: String?
    /// The database name the sign-in check connects to (the server's own, when set).
    var signInDatabase: String?
    /// Connections to the database at most (RELOC_WEB_POOL, default 8).
    var poolSize = 8
    /// A session unused this long ends (RELOC_WEB_IDLE_MINUTES, default 30).
    var idleMinutes = 30
    /// Cookies marked Secure (RELOC_WEB_SECURE_COOKIES=1, always behind the TLS proxy).
    var secureCookies = false
    /// Take the client's address from X-Forwarded-For (RELOC_WEB_TRUST_PROXY=1, behind nginx only).
    var trustProxy = false
    /// 总览's figures are kept this long per role and day (RELOC_WEB_HOME_SECONDS, default 5; 0:
    /// read afresh every time): HomeCache.
    var homeSeconds = 5
    /// The programme's zone (RELOC_TIMEZONE), whose date is the day HomeCache keeps figures for.
    var zone: String?

    static let usage = "usage: reloc-web [--listen HOST:PORT] [--database URL]"

    init(arguments: [String], environment: [String: String]) throws {
        var databaseURL: String?
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--listen":
                guard let value = rest.popFirst(), let colon = value.lastIndex(of: ":"),
                    let port = Int(value[value.index(after: colon)...]), (0...65535).contains(port)
                else { throw WebSettingsError("--listen takes HOST:PORT, e.g. 127.0.0.1:8080") }
                host = String(value[..<colon])
                self.port = port
            case "--database":
                guard let value = rest.popFirst() else { throw WebSettingsError("--database takes a URL") }
                databaseURL = value
            case "--help", "-h":
                throw WebSettingsError(WebSettings.usage, isHelp: true)
            default:
                throw WebSettingsError("unknown argument \(argument)")
            }
        }
        database = DatabaseSettings(url: databaseURL, environment: environment)
        signInURL = environment["RELOC_WEB_SIGNIN_URL"].flatMap { $0.isEmpty ? nil : $0 }
        if let value = environment["RELOC_WEB_POOL"] {
            guard let size = Int(value), (1...200).contains(size) else {
                throw WebSettingsError("RELOC_WEB_POOL is \(value): give a number of connections from 1 to 200")
            }
            poolSize = size
        }
        if let value = environment["RELOC_WEB_IDLE_MINUTES"] {
            guard let minutes = Int(value), (1...1440).contains(minutes) else {
                throw WebSettingsError("RELOC_WEB_IDLE_MINUTES is \(value): give minutes from 1 to 1440")
            }
            idleMinutes = minutes
        }
        if let value = environment["RELOC_WEB_HOME_SECONDS"] {
            guard let seconds = Int(value), (0...60).contains(seconds) else {
                throw WebSettingsError("RELOC_WEB_HOME_SECONDS is \(value): give seconds from 0 to 60")
            }
            homeSeconds = seconds
        }
        zone = environment["RELOC_TIMEZONE"].flatMap { $0.isEmpty ? nil : $0 }
        secureCookies = environment["RELOC_WEB_SECURE_COOKIES"] == "1"
        trustProxy = environment["RELOC_WEB_TRUST_PROXY"] == "1"
    }
}

struct WebSettingsError: Error, CustomStringConvertible {
    let description: String
    let isHelp: Bool
    init(_ description: String, isHelp: Bool = false) {
        self.description = description
        self.isHelp = isHelp
    }
}
