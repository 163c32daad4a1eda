import Foundation
import LibPQClient

/// An area as the user gave it: hectares (公顷), or mu (亩, 1 公顷 = 15 亩). Land documents are written
/// in either unit (§五(四)), so a land amount is kept exactly in the unit it was given, to four
/// decimal places; more places are refused, never rounded (one rule for every area). The only
/// conversion, mu to hectares, is SQL's (`reloc.ha_from_mu`, `reloc.ha_from_mu_exact`,
/// `reloc.land_units`): no floating point, and no second copy of the arithmetic here.
public enum LandArea: Sendable, Equatable {
    case hectares(Decimal)
    case mu(Decimal)

    /// Either one of the two, or nil for neither; both is the caller's usage error.
    public init?(hectares: Decimal?, mu: Decimal?) {
        if let hectares {
            self = .hectares(hectares)
        } else if let mu {
            self = .mu(mu)
        } else {
            return nil
        }
    }

    /// The amount as given.
    public var amount: Decimal {
        switch self {
        case .hectares(let value), .mu(let value): value
        }
    }

    /// "ha" or "mu", as `reloc.land_quota.unit` and `reloc.land_allocation.unit` keep it.
    public var unit: String {
        switch self {
        case .hectares: "ha"
        case .mu: "mu"
        }
    }

    /// Areas are below 100,000,000 ha (1,500,000,000 mu), as the area rules say: the limit in each
    /// unit, as the rules state it (no conversion here).
    static func limit(_ unit: String) -> Decimal { unit == "mu" ? 1_500_000_000 : 100_000_000 }

    /// Refuses an area too large for the register with the words of `rule` (the amount's rule in
    /// `reloc.rule`), before PostgreSQL could only call it a "numeric field overflow".
    public func checkFits(rule: String) throws {
        guard abs(amount) < LandArea.limit(unit) else { throw RuleViolation(rule: rule, detail: "\(amount) \(unit)") }
    }

    /// Refuses more than four decimal places in either unit (`rule` names the rule said).
    public func checkPlaces(rule: String) throws {
        guard Decimal.hasAtMostFourPlaces(amount) else {
            throw RuleViolation(
                rule: rule,
                detail: "\(amount) \(unit) has more than four decimal places: areas are kept to 0.0001 ha or 0.0001 mu")
        }
    }

    /// The SQL expression for the area in hectares to 0.0001 ha, for the register's areas that are
    /// kept in hectares (an enterprise's, a site's). More than four decimal places are refused in
    /// either unit; `rule` is the area's rule, said if it is too large.
    ///
    /// Those areas are kept in ha to 0.0001, so a mu amount is taken only when 0.0001 ha holds it
    /// exactly (a multiple of 0.0015 mu: 15 mu = 1 ha): `--mu 0.0007` once stored 0.0000 ha,
    /// `--mu 0.0008` 0.0001 ha (+87%), `--mu 1` 0.0667 ha (listed as 1.0005 mu). The database
    /// converts, or refuses by `placesRule` with the hectares it would be (`reloc.ha_from_mu_exact`,
    /// 0017: the one conversion of mu to hectares), never rounded.
    public func hectaresSQL(rule: String, placesRule: String = "enterprise_site_area_places") throws -> SQLQuery {
        try checkFits(rule: rule)
        try checkPlaces(rule: placesRule)
        switch self {
        case .hectares(let value): return "\(value)::numeric"
        case .mu(let value): return "reloc.ha_from_mu_exact(\(value), \(placesRule))"
        }
    }
}

extension Decimal {
    /// True if the value has no digit beyond the fourth decimal place (1.1235 yes, 1.123456789 no).
    static func hasAtMostFourPlaces(_ value: Decimal) -> Bool {
        var copy = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &copy, 4, .plain)
        return rounded == value
    }
}
