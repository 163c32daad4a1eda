import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The annual evaluation (年度评估, issue 15; 2021 demonstration-zone plan §(十四), §(十五)):
/// the province alone computes, adjusts (with a reason, audited) and publishes; a published year is
/// final for every role; 较差 two published years running is flagged, 好 recommended.
@Suite("Annual evaluation (年度评估)")
struct EvaluationTests {
    func cli(_ name: String, _ arguments: [String]) throws -> RelocCLI.Outcome {
        try RelocCLI.run(arguments, database: name)
    }

    @Test func theScoreFollowsTheWeightsAndTheFormula() throws {
        try SupervisionScenario.with { name, db in
            let computed = try cli(name, ["evaluation", "compute", "--year", "2015", "--as", "JL", "--format", "json"])
            #expect(computed.status == 0, "\(computed.stderr)")
            // 长春 in 2015: 3 due (scenario) — 1 on time, 1 late by 2 working days (02-17 → 02-26 across
            // 春节: 02-25, 02-26), 1 open since 03-31: 2015 is over, late up to year end.
            let row = try db.query(
                """
                SELECT r.due, r.done, r.on_time, r.overdue_days, r.escalations, r.score::text, r.rating
                FROM reloc.evaluation_result r JOIN reloc.organisation o ON o.id = r.org_id WHERE o.code = 'CC' AND r.year = 2015
                """
            ).decode((Int, Int, Int, Int, Int, String, String).self)
            let cc = try #require(row.first)
            #expect(cc.0 == 3 && cc.1 == 2 && cc.2 == 1)
            let open = try db.query("SELECT reloc.working_days_between('2015-03-31', '2015-12-31')").scalar(Int.self)
            #expect(cc.3 == 2 + open, "\(cc)")
            #expect(cc.4 == 1, "one escalation: the open one, late by more than 10 working days")
            // 60 × 1/3 + 40 × 2/3 − 1 × (2 + open) / 3 − 2 × 1 − 1 × 0, within 0..100.
            let score = max(0, min(100, 60.0 / 3 + 80.0 / 3 - Double(2 + open) / 3 - 2))
            #expect(abs((Double(cc.5) ?? -1) - score) < 0.06, "\(cc.5) vs \(score)")
            #expect(cc.6 == "poor" || score >= 60)
            // Weights: the province sets them, the bands must fall, a city may not.
            #expect(try cli(name, ["evaluation", "weights", "set", "--good", "50", "--as", "JL"]).status == 65)
            #expect(try cli(name, ["evaluation", "weights", "set", "--on-time", "70", "--as", "JL"]).status == 65)
            #expect(try cli(name, ["evaluation", "weights", "set", "--fair", "0", "--as", "SP"]).status == 77)
            let city = try TestDatabase.connect(name, actingAs: "SP")
            #expect(throws: PGError.self) { try city.execute("UPDATE reloc.evaluation_setting SET fair_from = 0") }
            let set = try cli(
                name, ["evaluation", "weights", "set", "--fair", "0", "--fairly-good", "1", "--as", "JL"])
            #expect(set.status == 0, "\(set.stderr)")
            _ = try cli(name, ["evaluation", "compute", "--year", "2015", "--as", "JL"])
            let rating = try db.query(
                "SELECT r.rating FROM reloc.evaluation_result r JOIN reloc.organisation o ON o.id = r.org_id WHERE o.code = 'CC'"
            ).scalar(String.self)
            #expect(rating != "poor")
        }
    }

    @Test func onlyTheProvinceComputesAdjustsAndPublishes() throws {
        try SupervisionScenario.with { name, db in
            #expect(try cli(name, ["evaluation", "compute", "--year", "2015", "--as", "SP"]).status == 77)
            #expect(try cli(name, ["evaluation", "compute", "--year", "2015", "--as", "JL"]).status == 0)
            #expect(
                try cli(
                    name,
                    ["evaluation", "adjust", "SP", "--year", "2015", "--rating", "好", "--reason", "自评", "--as", "SP"]
                )
                .status == 77)
            #expect(try cli(name, ["evaluation", "publish", "--year", "2015", "--as", "SP"]).status == 77)
            let city = try TestDatabase.connect(name, actingAs: "SP")
            let hostile: [SQLQuery] = [
                "SELECT reloc.evaluation_adjust('SP', 2015, 'good', '自评')",
                "SELECT reloc.evaluation_compute(2015)",
                "SELECT reloc.evaluation_publish(2015)",
                "UPDATE reloc.evaluation_result SET rating = 'good', reason = '自评'",
                "DELETE FROM reloc.evaluation_result",
                "INSERT INTO reloc.evaluation_publication (year, published_by, published_by_login) VALUES (2015, 'x', 'x')",
            ]
            for statement in hostile {
                do {
                    _ = try city.query(statement)
                    Issue.record("a city did: \(statement)")
                } catch let error as PGError {
                    #expect(error.sqlState == "42501", "\(statement): \(error)")
                }
            }
            // A city reads its own unpublished result only.
            #expect(try city.query("SELECT count(*) FROM reloc.evaluation_result").scalar(Int.self) == 1)
            // An adjustment needs a reason; it is audited.
            let noReason = try cli(
                name, ["evaluation", "adjust", "SP", "--year", "2015", "--rating", "较差", "--reason", " ", "--as", "JL"])
            #expect(noReason.status == 65 && noReason.stderr.contains("evaluation_adjust_reason"), "\(noReason.stderr)")
            let adjusted = try cli(
                name,
                ["evaluation", "adjust", "SP", "--year", "2015", "--rating", "好", "--reason", "重大问题", "--as", "JL"])
            #expect(adjusted.status == 0, "\(adjusted.stderr)")
            let audit = try db.query(
                """
                SELECT acting_org_code, new_values ->> 'rating', new_values ->> 'reason' FROM reloc.audit
                WHERE table_name = 'evaluation_result' AND action = 'update' AND new_values ->> 'reason' = '重大问题'
                """
            ).decode((String?, String?, String?).self)
            #expect(audit.count == 1 && audit.first?.0 == "JL" && audit.first?.1 == "good", "\(audit)")
            // Recomputing keeps the adjustment.
            _ = try cli(name, ["evaluation", "compute", "--year", "2015", "--as", "JL"])
            #expect(try city.query("SELECT rating FROM reloc.evaluation_result").scalar(String.self) == "good")
        }
    }

    @Test func aPublishedYearIsFinalForEveryRole() throws {
        try SupervisionScenario.with { name, db in
            #expect(try cli(name, ["evaluation", "publish", "--year", "2015", "--as", "JL"]).status == 65)
            #expect(try cli(name, ["evaluation", "compute", "--year", "2015", "--as", "JL"]).status == 0)
            #expect(try cli(name, ["evaluation", "publish", "--year", "2015", "--as", "JL"]).status == 0)
            for arguments in [
                ["evaluation", "compute", "--year", "2015", "--as", "JL"],
                ["evaluation", "adjust", "CC", "--year", "2015", "--rating", "好", "--reason", "复核", "--as", "JL"],
                ["evaluation", "publish", "--year", "2015", "--as", "JL"],
            ] {
                let outcome = try cli(name, arguments)
                #expect(
                    outcome.status == 65 && outcome.stderr.contains("evaluation_published_final"), "\(outcome.stderr)")
            }
            try db.execute("SET ROLE reloc_owner")
            for statement: SQLQuery in [
                "UPDATE reloc.evaluation_result SET rating = 'good', reason = 'x' WHERE year = 2015",
                "DELETE FROM reloc.evaluation_result WHERE year = 2015",
                "DELETE FROM reloc.evaluation_publication",
                "TRUNCATE reloc.evaluation_result",
            ] {
                do {
                    try db.execute(statement)
                    Issue.record("the owner changed a published year: \(statement)")
                } catch let error as PGError {
                    #expect(error.constraint == "evaluation_published_final", "\(statement): \(error)")
                }
            }
            try db.execute("RESET ROLE")
            // Published: every city reads it.
            let city = try TestDatabase.connect(name, actingAs: "SP")
            #expect(try city.query("SELECT count(*) FROM reloc.evaluation_result").scalar(Int.self) > 1)
        }
    }

    /// 2021 plan §(十五): 较差 in two consecutive published years is flagged; §(十四): 好 recommended.
    @Test func poorTwoPublishedYearsRunningIsFlagged() throws {
        try SupervisionScenario.with { name, db in
            func run(_ arguments: [String]) throws {
                let outcome = try cli(name, arguments + ["--as", "JL"])
                #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            }
            try run(["evaluation", "compute", "--year", "2014"])
            try run(["evaluation", "adjust", "CC", "--year", "2014", "--rating", "较差", "--reason", "未按期编制"])
            try run(["evaluation", "adjust", "SP", "--year", "2014", "--rating", "较差", "--reason", "未按期编制"])
            try run(["evaluation", "publish", "--year", "2014"])
            try run(["evaluation", "compute", "--year", "2015"])
            try run(["evaluation", "adjust", "CC", "--year", "2015", "--rating", "poor", "--reason", "再次逾期"])
            try run(["evaluation", "adjust", "SP", "--year", "2015", "--rating", "good", "--reason", "整改到位"])
            // Not published yet: nobody is flagged.
            #expect(
                try cli(name, ["evaluation", "list", "--flagged", "--format", "csv"]).stdout.split(separator: "\n")
                    .count == 1)
            try run(["evaluation", "publish", "--year", "2015"])
            let flagged = try cli(
                name, ["evaluation", "list", "--flagged", "--format", "csv", "--columns", "year,code"])
            let codes = Set(flagged.stdout.split(whereSeparator: \.isNewline).dropFirst().map(String.init))
            // Every city rated 较差 in both published years, counted here: 长春 (adjusted) among them, 四平 not.
            let poorTwice = try db.query(
                """
                SELECT '2015,' || o.code FROM reloc.organisation o
                WHERE o.kind = 'city' AND (SELECT count(*) FROM reloc.evaluation_result r
                                           WHERE r.org_id = o.id AND r.year IN (2014, 2015) AND r.rating = 'poor') = 2
                """
            ).decode(String.self)
            #expect(codes == Set(poorTwice), "\(flagged.stdout)")
            #expect(codes.contains("2015,CC") && !codes.contains("2015,SP"))
            let recommended = try cli(
                name, ["evaluation", "list", "--recommended", "--format", "json", "--columns", "year,code"])
            #expect(recommended.stdout.filter { !$0.isWhitespace } == "[{\"year\":2015,\"code\":\"SP\"}]")
            _ = db
        }
    }
}
