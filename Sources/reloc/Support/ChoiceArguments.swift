import ArgumentParser
import RelocationCore

// The enumerated options are RelocationCore's words (Words/), parsed by ArgumentParser directly:
// a code in any case or width, or its label (异地迁建), reads as the value; another word is the
// command line's mistake, usage (64), with ArgumentParser's list of the codes ("Please provide
// one of"), as for --format (BadValue.isUnknownChoice).

extension EnterpriseMode: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension EnterpriseStatus: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension HighRiskClass: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension PlanStatus: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension OrganisationKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension ParkKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension ProgressStatus: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension TaskStatus: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension MilestoneKind: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension LandSupply: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension SiteReuse: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension SiteState: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension SurveyResult: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}

extension DeliveryState: ExpressibleByArgument {
    public init?(argument: String) { self.init(spelling: argument) }
}
