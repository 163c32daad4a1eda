import ArgumentParser
import RelocationCore

extension EnterpriseCommand {
    /// `enterprise show ID --as-of DATE`: the status on that day and the steps recorded by then.
    static func show(_ id: Int64, asOf: AsOf, session: SessionOptions, output: FormatOptions) throws {
        let steps = StepsAsOf(try session.open().connection, day: asOf)
        let history = ItemWithSections.Section(
            key: "history", title: "status history", try Listing(steps.enterpriseHistory(id)))
        try output.print(
            ItemWithSections(try Listing(steps.enterprise(id)), sections: [history]), sheet: "企业",
            labelling: ItemTerms.enterprise)
    }
}
