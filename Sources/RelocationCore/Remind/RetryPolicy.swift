import Foundation

/// How failed deliveries are retried: a few quick tries within the run, then later runs after an
/// exponentially growing, jittered delay, until the message has had `maxAttempts` runs' worth of
/// tries; then it is dead (reported, and `reloc remind retry ID` revives it).
public struct RetryPolicy: Sendable, Hashable {
    /// Tries within one run before the message is left for a later run.
    public var triesPerRun: Int
    /// The pause before the second try within a run; doubled for each further try.
    public var firstPause: TimeInterval
    /// The delay before the first later attempt; doubled for each further one, up to `maxDelay`.
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    /// Attempts (runs that tried the message) before it is dead.
    public var maxAttempts: Int

    public init(
        triesPerRun: Int = 3, firstPause: TimeInterval = 0.5, baseDelay: TimeInterval = 300,
        maxDelay: TimeInterval = 6 * 3600,
        maxAttempts: Int = 8
    ) {
        self.triesPerRun = max(1, triesPerRun)
        self.firstPause = firstPause
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAttempts = max(1, maxAttempts)
    }

    /// Exponential backoff with "equal jitter": half the exponential delay for sure, the other
    /// half random, so that many failed messages do not all come back at the same moment.
    /// - Parameters:
    ///   - attempt: 1 for the delay after the first failure.
    ///   - base: the first delay; `cap` bounds every delay.
    ///   - random: a number in 0..<1.
    public static func backoff(attempt: Int, base: TimeInterval, cap: TimeInterval, random: Double) -> TimeInterval {
        let exponential = min(cap, base * pow(2, Double(max(0, min(attempt - 1, 40)))))
        return exponential / 2 + exponential / 2 * min(max(random, 0), 1)
    }

    /// The delay before the next run may try a message that has failed `attempts` times.
    public func delayBeforeNextRun(attempts: Int, random: Double = Double.random(in: 0..<1)) -> TimeInterval {
        RetryPolicy.backoff(attempt: attempts, base: baseDelay, cap: maxDelay, random: random)
    }

    /// The pause after try `number` within a run.
    public func pauseWithinRun(after number: Int, random: Double = Double.random(in: 0..<1)) -> TimeInterval {
        RetryPolicy.backoff(attempt: number, base: firstPause, cap: max(firstPause, 30), random: random)
    }

    /// Delivers `message` through `channel`, trying again within the run on a temporary failure.
    /// - Returns: the last outcome and how many tries it took.
    public func deliver(_ message: ReminderMessage, through channel: any ReminderChannel) -> (
        DeliveryOutcome, tries: Int
    ) {
        var tries = 0
        while true {
            tries += 1
            let outcome = channel.deliver(message)
            guard case .retry = outcome, tries < triesPerRun else { return (outcome, tries) }
            Thread.sleep(forTimeInterval: pauseWithinRun(after: tries))
        }
    }
}
