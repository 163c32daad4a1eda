-- Traffic lights (红黄绿灯, issue 15 督办): one decision of a milestone's light on a day, for every
-- milestone at once (the board over a million milestones) and for one (a list's column).
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

-- The decision itself, from a milestone's facts on the day (the one source of the words' meaning):
--   done    closed on or before the day (and no completion of it still under review that day);
--   yellow  its completion is under review (办结审核): not red for lateness, the province is to act;
--   red     overdue (due before the day), or its latest progress report (as of the day) is blocked;
--   yellow  due within supervision_setting.due_soon_within working days (on or before soon_by, the
--           due date itself included), or its latest report is at-risk, or an extension is pending;
--   green   otherwise: open and on track.
CREATE OR REPLACE FUNCTION reloc.light_of(closed boolean, under_review boolean, due_on date, as_of date, soon_by date,
                                          status text, extension_pending boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN under_review THEN 'yellow'
    WHEN closed THEN 'done'
    WHEN due_on < as_of OR status = 'blocked' THEN 'red'
    WHEN due_on <= soon_by OR status = 'at-risk' OR extension_pending THEN 'yellow'
    ELSE 'green'
END;
COMMENT ON FUNCTION reloc.light_of(boolean, boolean, date, date, date, text, boolean) IS
    'A milestone''s light (red, yellow, green, done) from its facts on a day: the decision milestone_lights applies to every milestone.';

-- Every milestone's light on a day, with the facts behind it, each as it stood that day:
--   due_on            the due date in force (an extension approved after the day had not moved it yet);
--   original_due_on   the due date before the first extension approved by the day (NULL: never extended);
--   done_on           the day it was closed, when on or before the day;
--   extensions        extensions approved by the day; extension_pending: one asked and not yet decided;
--   under_review      a completion submitted and not yet accepted or returned (办结审核);
--   status            its latest progress report's status (NULL: none);
--   days_left         due_on minus the day, in calendar days (negative: overdue).
-- Set-based: the per-milestone facts come from grouped scans joined by hash, and "due soon" is one
-- date (the due_soon_within-th working day after the day), not a count of working days per milestone.
-- Not SECURITY DEFINER and no SET clause, so the planner inlines it: milestone_light (below) and a
-- caller's WHERE on milestone_id reach the milestone's own rows by index.
CREATE OR REPLACE FUNCTION reloc.milestone_lights(as_of date)
RETURNS TABLE (milestone_id bigint, light text, due_on date, original_due_on date, done_on date, extensions bigint,
               extension_pending boolean, under_review boolean, status text, days_left integer)
LANGUAGE sql STABLE
AS $$
    SELECT m.id,
           reloc.light_of(m.done_on <= as_of, coalesce(rv.pending, false), coalesce(x.due_then, m.due_on), as_of, s.soon_by,
                          l.status, coalesce(x.pending, false)),
           coalesce(x.due_then, m.due_on),
           x.original,
           CASE WHEN m.done_on <= as_of AND NOT coalesce(rv.pending, false) THEN m.done_on END,
           coalesce(x.extensions, 0),
           coalesce(x.pending, false),
           coalesce(rv.pending, false),
           l.status,
           coalesce(x.due_then, m.due_on) - as_of
    FROM reloc.milestone m
    CROSS JOIN (SELECT reloc.add_working_days(as_of, st.due_soon_within::integer) AS soon_by
                FROM reloc.supervision_setting st) s
    LEFT JOIN (
        SELECT e.milestone_id,
               count(*) FILTER (WHERE e.state = 'approved' AND reloc.local_date(e.decided_at) <= as_of) AS extensions,
               bool_or(reloc.local_date(e.requested_at) <= as_of
                       AND (e.state = 'pending' OR reloc.local_date(e.decided_at) > as_of)) AS pending,
               (array_agg(e.due_on ORDER BY e.decided_at, e.id)
                    FILTER (WHERE e.state = 'approved' AND reloc.local_date(e.decided_at) > as_of))[1] AS due_then,
               (array_agg(e.due_on ORDER BY e.decided_at, e.id)
                    FILTER (WHERE e.state = 'approved' AND reloc.local_date(e.decided_at) <= as_of))[1] AS original
        FROM reloc.extension_request e
        GROUP BY e.milestone_id
    ) x ON x.milestone_id = m.id
    LEFT JOIN (
        SELECT c.milestone_id, true AS pending
        FROM reloc.completion_review c
        WHERE reloc.local_date(c.requested_at) <= as_of
          AND (c.state = 'pending' OR reloc.local_date(c.decided_at) > as_of)
        GROUP BY c.milestone_id
    ) rv ON rv.milestone_id = m.id
    LEFT JOIN (
        SELECT DISTINCT ON (r.milestone_id) r.milestone_id, r.status
        FROM reloc.progress_report r
        WHERE r.milestone_id IS NOT NULL AND reloc.local_date(r.reported_at) <= as_of
        ORDER BY r.milestone_id, r.reported_at DESC, r.id DESC
    ) l ON l.milestone_id = m.id
$$;
COMMENT ON FUNCTION reloc.milestone_lights(date) IS
    'Every milestone''s light (红黄绿灯: red, yellow, green, done) on a day, with the facts behind it as they stood that day.';
REVOKE ALL ON FUNCTION reloc.milestone_lights(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.milestone_lights(date) TO reloc_app, reloc_reminder;

-- One milestone's light on a day: the same function, filtered (inlined: the milestone's rows by index).
CREATE OR REPLACE FUNCTION reloc.milestone_light(milestone_ref bigint, as_of date) RETURNS text
LANGUAGE sql STABLE
RETURN (SELECT l.light FROM reloc.milestone_lights(as_of) l WHERE l.milestone_id = milestone_ref);
COMMENT ON FUNCTION reloc.milestone_light(bigint, date) IS
    'A milestone''s light on a day (red, yellow, green, done): reloc.milestone_lights for one milestone.';
REVOKE ALL ON FUNCTION reloc.milestone_light(bigint, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.milestone_light(bigint, date) TO reloc_app, reloc_reminder;
