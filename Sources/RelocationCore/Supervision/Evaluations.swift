import LibPQClient

/// The annual evaluation (年度评估, issue 15; 2021 demonstration-zone plan §(十四), §(十五)): the
/// province's weights and bands, each city's and department's score and rating computed by the
/// database (`reloc.evaluation_compute`), adjusted with a reason, published (final).
public struct Evaluations {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// The weights and bands (one row).
    public func weights() throws -> PGResult {
        try db.query(
            """
            SELECT on_time_weight, completion_weight, overdue_day_weight, escalation_weight, extension_weight,
                   escalate_after, good_from, fairly_good_from, fair_from, updated_at
            FROM reloc.evaluation_setting
            """)
    }

    /// What `weights set` changes; nil leaves a value as it is.
    public struct Weights: Sendable {
        public var onTime, completion, overdueDay, escalation, `extension`, goodFrom, fairlyGoodFrom, fairFrom: String?
        public var escalateAfter: Int?
        public init() {}
        public var isEmpty: Bool {
            [onTime, completion, overdueDay, escalation, `extension`, goodFrom, fairlyGoodFrom, fairFrom].allSatisfy {
                $0 == nil
            } && escalateAfter == nil
        }
    }

    /// Sets the weights (province only: the others lack the privilege, 42501).
    public func set(_ w: Weights) throws {
        let updated = try db.execute(
            """
            UPDATE reloc.evaluation_setting SET
                on_time_weight = coalesce(\(w.onTime)::numeric, on_time_weight),
                completion_weight = coalesce(\(w.completion)::numeric, completion_weight),
                overdue_day_weight = coalesce(\(w.overdueDay)::numeric, overdue_day_weight),
                escalation_weight = coalesce(\(w.escalation)::numeric, escalation_weight),
                extension_weight = coalesce(\(w.`extension`)::numeric, extension_weight),
                escalate_after = coalesce(\(w.escalateAfter.map(Int64.init))::bigint, escalate_after),
                good_from = coalesce(\(w.goodFrom)::numeric, good_from),
                fairly_good_from = coalesce(\(w.fairlyGoodFrom)::numeric, fairly_good_from),
                fair_from = coalesce(\(w.fairFrom)::numeric, fair_from)
            """)
        // Row-level security hides the row from all but the province: nothing updated is a refusal.
        if updated != 1 {
            throw RelocError.permissionDenied("only the province sets the evaluation's weights and bands")
        }
    }

    /// Computes the year (province only) and returns how many results it wrote.
    public func compute(year: Int) throws -> Int64 {
        try db.query("SELECT reloc.evaluation_compute(\(Int64(year)))").scalar(Int64.self)
    }

    public func adjust(org: String, year: Int, rating: EvaluationRating, reason: String) throws {
        _ = try db.query(
            "SELECT reloc.evaluation_adjust(\(org), \(Int64(year)), \(rating.rawValue), \(reason))")
    }

    public func publish(year: Int) throws {
        _ = try db.query("SELECT reloc.evaluation_publish(\(Int64(year)))")
    }

    public enum Only: Sendable { case all, flagged, recommended }

    /// `year, kind, code, name, score, rating, computed_rating, reason, on_time_rate, completion_rate, due,
    /// done, on_time, overdue_days, escalations, extensions, published, flagged, recommended`: cities
    /// first, best score first. Flagged: a city rated 较差 in this and the previous published year
    /// (2021 plan §(十五)); recommended: a city rated 好 in a published year (§(十四)).
    public func list(year: Int?, only: Only) throws -> PGResult {
        let onlyFlagged = only == .flagged
        let onlyRecommended = only == .recommended
        // A year no evaluation may be of is refused in the rule's words, as compute refuses it,
        // not answered with an empty list.
        if let year { _ = try db.query("SELECT reloc.evaluation_year(\(Int64(year)))") }
        return try db.query(
            """
            WITH r AS (
                SELECT r.*, o.kind, o.code, o.name_zh AS name,
                       EXISTS (SELECT FROM reloc.evaluation_publication p WHERE p.year = r.year) AS published
                FROM reloc.evaluation_result r JOIN reloc.organisation o ON o.id = r.org_id
                WHERE \(year.map(Int64.init))::bigint IS NULL OR r.year = \(year.map(Int64.init))::bigint
            ), f AS (
                SELECT r.*,
                       r.kind = 'city' AND r.published AND r.rating = 'poor' AND EXISTS (
                           SELECT FROM reloc.evaluation_result before
                           JOIN reloc.evaluation_publication p ON p.year = before.year
                           WHERE before.org_id = r.org_id AND before.year = r.year - 1 AND before.rating = 'poor'
                       ) AS flagged,
                       r.kind = 'city' AND r.published AND r.rating = 'good' AS recommended
                FROM r
            )
            SELECT f.year, f.kind, f.code, f.name, f.score, f.rating, f.computed_rating, f.reason,
                   f.on_time_rate, f.completion_rate, f.due, f.done, f.on_time, f.overdue_days, f.escalations,
                   f.extensions, f.published, f.flagged, f.recommended
            FROM f
            WHERE (NOT \(onlyFlagged) OR f.flagged) AND (NOT \(onlyRecommended) OR f.recommended)
            ORDER BY f.year DESC, f.kind = 'city' DESC, f.score DESC, f.code
            """)
    }
}
