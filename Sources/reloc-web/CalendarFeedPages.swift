import Foundation
import Hummingbird
import LibPQClient
import RelocationCore

/// `GET /calendar/<token>.ics` (issue 17): an organisation's secret calendar feed, without a
/// session — the token is the key (`reloc milestone ical-feed create`). The same calendar as
/// `reloc milestone ical --org CODE`, read as the feed's organisation (row-level security decides
/// as for `--as CODE`). An unknown or revoked token, or anything not shaped like one: 404, the
/// same answer, so a guesser learns nothing.
extension Web {
    static let noSuchFeed = WebFailure(status: .notFound, message: "没有这个日历订阅地址（可能已被撤销）")

    func calendarFeed(_ request: Request, _ context: WebContext) async throws -> Response {
        let file = context.parameters.get("file") ?? ""
        guard file.hasSuffix(".ics") else { throw Web.noSuchFeed }
        let token = String(file.dropLast(4))
        guard CalendarFeeds.isToken(token) else { throw Web.noSuchFeed }
        let text: String? = try await database { db in
            guard let feed = try CalendarFeeds(db).find(token: token) else { return nil }
            // Only reads follow; the login named is the feed's, for the server's own log.
            try WebSessions.act(
                as: WebPerson(
                    login: "calendar_feed_\(feed.id)", organisation: feed.organisation, role: feed.role,
                    isProvince: false), on: db)
            let calendar = MilestoneCalendar(db)
            return ICalendar.render(
                try calendar.open(.organisation(feed.organisation)), identity: try calendar.identity(),
                name: ICalendar.name(organisation: feed.organisation), stamp: Date())
        }
        guard let text else { throw Web.noSuchFeed }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/calendar; charset=utf-8", .cacheControl: "private, no-cache",
                .contentDisposition: "inline; filename=\"reloc.ics\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
