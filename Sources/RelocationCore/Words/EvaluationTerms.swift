/// The annual evaluation's words (年度评估, issue 15): the four ratings of the 2021
/// demonstration-zone plan (§(十五) names 较差; 好 leads to the incentives of §(十四)).
public enum EvaluationRating: String, Term {
    case good, fairlyGood = "fairly-good", fair, poor
    public static let domain = "evaluation.rating"
    public static let constraint: String? = "evaluation_rating_check"
    public var zh: String {
        switch self {
        case .good: "好"
        case .fairlyGood: "较好"
        case .fair: "一般"
        case .poor: "较差"
        }
    }
    public var en: String {
        switch self {
        case .good: "good"
        case .fairlyGood: "fairly good"
        case .fair: "fair"
        case .poor: "poor"
        }
    }
}
