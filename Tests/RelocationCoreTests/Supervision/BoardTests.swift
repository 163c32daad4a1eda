import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// The board (督办看板, issue 15): milestones per light per organisation, the total first and red
/// first, within 80 columns; each organisation sees its own rows, the province all.
@Suite("Board (红黄绿灯)")
struct BoardTests {
    /// Columns on a terminal: two for a wide (CJK, full-width) character.
    static func width(_ line: Substring) -> Int {
        line.unicodeScalars.reduce(0) {
            $0 + ($1.value >= 0x1100 && $1.properties.isEmoji == false && $1.value > 0x2E7F ? 2 : 1)
        }
    }

    @Test func countsPerCityByHand() throws {
        try SupervisionScenario.with { name, _ in
            let board = try RelocCLI.run(["board", "--as-of", "2015-04-10", "--format", "csv"], database: name)
            #expect(board.status == 0, "\(board.stderr)")
            let lines = board.stdout.split(whereSeparator: \.isNewline).map(String.init)
            #expect(lines.first == "code,name,red,yellow,green,done,total")
            // 长春: plan compiled (2014-12-31, open) and 长春节点三 (03-31, open) red; basic completion
            // (2022) green; 节点一 and 节点二 done.
            #expect(lines.contains("CC,长春市,2,0,1,2,5"), "\(lines)")
            // The total first, each milestone once; then the most red first.
            #expect(lines[1].hasPrefix(",,"))
            let reds = lines.dropFirst(2).map { Int($0.split(separator: ",")[2]) ?? -1 }
            #expect(reds == reds.sorted(by: >), "\(reds)")
        }
    }

    @Test func eachOrganisationSeesItsOwnRows() throws {
        try SupervisionScenario.with { name, _ in
            let city = try RelocCLI.run(
                ["board", "--as-of", "2015-04-10", "--format", "csv", "--as", "SP"], database: name)
            #expect(
                city.stdout.split(whereSeparator: \.isNewline).map(String.init) == [
                    "code,name,red,yellow,green,done,total", ",,2,0,1,1,4", "SP,四平市,2,0,1,1,4",
                ])
            let raw = try TestDatabase.connect(name, actingAs: "SP")
            let codes = try raw.query("SELECT code FROM reloc.board('plan', '2015-04-10') WHERE code IS NOT NULL")
                .decode(String.self)
            #expect(codes == ["SP-TD"])
            let department = try TestDatabase.connect(name, actingAs: "JL-GXT")
            #expect(
                try department.query("SELECT code FROM reloc.board('department', '2015-04-10') WHERE code IS NOT NULL")
                    .decode(String.self) == ["JL-GXT"])
            let province = try TestDatabase.connect(name, actingAs: "JL")
            #expect(try province.query("SELECT count(*) FROM reloc.board('city', '2015-04-10')").scalar(Int.self) == 7)
        }
    }

    @Test func theTableReadsIn80Columns() throws {
        try SupervisionScenario.with { name, _ in
            for by in ["city", "department", "plan"] {
                let board = try RelocCLI.run(["board", "--by", by, "--as-of", "2015-04-10"], database: name)
                #expect(board.status == 0, "\(board.stderr)")
                #expect(board.stdout.contains("红灯") && board.stdout.contains("全部合计"), "\(board.stdout)")
                for line in board.stdout.split(separator: "\n") {
                    #expect(Self.width(line) <= 80, "\(by): \(line)")
                }
            }
            #expect(try RelocCLI.run(["board", "--by", "county"], database: name).status == 64)
        }
    }
}
