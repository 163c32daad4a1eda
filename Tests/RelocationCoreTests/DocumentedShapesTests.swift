import Foundation
import RelocTestSupport
import Testing

/// What the documentation (README.md, docs/) says about command syntax and JSON shapes, held to the binary.
@Suite("Documentation: documented syntax and JSON keys")
struct DocumentedShapesTests {
    @Test func orgRenameTakesTheSuccessorWithTo() throws {
        try TestDatabase.with(.jilin2014) { db in
            let renamed = try RelocCLI.run(
                ["org", "rename", "JL-HBT", "--to", "JL-STHJT", "--name", "省生态环境厅", "--on", "2018-10-01"],
                database: db)
            #expect(renamed.status == 0, "\(renamed.stderr)")
            let hint = try TestDatabase.connect(db).query(
                "SELECT hint FROM reloc.rule WHERE name = 'organisation_identity'"
            ).scalar(String.self)
            #expect(hint.contains("reloc org rename OLD --to NEW"), "\(hint)")
            let documentation = try Documentation.pages().map(\.text).joined(separator: "\n")
            #expect(documentation.contains("`reloc org rename OLD --to NEW --name"))
            #expect(!documentation.contains("org rename OLD NEW"))
        }
    }

    @Test func enterpriseJSONSaysWhetherTheOriginalLandWasTakenBack() throws {
        try TestDatabase.with(.jilin2014) { db in
            let before = try RelocCLI.run(["enterprise", "show", "1", "--format", "json"], database: db)
            #expect(before.stdout.contains("\"original_land_taken_back\": false"), "\(before.stdout)")
            #expect(try RelocCLI.run(["land", "take-back", "1"], database: db).status == 0)
            let list = try RelocCLI.run(["enterprise", "list", "--format", "json"], database: db)
            #expect(list.stdout.contains("\"original_land_taken_back\": true"), "\(list.stdout)")
        }
    }

    @Test func progressEvidenceIsOneStringJoinedBySemicolons() throws {
        try TestDatabase.with(.jilin2014) { db in
            let report = try RelocCLI.run(
                [
                    "task", "progress", "3", "--as", "JL-GXT", "--percent", "40", "--note", "进展", "--evidence",
                    "吉工信发〔2014〕12号", "--evidence", "吉财〔2014〕3号",
                ], database: db)
            #expect(report.status == 0, "\(report.stderr)")
            let none = try RelocCLI.run(
                ["task", "progress", "3", "--as", "JL-GXT", "--percent", "50", "--note", "无文号"], database: db)
            #expect(none.status == 0, "\(none.stderr)")
            let show = try RelocCLI.run(["task", "show", "3", "--format", "json"], database: db)
            #expect(show.stdout.contains("\"evidence\": \"吉工信发〔2014〕12号; 吉财〔2014〕3号\""), "\(show.stdout)")
            #expect(show.stdout.contains("\"evidence\": \"\""), "\(show.stdout)")
        }
    }
}
