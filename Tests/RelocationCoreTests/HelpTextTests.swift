import Foundation
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// Help texts are paragraphs ArgumentParser wraps to the terminal, never lines hard-wrapped in
/// the source (which break mid-sentence), and they say what the program does.
@Suite("Help texts")
struct HelpTextTests {
    static func help(_ command: [String]) throws -> String {
        let outcome = try RelocCLI.run(command + ["--help"], database: nil)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return outcome.stdout
    }

    @Test(arguments: [
        ["audit"], ["land", "allocate"], ["land"], ["site"], ["site", "add"], ["enterprise", "advance"],
    ])
    func paragraphsAreNotBrokenMidSentence(command: [String]) throws {
        let text = try Self.help(command)
        let prose = text.components(separatedBy: "USAGE:")[0]
        for paragraph in prose.components(separatedBy: "\n\n") {
            let lines = paragraph.split(separator: "\n").map(String.init)
            for line in lines.dropLast() {
                // A wrapped line is filled nearly to ArgumentParser's width (80); a short one
                // inside a paragraph is a line break from the source.
                #expect(DisplayWidth.of(line) >= 55, "short line in \(command): \"\(line)\"\n\(text)")
            }
        }
    }

    @Test func advanceSaysEveryModeStartsWithTheHeritageSurvey() throws {
        let text = try Self.help(["enterprise", "advance"]).replacingOccurrences(of: "\n", with: " ")
        #expect(text.contains("Every mode starts with the industrial-heritage survey"), "\(text)")
        #expect(text.contains("close: → closing → closed"), "\(text)")
    }

    @Test func planEditSaysWhereTheDistrictIsSet() throws {
        let text = try Self.help(["plan", "edit"]).replacingOccurrences(of: "\n", with: " ")
        #expect(text.contains("--district"), "\(text)")
    }
}
