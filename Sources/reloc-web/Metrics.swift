import Foundation

/// Counters for GET /metrics (Prometheus text format): requests by route, method and status, and
/// a latency histogram by route. Routes are the router's patterns (/tasks/:number), so the
/// number of series stays bounded whatever addresses are asked for.
final class Metrics: @unchecked Sendable {
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private let lock = NSLock()
    private var requests: [String: Int] = [:]
    private var histograms: [String: (counts: [Int], sum: Double, count: Int)] = [:]

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func record(route: String, method: String, status: Int, seconds: Double) {
        let key = "route=\(Metrics.label(route)),method=\(Metrics.label(method)),status=\"\(status)\""
        lock.lock()
        defer { lock.unlock() }
        requests[key, default: 0] += 1
        var histogram = histograms[route] ?? (Array(repeating: 0, count: Metrics.buckets.count), 0, 0)
        for (index, bound) in Metrics.buckets.enumerated() where seconds <= bound { histogram.counts[index] += 1 }
        histogram.sum += seconds
        histogram.count += 1
        histograms[route] = histogram
    }

    static func label(_ value: String) -> String {
        // Routes and methods rarely hold a character to escape: skip the three replacements then
        // (every request records one; make bench).
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A })
        else { return "\"" + value + "\"" }
        return "\""
            + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    func render(pool: ConnectionPool.Stats) -> String {
        lock.lock()
        defer { lock.unlock() }
        var out = "# HELP reloc_web_requests_total Requests served, by route, method and status.\n"
        out += "# TYPE reloc_web_requests_total counter\n"
        for (key, count) in requests.sorted(by: { $0.key < $1.key }) {
            out += "reloc_web_requests_total{\(key)} \(count)\n"
        }
        out += "# HELP reloc_web_request_duration_seconds Time to answer a request, by route.\n"
        out += "# TYPE reloc_web_request_duration_seconds histogram\n"
        for (route, histogram) in histograms.sorted(by: { $0.key < $1.key }) {
            let name = "reloc_web_request_duration_seconds"
            for (index, bound) in Metrics.buckets.enumerated() {
                out += "\(name)_bucket{route=\(Metrics.label(route)),le=\"\(bound)\"} \(histogram.counts[index])\n"
            }
            out += "\(name)_bucket{route=\(Metrics.label(route)),le=\"+Inf\"} \(histogram.count)\n"
            out += "\(name)_sum{route=\(Metrics.label(route))} \(histogram.sum)\n"
            out += "\(name)_count{route=\(Metrics.label(route))} \(histogram.count)\n"
        }
        out += "# HELP reloc_web_pool_connections Database connections of the pool, by state.\n"
        out += "# TYPE reloc_web_pool_connections gauge\n"
        out += "reloc_web_pool_connections{state=\"open\"} \(pool.open)\n"
        out += "reloc_web_pool_connections{state=\"idle\"} \(pool.idle)\n"
        out += "reloc_web_pool_connections{state=\"max\"} \(pool.size)\n"
        out += "# HELP reloc_web_pool_waiting Requests waiting for a database connection.\n"
        out += "# TYPE reloc_web_pool_waiting gauge\n"
        out += "reloc_web_pool_waiting \(pool.waiting)\n"
        return out
    }
}
