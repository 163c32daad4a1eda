import CLibPQ

extension PGConnection {
    /// Streams rows into `COPY … FROM STDIN` (text format) and returns the number of rows copied.
    /// Values are escaped for the text format (backslash, tab, newline, carriage return); nil is
    /// `\N`. Data goes out in chunks of about 64 KiB with exact UTF-8 byte counts.
    ///
    ///     try connection.copyIn(into: "COPY t (a, b) FROM STDIN", rows: [["x", nil], ["y", "z"]])
    @discardableResult
    public func copyIn<Rows: Sequence>(into statement: SQLQuery, rows: Rows) throws -> Int
    where Rows.Element == [String?] {
        // COPY takes no bind parameters: sent with PQexec they would be silently dropped and the
        // statement run without them (or fail on a "$1"). The rows are the only values it takes.
        guard statement.parameters.isEmpty else {
            throw PGError.usage(
                "COPY … FROM STDIN takes no query parameters (\(statement.parameters.count) given): send values as rows"
            )
        }
        guard let start = PQexec(handle, statement.sql) else { throw lastConnectionError() }
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            defer { PQclear(start) }
            try check(start)
            throw PGError.usage("\(statement.sql) is not a COPY … FROM STDIN statement")
        }
        PQclear(start)

        var buffer: [UInt8] = []
        buffer.reserveCapacity(70_000)
        var sendError: PGError? = nil
        func flush() {
            guard !buffer.isEmpty, sendError == nil else { return }
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { PQputCopyData(handle, $0.baseAddress, Int32($0.count)) }
            }
            if sent != 1 { sendError = lastConnectionError() }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.append(0x09) }
                if let value { PGConnection.appendCopyEscaped(value, to: &buffer) } else { buffer += [0x5C, 0x4E] }
            }
            buffer.append(0x0A)
            if buffer.count >= 65_536 { flush() }
            if sendError != nil { break }
        }
        flush()
        // Ending with an error message makes the server abort the COPY instead of committing half.
        if PQputCopyEnd(handle, sendError == nil ? nil : "client failed while sending") != 1, sendError == nil {
            sendError = lastConnectionError()
        }
        // Drain every result: the COPY's own, then the end of the command.
        var outcome: Result<Int, PGError> = .success(0)
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                outcome = .success(Int(String(cString: PQcmdTuples(result))) ?? 0)
            } else if case .success = outcome {
                outcome = .failure(PGError.fromResult(result, connection: handle))
            }
        }
        if let sendError { throw sendError }
        return try outcome.get()
    }

    /// Text-format escaping of one value (PostgreSQL manual, COPY, "Text Format").
    static func appendCopyEscaped(_ value: String, to buffer: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case 0x5C: buffer += [0x5C, 0x5C]  // backslash
            case 0x09: buffer += [0x5C, 0x74]  // tab → \t
            case 0x0A: buffer += [0x5C, 0x6E]  // newline → \n
            case 0x0D: buffer += [0x5C, 0x72]  // carriage return → \r
            default: buffer.append(byte)
            }
        }
    }
}
