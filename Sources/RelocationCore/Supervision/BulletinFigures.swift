#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A bulletin's figures as the database composes them (`reloc.bulletin_figures`, 71_bulletins.sql):
/// read from the JSON a draft computes or an issued bulletin stores, never recomputed here.
public struct BulletinFigures: Decodable, Sendable {
    public struct Totals: Decodable, Sendable {
        public let due, onTime, late, overdue, notYetDue, extensions: Int
        public let onTimeRate: Double?
    }

    /// A city or a department: its figures in the period and its rank by on-time rate.
    public struct Unit: Decodable, Sendable {
        public let rank: Int?
        public let code, name: String
        public let due, onTime, late, overdue, overdueWorkingDays, maxOverdueWorkingDays, notYetDue, extensions: Int
        public let onTimeRate: Double?
    }

    /// An overdue item named (点名), under the city or department answering for it.
    public struct OverdueItem: Decodable, Sendable {
        public let unitKind, unitCode, unitName: String
        public let milestoneId: Int64
        public let title, dueOn: String
        public let overdueWorkingDays, overdueCalendarDays: Int
    }

    public let province: String?
    public let period, periodStart, periodEnd, asOf: String
    public let totals: Totals
    public let cities, departments: [Unit]
    public let overdueItems: [OverdueItem]

    public init(json: String) throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        self = try decoder.decode(BulletinFigures.self, from: Data(json.utf8))
    }

    /// 2015年1月, 2015年第一季度, 2015年.
    public var periodWords: String {
        let parts = period.split(separator: "-")
        guard parts.count == 2 else { return "\(period)年" }
        if parts[1].hasPrefix("Q"), let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) {
            return "\(parts[0])年第\(["一", "二", "三", "四"][quarter - 1])季度"
        }
        return "\(parts[0])年\(Int(parts[1]) ?? 0)月"
    }

    /// 87.5%, or — when nothing has fallen due.
    public static func percent(_ rate: Double?) -> String {
        guard let rate else { return "—" }
        let tenths = Int((rate * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))%"
    }

    /// 2015-01-10 → 2015年1月10日 (official documents write no leading zeros).
    public static func chineseDate(_ iso: String) -> String {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return iso }
        return "\(parts[0])年\(parts[1])月\(parts[2])日"
    }
}
