import ArgumentParser
import Foundation
import RelocationCore

/// How a listing reads in a table a person reads (docs/output.md): the columns an official needs,
/// within 120 terminal columns, and which columns hold an enumerated word's code, shown by its
/// label (异地迁建, 已登记 …; `RELOC_LANG=en`: English). JSON and CSV keep every key and the codes.
struct TableView: Sendable {
    /// The table's columns by default, with their headers (a key the rows lack is skipped).
    let columns: [(key: String, header: String)]
    /// Columns whose codes are a term's, labelled in tables.
    let terms: [String: any Term.Type]
    /// The sheet's name in a workbook (`--format xlsx`), in Chinese: 企业台账, 节点 …
    let sheet: String

    init(_ columns: [(key: String, header: String)], terms: [String: any Term.Type] = [:], sheet: String = "列表") {
        self.columns = columns
        self.terms = terms
        self.sheet = sheet
    }

    /// Every column as it comes, labelled.
    static func all(terms: [String: any Term.Type] = [:], sheet: String = "列表") -> TableView {
        TableView([], terms: terms, sheet: sheet)
    }

    /// The table a person reads: this view's columns (or `chosen`, `--columns`), labels in
    /// RELOC_LANG's language.
    func table(_ listing: Listing, chosen: Listing? = nil) -> String {
        var shown = listing
        if let chosen {
            shown = chosen
        } else if !columns.isEmpty {
            let keys = Set(listing.columns.map(\.key))
            shown = listing.selecting(columns.filter { keys.contains($0.key) })
        }
        return shown.labelled(terms, TermLanguage.current).render(.table)
    }
}

extension Listing {
    /// The same rows with each code in `terms`' columns written as its label (a code no term knows,
    /// such as a reminder rule's `default`, stays as it is).
    func labelled(_ terms: [String: any Term.Type], _ language: TermLanguage) -> Listing {
        guard !terms.isEmpty else { return self }
        let labels: [(any Term.Type)?] = columns.map { terms[$0.key] }
        let unknowable = columns.map { UnknownFacts.columns.contains($0.key) }
        var labelled = Listing(columns: columns)
        for row in rows {
            labelled.append(
                zip(zip(row, labels), unknowable).map { pair, unknowable in
                    let (value, term) = pair
                    if unknowable, value == .null { return .text(UnknownFacts.word(language)) }
                    guard let term, case .text(let code) = value else { return value }
                    return .text(Terms.label(code, domain: term.domain, language) ?? code)
                })
        }
        return labelled
    }

    /// The rows with the columns `keys` names, in that order, each headed by its key; an unknown
    /// key is the command line's mistake (64), answered with the keys there are.
    func choosing(_ keys: [String]) throws -> Listing {
        let known = columns.map(\.key)
        if keys.allSatisfy(\.isEmpty) {
            throw ValidationError(
                "--columns names one column or more; this listing has: \(known.joined(separator: ", "))")
        }
        if keys.contains(where: \.isEmpty) {
            throw ValidationError("--columns: an empty column name (two commas together, or one at an end)")
        }
        if let twice = keys.enumerated().first(where: { keys[..<$0.offset].contains($0.element) })?.element {
            throw ValidationError("--columns: column \"\(twice)\" named twice; name each column once")
        }
        if let unknown = keys.first(where: { !known.contains($0) }) {
            throw ValidationError(
                "--columns: no column \"\(unknown)\"; this listing has: \(known.joined(separator: ", "))")
        }
        return selecting(keys.map { ($0, $0) })
    }
}

extension TermLanguage {
    /// The language of this process's tables (`RELOC_LANG`).
    static var current: TermLanguage { from(environment: ProcessInfo.processInfo.environment) }
}
