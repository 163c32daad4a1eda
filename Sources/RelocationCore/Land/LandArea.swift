import Foundation
import LibPQClient

/// An area as the user gave it: hectares (公顷), or mu (亩, 1 公顷 = 15 亩). Quotas are counted in
/// hectares to 0.0001 ha (§五(四)); mu are converted in SQL (`reloc.ha_from_mu`, numeric), so no
/// floating point is ever involved.
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

    /// The register keeps areas as numeric(12, 4): below 100,000,000 ha, as the area rules say.
    static let limitHectares: Decimal = 100_000_000

    /// The area in hectares as the register would keep it (mu converted, to 0.0001 ha).
    var roundedHectares: Decimal {
        var exact: Decimal
        switch self {
        case .hectares(let value): exact = value
        case .mu(let value): exact = value / 15
        }
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 4, .plain)
        return rounded
    }

    /// Refuses an area too large for the register with the words of `rule` (the amount's rule in
    /// `reloc.rule`), before PostgreSQL could only call it a "numeric field overflow".
    public func checkFits(rule: String) throws {
        let hectares = roundedHectares
        guard abs(hectares) < LandArea.limitHectares else {
            switch self {
            case .hectares(let value): throw RuleViolation(rule: rule, detail: "\(value) ha")
            case .mu(let value): throw RuleViolation(rule: rule, detail: "\(value) mu (\(hectares) ha)")
            }
        }
    }

    /// The SQL expression for the area in hectares. Hectares with more than four decimal places
    /// are refused rather than rounded: the register keeps 0.0001 ha and says so. `rule` is the
    /// amount's rule, said if the area is too large for the register.
    func hectaresSQL(rule: String) throws -> SQLQuery {
        try checkFits(rule: rule)
        switch self {
        case .hectares(let value):
            guard value.exponent >= -4 else {
                throw RelocError.invalidInput(
                    "\(value) ha has more than four decimal places: areas are kept to 0.0001 ha (give --mu for mu)")
            }
            return "\(value)::numeric"
        case .mu(let value): return "reloc.ha_from_mu(\(value))"
        }
    }
}
