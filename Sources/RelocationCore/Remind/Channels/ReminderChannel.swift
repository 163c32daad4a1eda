/// What became of one attempt to deliver a message.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Accepted by the channel (2xx, sendmail exit 0, written and fsynced).
    case sent
    /// A temporary failure (HTTP 429/5xx, timeout, connection refused, sendmail EX_TEMPFAIL …):
    /// try again later.
    case retry(String)
    /// A permanent failure (HTTP 4xx other than 408/429, bad address …): retrying will not help.
    case dead(String)

    public var reason: String? {
        switch self {
        case .sent: nil
        case .retry(let reason), .dead(let reason): reason
        }
    }
}

/// A way to deliver a reminder message. Implementations never throw: every failure is a
/// `DeliveryOutcome` the run records.
public protocol ReminderChannel: Sendable {
    func deliver(_ message: ReminderMessage) -> DeliveryOutcome
}
