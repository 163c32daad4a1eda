import Foundation
import LibPQClient

extension Listing {
    /// A listing straight from a query: its column names are the JSON keys (so SQL aliases are
    /// the documented field names), and values keep their kind (numbers stay numbers).
    public init(_ result: PGResult) throws {
        self.init(columns: Listing.columns(of: result.columns))
        for row in result.rows {
            append(try Listing.values(of: row))
        }
    }

    static func columns(of columns: PGColumns) -> [Column] {
        zip(columns.names, columns.types).map { Column($0, kind: Listing.kind(of: $1)) }
    }

    static func values(of row: PGRow) throws -> [OutputValue] {
        try (0..<row.count).map { try Listing.value(row, at: $0) }
    }

    static func kind(of type: UInt32) -> ColumnKind {
        switch type {
        case PGType.int2, PGType.int4, PGType.int8: .integer
        case PGType.numeric, PGType.float4, PGType.float8: .decimal
        case PGType.date: .date
        case PGType.bool: .bool
        default: .text
        }
    }

    static func value(_ row: PGRow, at index: Int) throws -> OutputValue {
        guard let text = row.values[index] else { return .null }
        switch row.columns.types[index] {
        case PGType.int2, PGType.int4, PGType.int8: return .integer(try row.decode(Int.self, at: index))
        case PGType.numeric: return .decimal(text)
        case PGType.bool: return .bool(try row.decode(Bool.self, at: index))
        case PGType.json, PGType.jsonb: return .json(text)
        case PGType.timestamptz:
            return .text(ISO8601DateFormatter().string(from: try row.decode(Date.self, at: index)))
        default: return .text(text)
        }
    }
}

extension ListingRows {
    /// A store's query, its rows read a batch at a time from a cursor (PGRowSource).
    init(_ source: PGRowSource) {
        self.init(
            read: { columns, row in
                try source.read(
                    columns: { try columns(Listing.columns(of: $0)) }, rows: { try row(try Listing.values(of: $0)) })
            }, count: { try source.count() })
    }
}
