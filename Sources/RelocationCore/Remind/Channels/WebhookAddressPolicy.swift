#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which addresses a webhook may reach. An organisation chooses its webhook's URL, and the job
/// POSTs from inside the province's network: without this, a contact pointing at
/// `http://127.0.0.1:5432/`, `http://[::1]/`, `http://0x7f000001/` or `169.254.169.254` would make
/// the job a port scanner whose results the organisation reads in `remind history` (issue 12).
///
/// At send time the host is resolved (by the system resolver, so every spelling of an address —
/// decimal `2130706433`, hex `0x7f000001`, octal, short `127.1`, IPv4-mapped IPv6 `::ffff:7f00:1` —
/// ends up as the address it means), and the request is refused when any address is loopback,
/// link-local, private, shared (CGNAT), unspecified, multicast or reserved — unless the province
/// lists it in `RELOC_WEBHOOK_ALLOW` (addresses or CIDR networks, comma- or space-separated).
public struct WebhookAddressPolicy: Sendable, Hashable {
    /// An IPv4 (4 bytes) or IPv6 (16 bytes) network.
    public struct Network: Sendable, Hashable, CustomStringConvertible {
        public let bytes: [UInt8]
        public let prefix: Int

        /// `10.1.2.3`, `10.1.0.0/16`, `::1`, `fd00::/8`.
        public init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            guard let first = parts.first, let address = WebhookAddressPolicy.parse(first) else { return nil }
            let width = address.count * 8
            let prefix = parts.count == 2 ? Int(parts[1]) : width
            guard let prefix, (0...width).contains(prefix) else { return nil }
            bytes = address
            self.prefix = prefix
        }

        public func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var left = prefix
            for (a, b) in zip(address, bytes) where left > 0 {
                let bits = min(8, left)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if a & mask != b & mask { return false }
                left -= bits
            }
            return true
        }

        public var description: String { "\(WebhookAddressPolicy.format(bytes))/\(prefix)" }
    }

    /// Networks a webhook never reaches unless allowed: RFC 6890's special-purpose ranges that lead
    /// inside (loopback, private, link-local incl. cloud metadata, shared, unspecified, multicast,
    /// reserved) and their IPv6 counterparts.
    public static let internalNetworks: [Network] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fe80::/10", "fc00::/7", "ff00::/8", "fec0::/10",
    ].compactMap(Network.init)

    /// The province's exceptions (`RELOC_WEBHOOK_ALLOW`).
    public var allowed: [Network]
    /// Names answered without asking the resolver, as /etc/hosts would (lower case, no final dot):
    /// lets a test show that the request goes to the address checked, whatever the resolver says.
    public var knownHosts: [String: [[UInt8]]] = [:]

    public init(allowing allowed: [Network] = [], knownHosts: [String: [[UInt8]]] = [:]) {
        self.allowed = allowed
        self.knownHosts = knownHosts
    }

    /// Reads `RELOC_WEBHOOK_ALLOW`.
    /// - Throws: `RelocError.invalidInput` naming the setting and the entry that is not an address.
    public init(setting: String?) throws {
        var networks: [Network] = []
        for entry in (setting ?? "").split(whereSeparator: { $0 == "," || $0 == " " }) {
            guard let network = Network(String(entry)) else {
                throw RelocError.invalidInput(
                    "RELOC_WEBHOOK_ALLOW: \"\(entry)\" is not an IP address or network (e.g. 127.0.0.1,10.20.0.0/16)")
            }
            // A network wider than /8 (0.0.0.0/0, ::/0 …) would switch the protection off rather
            // than open one network: refused; so is an IPv6 entry covering all of the IPv4-mapped
            // addresses (::ffff:0:0/96, inside ::/8), which is every IPv4 address again.
            let mapped: [UInt8] = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 0, 0, 0, 0]
            if network.prefix < 8 || (network.bytes.count == 16 && network.prefix < 96 && network.contains(mapped)) {
                throw RelocError.invalidInput(
                    "RELOC_WEBHOOK_ALLOW: \"\(entry)\" is too wide (at least /8, and an IPv6 entry may not cover ::ffff:0:0/96): list the networks the webhooks need"
                )
            }
            networks.append(network)
        }
        allowed = networks
    }

    /// Why a webhook may not be reached: what an organisation reads (`shown`, never an address
    /// the job's network resolves to, §四(五) keeps the province's network its own) and the detail
    /// for the job's log.
    public struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// A host that is (or resolves to) an internal address: dead, a person must fix the contact.
        public var isInternal: Bool
        public var detail: String
        public var shown: String { isInternal ? "webhook: internal address" : "webhook: host not found" }
        public var description: String { shown }
    }

    /// Why a webhook at `host` may not be reached, or nil when it may. Resolves the host.
    public func refusal(host: String) -> Refusal? {
        if case .failure(let refusal) = check(host: host) { return refusal }
        return nil
    }

    /// The addresses `host` resolves to, every one checked, or why it may not be reached.
    ///
    /// A host the check cannot resolve is refused (retried later): the HTTP client resolves names
    /// itself and may succeed where the check failed (libcurl answers `*.localhost` with loopback
    /// without asking the system resolver), so an unchecked host could reach inside. `localhost`
    /// and every `*.localhost` name (RFC 6761) are loopback whatever a resolver says.
    /// The webhook channel connects to exactly these addresses (`WebhookChannel.pin`): the
    /// resolver is not asked again, so a name whose DNS answer changes in between (DNS rebinding)
    /// cannot lead the request inside.
    public func check(host: String) -> Result<[[UInt8]], Refusal> {
        var name = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        name = name.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        let addresses: [[UInt8]]
        if let known = knownHosts[name] {
            addresses = known
        } else if name == "localhost" || name.hasSuffix(".localhost") {
            addresses = [[127, 0, 0, 1], [UInt8](repeating: 0, count: 15) + [1]]
        } else if name.isEmpty {
            return .failure(Refusal(isInternal: false, detail: "the webhook has no host"))
        } else {
            do {
                addresses = try WebhookAddressPolicy.resolve(name)
            } catch {
                return .failure(
                    Refusal(isInternal: false, detail: "the webhook's host \(host) was not found: \(error)"))
            }
            if addresses.isEmpty {
                return .failure(Refusal(isInternal: false, detail: "the webhook's host \(host) has no IP address"))
            }
        }
        for address in addresses where refused(address) {
            return .failure(
                Refusal(
                    isInternal: true,
                    detail:
                        "the webhook's host \(host) is an internal address (\(WebhookAddressPolicy.format(address))); the province may allow it in RELOC_WEBHOOK_ALLOW"
                ))
        }
        return .success(addresses)
    }

    /// An address inside (after unwrapping IPv4-mapped and -compatible IPv6) and not allowed.
    public func refused(_ address: [UInt8]) -> Bool {
        let candidates = [address] + (WebhookAddressPolicy.embeddedIPv4(address).map { [$0] } ?? [])
        if candidates.contains(where: { a in allowed.contains { $0.contains(a) } }) { return false }
        return candidates.contains { a in WebhookAddressPolicy.internalNetworks.contains { $0.contains(a) } }
    }

    /// The IPv4 address inside `::ffff:a.b.c.d` (mapped) or `::a.b.c.d` (compatible, deprecated).
    static func embeddedIPv4(_ address: [UInt8]) -> [UInt8]? {
        guard address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }) else { return nil }
        let marker = address[10..<12]
        guard marker.allSatisfy({ $0 == 0xFF }) || marker.allSatisfy({ $0 == 0 }) else { return nil }
        return Array(address[12..<16])
    }

    /// A numeric address in its canonical forms only (for the allow-list).
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: bytes.count, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }
        .joined(separator: ":")
    }

    /// Every address the system resolver gives for `host` (numeric spellings included).
    static func resolve(_ host: String) throws -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else { throw RelocError.invalidInput("cannot resolve \(host)") }
        defer { freeaddrinfo(list) }
        var addresses: [[UInt8]] = []
        var next = list
        while let entry = next {
            if let socket = entry.pointee.ai_addr {
                switch Int32(entry.pointee.ai_family) {
                case AF_INET:
                    socket.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        var a = $0.pointee.sin_addr
                        addresses.append(withUnsafeBytes(of: &a) { Array($0) })
                    }
                case AF_INET6:
                    socket.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        var a = $0.pointee.sin6_addr
                        addresses.append(withUnsafeBytes(of: &a) { Array($0) })
                    }
                default: break
                }
            }
            next = entry.pointee.ai_next
        }
        return addresses
    }
}
