import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The working-day calendar (0020, issue 15): weekends do not count, the calendar's holidays do not,
/// its weekends made working days (调休) do; only the province writes it.
@Suite("Working days")
struct WorkingDayTests {
    /// A week of 2015: 国庆 2015-10-01..07 (Thu..Wed) with Saturday 2015-10-10 worked.
    static func withGoldenWeek(_ body: (PGConnection, String) throws -> Void) throws {
        try TestDatabase.with(.jilin2014) { name in
            let db = try TestDatabase.connect(name)
            for day in 1...7 {
                try db.execute(
                    "INSERT INTO reloc.calendar_day (day, kind, name) VALUES (\("2015-10-0\(day)")::date, 'holiday', '国庆节')"
                )
            }
            try db.execute("INSERT INTO reloc.calendar_day (day, kind, name) VALUES ('2015-10-10', 'workday', '国庆节调休')")
            try body(db, name)
        }
    }

    func expectValue(
        _ db: PGConnection, _ sql: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let value = try db.query("SELECT (\(unsafeRaw: sql))::text").scalar(String.self)
        #expect(value == expected, "\(sql)", sourceLocation: sourceLocation)
    }

    @Test func countsOverWeekendsHolidaysAndWorkedWeekends() throws {
        try Self.withGoldenWeek { db, _ in
            // Wednesday 2015-09-30 + 1 working day: the holiday week is skipped, Thursday 10-08.
            try expectValue(db, "reloc.add_working_days('2015-09-30', 1)", "2015-10-08")
            // + 3: Thu 10-08, Fri 10-09, the worked Saturday 10-10.
            try expectValue(db, "reloc.add_working_days('2015-09-30', 3)", "2015-10-10")
            try expectValue(db, "reloc.add_working_days('2015-10-10', -3)", "2015-09-30")
            try expectValue(db, "reloc.add_working_days('2015-10-03', 0)", "2015-10-03")
            // An ordinary week: Friday + 1 is Monday.
            try expectValue(db, "reloc.add_working_days('2015-09-25', 1)", "2015-09-28")
            try expectValue(db, "reloc.working_days_between('2015-09-30', '2015-10-12')", "4")
            try expectValue(db, "reloc.working_days_between('2015-10-12', '2015-09-30')", "-4")
            try expectValue(db, "reloc.working_days_between('2015-10-01', '2015-10-01')", "0")
            try expectValue(db, "reloc.is_working_day('2015-10-10')", "true")
            try expectValue(db, "reloc.is_working_day('2015-10-11')", "false")
        }
    }

    @Test func aWorkdayIsAWeekendAndOnlyTheProvinceWritesTheCalendar() throws {
        try Self.withGoldenWeek { db, name in
            do {
                try db.execute(
                    "INSERT INTO reloc.calendar_day (day, kind, name) VALUES ('2015-10-12', 'workday', '周一')")
                Issue.record("a Monday marked a workday was taken")
            } catch let error as PGError {
                #expect(error.constraint == "calendar_workday_on_weekend", "\(error)")
            }
            let city = try TestDatabase.connect(name, actingAs: "SP")
            #expect(throws: PGError.self) {
                try city.execute(
                    "INSERT INTO reloc.calendar_day (day, kind, name) VALUES ('2015-12-31', 'holiday', '元旦')")
            }
            #expect(throws: PGError.self) {
                try city.execute("UPDATE reloc.supervision_setting SET acknowledge_within = 9")
            }
            #expect(try city.query("SELECT count(*) FROM reloc.calendar_day").scalar(Int.self) == 8)
            let province = try TestDatabase.connect(name, actingAs: "JL")
            try province.execute("UPDATE reloc.supervision_setting SET acknowledge_within = 3")
            try province.execute(
                "INSERT INTO reloc.calendar_day (day, kind, name) VALUES ('2016-01-01', ' Holiday ', '元旦')")
            do {
                try db.execute("UPDATE reloc.supervision_setting SET due_soon_within = 0")
                Issue.record("a due-soon window of 0 working days was taken")
            } catch let error as PGError {
                #expect(error.constraint == "supervision_setting_range", "\(error)")
            }
        }
    }
}
