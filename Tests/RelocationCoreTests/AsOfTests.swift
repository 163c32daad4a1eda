import Foundation
import LibPQClient
import RelocationCore
import Testing

/// `--as-of`: a date, or an instant whose date the database reads in the programme's zone.
@Suite("Reading --as-of")
struct AsOfTests {
    @Test func aDateOrAnInstant() throws {
        #expect(AsOf("2014-12-15") == .date(CalendarDate(year: 2014, month: 12, day: 15)!))
        #expect(AsOf("２０１４-１２-１５") == .date(CalendarDate(year: 2014, month: 12, day: 15)!))
        let instant = Date(timeIntervalSince1970: 1_420_045_200)  // 2014-12-31T17:00:00Z
        #expect(AsOf("2014-12-31T17:00Z") == .instant(instant))
        #expect(AsOf("2014-12-31T17:00:00Z") == .instant(instant))
        #expect(AsOf("2015-01-01T01:00:00+08:00") == .instant(instant))
        #expect(AsOf("2014-12-31T17:00:00.000Z") == .instant(instant))
        #expect(AsOf("yesterday") == nil)
        #expect(AsOf("2014-02-30") == nil)
        #expect(AsOf("2014-12-31T17:00") == nil)  // an instant needs its zone
    }
}
