#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Listing {
    /// The same rows with only some columns, in the given order, each with a header: a table
    /// shows fewer columns than JSON/CSV carry (e.g. a short title instead of the full one).
    public func selecting(_ columns: [(key: String, header: String)]) -> Listing {
        let indices = columns.map { wanted in self.columns.firstIndex { $0.key == wanted.key } }
        precondition(indices.allSatisfy { $0 != nil }, "selecting a column the listing does not have")
        var selected = Listing(
            columns: zip(columns, indices).map { Column($0.key, $0.header, kind: self.columns[$1!].kind) })
        for row in rows { selected.append(indices.map { row[$0!] }) }
        return selected
    }

    /// One item as a JSON object with nested lists (e.g. a task with its assignments and history).
    public func renderJSONObject(nested: [(key: String, listing: Listing)]) -> String {
        precondition(rows.count == 1, "an item is one row")
        var members = zip(columns.map(\.key), rows[0]).map { JSONText.string($0) + ": " + JSONText.value($1) }
        for (key, listing) in nested {
            let items = listing.rows.map { JSONText.object(listing.columns.map(\.key), $0, newline: false) }
            members.append(JSONText.string(key) + ": [" + items.joined(separator: ", ") + "]")
        }
        return "{" + members.joined(separator: ", ") + "}\n"
    }
}
