/// Land and vacated sites (§五(四), §四(六), §四(八)).

/// §五(四): how land is supplied — 协议出让, 划拨, 招拍挂.
public enum LandSupply: String, Term {
    case agreement, allocation, tender
    public static let domain = "land.supply"
    public static let constraint: String? = "land_allocation_supply_check"
    public var zh: String {
        switch self {
        case .agreement: "协议出让"
        case .allocation: "划拨"
        case .tender: "招拍挂"
        }
    }
    public var en: String {
        switch self {
        case .agreement: "by agreement"
        case .allocation: "allocation"
        case .tender: "tender, auction or listing"
        }
    }
}

/// §四(八): what a vacated site is reused for.
public enum SiteReuse: String, Term {
    case modernServices = "modern-services", publicFacilities = "public-facilities", housing,
        parksGreenSpace = "parks-green-space", industrialHeritage = "industrial-heritage"
    public static let domain = "site.reuse"
    public static let constraint: String? = "site_reuse_check"
    public var zh: String {
        switch self {
        case .modernServices: "现代服务业"
        case .publicFacilities: "公共服务设施"
        case .housing: "住房"
        case .parksGreenSpace: "公园绿地"
        case .industrialHeritage: "工业遗产"
        }
    }
    public var en: String {
        switch self {
        case .modernServices: "modern services"
        case .publicFacilities: "public facilities"
        case .housing: "housing"
        case .parksGreenSpace: "parks and green space"
        case .industrialHeritage: "industrial heritage"
        }
    }
}

/// §四(六): a site's environmental survey (场地环境调查), risk assessment (风险评估), and clean-up
/// (治理修复) before reuse.
public enum SiteState: String, Term {
    case notSurveyed = "not-surveyed", surveyed, riskAssessed = "risk-assessed", clean, contaminated,
        remediationPlanned = "remediation-planned", remediated
    public static let domain = "site.state"
    public static let constraint: String? = "site_env_state_check"
    public var zh: String {
        switch self {
        case .notSurveyed: "未调查"
        case .surveyed: "已调查"
        case .riskAssessed: "已风险评估"
        case .clean: "未污染"
        case .contaminated: "已污染"
        case .remediationPlanned: "已编制治理方案"
        case .remediated: "已治理修复"
        }
    }
    public var en: String {
        switch self {
        case .notSurveyed: "not surveyed"
        case .surveyed: "surveyed"
        case .riskAssessed: "risk assessed"
        case .clean: "clean"
        case .contaminated: "contaminated"
        case .remediationPlanned: "remediation planned"
        case .remediated: "remediated"
        }
    }
}

/// The risk assessment's result (`site survey --result`): two of the site's states.
public enum SurveyResult: String, Choice {
    case clean, contaminated
    public var state: SiteState { SiteState(rawValue: rawValue)! }
}
