import Foundation
import RelocationCore
import Testing

@testable import reloc

@Suite("Output formats")
struct OutputTests {
    func sample() -> Listing {
        var listing = Listing(columns: [
            .init("code"), .init("name"), .init("employees"), .init("site_area_ha"), .init("listed"),
        ])
        listing.append([.text("SP-TD"), .text("四平铁东"), .integer(1200), .decimal("10.5000"), .bool(true)])
        listing.append([.text("CC-KC"), .text("Kuancheng 宽城"), .null, .null, .bool(false)])
        return listing
    }

    @Test func tablesAlignChineseAtTwoColumnsACharacter() {
        let lines = sample().render(.table).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        // The third column starts at the same display column on every line.
        let starts = lines.map { line -> Int in
            var width = 0
            var fields = 0
            var previousWasSpace = false
            for character in line {
                if character == " " {
                    previousWasSpace = true
                } else {
                    if previousWasSpace || width == 0 { fields += 1 }
                    if fields == 3 && previousWasSpace { return width }
                    previousWasSpace = false
                }
                width += DisplayWidth.of(String(character))
            }
            return -1
        }
        #expect(DisplayWidth.of("四平铁东") == 8)
        #expect(starts[0] == starts[2], "\(lines)")
    }

    @Test func jsonKeepsTypesAndKeyOrder() {
        let json = sample().render(.json)
        #expect(
            json.contains(
                "{\"code\": \"SP-TD\", \"name\": \"四平铁东\", \"employees\": 1200, \"site_area_ha\": 10.5000, \"listed\": true}"
            ))
        #expect(json.contains("\"employees\": null"))
        #expect(json.hasPrefix("[\n"))
    }

    /// A line break, CR LF, CR or LF, shows as one space in a list and in `show`: no raw CR reaches
    /// the terminal (it would print the rest of the line over the start).
    @Test func lineBreaksShowAsSpacesInListsAndRecords() {
        var listing = Listing(columns: [.init("name"), .init("note")])
        listing.append([.text("a\r\nb"), .text("c\rd\ne")])
        let table = listing.render(.table)
        let record = listing.render(.table, single: true)
        for text in [table, record] {
            #expect(!text.unicodeScalars.contains("\r"), "\(text.debugDescription)")
            #expect(text.contains("a b") && text.contains("c d e"), "\(text.debugDescription)")
        }
        #expect(table.split(separator: "\n").count == 3, "\(table.debugDescription)")
        #expect(record.split(separator: "\n").count == 2, "\(record.debugDescription)")
    }

    @Test func csvQuotesWhatNeedsIt() {
        var listing = Listing(columns: [.init("name")])
        listing.append([.text("a,\"b\"")])
        #expect(listing.render(.csv) == "name\r\n\"a,\"\"b\"\"\"\r\n")
    }

    @Test func anItemNestsItsListsInJSONAndPrintsThemUnderTitles() throws {
        var plan = Listing(columns: [.init("code"), .init("status")])
        plan.append([.text("SP-TD"), .text("consultation")])
        var history = Listing(columns: [.init("to_status"), .init("note")])
        history.append([.text("consultation"), .text("征求企业意见")])
        let item = ItemWithSections(plan, sections: [.init(key: "history", title: "status history", history)])
        let json = item.render(.json)
        #expect(
            json
                == "{\"code\": \"SP-TD\", \"status\": \"consultation\", \"history\": [{\"to_status\": \"consultation\", \"note\": \"征求企业意见\"}]}\n"
        )
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((parsed?["history"] as? [[String: Any]])?.first?["note"] as? String == "征求企业意见")
        let table = item.render(.table)
        #expect(table.contains("status history\nto_status"))
        // CSV keeps the sections too, in long form (docs/output.md).
        #expect(
            item.render(.csv)
                == "section,row,field,value\r\nitem,1,code,SP-TD\r\nitem,1,status,consultation\r\n"
                + "history,1,to_status,consultation\r\nhistory,1,note,征求企业意见\r\n")
    }
}
