/// A parameterized SQL statement. Written as a string literal with interpolations, every
/// interpolated value becomes a `$n` bind parameter, never SQL text:
///
///     let query: SQLQuery = "SELECT id FROM reloc.plan WHERE code = \(code)"
///
/// Text that must be SQL (an identifier, a fragment chosen by code) goes through the named
/// escape hatches `\(identifier:)` (quoted) and `\(unsafeRaw:)` (trusted text only).
public struct SQLQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var sql: String
    public private(set) var parameters: [String?]
    public private(set) var parameterTypes: [UInt32]

    public init(stringLiteral value: String) {
        sql = value
        parameters = []
        parameterTypes = []
    }

    public init(stringInterpolation: StringInterpolation) {
        sql = stringInterpolation.sql
        parameters = stringInterpolation.parameters
        parameterTypes = stringInterpolation.parameterTypes
    }

    /// SQL text taken as it is. Only for statements that the program itself composed; never for
    /// anything a user typed.
    public init(unsafeSQL sql: String) {
        self.sql = sql
        parameters = []
        parameterTypes = []
    }

    /// Appends another query, renumbering its parameters.
    public mutating func append(_ other: SQLQuery) {
        var interpolation = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        interpolation.sql = sql
        interpolation.parameters = parameters
        interpolation.parameterTypes = parameterTypes
        interpolation.appendInterpolation(other)
        self = SQLQuery(stringInterpolation: interpolation)
    }

    public var description: String { sql }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var parameters: [String?] = []
        var parameterTypes: [UInt32] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            parameters.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// A value: becomes the next `$n` parameter.
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value) {
            parameters.append(value.pgText)
            parameterTypes.append(Value.pgType)
            sql += "$\(parameters.count)"
        }

        /// An optional value: NULL when nil.
        public mutating func appendInterpolation<Value: PGEncodable>(_ value: Value?) {
            parameters.append(value?.pgText)
            parameterTypes.append(Value.pgType)
            sql += "$\(parameters.count)"
        }

        /// An identifier (table, column, role), double-quoted with embedded quotes doubled.
        public mutating func appendInterpolation(identifier: String) {
            sql += "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }

        /// A nested query: its text is spliced in and its `$n` renumbered after ours.
        public mutating func appendInterpolation(_ query: SQLQuery) {
            let offset = parameters.count
            sql += offset == 0 ? query.sql : SQLQuery.renumber(query.sql, by: offset)
            parameters += query.parameters
            parameterTypes += query.parameterTypes
        }

        /// SQL text spliced in verbatim. The name is the warning: never pass user input.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            sql += text
        }
    }

    /// Shifts `$n` placeholders outside quotes by `offset`.
    static func renumber(_ sql: String, by offset: Int) -> String {
        var result = ""
        var inQuote: Character? = nil
        var index = sql.startIndex
        while index < sql.endIndex {
            let character = sql[index]
            if let quote = inQuote {
                result.append(character)
                if character == quote { inQuote = nil }
                index = sql.index(after: index)
            } else if character == "'" || character == "\"" {
                inQuote = character
                result.append(character)
                index = sql.index(after: index)
            } else if character == "$" {
                var end = sql.index(after: index)
                while end < sql.endIndex, sql[end].isASCII, sql[end].isNumber { end = sql.index(after: end) }
                if let number = Int(sql[sql.index(after: index)..<end]) {
                    result += "$\(number + offset)"
                } else {
                    result += sql[index..<end]
                }
                index = end
            } else {
                result.append(character)
                index = sql.index(after: index)
            }
        }
        return result
    }
}
