import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// `enterprise import` says what is wrong with a file, and on which line: bytes that are not
/// UTF-8, a NUL byte, a column given twice, a directory, an unreadable file; a GB18030 file (as
/// Excel saves CSV in Chinese) is read with --encoding gb18030. The CSV and the command line read
/// modes and codes alike (one parser, Spellings).
@Suite("Import files and spellings")
struct ImportFileTests {
    static func write(_ data: Data) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-import-\(UUID()).csv")
        try data.write(to: url)
        return url.path
    }

    static func count(_ db: String, name: String) throws -> Int {
        try TestDatabase.connect(db).query("SELECT count(*) FROM reloc.enterprise WHERE name = \(name)").scalar(
            Int.self)
    }

    @Test func notUTF8NamesTheLineAndTheWayOut() throws {
        try TestDatabase.with(.jilin2014) { db in
            var bytes = Data("plan,name,mode\nSP-TD,甲,close\n".utf8)
            bytes += Data("SP-TD,".utf8) + Data([0xB6, 0xFF]) + Data(",close\n".utf8)
            let path = try Self.write(bytes)
            let outcome = try RelocCLI.run(["enterprise", "import", path, "--as", "SP"], database: db)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("\(path):3: not UTF-8 text"), "\(outcome.stderr)")
            #expect(outcome.stderr.contains("--encoding gb18030"), "\(outcome.stderr)")
        }
    }

    @Test func aNULByteNamesItsLine() throws {
        try TestDatabase.with(.jilin2014) { db in
            let path = try Self.write(Data("plan,name,mode\nSP-TD,甲\u{0}x,close\n".utf8))
            let outcome = try RelocCLI.run(["enterprise", "import", path, "--as", "SP"], database: db)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("\(path):2: a NUL byte"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("invalid byte sequence"), "\(outcome.stderr)")
        }
    }

    @Test func aColumnGivenTwiceIsNamed() throws {
        try TestDatabase.with(.jilin2014) { db in
            let path = try Self.write(Data("plan,name,mode,Name\nSP-TD,甲,close,乙\n".utf8))
            let outcome = try RelocCLI.run(["enterprise", "import", path, "--as", "SP"], database: db)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("the column \"name\" appears twice"), "\(outcome.stderr)")
        }
    }

    @Test func aDirectoryOrAnUnreadableFileIsSaidSo() throws {
        try TestDatabase.with(.jilin2014) { db in
            let directory = FileManager.default.temporaryDirectory.path
            let outcome = try RelocCLI.run(["enterprise", "import", directory, "--as", "SP"], database: db)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("is a directory, not a CSV file"), "\(outcome.stderr)")
            #expect(!outcome.stderr.contains("NSCocoaErrorDomain"), "\(outcome.stderr)")
            let missing = try RelocCLI.run(["enterprise", "import", "/nonexistent/x.csv", "--as", "SP"], database: db)
            #expect(missing.status == 65 && missing.stderr.contains("no file /nonexistent/x.csv"), "\(missing.stderr)")
        }
    }

    @Test func aGB18030FileIsReadWithItsEncoding() throws {
        try TestDatabase.with(.jilin2014) { db in
            // Made by Python's own GB18030 codec, as Excel would save it.
            func made(_ name: String) throws -> String {
                let made = Process()
                made.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("reloc-gb-\(UUID()).csv").path
                made.arguments = [
                    "python3", "-c",
                    "import sys; open(sys.argv[1], 'wb').write(('plan,name,mode\\r\\nSP-TD,' + sys.argv[2] + ',依法关停\\r\\n').encode('gb18030'))",
                    path, name,
                ]
                try made.run()
                made.waitUntilExit()
                #expect(made.terminationStatus == 0)
                return path
            }
            let path = try made("四平冀东化工厂")
            let asUTF8 = try RelocCLI.run(
                ["enterprise", "import", path, "--encoding", "utf-8", "--as", "SP"], database: db)
            #expect(asUTF8.status == 65 && asUTF8.stderr.contains("--encoding gb18030"), "\(asUTF8.stderr)")
            let outcome = try RelocCLI.run(
                ["enterprise", "import", path, "--encoding", "gb18030", "--as", "SP"], database: db)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(try Self.count(db, name: "四平冀东化工厂") == 1)
            // Issue 17: not UTF-8 but valid GB18030, with no --encoding: read as GB18030, said on stderr.
            let detected = try RelocCLI.run(["enterprise", "import", try made("四平第二化工厂"), "--as", "SP"], database: db)
            #expect(detected.status == 0, "\(detected.stderr)")
            #expect(detected.stderr.contains("is not UTF-8 text; read as GB18030"), "\(detected.stderr)")
            #expect(try Self.count(db, name: "四平第二化工厂") == 1)
        }
    }

    /// UTF-8 read as GB18030 "works" and stores 鍥芥爣 for 国标: a file that is valid UTF-8 with
    /// non-ASCII text, or starts with a UTF-8 BOM, is refused saying it is UTF-8.
    @Test func aUTF8FileGivenAsGB18030IsRefusedSayingItIsUTF8() throws {
        try TestDatabase.with(.jilin2014) { db in
            for bytes in [
                Data("plan,name,mode\nSP-TD,国标企业,close\n".utf8),
                Data([0xEF, 0xBB, 0xBF]) + Data("plan,name,mode\nSP-TD,BOM企业,close\n".utf8),
                Data([0xEF, 0xBB, 0xBF]) + Data("plan,name,mode\nSP-TD,ascii,close\n".utf8),
            ] {
                let path = try Self.write(bytes)
                let outcome = try RelocCLI.run(
                    ["enterprise", "import", path, "--encoding", "gb18030", "--as", "SP"], database: db)
                #expect(outcome.status == 65, "\(outcome.stderr)")
                #expect(outcome.stderr.contains("\(path):1: the file is UTF-8"), "\(outcome.stderr)")
                #expect(outcome.stderr.contains("without --encoding"), "\(outcome.stderr)")
            }
            let count = try TestDatabase.connect(db).query(
                "SELECT count(*) FROM reloc.enterprise WHERE name LIKE '%企业' OR name LIKE '鍥%' OR name = 'ascii'"
            ).scalar(Int.self)
            #expect(count == 0)
            // Plain ASCII is the same text in both: still read.
            let ascii = try Self.write(Data("plan,name,mode\nSP-TD,plain,close\n".utf8))
            let plain = try RelocCLI.run(
                ["enterprise", "import", ascii, "--encoding", "gb18030", "--as", "SP"], database: db)
            #expect(plain.status == 0, "\(plain.stderr)")
        }
    }

    /// The header's errors read `FILE:1: …` like every other import error.
    @Test(arguments: [
        ("plan,name,mode,Name\n", "the column \"name\" appears twice"),
        ("plan,name,mode,colour\n", "unknown column \"colour\""),
        ("plan,mode\n", "the header lacks the required column \"name\""),
        ("", "the file is empty"),
    ])
    func headerErrorsNameTheFileAndLine(text: String, words: String) throws {
        try TestDatabase.with(.jilin2014) { db in
            let path = try Self.write(Data(text.utf8))
            let outcome = try RelocCLI.run(["enterprise", "import", path, "--as", "SP"], database: db)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(outcome.stderr.contains("\(path):1: \(words)"), "\(outcome.stderr)")
        }
    }

    /// A USCC already registered: the import names the enterprise holding it, as `register` does.
    @Test func aDuplicateUSCCNamesItsHolder() throws {
        try TestDatabase.with(.jilin2014) { db in
            let uscc = "91220300MA0Y123454"
            let first = try RelocCLI.run(
                [
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", "甲厂", "--mode", "close",
                    "--uscc", uscc,
                ],
                database: db)
            #expect(first.status == 0, "\(first.stderr)")
            let id = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let path = try Self.write(Data("plan,name,mode,uscc\nSP-TD,乙厂,close,\(uscc)\n".utf8))
            let outcome = try RelocCLI.run(["enterprise", "import", path, "--as", "SP"], database: db)
            #expect(outcome.status == 65, "\(outcome.stderr)")
            #expect(
                outcome.stderr.contains("\(path):2:")
                    && outcome.stderr.contains("held by enterprise \(id) 甲厂 (plan SP-TD)"), "\(outcome.stderr)")
            #expect(try Self.count(db, name: "乙厂") == 0)
        }
    }

    /// The CSV takes 依法关停 and a full-width code; so does the command line.
    @Test func theCommandLineTakesTheSpellingsTheCSVTakes() throws {
        try TestDatabase.with(.jilin2014) { db in
            let outcome = try RelocCLI.run(
                [
                    "enterprise", "register", "--as", "SP", "--plan", "ＳＰ－ＴＤ", "--name", "全角厂", "--mode", "依法关停",
                    "--high-risk", "化工",
                ], database: db)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let row = try TestDatabase.connect(db).query(
                "SELECT e.mode, e.high_risk, p.code FROM reloc.enterprise e JOIN reloc.plan p ON p.id = e.plan_id WHERE e.name = '全角厂'"
            ).rows[0]
            #expect(try row.decode(String.self, at: 0) == "close")
            #expect(try row.decode(String.self, at: 1) == "chemicals")
            #expect(try row.decode(String.self, at: 2) == "SP-TD")
            let path = try Self.write(Data("plan,name,mode,high_risk\nｓｐ－ｔｄ,全角厂二,依法关停,化工\n".utf8))
            let imported = try RelocCLI.run(["enterprise", "import", path, "--as", "SP"], database: db)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(try RelocCLI.run(["enterprise", "list", "--mode", "依法关停"], database: db).status == 0)
        }
    }
}
