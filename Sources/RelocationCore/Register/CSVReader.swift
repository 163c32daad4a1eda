/// RFC 4180 CSV: fields separated by commas, optionally quoted ("" is a quote inside quotes, and
/// quoted fields may span lines), records ended by LF or CRLF. A UTF-8 byte-order mark is skipped.
public struct CSVReader {
    public struct Record: Sendable, Equatable {
        /// The line of the file on which the record starts (1 = the first line).
        public let line: Int
        public let fields: [String]
    }

    public enum Failure: Error, Equatable {
        case unterminatedQuote(line: Int)
        case textAfterQuote(line: Int)

        /// The line of the record the failure is in.
        public var line: Int {
            switch self {
            case .unterminatedQuote(let line), .textAfterQuote(let line): line
            }
        }
    }

    /// The well-formed records, and a failure for each malformed one (left out of the records).
    public struct Reading: Sendable, Equatable {
        public let records: [Record]
        public let failures: [Failure]
    }

    /// The records, or the first malformed one's failure.
    public static func parse(_ text: String) throws -> [Record] {
        let reading = read(text)
        if let failure = reading.failures.first { throw failure }
        return reading.records
    }

    /// Reads on past a malformed record (text after a closing quote: the rest of its line is
    /// skipped), so every bad line of a file can be reported at once. An unclosed quote runs to
    /// the end of the file, so nothing after it can be read.
    public static func read(_ text: String) -> Reading {
        var records: [Record] = []
        var failures: [Failure] = []
        var skipping = false
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quotedField = false
        var afterQuote = false
        var scalars = text.unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }

        func endField() {
            fields.append(field)
            field = ""
            quotedField = false
            afterQuote = false
        }
        func endRecord() {
            endField()
            // A blank line is not a record.
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
        }

        var iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if skipping {
                // The rest of a malformed record's line, up to the next line end.
                guard scalar == "\n" || scalar == "\r" else { continue }
                if scalar == "\r" {
                    let next = iterator.next()
                    if next != "\n" { pending = next }
                }
                skipping = false
                fields = []
                field = ""
                quotedField = false
                afterQuote = false
                line += 1
                recordLine = line
                continue
            }
            if inQuotes {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        afterQuote = true
                        pending = next
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                endField()
            case "\r":
                let next = iterator.next()
                if next != "\n" { pending = next }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            case "\"" where field.isEmpty && !quotedField:
                inQuotes = true
                quotedField = true
            default:
                if afterQuote {
                    // Spaces after a closing quote are tolerated; anything else is malformed.
                    guard scalar == " " || scalar == "\t" else {
                        failures.append(.textAfterQuote(line: recordLine))
                        skipping = true
                        continue
                    }
                    continue
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes {
            failures.append(.unterminatedQuote(line: recordLine))
        } else if !skipping && (!field.isEmpty || !fields.isEmpty || quotedField) {
            endRecord()
        }
        return Reading(records: records, failures: failures)
    }
}
