import ArgumentParser
import Foundation
import RelocationCore

extension Board.Unit: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: Spellings.halfwidth(Spellings.trimmed(argument)).lowercased())
    }
}

/// `reloc board [--by city|department|plan] [--as-of DATE]`: what a leader reads first (issue 15) —
/// how many milestones stand at red, yellow, green and done per organisation, the total first and
/// the most red next, within 80 columns.
struct BoardCommand: SessionCommand {
    static let configuration = CommandConfiguration(
        commandName: "board",
        abstract: "Milestones per traffic light (红黄绿灯) per city, department or plan: the total first, red first.",
        discussion: """
            red: overdue or blocked; yellow: due within the setting's working days, at risk, an extension pending \
            or a completion under review; green: on track; done: closed. A city sees its own row, the province all.
            """)
    @Option(help: "One row per city (default), department or plan.") var by: Board.Unit = .city
    @OptionGroup var asOf: AsOfOptions
    @OptionGroup var session: SessionOptions
    @OptionGroup var output: ListingOptions

    func execute() throws {
        let listing = try Listing(Board(session.open().connection).counts(by: by, asOf: asOf.asOf))
        guard output.format == .table, output.columns == nil else {
            return try output.print(listing, .all())
        }
        Console.write(Self.table(listing, TermLanguage.current))
    }

    /// Headers in the reader's language (the lights' own words), the total row named.
    static func table(_ listing: Listing, _ language: TermLanguage) -> String {
        let header: [String: String] = [
            "code": language == .zh ? "代码" : "code", "name": language == .zh ? "单位" : "name",
            "red": MilestoneLight.red.label(language), "yellow": MilestoneLight.yellow.label(language),
            "green": MilestoneLight.green.label(language), "done": MilestoneLight.done.label(language),
            "total": language == .zh ? "合计" : "total",
        ]
        var table = Listing(columns: listing.columns.map { .init($0.key, header[$0.key] ?? $0.key) })
        for row in listing.rows {
            table.append(
                row.enumerated().map { index, value in
                    index == 1 && value == .null ? .text(language == .zh ? "全部合计" : "all") : value
                })
        }
        return table.render(.table)
    }
}
