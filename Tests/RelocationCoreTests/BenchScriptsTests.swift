import Foundation
import RelocTestSupport
import Testing

/// `make bench` times reloc against psql (issue 13's ratios). On Debian `/usr/bin/psql` is
/// pg_wrapper, a Perl script that spends about 45 ms of CPU before psql itself starts: timed
/// beside reloc it made every ratio look better than it was. The benches run the real program.
@Suite("The benches time the real psql")
struct BenchScriptsTests {
    static let bench = Documentation.root.appendingPathComponent("deploy/bench")

    /// `local-postgres.sh bindir` names a folder whose psql is a compiled program, not a script.
    @Test func bindirNamesTheRealPsql() throws {
        let script = Documentation.root.appendingPathComponent("deploy/local-postgres.sh").path
        let (status, output) = try ExternalTool.run("/bin/bash", [script, "bindir"])
        #expect(status == 0, "\(output)")
        let psql = output.trimmingCharacters(in: .whitespacesAndNewlines) + "/psql"
        let head = try #require(FileHandle(forReadingAtPath: psql)?.readData(ofLength: 4))
        #expect(Array(head) == [0x7F, 0x45, 0x4C, 0x46], "\(psql) is not an ELF program")
    }

    /// Every bench script that runs psql puts that folder first on its PATH before it does.
    @Test func everyBenchThatRunsPsqlPutsTheRealOneFirst() throws {
        let line = #"PATH="$("$(dirname "$0")/../local-postgres.sh" bindir):$PATH""#
        let scripts = try FileManager.default.contentsOfDirectory(atPath: Self.bench.path).filter {
            $0.hasSuffix(".sh")
        }
        #expect(scripts.count >= 6)
        for name in scripts.sorted() {
            let text = try String(contentsOf: Self.bench.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let firstPsql = lines.firstIndex(where: { !$0.hasPrefix("#") && $0.contains("psql ") }) else {
                continue
            }
            let path = lines.firstIndex(of: line)
            #expect(
                path != nil && path! < firstPsql, "\(name) runs psql before (or without) the real one first on PATH")
        }
    }
}
