import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// Twenty clients allocating from one quota at the same moment never oversubscribe it: exactly
/// the ones that fit succeed, and the others hear how much remains.
@Suite("Land allocation under concurrency")
struct LandConcurrencyTests {
    /// Runs `body(i)` for i in 0..<count on that many threads at once and returns the results in order.
    func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let results = ThreadResults<T>(count)
        let group = DispatchGroup()
        for index in 0..<count {
            group.enter()
            let thread = Thread {
                results.set(index, body(index))
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        return results.values
    }

    @Test func twentyCLIClientsAtOnce() throws {
        try LandFixture.with { fixture in
            try fixture.quota(hectares: "10")
            let database = fixture.database
            // 20 × 0.7 ha = 14 ha asked of 10 ha: 14 fit (9.8 ha), 6 do not.
            let outcomes = concurrently(20) { index in
                Result {
                    try RelocCLI.run(
                        [
                            "land", "allocate", "--as", "CC", "--from", "CC", "--year", "2015", "--project",
                            "项目\(index)",
                            "--mu", "10.5", "--supply", "tender", "--doc", "长国土〔2015〕\(index)号", "--on", "2015-03-01",
                        ], database: database)
                }
            }
            let finished = try outcomes.map { try $0.get() }
            let winners = finished.filter { $0.status == 0 }
            let losers = finished.filter { $0.status != 0 }
            #expect(winners.count == 14)
            #expect(losers.count == 6)
            for loser in losers {
                expectCLIRule(loser, "land_allocation_within_quota")
                #expect(loser.stderr.contains("remaining 0.2000 ha (3.0000 mu)"), "\(loser.stderr)")
            }
            #expect(try fixture.allocated() == Decimal(exactText: "9.8")!)
            let usage = try fixture.cli(["land", "usage", "--format", "csv"])
            #expect(
                usage.stdout.contains("2015,CC,长春市,city,10.0000,150.0000,9.8000,147.0000,0.2000,3.0000"),
                "\(usage.stdout)")
        }
    }

    /// Plain SQL, every client holding its transaction open a moment after inserting, all started
    /// together: the lock queues them; at REPEATABLE READ and SERIALIZABLE the latecomers are refused
    /// with a serialization failure instead. The sum never exceeds the quota.
    @Test(arguments: ["READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"])
    func twentySQLClientsAtOnce(isolation: String) throws {
        try LandFixture.with { fixture in
            try fixture.quota(hectares: "10")
            try fixture.quota(hectares: "0.5")  // two quotas of one holder and year add up: 10.5 ha
            let database = fixture.database
            let ready = Barrier(20)
            let sizes = (0..<20).map { ["1.5", "0.5", "1", "0.75"][$0 % 4] }
            let outcomes = concurrently(20) { index -> Refusal? in
                do {
                    let db = try TestDatabase.connect(database, actingAs: "CC")
                    ready.wait()
                    try db.execute(SQLQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation)"))
                    do {
                        try db.execute(
                            """
                            INSERT INTO reloc.land_allocation (year, holder_city_id, project, hectares, supply, doc, allocated_on)
                            SELECT 2015, id, \("项目\(index)"), \(Decimal(exactText: sizes[index])!), 'tender', 'd', '2015-03-01'
                            FROM reloc.organisation WHERE code = 'CC'
                            """)
                        try db.execute("SELECT pg_sleep(0.02)")
                        try db.execute("COMMIT")
                    } catch {
                        _ = try? db.execute("ROLLBACK")
                        throw error
                    }
                    return nil
                } catch let error as PGError {
                    return Refusal(sqlState: error.sqlState, constraint: error.constraint, message: "\(error)")
                } catch {
                    return Refusal(sqlState: nil, constraint: nil, message: "\(error)")
                }
            }
            var refusedSizes: [Decimal] = []
            for (index, refusal) in outcomes.enumerated() {
                guard let refusal else { continue }
                let serialization = refusal.sqlState == "40001"
                let rule = refusal.sqlState == "23514" && refusal.constraint == "land_allocation_within_quota"
                #expect(serialization || rule, "\(refusal.message)")
                #expect(isolation != "READ COMMITTED" || rule, "\(refusal.message)")
                if rule { refusedSizes.append(Decimal(exactText: sizes[index])!) }
            }
            let allocated = try fixture.allocated()
            let granted = outcomes.enumerated().filter { $1 == nil }
                .reduce(Decimal(0)) { $0 + Decimal(exactText: sizes[$1.offset])! }
            #expect(allocated == granted)
            #expect(allocated <= Decimal(exactText: "10.5")!)
            // A client refused by the rule asked for more than remained then — so more than remains now.
            let remaining = Decimal(exactText: "10.5")! - allocated
            for size in refusedSizes { #expect(size > remaining, "refused \(size) ha with \(remaining) ha left") }
            #expect(outcomes.contains { $0 != nil }, "18.75 ha were asked of 10.5 ha")
            #expect(isolation != "READ COMMITTED" || !refusedSizes.isEmpty)
            let balance = try fixture.admin().query(
                "SELECT allocated_ha FROM reloc.land_quota_balance WHERE year = 2015 AND holder_key LIKE 'city:%'"
            ).scalar(Decimal.self)
            #expect(balance == allocated)
        }
    }
}

/// Why a client's allocation failed.
private struct Refusal: Sendable, Equatable {
    let sqlState: String?
    let constraint: String?
    let message: String
}

/// Results written by many threads.
private final class ThreadResults<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(_ count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = value
    }

    var values: [T] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}

/// Lets `count` threads go on together once all have arrived.
private final class Barrier: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: Int

    init(_ count: Int) { waiting = count }

    func wait() {
        condition.lock()
        defer { condition.unlock() }
        waiting -= 1
        if waiting <= 0 {
            condition.broadcast()
        } else {
            while waiting > 0 { condition.wait() }
        }
    }
}
