import Foundation
import LibPQClient
import RelocTestSupport
import RelocationCore
import Testing

/// One source for every word (issue 13): each enumerated option's Swift enum (Words/) has exactly
/// the codes of the database's CHECK constraint, and the labels of `reloc.term` (0016). Read from
/// the catalog, so a value added to a CHECK (a later migration), to an enum, or to the term table
/// alone fails here, as does a new enumerated CHECK that no enum claims.
@Suite("One source for every word")
struct TermDriftTests {
    /// Enumerated CHECKs of schema reloc that are no option's words, each with the reason.
    static let notTerms: [String: String] = [
        "audit_action_check": "the audit trail's own insert/update/delete",
        "land_amount_unit": "the unit an amount was typed in (ha or mu), read by LandArea, never chosen from a list",
        "milestone_due_follows_check": "which plan date a deadline follows, written by the database (0011)",
        "reminder_state_check": "the reminder ledger's own state, written only by the job",
        "evaluation_computed_rating_check":
            "the rating a score falls in (evaluation.rating), written only by the database",
    ]

    /// Words the database computes in a query, never stores: no CHECK lists them.
    static let computed: Set<String> = ["milestone.state", "milestone.light"]

    /// Enumerated CHECKs whose list is part of a term's codes (checked in `subsetsMatch`).
    static let subsets: [String: [String]] = [
        "milestone_rule_kind": MilestoneRules.kinds,
        "reminder_rule_kind_check": ReminderRules.kinds,
        "review_kind_kind": MilestoneKind.codes,
    ]

    /// Every CHECK of schema reloc that is a list, `column IN ('a', 'b', …)` and nothing more (not a
    /// rule over some of a list's values), by constraint name, with its values.
    static func enumeratedChecks(_ db: PGConnection) throws -> [String: [String]] {
        let rows = try db.query(
            """
            SELECT DISTINCT k.conname::text, pg_get_constraintdef(k.oid)
            FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace
            WHERE n.nspname = 'reloc' AND k.contype = 'c' AND pg_get_constraintdef(k.oid) ~ '^CHECK \\(\\(\\w+ = ANY \\(ARRAY\\[[^]]*\\]\\)\\)\\)$'
            """
        ).decode((String, String).self)
        var checks: [String: [String]] = [:]
        let literal = try NSRegularExpression(pattern: "'((?:[^']|'')*)'::text")
        for (name, definition) in rows {
            let range = NSRange(definition.startIndex..., in: definition)
            checks[name] = literal.matches(in: definition, range: range).map {
                String(definition[Range($0.range(at: 1), in: definition)!]).replacingOccurrences(of: "''", with: "'")
            }
        }
        return checks
    }

    @Test func everyEnumHasItsCheckConstraintsCodes() throws {
        try TestDatabase.withConnection { db in
            let checks = try Self.enumeratedChecks(db)
            // A computed word (a milestone's state) names no CHECK; its labels are still compared below.
            for term in Terms.all where term.constraint != nil || !Self.computed.contains(term.domain) {
                let named: String? = term.constraint
                let constraint = try #require(named, "\(term) names no CHECK")
                let derived: Set<String> = term.derivedCodes
                let stored = term.codes.filter { !derived.contains($0) }
                #expect(checks[constraint] == stored, "\(term) vs CHECK \(constraint): \(checks[constraint] ?? [])")
            }
            #expect(SurveyResult.codes.allSatisfy(SiteState.codes.contains))
        }
    }

    @Test func subsetsMatchTheirChecks() throws {
        try TestDatabase.withConnection { db in
            let checks = try Self.enumeratedChecks(db)
            for (constraint, codes) in Self.subsets {
                #expect(checks[constraint] == codes, "\(constraint): \(checks[constraint] ?? [])")
            }
            #expect(MilestoneRules.kinds.allSatisfy(MilestoneKind.codes.contains))
            #expect(ReminderRules.kinds == ["default"] + MilestoneKind.codes)
        }
    }

    /// A new enumerated CHECK is an enum's (Words/), a subset's, or listed above with its reason.
    @Test func everyEnumeratedCheckIsClaimed() throws {
        try TestDatabase.withConnection { db in
            let checks = Set(try Self.enumeratedChecks(db).keys)
            let claimed = Set(Terms.all.compactMap { $0.constraint })
                .union(Self.subsets.keys).union(Self.notTerms.keys)
            #expect(checks.subtracting(claimed).sorted() == [], "enumerated CHECKs no enum claims")
            #expect(Set(Self.notTerms.keys).subtracting(checks).sorted() == [], "stale exclusions")
        }
    }

    @Test func everyEnumsLabelsAreTheTermTables() throws {
        try TestDatabase.withConnection { db in
            let rows = try db.query("SELECT domain, code, zh, en FROM reloc.term ORDER BY domain, code")
                .decode((String, String, String, String).self)
            #expect(Set(rows.map(\.0)) == Set(Terms.all.map { $0.domain }), "domains of reloc.term vs Terms.all")
            for term in Terms.all {
                let table = rows.filter { $0.0 == term.domain }.map { "\($0.1)|\($0.2)|\($0.3)" }.sorted()
                #expect(table == term.rows.sorted(), "\(term.domain): reloc.term vs the Swift enum")
            }
        }
    }
}

extension Term {
    /// "code|zh|en" for each case, compared with reloc.term's rows.
    static var rows: [String] { allCases.map { "\($0.rawValue)|\($0.zh)|\($0.en)" } }
}
