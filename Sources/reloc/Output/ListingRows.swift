/// A listing read as its rows arrive from the database, a batch at a time (issue 17: an export
/// of 100,000 enterprises in bounded memory): `--format xlsx|json|csv` write each row as it comes and hold
/// none; a table, which measures every row before printing the first, takes them all
/// (`whole()`). A listing already held reads the same way.
struct ListingRows {
    /// Tells `columns` the listing's columns once, then `row` each row, in order.
    let read: (_ columns: ([Listing.Column]) throws -> Void, _ row: ([OutputValue]) throws -> Void) throws -> Void
    /// How many rows there are: only asked for a progress bar's total.
    let count: () throws -> Int

    init(
        read: @escaping (([Listing.Column]) throws -> Void, ([OutputValue]) throws -> Void) throws -> Void,
        count: @escaping () throws -> Int
    ) {
        self.read = read
        self.count = count
    }

    init(_ listing: Listing) {
        read = { columns, row in
            try columns(listing.columns)
            for values in listing.rows { try row(values) }
        }
        count = { listing.rows.count }
    }

    /// Every row, held.
    func whole() throws -> Listing {
        var listing = Listing(columns: [])
        try read({ listing = Listing(columns: $0) }, { listing.append($0) })
        return listing
    }

    /// Only the columns `--columns` names, in its order (refused as `Listing.choosing` refuses,
    /// before any row is written); all of them when it names none.
    func choosing(_ keys: [String]?) -> ListingRows {
        guard let keys else { return self }
        let read = self.read
        return ListingRows(
            read: { columns, row in
                var indices: [Int] = []
                try read(
                    { all in
                        let chosen = try Listing(columns: all).choosing(keys).columns
                        indices = chosen.map { wanted in all.firstIndex { $0.key == wanted.key }! }
                        try columns(chosen)
                    },
                    { values in try row(indices.map { values[$0] }) })
            }, count: count)
    }
}

/// JSON and CSV written as the rows come: the very bytes `Listing.render` makes, in pieces of
/// about a megabyte, so a listing smaller than that is written at its end (as before) and a large
/// one never sits in memory.
enum StreamedText {
    static func write(_ rows: ListingRows, _ format: OutputFormat, to sink: (String) -> Void = Console.write) throws {
        var out = ""
        var keys: [String] = []
        var none = true
        func flushIfFull() {
            guard out.utf8.count >= 1 << 20 else { return }
            sink(out)
            out = ""
        }
        try rows.read(
            { columns in
                keys = columns.map(\.key)
                if format == .csv { out += columns.map { CSVText.field($0.key) }.joined(separator: ",") + "\r\n" }
            },
            { values in
                if format == .json {
                    out += (none ? "[\n  " : ",\n  ") + JSONText.object(keys, values, newline: false)
                } else {
                    out += values.map { CSVText.field($0.csv) }.joined(separator: ",") + "\r\n"
                }
                none = false
                flushIfFull()
            })
        if format == .json { out += none ? "[]\n" : "\n]\n" }
        sink(out)
    }
}
