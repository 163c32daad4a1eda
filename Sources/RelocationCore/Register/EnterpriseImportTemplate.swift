/// What each column of `enterprise import` holds, in Chinese, for the empty template a person
/// fills in (`reloc template enterprises`, issue 17). The allowed values of a worded column come
/// from its enum (Words/), the one source of the codes and their names.
public enum EnterpriseImportTemplate {
    public struct Column: Sendable {
        public let name: String
        public let required: Bool
        public let meaning: String
        public let allowed: String
    }

    /// `code 名称` pairs of a term, one per line: either may be typed in the cell.
    static func choices<T: Term>(_ term: T.Type) -> String {
        T.allCases.map { "\($0.rawValue)（\($0.zh)）" }.joined(separator: "、")
    }

    public static var columns: [Column] {
        let meanings: [String: (String, String)] = [
            "plan": ("所属搬迁改造实施方案的代码（reloc plan list）", "已登记的方案代码，如 SP-TD"),
            "name": ("企业名称（在同一方案内唯一）", "文字"),
            "mode": ("改造方式（§四(二)）", choices(EnterpriseMode.self) + "；代码或中文名称均可；可空（空：未知，待定后再填）"),
            "park": ("承接园区代码（异地迁建的企业必填，§四(三)）", "已登记的园区代码（reloc park list）；可空"),
            "industry": ("所属行业", "文字；可空"),
            "high_risk": ("高风险行业类别（§四(三)）", choices(HighRiskClass.self) + "；代码或中文名称均可；可空"),
            "uscc": ("统一社会信用代码", "18 位代码；可空"),
            "site_ha": ("原厂址用地面积（公顷）", "数字，最多 4 位小数；与 site_mu 二选一，可空"),
            "site_mu": ("原厂址用地面积（亩）", "数字；与 site_ha 二选一，可空"),
            "employees": ("职工人数", "整数；可空"),
            "surplus_workers": ("富余职工人数（需安置）", "整数；可空"),
            "capacity": ("现有产能", "数字加单位，如 100 万吨/年；可空"),
            "new_capacity": ("搬迁后产能", "数字加单位（与 capacity 同一单位）；可空"),
            "listed_in_plan": ("是否列入国家或省搬迁改造规划", "是/否、yes/no、true/false 或 1/0；可空"),
        ]
        return EnterpriseImport.columns.map { name in
            let (meaning, allowed) = meanings[name] ?? ("", "")
            return Column(
                name: name, required: EnterpriseImport.requiredColumns.contains(name), meaning: meaning,
                allowed: allowed)
        }
    }
}
