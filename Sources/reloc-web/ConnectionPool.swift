import Foundation
import LibPQClient
import RelocationCore

/// A libpq connection handed between tasks: used by one task at a time (the pool's checkout).
final class PooledConnection: @unchecked Sendable {
    let connection: PGConnection
    init(_ connection: PGConnection) { self.connection = connection }
}

/// A bounded pool of the authenticator's connections: at most `size` open; a request waits for
/// one when all are busy (rather than opening more than PostgreSQL was sized for).
actor ConnectionPool {
    private let settings: DatabaseSettings
    let size: Int
    private var idle: [PooledConnection] = []
    private var open = 0
    private var waiters: [CheckedContinuation<PooledConnection?, Never>] = []
    private var closed = false

    init(settings: DatabaseSettings, size: Int) {
        self.settings = settings
        self.size = size
    }

    struct Stats: Sendable {
        let size: Int
        let open: Int
        let idle: Int
        let waiting: Int
    }

    var stats: Stats { Stats(size: size, open: open, idle: idle.count, waiting: waiters.count) }

    func checkout() async throws -> PooledConnection {
        if closed { throw PoolClosed() }
        if let connection = idle.popLast() { return connection }
        if open < size {
            open += 1
            do {
                let settings = self.settings
                return try await Blocking.run { PooledConnection(try settings.connect()) }
            } catch {
                open -= 1
                throw error
            }
        }
        guard let connection = await withCheckedContinuation({ waiters.append($0) }) else { throw PoolClosed() }
        return connection
    }

    /// Back to the pool; a connection that broke (or is mid-transaction) is closed instead.
    func checkin(_ connection: PooledConnection, healthy: Bool) {
        guard healthy, !closed, connection.connection.isConnected else {
            open -= 1
            if !waiters.isEmpty, !closed {
                // Someone waits: let them open a fresh one in our place.
                open += 1
                let waiter = waiters.removeFirst()
                let settings = self.settings
                Task {
                    let fresh = try? await Blocking.run { PooledConnection(try settings.connect()) }
                    if fresh == nil { await self.released() }
                    waiter.resume(returning: fresh)
                }
            }
            return
        }
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: connection)
        } else {
            idle.append(connection)
        }
    }

    private func released() { open -= 1 }

    /// Graceful shutdown: idle connections close now, busy ones when checked in.
    func close() {
        closed = true
        open -= idle.count
        idle.removeAll()
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters.removeAll()
    }
}

struct PoolClosed: Error, CustomStringConvertible {
    var description: String { "the server is shutting down" }
}

/// libpq blocks: its calls run on a dispatch queue, never on Swift concurrency's few threads.
enum Blocking {
    static let queue = DispatchQueue(label: "reloc-web.libpq", attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
