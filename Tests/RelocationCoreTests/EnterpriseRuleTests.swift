import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// Each rule of the register, broken through the core API, raw SQL as the acting role, and the CLI.
@Suite("Enterprise rules are enforced by the database")
struct EnterpriseRuleTests {
    func expectRule(_ constraint: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void)
    {
        do {
            try body()
            Issue.record("expected the rule \(constraint) to refuse this", sourceLocation: sourceLocation)
        } catch let error as PGError {
            #expect(error.sqlState == "23514", "\(error)", sourceLocation: sourceLocation)
            #expect(error.constraint == constraint, "\(error)", sourceLocation: sourceLocation)
            #expect(ErrorReport(error).status == .dataError, sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a database rule, got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func relocationNeedsAParkAndTheOthersTakeNone() throws {
        try RegisterFixture.with { fixture in
            expectRule("enterprise_relocation_needs_park") { _ = try fixture.register { $0.park = nil } }
            expectRule("enterprise_relocation_needs_park") {
                _ = try fixture.register {
                    $0.mode = "close"
                    $0.park = RegisterFixture.compliantPark
                }
            }
            #expect(
                try fixture.register {
                    $0.mode = "close"; $0.park = nil
                } > 0)
            #expect(
                try fixture.register {
                    $0.mode = "in-situ"; $0.park = nil
                } > 0)
            let sp = try fixture.acting("SP")
            expectRule("enterprise_relocation_needs_park") {
                try sp.execute(
                    "INSERT INTO reloc.enterprise (plan_id, name, mode) SELECT id, 'raw', 'relocate' FROM reloc.plan WHERE code = 'SP-TD'"
                )
            }
        }
    }

    @Test func highRiskPlantsOnlyGoToProvenParks() throws {
        try RegisterFixture.with { fixture in
            expectRule("enterprise_high_risk_park") {
                _ = try fixture.register {
                    $0.highRisk = "chemicals"
                    $0.park = RegisterFixture.parkWithoutEIA
                }
            }
            #expect(try fixture.register { $0.highRisk = "chemicals" } > 0)
            #expect(try fixture.register { $0.park = RegisterFixture.parkWithoutEIA } > 0)
            let outcome = try fixture.cli([
                "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "四平化工厂", "--mode", "relocate",
                "--park", RegisterFixture.parkWithoutEIA, "--high-risk", "chemicals",
            ])
            #expect(outcome.status == 65)
            #expect(outcome.stderr.contains("enterprise_high_risk_park"))
            #expect(outcome.stderr.contains("四(三)"))
        }
    }

    @Test func newCapacityIsAtMostTheOld() throws {
        try RegisterFixture.with { fixture in
            expectRule("enterprise_capacity_not_increased") {
                _ = try fixture.register {
                    $0.capacity = .init("30 万吨/年")
                    $0.newCapacity = .init("31 万吨/年")
                }
            }
            expectRule("enterprise_capacity_not_increased") {
                _ = try fixture.register { $0.newCapacity = .init("5 万吨/年") }
            }
            let mixedUnits = Result {
                try fixture.register {
                    $0.capacity = .init("30 万吨/年")
                    $0.newCapacity = .init("20 万台/年")
                }
            }
            // Refused before SQL, by the database's rule (its words are reloc.rule's).
            #expect(
                throws: RuleViolation(
                    rule: "enterprise_capacity_same_unit", detail: "old capacity 30 万吨/年, new capacity 20 万台/年")
            ) {
                try mixedUnits.get()
            }
            let id = try fixture.register {
                $0.capacity = .init("３０ 万吨/年")
                $0.newCapacity = .init("30万吨/年")
            }
            let sp = try fixture.acting("SP")
            expectRule("enterprise_capacity_not_increased") {
                try sp.execute("UPDATE reloc.enterprise SET capacity_new = 30.0001 WHERE id = \(id)")
            }
        }
    }

    @Test func statusMovesForwardAndRelocationWaitsForTheHeritageSurvey() throws {
        try RegisterFixture.with { fixture in
            let enterprises = Enterprises(try fixture.acting("SP"))
            let id = try fixture.register()
            expectRule("enterprise_status_order") { try enterprises.advance(id, to: "relocating") }
            expectRule("enterprise_status_order") { try enterprises.advance(id, to: "closing") }
            try enterprises.advance(id, to: "heritage-surveyed")
            expectRule("enterprise_status_order") { try enterprises.advance(id, to: "registered") }
            try enterprises.advance(id, to: "relocating")
            try enterprises.advance(id, to: "relocated")
            expectRule("enterprise_status_order") { try enterprises.advance(id, to: "relocating") }
            let outcome = try fixture.cli([
                "enterprise", "advance", String(id), "--to", "heritage-surveyed", "--as", "SP",
            ])
            #expect(outcome.status == 65)
        }
    }

    @Test func usccIsCheckedAndUnique() throws {
        try RegisterFixture.with { fixture in
            expectRule("enterprise_uscc_checksum") { _ = try fixture.register { $0.uscc = "91220300MA0Y123455" } }
            expectRule("enterprise_uscc_checksum") { _ = try fixture.register { $0.uscc = "9122030" } }
            _ = try fixture.register { $0.uscc = "９１２２０３００ma0y123454" }  // typed full-width and lower case
            let duplicate = Result { try fixture.register { $0.uscc = "91220300MA0Y123454" } }
            #expect(throws: PGError.self) { try duplicate.get() }
            if case .failure(let error as PGError) = duplicate { #expect(error.sqlState == "23505") }
            for code in RegisterFixture.validUSCC {
                #expect(try fixture.admin().query("SELECT reloc.uscc_is_valid(\(code))").scalar(Bool.self), "\(code)")
            }
        }
    }

    @Test func siteAreaInMuBecomesHectares() throws {
        try RegisterFixture.with { fixture in
            let id = try fixture.register { $0.siteMu = Decimal(string: "150") }
            let hectares = try fixture.admin().query("SELECT site_area_ha FROM reloc.enterprise WHERE id = \(id)")
                .scalar(Decimal.self)
            #expect(hectares == 10)
        }
    }

    @Test func planStatusGoesOneStepForwardThroughTheRiskAssessment() throws {
        try RegisterFixture.with { fixture in
            let plans = Plans(try fixture.acting("JL"))
            try plans.advance("SP-TD", to: "consultation", doc: nil, on: CalendarDate("2014-10-01"), note: "征求意见")
            expectRule("plan_status_order") {
                try plans.advance("SP-TD", to: "approved", doc: "四政发〔2014〕1号", on: nil, note: nil)
            }
            expectRule("plan_status_order") { try plans.advance("SP-TD", to: "drafting", doc: nil, on: nil, note: nil) }
            try plans.advance("SP-TD", to: "risk-assessed", doc: nil, on: nil, note: "社会稳定风险评估")
            let history = try plans.history("SP-TD")
            #expect(history.rows.count == 2)
            #expect(history.rows.last?["to_status"] == "risk-assessed")
            #expect(history.rows.first?["note"] == "征求意见")
            let raw = try fixture.acting("JL")
            expectRule("plan_status_order") {
                try raw.execute("UPDATE reloc.plan SET status = 'implementing' WHERE code = 'SP-TD'")
            }
            let outcome = try fixture.cli(["plan", "advance", "SP-TD", "--to", "complete", "--as", "JL"])
            #expect(outcome.status == 65)
        }
    }
}
