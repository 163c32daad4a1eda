import Foundation
import RelocationCore
import Testing

@Suite struct RetryPolicyTests {
    @Test func backoffDoublesWithJitterAndStopsAtTheCap() {
        let policy = RetryPolicy(baseDelay: 300, maxDelay: 3600)
        #expect(policy.delayBeforeNextRun(attempts: 1, random: 0) == 150)
        #expect(policy.delayBeforeNextRun(attempts: 1, random: 0.999_999) > 299.9)
        #expect(policy.delayBeforeNextRun(attempts: 2, random: 0) == 300)
        #expect(policy.delayBeforeNextRun(attempts: 3, random: 0) == 600)
        #expect(policy.delayBeforeNextRun(attempts: 10, random: 0) == 1800)
        #expect(policy.delayBeforeNextRun(attempts: 10, random: 1) == 3600)
        // Jitter: many draws spread over the interval instead of all coming back at once.
        let draws = Set((0..<50).map { _ in policy.delayBeforeNextRun(attempts: 2) })
        #expect(draws.count > 40 && draws.allSatisfy { (300...600).contains($0) })
    }

    @Test func retriesWithinTheRunOnlyTemporaryFailures() {
        let policy = RetryPolicy(triesPerRun: 3, firstPause: 0.01)
        let flaky = ScriptedChannel([.retry("500"), .sent])
        #expect(policy.deliver(ReminderSamples.message(), through: flaky) == (.sent, 2))
        let gone = ScriptedChannel([.dead("400")])
        #expect(policy.deliver(ReminderSamples.message(), through: gone) == (.dead("400"), 1))
        let down = ScriptedChannel([.retry("503")])
        #expect(policy.deliver(ReminderSamples.message(), through: down) == (.retry("503"), 3))
    }
}

/// A channel that answers from a script (the last answer repeats).
final class ScriptedChannel: ReminderChannel, @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [DeliveryOutcome]

    init(_ outcomes: [DeliveryOutcome]) {
        self.outcomes = outcomes
    }

    func deliver(_ message: ReminderMessage) -> DeliveryOutcome {
        lock.withLock { outcomes.count > 1 ? outcomes.removeFirst() : outcomes[0] }
    }
}
