import LibPQClient

/// The province's board (reloc-web's 总览): for each city and department that acts today, its
/// milestones (as owner) and tasks (as lead) overdue, due within 30 days, and done this month; a
/// district's count under its city.
/// Read as the acting organisation: row-level security decides what is counted.
public struct Overview {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// `org, org_name, kind, overdue, due_within_30_days, done_this_month`, cities first.
    public func countsByOrganisation() throws -> PGResult {
        try db.query(
            """
            WITH params AS (SELECT reloc.today() AS today),
            latest AS (
                SELECT DISTINCT ON (r.task_id) r.task_id, r.status, reloc.local_date(r.reported_at) AS reported_on
                FROM reloc.progress_report r
                WHERE r.task_id IS NOT NULL
                ORDER BY r.task_id, r.reported_at DESC, r.id DESC
            ),
            items AS (
                SELECT reloc.org_on(m.owner_id, params.today) AS org_id, m.due_on,
                       CASE WHEN m.done_on <= params.today THEN m.done_on END AS done_on
                FROM reloc.milestone m CROSS JOIN params
                UNION ALL
                SELECT reloc.org_on(a.org_id, params.today), t.due_on,
                       CASE WHEN l.status = 'done' THEN l.reported_on END
                FROM reloc.task t
                CROSS JOIN params
                JOIN reloc.task_assignment a ON a.task_id = t.id AND a.lead
                     AND (a.ended_on IS NULL OR a.ended_on > params.today)
                LEFT JOIN latest l ON l.task_id = t.id
            ),
            -- A district's work counts for its city (the city answers for its districts' plans).
            counted AS (
                SELECT coalesce(CASE WHEN io.kind = 'district' THEN io.parent_id END, i.org_id) AS org_id,
                       i.due_on, i.done_on
                FROM items i JOIN reloc.organisation io ON io.id = i.org_id
            )
            SELECT o.code AS org, o.name_zh AS org_name, o.kind,
                   count(i.org_id) FILTER (WHERE i.done_on IS NULL AND i.due_on < params.today) AS overdue,
                   count(i.org_id) FILTER (WHERE i.done_on IS NULL AND i.due_on BETWEEN params.today AND params.today + 30)
                       AS due_within_30_days,
                   count(i.org_id) FILTER (WHERE i.done_on >= date_trunc('month', params.today)::date) AS done_this_month
            FROM reloc.organisation o
            CROSS JOIN params
            LEFT JOIN counted i ON i.org_id = o.id
            WHERE o.kind IN ('city', 'department') AND (o.successor_id IS NULL OR o.succeeded_on > params.today)
            GROUP BY o.id, o.code, o.name_zh, o.kind
            ORDER BY array_position(ARRAY['city', 'department'], o.kind), o.code
            """)
    }
}
