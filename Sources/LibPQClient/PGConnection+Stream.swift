import CLibPQ

extension PGConnection {
    /// Runs a query and hands its rows to `body` one at a time, as they arrive (libpq single-row
    /// mode), so a result of millions of rows never sits in memory at once. If `body` throws, the
    /// query is cancelled, the connection drained, and the error rethrown. Returns the row count.
    @discardableResult
    public func stream(_ query: SQLQuery, _ body: (PGRow) throws -> Void) throws -> Int {
        let sent = withParameters(query) { count, types, values in
            PQsendQueryParams(handle, query.sql, count, types, values, nil, nil, 0)
        }
        guard sent == 1 else {
            throw lastConnectionError()
        }
        guard PQsetSingleRowMode(handle) == 1 else {
            drain()
            throw PGError.usage("libpq refused single-row mode for this query")
        }
        var columns: PGColumns? = nil
        var count = 0
        var failure: (any Error)? = nil
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            guard failure == nil else { continue }  // draining after an error
            switch PQresultStatus(result) {
            case PGRES_SINGLE_TUPLE:
                let rowColumns = columns ?? PGConnection.columns(of: result)
                columns = rowColumns
                let row = PGRow(
                    columns: rowColumns, values: PGConnection.values(of: result, row: 0, count: rowColumns.names.count))
                count += 1
                do { try body(row) } catch {
                    failure = error
                    cancel()
                }
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                break  // the end of the rows
            default:
                failure = PGError.fromResult(result, connection: handle)
            }
        }
        if let failure { throw failure }
        return count
    }

    /// Asks the server to stop the running command (used when the reader gives up early).
    func cancel() {
        guard let token = PQgetCancel(handle) else { return }
        defer { PQfreeCancel(token) }
        var message = [CChar](repeating: 0, count: 256)
        _ = PQcancel(token, &message, Int32(message.count))
    }

    func drain() {
        while let result = PQgetResult(handle) { PQclear(result) }
    }
}
