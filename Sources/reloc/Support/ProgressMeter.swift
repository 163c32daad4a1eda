import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Progress of long work (an import or an export of many rows, issue 17) on standard error, when
/// it is a terminal and `--quiet` is not given: rows done of the total, the rate, a bar, redrawn
/// in place at most ten times a second and erased at the end. Scripts, cron and CI (stderr not a
/// terminal) see nothing.
struct ProgressMeter {
    var total: Int
    let verb: String
    let shown: Bool
    var done = 0
    var started = Date()
    var lastDrawn = Date.distantPast
    var drawn = false

    init(total: Int, verb: String, quiet: Bool) {
        self.total = total
        self.verb = verb
        shown = !quiet && isatty(STDERR_FILENO) != 0
    }

    /// Rows done of a total known only once the work starts (an import's rows, once read).
    mutating func update(_ done: Int, of total: Int) {
        self.total = total
        set(done)
    }

    mutating func advance(by count: Int = 1) {
        done += count
        guard shown, total > 0, done & 255 == 0 || done == total else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDrawn) >= 0.1 || done == total else { return }
        lastDrawn = now
        draw(now)
    }

    mutating func set(_ value: Int) {
        advance(by: value - done)
    }

    private mutating func draw(_ now: Date) {
        let seconds = max(now.timeIntervalSince(started), 0.001)
        let rate = Int(Double(done) / seconds)
        let fraction = min(Double(done) / Double(max(total, 1)), 1)
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = "\r\(bar) \(done)/\(total) rows \(verb), \(rate) rows/s\u{1B}[K"
        put(line)
        drawn = true
    }

    /// Erases the line, so what follows (the outcome, an error) starts clean.
    mutating func clear() {
        guard drawn else { return }
        put("\r\u{1B}[K")
        drawn = false
    }

    private func put(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }
}
