import Foundation

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

/// JSON and CSV written as the rows come: the very bytes `Listing.render` makes. What passes
/// about a megabyte is spooled to an anonymous temporary file (`Spool`, unlinked at once: gone when closed or when
/// the process ends), and nothing reaches the sink before the last row has been read: a listing
/// that fails part-way (a lost connection, a timeout) writes nothing, as a held one did, instead of
/// a CSV that ends on a whole row and looks complete (issue 17's review). Memory stays bounded.
enum StreamedText {
    static func write(_ rows: ListingRows, _ format: OutputFormat, to sink: (String) -> Void = Console.write) throws {
        var out = ""
        var keys: [String] = []
        var none = true
        var spool: Spool?
        defer { spool?.discard() }
        func spoolIfFull() throws {
            guard out.utf8.count >= 1 << 20 else { return }
            if spool == nil { spool = try Spool() }
            try spool?.append(out)
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
                try spoolIfFull()
            })
        if format == .json { out += none ? "[]\n" : "\n]\n" }
        try spool?.replay(to: sink)
        sink(out)
    }
}

/// An anonymous temporary file in TMPDIR (default /tmp; made by mkstemp and unlinked at once, so
/// nothing is left behind whatever happens), written, then read back from its start in pieces as
/// they were appended (each ends on a whole UTF-8 character).
private final class Spool {
    private let file: UnsafeMutablePointer<FILE>
    private var pieces: [Int] = []

    init() throws {
        let folder = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(folder)/reloc-listing-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else {
            throw OutputFileError(
                description:
                    "cannot make a temporary file in \(folder) for the listing (\(String(cString: strerror(errno)))): set TMPDIR to a writable folder"
            )
        }
        unlink(template)
        guard let file = fdopen(descriptor, "w+") else {
            close(descriptor)
            throw OutputFileError(
                description: "cannot open the listing's temporary file (\(String(cString: strerror(errno))))")
        }
        self.file = file
    }

    func append(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard fwrite(bytes, 1, bytes.count, file) == bytes.count else {
            throw OutputFileError(
                description:
                    "cannot write the listing's temporary file (\(String(cString: strerror(errno)))): free space in TMPDIR"
            )
        }
        pieces.append(bytes.count)
    }

    func replay(to sink: (String) -> Void) throws {
        guard fflush(file) == 0, fseek(file, 0, SEEK_SET) == 0 else {
            throw OutputFileError(
                description: "cannot read the listing's temporary file back (\(String(cString: strerror(errno))))")
        }
        for size in pieces {
            var buffer = [UInt8](repeating: 0, count: size)
            guard fread(&buffer, 1, size, file) == size else {
                throw OutputFileError(
                    description: "cannot read the listing's temporary file back (\(String(cString: strerror(errno))))")
            }
            sink(String(decoding: buffer, as: UTF8.self))
        }
    }

    func discard() { fclose(file) }
}
