import RelocationCore

/// One item a person reads (`show`): in a table, its words by their names, as in the listings
/// (TableView); JSON and CSV keep the codes.
extension ItemWithSections {
    func render(_ format: OutputFormat, labelling terms: [String: any Term.Type]) -> String {
        guard format == .table else { return render(format) }
        let language = TermLanguage.current
        let labelled = ItemWithSections(
            item.labelled(terms, language),
            sections: sections.map { .init(key: $0.key, title: $0.title, $0.listing.labelled(terms, language)) })
        return labelled.render(.table)
    }
}

extension Listing {
    /// An item as `printItem`, its words by their names in a table.
    func printItem(_ format: OutputFormat, labelling terms: [String: any Term.Type]) {
        (format == .table ? labelled(terms, TermLanguage.current) : self).printItem(format)
    }
}

/// The words each item's record and sections hold.
enum ItemTerms {
    static let enterprise: [String: any Term.Type] = [
        "mode": EnterpriseMode.self, "status": EnterpriseStatus.self, "high_risk": HighRiskClass.self,
        "priority": EnterprisePriority.self, "from_status": EnterpriseStatus.self, "to_status": EnterpriseStatus.self,
    ]
    static let plan: [String: any Term.Type] = [
        "status": PlanStatus.self, "from_status": PlanStatus.self, "to_status": PlanStatus.self,
    ]
    static let park: [String: any Term.Type] = ["kind": ParkKind.self]
    static let site: [String: any Term.Type] = ["planned_reuse": SiteReuse.self, "env_state": SiteState.self]
}
