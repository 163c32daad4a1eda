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

extension EnterprisePriority: ExpressibleByArgument {
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

/// An enumerated option of an edit that may be typed empty (`--high-risk ""`): not a value but a
/// mistake the command answers in validate() with "say --clear FIELD"; any other word not a code
/// is refused with the codes, as for the plain enum.
enum ClearableChoice<Value: Choice & ExpressibleByArgument>: ExpressibleByArgument, Sendable {
    case value(Value)
    case empty

    init?(argument: String) {
        if Spellings.trimmed(argument).isEmpty {
            self = .empty
        } else if let value = Value(argument: argument) {
            self = .value(value)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { Value.allValueStrings }

    var value: Value? {
        if case .value(let value) = self { value } else { nil }
    }

    /// The code, or "" when typed empty.
    var text: String { value?.rawValue ?? "" }
}

/// A filter on a fact that may be unknown (NULL, issue 14): one of the codes, or `unknown` (未知)
/// for the rows where it is not yet set (`enterprise list --mode unknown`).
enum OrUnknown<Value: Choice & ExpressibleByArgument>: ExpressibleByArgument, Sendable {
    case value(Value)
    case unknown

    init?(argument: String) {
        if UnknownFacts.isWord(argument) {
            self = .unknown
        } else if let value = Value(argument: argument) {
            self = .value(value)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { Value.allValueStrings + ["unknown"] }

    var value: Value? {
        if case .value(let value) = self { value } else { nil }
    }

    var isUnknown: Bool {
        if case .unknown = self { true } else { false }
    }
}
