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
            WITH params AS (SELECT reloc.today() AS today, date_trunc('month', reloc.today())::date AS month_start),
            latest AS (
                SELECT DISTINCT ON (r.task_id) r.task_id, r.status, reloc.local_date(r.reported_at) AS reported_on
                FROM reloc.progress_report r
                WHERE r.task_id IS NOT NULL
                ORDER BY r.task_id, r.reported_at DESC, r.id DESC
            ),
            -- Only the milestones that count (open and due within 30 days, or done this month), by
            -- index (0004's open due dates, 0031's done dates), counted per owner before the owner
            -- is followed to its successor: not a million rows each followed (make bench).
            owned AS (
                SELECT m.owner_id,
                       count(*) FILTER (WHERE (m.done_on IS NULL OR m.done_on > p.today) AND m.due_on < p.today)
                           AS overdue,
                       count(*) FILTER (WHERE (m.done_on IS NULL OR m.done_on > p.today)
                                          AND m.due_on BETWEEN p.today AND p.today + 30) AS due_within_30_days,
                       count(*) FILTER (WHERE m.done_on BETWEEN p.month_start AND p.today) AS done_this_month
                FROM reloc.milestone m CROSS JOIN params p
                WHERE (m.done_on IS NULL AND m.due_on <= p.today + 30) OR m.done_on >= p.month_start
                GROUP BY m.owner_id
            ),
            items AS (
                SELECT reloc.org_on(w.owner_id, params.today) AS org_id, w.overdue, w.due_within_30_days,
                       w.done_this_month
                FROM owned w CROSS JOIN params
                UNION ALL
                SELECT reloc.org_on(a.org_id, params.today),
                       (l.status IS DISTINCT FROM 'done' AND t.due_on < params.today)::integer,
                       (l.status IS DISTINCT FROM 'done' AND t.due_on BETWEEN params.today AND params.today + 30)::integer,
                       (l.status = 'done' AND l.reported_on >= params.month_start)::integer
                FROM reloc.task t
                CROSS JOIN params
                JOIN reloc.task_assignment a ON a.task_id = t.id AND a.lead
                     AND (a.ended_on IS NULL OR a.ended_on > params.today)
                LEFT JOIN latest l ON l.task_id = t.id
            ),
            -- A district's work counts for its city (the city answers for its districts' plans).
            counted AS (
                SELECT coalesce(CASE WHEN io.kind = 'district' THEN io.parent_id END, i.org_id) AS org_id,
                       i.overdue, i.due_within_30_days, i.done_this_month
                FROM items i JOIN reloc.organisation io ON io.id = i.org_id
            )
            SELECT o.code AS org, o.name_zh AS org_name, o.kind,
                   coalesce(sum(i.overdue), 0)::bigint AS overdue,
                   coalesce(sum(i.due_within_30_days), 0)::bigint AS due_within_30_days,
                   coalesce(sum(i.done_this_month), 0)::bigint AS done_this_month
            FROM reloc.organisation o
            CROSS JOIN params
            LEFT JOIN counted i ON i.org_id = o.id
            WHERE o.kind IN ('city', 'department') AND (o.successor_id IS NULL OR o.succeeded_on > params.today)
            GROUP BY o.id, o.code, o.name_zh, o.kind
            ORDER BY array_position(ARRAY['city', 'department'], o.kind), o.code
            """)
    }
}
