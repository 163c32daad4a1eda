import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// `reloc task progress-import FILE.csv`: progress reports in bulk, all or nothing, by the rules
/// and permissions of `reloc task progress N` (0014).
@Suite("Progress reports from a CSV file")
struct ProgressImportTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-progress-\(UUID()).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let reports: SQLQuery = "SELECT count(*) FROM reloc.progress_report"

    @Test func aGoodFileRecordsEveryLineAsTheDepartment() throws {
        try TestDatabase.with(.jilin2014) { db in
            let admin = try TestDatabase.connect(db)
            let before = try admin.query(Self.reports).scalar(Int.self)
            let audited = try admin.query("SELECT count(*) FROM reloc.audit WHERE table_name = 'progress_report'")
                .scalar(Int.self)
            let path = try Self.write(
                """
                task,percent,status,note,evidence
                2,40,,"开工, 进展顺利",吉发改〔2014〕1号；吉发改〔2014〕2号
                ３, ５０ ,存在风险,资金未到位,
                4,,done,已完成,

                """)
            let run = try RelocCLI.run(["task", "progress-import", path, "--as", "JL-FGW"], database: db)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("recorded 3 progress reports"))
            #expect(try admin.query(Self.reports).scalar(Int.self) == before + 3)
            let rows = try admin.query(
                """
                SELECT t.number, trim_scale(r.percent)::text, r.status, r.note, array_to_string(r.evidence, '|'), o.code
                FROM reloc.progress_report r JOIN reloc.task t ON t.id = r.task_id
                JOIN reloc.organisation o ON o.id = r.org_id
                ORDER BY r.id DESC LIMIT 3
                """
            ).decode((Int, String, String, String, String, String).self)
            #expect(rows.map(\.0) == [4, 3, 2])
            #expect(rows.map(\.1) == ["100", "50", "40"])
            #expect(rows.map(\.2) == ["done", "at-risk", "on-track"])
            #expect(rows[2].3 == "开工, 进展顺利")
            #expect(rows[2].4 == "吉发改〔2014〕1号|吉发改〔2014〕2号")
            #expect(rows.allSatisfy { $0.5 == "JL-FGW" })
            // One audit row per report, written by one statement.
            #expect(
                try admin.query("SELECT count(*) FROM reloc.audit WHERE table_name = 'progress_report'")
                    .scalar(Int.self) == audited + 3)
        }
    }

    @Test func everyBadLineIsNamedAndNothingIsRecorded() throws {
        try TestDatabase.with(.jilin2014) { db in
            let admin = try TestDatabase.connect(db)
            let before = try admin.query(Self.reports).scalar(Int.self)
            let path = try Self.write(
                [
                    "task,percent,status,note,evidence",
                    "2,10,,好,",  // 2: good
                    "1,10,,不是我的,",  // 3: task 1 is JL-ZJT's and JL-GTT's
                    "99,10,,无此任务,",  // 4
                    "2,150,,太多,",  // 5
                    "2,1.234,,太细,",  // 6
                    "2,50,teleport,状态,",  // 7
                    "2,100,blocked,矛盾,",  // 8
                    "2,10,,,",  // 9: no note
                    "2,,,没有百分比,",  // 10
                    "2,10,,多一列,,extra",  // 11
                    "x,10,,任务号,",  // 12
                ].joined(separator: "\n") + "\n")
            let run = try RelocCLI.run(["task", "progress-import", path, "--as", "JL-FGW"], database: db)
            #expect(run.status == 65, "\(run.stderr)")
            for line in 3...12 { #expect(run.stderr.contains("\(path):\(line):"), "line \(line): \(run.stderr)") }
            #expect(!run.stderr.contains("\(path):2:"))
            #expect(run.stderr.contains("permission: task 1 is not yours"))
            #expect(run.stderr.contains("progress_percent_range"))
            #expect(run.stderr.contains("progress_percent_precision"))
            #expect(run.stderr.contains("progress_status_check"))
            #expect(run.stderr.contains("progress_done_is_complete"))
            #expect(run.stderr.contains("progress_note_not_blank"))
            #expect(run.stderr.contains("has 6 fields, the header has 5"))
            #expect(try admin.query(Self.reports).scalar(Int.self) == before)
        }
    }

    @Test func aCityReportsOnNoDepartmentsTaskButTheProvinceOnAny() throws {
        try TestDatabase.with(.jilin2014) { db in
            let path = try Self.write("task,percent,note\n1,20,城市报告\n")
            let city = try RelocCLI.run(["task", "progress-import", path, "--as", "SP"], database: db)
            #expect(city.status == 65)
            #expect(city.stderr.contains("\(path):2: permission: task 1 is not yours"), "\(city.stderr)")
            let province = try RelocCLI.run(["task", "progress-import", path, "--as", "JL"], database: db)
            #expect(province.status == 0, "\(province.stderr)")
        }
    }

    @Test func anEndedAssignmentNoLongerReports() throws {
        try TestDatabase.with(.jilin2014) { db in
            let today = try TestDatabase.connect(db).query("SELECT reloc.today()::text").scalar(String.self)
            let ended = try RelocCLI.run(
                ["task", "unassign", "3", "--org", "JL-FGW", "--on", today, "--as", "JL"], database: db)
            #expect(ended.status == 0, "\(ended.stderr)")
            let path = try Self.write("task,percent,note\n3,20,已不负责\n2,20,仍负责\n")
            let run = try RelocCLI.run(["task", "progress-import", path, "--as", "JL-FGW"], database: db)
            #expect(run.status == 65)
            #expect(run.stderr.contains("\(path):2: permission"), "\(run.stderr)")
            #expect(!run.stderr.contains("\(path):3:"))
        }
    }

    /// The document numbers: one (the usual line) or several, each trimmed and checked — the one
    /// number's own path (issue 13, import speed) answers as the list's.
    @Test func everyDocumentNumberIsTrimmedAndChecked() throws {
        try TestDatabase.with(.jilin2014) { db in
            let admin = try TestDatabase.connect(db)
            let long = String(repeating: "号", count: 201)
            let bad = try Self.write(
                [
                    "task,percent,note,evidence",
                    "2,10,一,  吉发改〔2014〕7号  ",  // 2: good, trimmed
                    "2,10,二, ; ；",  // 3: good, no number
                    "2,10,三,\(long)",  // 4: one number, too long
                    "2,10,四,吉发改\u{200B}〔2014〕8号",  // 5: one number, an invisible character
                    "2,10,五,吉发改〔2014〕9号；\(long)",  // 6: two, the second too long
                ].joined(separator: "\n") + "\n")
            let run = try RelocCLI.run(["task", "progress-import", bad, "--as", "JL-FGW"], database: db)
            #expect(run.status == 65, "\(run.stderr)")
            for line in 4...6 { #expect(run.stderr.contains("\(bad):\(line):"), "line \(line): \(run.stderr)") }
            #expect(!run.stderr.contains("\(bad):2:") && !run.stderr.contains("\(bad):3:"), "\(run.stderr)")
            #expect(run.stderr.contains("progress_report_evidence_text"), "\(run.stderr)")
            let good = try Self.write("task,percent,note,evidence\n2,10,一,  吉发改〔2014〕7号  \n2,10,二, ; ；\n")
            let ok = try RelocCLI.run(["task", "progress-import", good, "--as", "JL-FGW"], database: db)
            #expect(ok.status == 0, "\(ok.stderr)")
            let stored = try admin.query(
                "SELECT note, array_to_string(evidence, '|'), cardinality(evidence) FROM reloc.progress_report WHERE note IN ('一', '二') ORDER BY id"
            ).decode((String, String, Int).self)
            #expect(stored.map(\.1) == ["吉发改〔2014〕7号", ""] && stored.map(\.2) == [1, 0], "\(stored)")
        }
    }

    @Test(arguments: [
        ("task,percent,notes\n2,1,x\n", ":1: unknown column \"notes\""),
        ("task,percent\n2,1\n", ":1: the header lacks the required column \"note\""),
        ("", ":1: the file is empty"),
    ])
    func headerErrorsNameTheFileAndLine(text: String, words: String) throws {
        try TestDatabase.with(.jilin2014) { db in
            let path = try Self.write(text)
            let run = try RelocCLI.run(["task", "progress-import", path, "--as", "JL-FGW"], database: db)
            #expect(run.status == 65)
            #expect(run.stderr.contains(path + words), "\(run.stderr)")
        }
    }
}
