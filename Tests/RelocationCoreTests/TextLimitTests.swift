import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

@testable import reloc

/// Names and free text had no length limit (a 20,000-character name made `enterprise list` print
/// 4 GB) and took terminal escapes; every text column now has a bound and refuses control
/// characters, except new lines where they mean something (notes, the plan's sections).
@Suite("Text is bounded and clean")
struct TextLimitTests {
    /// Future columns are caught: every text column of a reloc table (but the audit trail's copies)
    /// carries a check calling reloc.is_clean_text.
    @Test func everyTextColumnHasACheck() throws {
        try TestDatabase.withConnection { db in
            let unchecked = try db.query(
                """
                SELECT t.relname || '.' || a.attname
                FROM pg_attribute a
                JOIN pg_class t ON t.oid = a.attrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = 'reloc' AND t.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
                  AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'text[]'::regtype, 'varchar[]'::regtype)
                  AND t.relname <> 'audit'
                  AND NOT EXISTS (
                      SELECT FROM pg_constraint k
                      WHERE k.conrelid = t.oid AND k.contype = 'c' AND a.attnum = ANY (k.conkey)
                        AND pg_get_constraintdef(k.oid) LIKE '%is_clean_text%')
                ORDER BY 1
                """
            ).decode(String.self)
            #expect(unchecked.isEmpty, "text columns without reloc.is_clean_text: \(unchecked)")
        }
    }

    @Test func theFunctionDrawsTheLine() throws {
        try TestDatabase.withConnection { db in
            let cases: [(String, Bool, Bool)] = [
                ("长春轨道客车装备", false, true), ("bad\u{1B}]0;pwned\u{07}", false, false), ("a\u{01}b", false, false),
                ("a\rb", true, false), ("a\u{85}b", true, false), ("a\nb", false, false), ("第一行\n\t第二行", true, true),
                (String(repeating: "名", count: 201), false, false), (String(repeating: "名", count: 200), false, true),
            ]
            for (text, multiline, expected) in cases {
                let clean = try db.query("SELECT reloc.is_clean_text(\(text), 200, \(multiline))").scalar(Bool.self)
                #expect(clean == expected, "\(text.prefix(20).debugDescription)")
            }
        }
    }

    @Test func escapesAndHugeNamesAreRefusedThroughTheCLIAndSQL() throws {
        try RegisterFixture.with { fixture in
            for name in ["bad\u{1B}]0;pwned\u{07}", "a\u{01}b", "a\rb", String(repeating: "名", count: 20_000)] {
                let outcome = try fixture.cli([
                    "enterprise", "register", "--as", "SP", "--plan", "SP-TD", "--name", name, "--mode", "close",
                ])
                #expect(outcome.status == 65, "\(outcome.stderr.prefix(300))")
                #expect(outcome.stderr.contains("enterprise_name_text"), "\(outcome.stderr.prefix(300))")
            }
            let id = try fixture.register()
            let sp = try fixture.acting("SP")
            expectSQLState("23514", constraint: "enterprise_industry_text") {
                try sp.execute("UPDATE reloc.enterprise SET industry = \("x\u{1B}[2J") WHERE id = \(id)")
            }
            // A note keeps its lines; a plan's sections are long narratives with lines.
            let cc = try fixture.admin()
            #expect(
                try cc.execute(
                    "UPDATE reloc.plan SET scope_targets = \("第一\n第二" + String(repeating: "字", count: 5000)) WHERE code = 'CC-KC'"
                ) == 1)
            expectSQLState("23514", constraint: "plan_scope_targets_text") {
                try cc.execute("UPDATE reloc.plan SET scope_targets = \("a\u{9B}31m") WHERE code = 'CC-KC'")
            }
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise WHERE name LIKE 'bad%'") == 0)
        }
    }

    /// COPY goes through the same checks: refused outright for an organisation (row-level security),
    /// and the checks hold even for the administrator, who bypasses it.
    @Test func copyCannotBringEscapesIn() throws {
        try RegisterFixture.with { fixture in
            let sp = try fixture.acting("SP")
            let plan = try sp.query("SELECT id::text FROM reloc.plan WHERE code = 'SP-TD'").scalar(String.self)
            expectSQLState("0A000") {
                _ = try sp.copyIn(
                    into: "COPY reloc.enterprise (plan_id, name, mode) FROM STDIN",
                    rows: [[plan, "复制\u{1B}]0;pwned\u{07}", "close"]])
            }
            expectSQLState("23514", constraint: "enterprise_name_text") {
                _ = try fixture.admin().copyIn(
                    into: "COPY reloc.enterprise (plan_id, name, mode) FROM STDIN",
                    rows: [[plan, "复制\u{1B}]0;pwned\u{07}", "close"]])
            }
            #expect(try fixture.admin().count("SELECT count(*) FROM reloc.enterprise WHERE name LIKE '复制%'") == 0)
        }
    }

    /// Table output never writes a raw control character, whatever the data (e.g. rows of old).
    @Test func tablesShowControlCharactersAsEscapes() {
        var listing = Listing(columns: [.init("id"), .init("name")])
        listing.append([.integer(1), .text("bad\u{1B}]0;pwned\u{07}\r\nx")])
        let table = listing.render(.table)
        // A line break (CR LF, CR or LF) is one space; other control characters are escaped.
        #expect(table.contains("bad\\x1b]0;pwned\\x07 x"), "\(table)")
        let record = listing.render(.table, single: true)
        #expect(record.contains("bad\\x1b]0;pwned\\x07 x"), "\(record)")
        for text in [table, record] {
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) })
        }
    }
}
