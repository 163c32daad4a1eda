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

    /// The SQL expression for the area in hectares. Hectares with more than four decimal places
    /// are refused rather than rounded: the register keeps 0.0001 ha and says so.
    func hectaresSQL() throws -> SQLQuery {
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
