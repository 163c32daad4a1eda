import LibPQClient

/// The milestones a due-date listing (`--overdue`, `--due-within`, reloc-web's 总览) can keep,
/// picked through indexes before any is lighted (issue 16, make bench): lighting every milestone
/// of a million to keep a hundred cost a request seconds.
///
/// A milestone's light on the day differs from what its own row says only when something
/// happened to it besides its row (69_lights.sql): a completion under review, a due date moved or
/// an extension decided after the day, or a done date after it. Those few, `special`, are always
/// candidates. Any other milestone is kept exactly when it is open (no done date) and its own due
/// date is before the day (overdue) or within the days asked (due within): its own row decides,
/// read through 0004's index of open due dates. So the listing's own filter, applied afterwards
/// to the lighted candidates, gives the same rows as over every milestone; with a limit and no
/// other filter, the first `limit` of the others by due date are enough (the rest come after
/// them in the listing's order).
///
/// `--mine` picks the others through the indexes of what a milestone is attached to (owner,
/// plan, enterprise, task, site: a superset of reloc.attachment_concerns and site_concerns, read
/// from the acting organisations' plans, enterprises, tasks and sites), then checks them exactly
/// with those functions, so that the limit counts only the acting organisation's own.
extension Milestones.Filter {
    /// `, special AS (…), candidates AS (…)`, after the listing's `day` and `params` CTEs; nil
    /// for a listing that is not by due date.
    var candidates: SQLQuery? {
        guard overdue || dueWithinDays != nil else { return nil }
        let alone = plan == nil && enterprise == nil && task == nil && site == nil && id == nil
        let mineOnly: SQLQuery =
            mine
            ? """
            AND (m.owner_id = ANY ((SELECT mine FROM params)::bigint[])
                 OR m.plan_id = ANY (ARRAY(SELECT p.id FROM reloc.plan p
                                           WHERE p.city_id = ANY ((SELECT mine FROM params)::bigint[])
                                              OR p.district_id = ANY ((SELECT mine FROM params)::bigint[])))
                 OR m.enterprise_id = ANY (ARRAY(SELECT e.id FROM reloc.enterprise e
                                                 WHERE e.city_id = ANY ((SELECT mine FROM params)::bigint[])))
                 OR m.enterprise_id = ANY (ARRAY(SELECT e.id FROM reloc.enterprise e JOIN reloc.plan p ON p.id = e.plan_id
                                                 WHERE p.district_id = ANY ((SELECT mine FROM params)::bigint[])))
                 OR m.task_id = ANY (ARRAY(SELECT a.task_id FROM reloc.task_assignment a
                                           WHERE a.org_id = ANY ((SELECT mine FROM params)::bigint[])))
                 OR m.site_id = ANY (ARRAY(SELECT s.id FROM reloc.site s
                                           WHERE s.city_id = ANY ((SELECT mine FROM params)::bigint[])))
                 OR m.site_id = ANY (ARRAY(SELECT s.id FROM reloc.site s JOIN reloc.plan p ON p.id = s.plan_id
                                           WHERE p.district_id = ANY ((SELECT mine FROM params)::bigint[]))))
            AND (reloc.attachment_concerns(m.plan_id, m.enterprise_id, m.task_id, m.owner_id, (SELECT mine FROM params))
                 OR (m.site_id IS NOT NULL AND reloc.site_concerns(m.site_id, (SELECT mine FROM params))))
            """ : ""
        // Overdue: due before the day; due within n days: from the day to n days after; either:
        // due by whichever is later, the day before or n days after.
        let due: SQLQuery =
            switch (overdue, dueWithinDays) {
            case (_, nil): "m.due_on < (SELECT as_of FROM day)"
            case (false, let days?):
                "m.due_on BETWEEN (SELECT as_of FROM day) AND (SELECT as_of FROM day) + \(days)::integer"
            case (true, let days?): "m.due_on <= (SELECT as_of FROM day) + greatest(\(days)::integer, -1)"
            }
        // `after`: a moment surely before the first instant of the next day in any zone (±14
        // hours), so that local_date(at) > as_of only for an instant after it.
        return """
            ,
            bounds AS (SELECT (day.as_of::timestamp AT TIME ZONE 'UTC') - interval '1 day' AS after FROM day),
            special AS MATERIALIZED (
                SELECT c.milestone_id AS id FROM reloc.completion_review c
                WHERE c.state = 'pending' OR c.decided_at >= (SELECT after FROM bounds)
                UNION
                SELECT d.milestone_id FROM reloc.milestone_due_change d WHERE d.changed_at >= (SELECT after FROM bounds)
                UNION
                SELECT x.milestone_id FROM reloc.extension_request x WHERE x.decided_at >= (SELECT after FROM bounds)
                UNION
                SELECT m.id FROM reloc.milestone m WHERE m.done_on > (SELECT as_of FROM day)
            ),
            candidates AS MATERIALIZED (
                SELECT id FROM special
                UNION
                (SELECT m.id FROM reloc.milestone m
                 WHERE m.done_on IS NULL
                   AND \(due)
                   AND NOT EXISTS (SELECT FROM special s WHERE s.id = m.id)
                   \(mineOnly)
                 ORDER BY m.due_on, m.id
                 LIMIT \(alone ? limit : nil)::bigint)
            )
            """
    }
}
