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

    /// The SQL expression for the area in hectares.
    var hectaresSQL: SQLQuery {
        switch self {
        case .hectares(let value): "\(value)::numeric"
        case .mu(let value): "reloc.ha_from_mu(\(value))"
        }
    }
}
