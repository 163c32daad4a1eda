import CLibPQ

extension PGConnection {
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when anything throws.
    /// With `retries` > 0 a serialization failure or deadlock (40001, 40P01) runs the whole body
    /// again, up to that many more times; the body must therefore be safe to repeat.
    @discardableResult
    public func withTransaction<T>(
        isolation: IsolationLevel = .readCommitted, retries: Int = 0,
        _ body: (PGConnection) throws -> T
    ) throws -> T {
        var attempt = 0
        while true {
            do {
                try execute(SQLQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"))
                let value: T
                do {
                    value = try body(self)
                    try execute("COMMIT")
                } catch {
                    rollbackQuietly()
                    throw error
                }
                return value
            } catch let error as PGError where error.isRetryable && attempt < retries {
                attempt += 1
            }
        }
    }

    /// After a failure the original error is what matters; a rollback on a broken connection
    /// fails too, and the broken connection reports itself on the next use.
    private func rollbackQuietly() {
        guard PQtransactionStatus(handle) != PQTRANS_IDLE, let result = PQexec(handle, "ROLLBACK") else { return }
        PQclear(result)
    }

    /// True inside BEGIN … COMMIT.
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }
}
