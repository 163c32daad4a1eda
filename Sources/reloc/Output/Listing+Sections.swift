/// One item shown with the lists that belong to it (a plan and its status history, a task and its
/// assignments): the table form prints the record, then each list under its title; JSON nests each
/// list as an array under its key, so `show` stays one object; CSV, which is one table, gives
/// everything in long form: `section,row,field,value`, one line per value (the item is section
/// `item`, row 1; each list's rows are numbered from 1), so no section is dropped.
public struct ItemWithSections: Sendable {
    public struct Section: Sendable {
        public let key: String
        public let title: String
        public let listing: Listing
        public init(key: String, title: String, _ listing: Listing) {
            self.key = key
            self.title = title
            self.listing = listing
        }
    }

    public let item: Listing
    public let sections: [Section]

    public init(_ item: Listing, sections: [Section]) {
        self.item = item
        self.sections = sections
    }

    public func render(_ format: OutputFormat) -> String {
        switch format {
        case .table:
            item.render(.table, single: true)
                + sections.map { "\n\($0.title)\n" + $0.listing.render(.table) }.joined()
        case .json:
            renderJSON()
        case .csv, .xlsx:
            renderCSV()
        }
    }

    func renderCSV() -> String {
        var lines = ["section,row,field,value"]
        let parts = [(key: "item", listing: item)] + sections.map { (key: $0.key, listing: $0.listing) }
        for part in parts {
            for (number, row) in part.listing.rows.enumerated() {
                for (column, value) in zip(part.listing.columns, row) {
                    lines.append(
                        [part.key, String(number + 1), column.key, value.csv].map(CSVText.field).joined(separator: ","))
                }
            }
        }
        return CSVText.lines(lines)
    }

    func renderJSON() -> String {
        guard item.rows.count == 1 else { return item.render(.json, single: true) }
        var members = zip(item.columns, item.rows[0]).map { JSONText.string($0.key) + ": " + JSONText.value($1) }
        for section in sections {
            let keys = section.listing.columns.map(\.key)
            let objects = section.listing.rows.map { JSONText.object(keys, $0, newline: false) }
            members.append(JSONText.string(section.key) + ": [" + objects.joined(separator: ", ") + "]")
        }
        return "{" + members.joined(separator: ", ") + "}\n"
    }
}
