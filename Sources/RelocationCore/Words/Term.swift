/// A word with a fixed list of values, said once: its codes are the database's CHECK list (or
/// lookup) and its labels are the rows of `reloc.term` (0016). `TermDriftTests` compares all
/// three, so a value added on one side only fails the suite.
///
/// Commands parse them directly (the CLI declares `ExpressibleByArgument`); a human table shows
/// the label in the reader's language, JSON and CSV keep the code.
public protocol Choice: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    /// Other spellings people type for a value (正常 for on-track), beside its code and labels.
    static var otherSpellings: [String: Self] { get }
}

extension Choice {
    public static var otherSpellings: [String: Self] { [:] }

    /// Every code, in the order the documents give them.
    public static var codes: [String] { allCases.map(\.rawValue) }

    /// A code typed in any case, half- or full-width, with spaces around it, or a label
    /// (异地迁建), or one of `otherSpellings`; nil for anything else.
    public init?(spelling text: String) {
        let word = Spellings.trimmed(text)
        if let value = Self(rawValue: word.lowercased()) ?? Self.otherSpellings[word] {
            self = value
            return
        }
        guard let term = Self.allCases.first(where: { ($0 as? any Term)?.isLabelled(word) == true }) else {
            return nil
        }
        self = term
    }
}

/// A choice with labels: the domain it has in `reloc.term`, and its Chinese and English names.
public protocol Term: Choice {
    /// `reloc.term.domain`, e.g. `enterprise.mode`.
    static var domain: String { get }
    /// The CHECK constraint whose list the codes repeat (nil: a value the database computes).
    static var constraint: String? { get }
    /// Codes the database derives and never stores (a task `not-reported`): not in the CHECK.
    static var derivedCodes: Set<String> { get }
    var zh: String { get }
    var en: String { get }
}

extension Term {
    public static var derivedCodes: Set<String> { [] }

    public func label(_ language: TermLanguage) -> String {
        switch language {
        case .zh: zh
        case .en: en
        }
    }

    func isLabelled(_ word: String) -> Bool { word == zh || word.lowercased() == en.lowercased() }
}

/// The language of labels in tables a person reads: Chinese, or English with `RELOC_LANG=en`.
public enum TermLanguage: String, Sendable, CaseIterable {
    case zh, en

    /// `RELOC_LANG` (en, en_US.UTF-8, …): English; anything else or unset: Chinese.
    public static func from(environment: [String: String]) -> TermLanguage {
        guard let value = environment["RELOC_LANG"]?.lowercased() else { return .zh }
        return value.hasPrefix("en") ? .en : .zh
    }
}

/// Every term with labels, for the drift test and for rendering by domain.
public enum Terms {
    public static let all: [any Term.Type] = [
        EnterpriseMode.self, EnterpriseStatus.self, HighRiskClass.self, PlanStatus.self, OrganisationKind.self,
        ParkKind.self, ProgressStatus.self, TaskStatus.self, MilestoneKind.self, LandSupply.self, SiteReuse.self,
        SiteState.self, ContactChannel.self, DeliveryState.self, MilestoneState.self, CalendarDayKind.self,
        EnterprisePriority.self,
        ExtensionState.self, CompletionReviewState.self, MilestoneLight.self,
        EvaluationRating.self,
    ]

    /// The label of `code` in `domain`, or nil when the domain or the code is unknown.
    public static func label(_ code: String, domain: String, _ language: TermLanguage) -> String? {
        guard let type = all.first(where: { $0.domain == domain }) else { return nil }
        return type.label(of: code, language)
    }
}

extension Term {
    static func label(of code: String, _ language: TermLanguage) -> String? {
        Self(rawValue: code)?.label(language)
    }
}
