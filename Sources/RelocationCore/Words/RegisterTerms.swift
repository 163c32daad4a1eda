/// The register's words (吉政办发〔2014〕29号 §四): how an enterprise is dealt with, where it
/// stands, its high-risk class, a plan's status, the kinds of organisations and parks.

/// §四(二): 就地改造, 异地迁建, 依法关停.
public enum EnterpriseMode: String, Term {
    case inSitu = "in-situ", relocate, close
    public static let domain = "enterprise.mode"
    public static let constraint: String? = "enterprise_mode_check"
    public var zh: String {
        switch self {
        case .inSitu: "就地改造"
        case .relocate: "异地迁建"
        case .close: "依法关停"
        }
    }
    public var en: String {
        switch self {
        case .inSitu: "renovate in place"
        case .relocate: "relocate"
        case .close: "close by law"
        }
    }
}

/// An enterprise's steps (§四(二), §四(五)): heritage survey first, then by mode.
public enum EnterpriseStatus: String, Term {
    case registered, heritageSurveyed = "heritage-surveyed", relocating, relocated, closing, closed, renovating,
        renovated
    public static let domain = "enterprise.status"
    public static let constraint: String? = "enterprise_status_check"
    public var zh: String {
        switch self {
        case .registered: "已登记"
        case .heritageSurveyed: "已核查工业遗产"
        case .relocating: "搬迁中"
        case .relocated: "已搬迁"
        case .closing: "关停中"
        case .closed: "已关停"
        case .renovating: "改造中"
        case .renovated: "已改造"
        }
    }
    public var en: String {
        switch self {
        case .registered: "registered"
        case .heritageSurveyed: "heritage surveyed"
        case .relocating: "relocating"
        case .relocated: "relocated"
        case .closing: "closing"
        case .closed: "closed"
        case .renovating: "renovating"
        case .renovated: "renovated"
        }
    }
}

/// §四(三): 冶金、化工、造纸、危险品生产和储运.
public enum HighRiskClass: String, Term {
    case metallurgy, chemicals, paper, hazardous
    public static let domain = "enterprise.high_risk"
    public static let constraint: String? = "enterprise_high_risk_check"
    public var zh: String {
        switch self {
        case .metallurgy: "冶金"
        case .chemicals: "化工"
        case .paper: "造纸"
        case .hazardous: "危险品"
        }
    }
    public var en: String {
        switch self {
        case .metallurgy: "metallurgy"
        case .chemicals: "chemicals"
        case .paper: "paper"
        case .hazardous: "hazardous goods"
        }
    }
}

/// §四(二) names two groups of enterprises: five to finish soon (加快推进…尽快完成搬迁改造) and eight
/// to push to start (重点推动…开展搬迁改造). Any other enterprise's priority is unknown (NULL).
public enum EnterprisePriority: String, Term {
    case finishSoon = "finish-soon", pushStart = "push-start"
    public static let domain = "enterprise.priority"
    public static let constraint: String? = "enterprise_priority_check"
    public var zh: String {
        switch self {
        case .finishSoon: "尽快完成"
        case .pushStart: "重点推动开展"
        }
    }
    public var en: String {
        switch self {
        case .finishSoon: "finish soon"
        case .pushStart: "push to start"
        }
    }
}

/// §四(一): compiled (编制), consulted (征求意见), risk-assessed (社会稳定风险评估), approved, carried
/// out; §三: basically complete by 2022.
public enum PlanStatus: String, Term {
    case drafting, consultation, riskAssessed = "risk-assessed", approved, implementing,
        basicallyComplete = "basically-complete", complete
    public static let domain = "plan.status"
    public static let constraint: String? = "plan_status_check"
    public var zh: String {
        switch self {
        case .drafting: "编制中"
        case .consultation: "征求意见"
        case .riskAssessed: "已稳评"
        case .approved: "已批准"
        case .implementing: "实施中"
        case .basicallyComplete: "基本完成"
        case .complete: "已完成"
        }
    }
    public var en: String {
        switch self {
        case .drafting: "drafting"
        case .consultation: "consultation"
        case .riskAssessed: "risk assessed"
        case .approved: "approved"
        case .implementing: "implementing"
        case .basicallyComplete: "basically complete"
        case .complete: "complete"
        }
    }
}

/// The province, its departments (省直部门), the cities and their districts (市辖区).
public enum OrganisationKind: String, Term {
    case province, department, city, district
    public static let domain = "organisation.kind"
    public static let constraint: String? = "organisation_kind_check"
    public var zh: String {
        switch self {
        case .province: "省政府"
        case .department: "省直部门"
        case .city: "市（州）政府"
        case .district: "市辖区政府"
        }
    }
    public var en: String {
        switch self {
        case .province: "province"
        case .department: "department"
        case .city: "city"
        case .district: "district"
        }
    }
}

/// §四(三): 经济技术开发区、高新技术产业开发区、工业集中区、特色园区.
public enum ParkKind: String, Term {
    case econTechZone = "econ-tech-zone", highTechZone = "high-tech-zone", industrialCluster = "industrial-cluster",
        themedPark = "themed-park"
    public static let domain = "park.kind"
    public static let constraint: String? = "park_kind_check"
    public var zh: String {
        switch self {
        case .econTechZone: "经济技术开发区"
        case .highTechZone: "高新技术产业开发区"
        case .industrialCluster: "工业集中区"
        case .themedPark: "特色园区"
        }
    }
    public var en: String {
        switch self {
        case .econTechZone: "economic and technological development zone"
        case .highTechZone: "high-tech industrial development zone"
        case .industrialCluster: "industrial cluster"
        case .themedPark: "themed park"
        }
    }
}
