import Foundation
import LibPQClient
import RelocTestSupport
import Testing

@Suite("Values go to PostgreSQL and come back unchanged")
struct TypeRoundTripTests {
    @Test func integersBooleansAndDoubles() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let row = try db.query(
                "SELECT \(Int.max)::bigint, \(Int32.min)::int, \(Int16(-7))::smallint, \(true), \(false), \(0.1 + 0.2)::float8"
            ).rows[0]
            let (big, small, tiny, yes, no, double) = try row.decode((Int, Int32, Int16, Bool, Bool, Double).self)
            #expect(big == Int.max)
            #expect(small == Int32.min)
            #expect(tiny == -7)
            #expect(yes && !no)
            #expect(double == 0.1 + 0.2)
        }
    }

    @Test func textInEveryScriptIsVerbatim() throws {
        let samples = [
            "吉林省城区老工业区搬迁改造", "２０１４年１２月３１日", "emoji 🏭🚚 and ZWJ 👩‍🔧", "tab\tnew\nline\\back",
            "quote ' and \" and $1", "", " leading and trailing ",
        ]
        try TestDatabase.withConnection(migrated: false) { db in
            for sample in samples {
                let back = try db.query("SELECT \(sample)::text AS value").scalar(String.self)
                #expect(back == sample)
                #expect(try db.query("SELECT length(\(sample))").scalar(Int.self) == sample.unicodeScalars.count)
            }
        }
    }

    @Test func numericKeepsEveryDigit() throws {
        let values = [
            "12345678901234567890.123456789", "-0.000000000000000000000000000001",
            "99999999999999999999999999999999999999",
            "0", "3.14", "-42",
        ]
        try TestDatabase.withConnection(migrated: false) { db in
            for text in values {
                let decimal = try #require(Decimal(exactText: text))
                let back = try db.query("SELECT \(decimal)::numeric").scalar(Decimal.self)
                #expect(back == decimal)
                // The server must see exactly the digits we sent.
                #expect(try db.query("SELECT \(decimal)::numeric = \(text)::numeric").scalar(Bool.self))
                #expect(try db.query("SELECT (\(decimal)::numeric)::text").scalar(String.self) == text)
            }
            // 39 significant digits do not fit a Decimal: refused, not rounded.
            #expect(throws: PGError.self) {
                try db.query("SELECT 123456789012345678901234567890123456789::numeric").scalar(Decimal.self)
            }
        }
    }

    @Test func uuidAndNulls() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let id = UUID()
            #expect(try db.query("SELECT \(id)").scalar(UUID.self) == id)
            let none: String? = nil
            let row = try db.query("SELECT \(none)::text, NULL::int, NULL::date, NULL::uuid").rows[0]
            let (text, number, day, uuid) = try row.decode((String?, Int?, CalendarDate?, UUID?).self)
            #expect(text == nil && number == nil && day == nil && uuid == nil)
            // A NULL into a non-optional names the column.
            let error = try #require(throws: PGError.self) {
                try db.query("SELECT NULL::int AS employees").scalar(Int.self)
            }
            #expect(error.column == "employees")
        }
    }

    @Test(
        "Dates never shift, whatever the session's time zone",
        arguments: ["Asia/Shanghai", "UTC", "America/Los_Angeles"])
    func datesAtYearBoundaries(zone: String) throws {
        try TestDatabase.with(migrated: false) { name in
            let db = try TestDatabase.connect(name, timeZone: zone)
            for text in ["2014-12-31", "2015-01-01", "2022-12-31", "2000-02-29", "0001-01-01", "9999-12-31"] {
                let date = try #require(CalendarDate(text))
                #expect(try db.query("SELECT \(date)").scalar(CalendarDate.self) == date)
                #expect(try db.query("SELECT \(date)::text").scalar(String.self) == text)
            }
            // Midnight of 2015-01-01 in Shanghai is still 2014 in UTC: an instant, not a day.
            let instant = try db.query("SELECT '2015-01-01 00:00:00+08'::timestamptz").scalar(Date.self)
            #expect(CalendarDate(instant, in: TimeZone(identifier: "Asia/Shanghai")!) == CalendarDate("2015-01-01"))
            #expect(CalendarDate(instant, in: TimeZone(identifier: "UTC")!) == CalendarDate("2014-12-31"))
            #expect(try db.query("SELECT \(instant) = '2014-12-31 16:00:00Z'::timestamptz").scalar(Bool.self))
            let precise = Date(timeIntervalSince1970: 1_419_955_200.123456)
            let back = try db.query("SELECT \(precise)").scalar(Date.self)
            #expect(abs(back.timeIntervalSince(precise)) < 0.000_001)
        }
    }

    @Test func calendarArithmetic() throws {
        let day = try #require(CalendarDate("2014-12-31"))
        // Full-width digits are the domain's spelling, folded by RelocationCore (Spellings.halfwidth),
        // never by the database client.
        #expect(CalendarDate("２０１４-１２-３１") == nil)
        #expect(day.adding(days: 1) == CalendarDate("2015-01-01"))
        #expect(CalendarDate("2024-02-28")!.adding(days: 1) == CalendarDate("2024-02-29"))
        #expect(CalendarDate("2023-02-29") == nil)
        #expect(day.days(until: CalendarDate("2022-12-31")!) == 2922)
    }

    @Test func decodingChecksTheColumnType() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let error = try #require(throws: PGError.self) {
                try db.query("SELECT DATE '2014-12-31' AS compile_by").scalar(Int.self)
            }
            #expect(error.kind == .decoding)
            #expect(error.message.contains("compile_by"))
            #expect(throws: PGError.self) { try db.query("SELECT 70000::int AS n").scalar(Int16.self) }
            #expect(throws: PGError.self) { try db.query("SELECT 1 AS a").rows[0].decode(Int.self, column: "b") }
            let named = try db.query("SELECT 7 AS a, 'x' AS b").rows[0]
            #expect(try named.decode(String.self, column: "b") == "x")
        }
    }

    @Test func arraysAsParameters() throws {
        try TestDatabase.withConnection(migrated: false) { db in
            let codes = ["CC", "JLS", "a\"b", "c\\d", "长春"]
            let count = try db.query("SELECT count(*) FROM unnest(\(codes)) AS code WHERE code = ANY(\(codes))").scalar(
                Int.self)
            #expect(count == codes.count)
            #expect(try db.query("SELECT (\(codes))[3]").scalar(String.self) == "a\"b")
        }
    }
}
