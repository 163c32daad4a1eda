import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// An approval once recorded changes only by the province's correction, itself dated and audited;
/// a plan's steps are dated within the programme (§四(一); issue 11).
@Suite("A plan's approval is final but for the province's correction")
struct PlanApprovalFinalTests {
    /// SP-TD approved on 2014-12-01 with 四政函〔2014〕9号, after its consultation (2014-10-01) and
    /// risk assessment (2014-11-01).
    func approve(_ fixture: ProgrammeFixture) throws {
        for (to, on) in [("consultation", "2014-10-01"), ("risk-assessed", "2014-11-01")] {
            #expect(try fixture.cli(["--as", "SP", "plan", "advance", "SP-TD", "--to", to, "--on", on]).status == 0)
        }
        let approved = try fixture.cli([
            "--as", "SP", "plan", "advance", "SP-TD", "--to", "approved", "--doc", "四政函〔2014〕9号", "--on", "2014-12-01",
        ])
        #expect(approved.status == 0, "\(approved.stderr)")
    }

    func approval(_ fixture: ProgrammeFixture) throws -> String {
        try fixture.admin().query("SELECT approval_doc || ' ' || approved_on FROM reloc.plan WHERE code = 'SP-TD'")
            .scalar(String.self)
    }

    @Test func theCityCannotRewriteItsApproval() throws {
        try ProgrammeFixture.with { fixture in
            try approve(fixture)
            let siping = try fixture.acting("SP")
            for change in [
                "approval_doc = '四政函〔2015〕1号'", "approved_on = '2013-01-01'",
                "approved_on = '2014-12-02', status = 'implementing'",
            ] {
                expectSQLState("23514", constraint: "plan_approval_final") {
                    try siping.execute(SQLQuery(unsafeSQL: "UPDATE reloc.plan SET \(change) WHERE code = 'SP-TD'"))
                }
            }
            // Nor the province by hand, nor anyone by writing the correction record.
            expectSQLState("23514", constraint: "plan_approval_final") {
                try fixture.acting("JL").execute("UPDATE reloc.plan SET approval_doc = 'x' WHERE code = 'SP-TD'")
            }
            expectSQLState("42501") {
                try siping.execute(
                    """
                    INSERT INTO reloc.plan_approval_correction (plan_id, new_doc, new_on, reason, corrected_on, corrected_by,
                                                                corrected_by_login, transaction_id)
                    SELECT id, 'x', '2014-12-01', 'r', '2014-12-01', 'x', 'x', pg_current_xact_id()::text::bigint
                    FROM reloc.plan WHERE code = 'SP-TD'
                    """)
            }
            #expect(try approval(fixture) == "四政函〔2014〕9号 2014-12-01")
            // The approved step's date is the approval's: a raw step cannot record another.
            let history = try fixture.admin().query(
                """
                SELECT c.doc || ' ' || c.on_date FROM reloc.plan_status_change c JOIN reloc.plan p ON p.id = c.plan_id
                WHERE p.code = 'SP-TD' AND c.to_status = 'approved'
                """
            ).scalar(String.self)
            #expect(history == "四政函〔2014〕9号 2014-12-01")
        }
    }

    @Test func theProvinceCorrectsAnApprovalWithAReason() throws {
        try ProgrammeFixture.with { fixture in
            try approve(fixture)
            let correct = ["plan", "correct-approval", "SP-TD", "--doc", "四政函〔2014〕10号", "--on", "2014-12-05"]
            let city = try fixture.cli(correct + ["--reason", "文号笔误", "--as", "SP"])
            #expect(city.status == 77, "\(city.stderr)")
            expectSQLState("42501") {
                try fixture.acting("SP").execute(
                    "SELECT reloc.correct_plan_approval('SP-TD', 'x', NULL, 'r')")
            }
            #expect(try fixture.cli(correct + ["--as", "JL"]).status == 64)  // the reason is required
            expectCLIRule(try fixture.cli(correct + ["--reason", " ", "--as", "JL"]), "plan_approval_correction")
            // Not before the risk assessment (2014-11-01), not in the future.
            let early = ["plan", "correct-approval", "SP-TD", "--on", "2014-10-15", "--reason", "日期有误", "--as", "JL"]
            expectCLIRule(try fixture.cli(early), "plan_status_dates")
            let late = ["plan", "correct-approval", "SP-TD", "--on", "2999-01-01", "--reason", "日期有误", "--as", "JL"]
            expectCLIRule(try fixture.cli(late), "plan_status_dates")
            #expect(try approval(fixture) == "四政函〔2014〕9号 2014-12-01")

            let done = try fixture.cli(correct + ["--reason", "文号笔误", "--as", "JL"])
            #expect(done.status == 0, "\(done.stderr)")
            #expect(try approval(fixture) == "四政函〔2014〕10号 2014-12-05")
            let shown = try fixture.cli(["plan", "show", "SP-TD", "--format", "json"])
            #expect(shown.stdout.contains("文号笔误"), "\(shown.stdout)")
            let today = try fixture.admin().query("SELECT reloc.today()::text").scalar(String.self)
            #expect(
                try fixture.admin().query(
                    "SELECT corrected_on::text || ' ' || corrected_by FROM reloc.plan_approval_correction"
                ).scalar(String.self) == "\(today) reloc_org_jl")
            #expect(
                try fixture.admin().query(
                    "SELECT count(*) FROM reloc.audit WHERE table_name = 'plan_approval_correction' AND acting_org_code = 'JL'"
                ).scalar(Int.self) == 1)
            // Nothing to correct: refused.
            expectCLIRule(try fixture.cli(correct + ["--reason", "again", "--as", "JL"]), "plan_approval_correction")
        }
    }

    @Test func stepsAreDatedWithinTheProgramme() throws {
        try ProgrammeFixture.with { fixture in
            let early = try fixture.cli([
                "--as", "SP", "plan", "advance", "SP-TD", "--to", "consultation", "--on", "2013-06-01",
            ])
            expectCLIRule(early, "plan_status_dates")
            #expect(early.stderr.contains("before the programme began"), "\(early.stderr)")
            expectSQLState("23514", constraint: "plan_status_dates") {
                try fixture.acting("SP").execute(
                    "SELECT reloc.advance_plan('SP-TD', 'consultation', NULL, '1900-01-01')")
            }
        }
    }
}
