import ArgumentParser
import Foundation
import RelocationCore

/// How a list is printed: its format and, if asked, its columns (docs/output.md).
struct ListingOptions: ParsableArguments {
    /// `--format`, the option group the root command shares with every command (Reloc.swift), so
    /// that it may stand before the subcommand as well as after it.
    @OptionGroup var shared: FormatOptions
    var format: OutputFormat { shared.format }

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Only these columns, in this order (comma-separated keys, as in JSON), in every format.",
            valueName: "a,b,c"))
    var columns: String?

    /// The keys `--columns` names, or nil when it is not given.
    var chosenColumns: [String]? {
        // Empty names are kept, so that `code,,name` is refused rather than read as `code,name`.
        columns.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { Spellings.trimmed(String($0)) } }
    }

    /// The listing as `view` says for a table (its columns, labels in RELOC_LANG's language), every
    /// key and code for JSON and CSV; `--columns` chooses the columns in every format.
    func render(_ listing: Listing, _ view: TableView) throws -> String {
        let chosen = try chosenColumns.map { try listing.choosing($0) }
        guard format == .table else { return (chosen ?? listing).render(format) }
        return view.table(listing, chosen: chosen)
    }

    func print(_ listing: Listing, _ view: TableView) throws {
        if format == .xlsx {
            let chosen = try chosenColumns.map { try listing.choosing($0) } ?? listing
            return try XLSXOutput.write(
                [.init(name: view.sheet, listing: chosen)], to: shared.output, quiet: shared.quiet)
        }
        Console.write(try render(listing, view))
    }

    /// A listing read as its rows arrive (ListingRows): JSON, CSV and xlsx are written row by row
    /// and hold none; a table takes every row first, as it must.
    func print(_ rows: ListingRows, _ view: TableView) throws {
        switch format {
        case .xlsx:
            try XLSXOutput.write(
                [.init(name: view.sheet, rows: rows.choosing(chosenColumns))], to: shared.output, quiet: shared.quiet)
        case .json, .csv: try StreamedText.write(rows.choosing(chosenColumns), format)
        case .table: try print(rows.whole(), view)
        }
    }
}
