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
    ///
    /// Inside a transaction already open, `body` runs under a savepoint instead: released when it
    /// returns, rolled back to when it throws, and the outer transaction alone commits (a second
    /// BEGIN would only warn, and the inner COMMIT would commit the outer work). A nested call
    /// cannot retry (a serialization failure aborts the outer transaction) nor ask for a stronger
    /// isolation than the outer transaction has.
    @discardableResult
    public func withTransaction<T>(
        isolation: IsolationLevel = .readCommitted, retries: Int = 0,
        _ body: (PGConnection) throws -> T
    ) throws -> T {
        if isInTransaction { return try withSavepoint(isolation: isolation, body) }
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

    private func withSavepoint<T>(isolation: IsolationLevel, _ body: (PGConnection) throws -> T) throws -> T {
        if isolation != .readCommitted {
            let current = try query("SELECT upper(current_setting('transaction_isolation'))").scalar(String.self)
            guard current == isolation.rawValue else {
                throw PGError.usage(
                    "a nested transaction cannot ask for \(isolation.rawValue): the open transaction is \(current)")
            }
        }
        // One name for every level: RELEASE and ROLLBACK TO act on the newest savepoint of that
        // name, which is this level's, since inner levels end before outer ones.
        try execute("SAVEPOINT reloc_nested")
        let value: T
        do {
            value = try body(self)
        } catch {
            if PQtransactionStatus(handle) == PQTRANS_INERROR || PQtransactionStatus(handle) == PQTRANS_INTRANS,
                let result = PQexec(handle, "ROLLBACK TO SAVEPOINT reloc_nested; RELEASE SAVEPOINT reloc_nested")
            {
                PQclear(result)
            }
            throw error
        }
        try execute("RELEASE SAVEPOINT reloc_nested")
        return value
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
