import Foundation

/// 总览's figures (the page's body and JSON twin made from them), kept a few seconds (RELOC_WEB_HOME_SECONDS, default 5; 0: never kept) for each
/// acting role and day (issue 16, make bench: 50 people reading the province's counts at once
/// cost each request a pass over every milestone open or done this month).
///
/// What is kept was read as that role, so row-level security decided it; it is never shown to
/// another role (two logins of one organisation act as the same role and see the same rows). The
/// server's own writes (every POST) drop everything kept, so a person sees their own change at
/// once; a change made elsewhere (the CLI, an import, psql) shows within twice the lifetime: the
/// figures may be up to 2 × RELOC_WEB_HOME_SECONDS old (docs/usage/web.md,
/// docs/performance-web.md).
actor HomeCache {
    struct Key: Hashable {
        let role: String
        let day: String
    }

    private struct Entry {
        /// The last reading's figures, and when that reading began (their age counts from then).
        var value: Web.HomeView?
        var made: ContinuousClock.Instant
        /// A reading under way.
        var reading: Task<Web.HomeView, any Error>?
    }

    private var entries: [Key: Entry] = [:]
    let lifetime: Duration
    private let calendar: Calendar

    /// `zone`: the programme's calendar (RELOC_TIMEZONE, else Asia/Shanghai), whose date is the day.
    init(seconds: Int, zone: String?) {
        lifetime = .seconds(seconds)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone =
            zone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "Asia/Shanghai") ?? .current
        self.calendar = calendar
    }

    /// The day whose figures a request reads (a new day reads them afresh).
    nonisolated func day(_ now: Date = Date()) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return "\(parts.year ?? 0)-\(parts.month ?? 0)-\(parts.day ?? 0)"
    }

    /// The role's figures for today: those read less than the lifetime ago; else `read`'s, one
    /// reading for all who ask meanwhile. Past their lifetime, kept figures are shown while a new
    /// reading is under way only if they are younger than twice the lifetime (a reading of the
    /// province's at a million milestones takes a while; 50 people need not wait for it); older
    /// ones — the first request after a quiet spell — wait for the new reading (hostile review:
    /// a page from the last visit, any age, was shown once more). So a page is at most twice the
    /// lifetime old. A failed reading keeps nothing.
    func home(role: String, _ read: @escaping @Sendable () async throws -> Web.HomeView) async throws -> Web.HomeView {
        guard lifetime > .zero else { return try await read() }
        let key = Key(role: role, day: day())
        let now = ContinuousClock.now
        let entry = entries[key]
        if let entry, let value = entry.value, entry.made.duration(to: now) < lifetime { return value }
        let reading: Task<Web.HomeView, any Error>
        if let running = entry?.reading {
            reading = running
        } else {
            if entry == nil { entries = entries.filter { $0.value.made.duration(to: now) < lifetime * 10 } }
            reading = Task { try await read() }
            entries[key] = Entry(value: entry?.value, made: entry?.made ?? now, reading: reading)
            Task { await self.settle(key, reading, began: now) }
        }
        if let entry, let value = entry.value, entry.made.duration(to: now) < lifetime * 2 { return value }
        return try await reading.value
    }

    /// Keeps a reading's figures, unless the server wrote meanwhile (`clear`: the reading may
    /// have begun before the write) or it failed.
    private func settle(_ key: Key, _ reading: Task<Web.HomeView, any Error>, began: ContinuousClock.Instant) async {
        let result = await reading.result
        guard entries[key]?.reading == reading else { return }
        switch result {
        case .success(let home): entries[key] = Entry(value: home, made: began, reading: nil)
        case .failure: entries[key] = nil
        }
    }

    /// The server wrote something: nothing kept is shown again.
    func clear() {
        entries.removeAll()
    }
}
