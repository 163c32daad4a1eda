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
--   due_on            the due date in force that day: a move after it (by hand, a followed plan
--                     deadline, an extension approved later) had not happened yet (milestone_due_change);
--   original_due_on   the due date before the first extension approved by the day (NULL: never extended);
--   done_on           the day it was closed, when on or before the day;
--   extensions        extensions approved by the day; extension_pending: one asked and not yet decided;
--   under_review      a completion submitted and not yet accepted or returned (办结审核);
--   status            its latest progress report's status (NULL: none);
--   days_left         due_on minus the day, in calendar days (negative: overdue).
-- Set-based: the per-milestone facts come from one grouped scan of their histories joined by hash,
-- and "due soon" is one date (the due_soon_within-th working day after the day), not a count of
-- working days per milestone.
-- Not SECURITY DEFINER and no SET clause, so the planner inlines it: milestone_light (below) and a
-- caller's WHERE on milestone_id reach the milestone's own rows by index. milestones_lit is the
-- decision with the milestone's attachments (the board, 70_board.sql, groups by them in the one
-- scan); milestone_lights is it without them (inlined in turn).
CREATE OR REPLACE FUNCTION reloc.milestones_lit(as_of date)
RETURNS TABLE (milestone_id bigint, light text, due_on date, original_due_on date, done_on date, extensions bigint,
               extension_pending boolean, under_review boolean, status text, days_left integer,
               plan_id bigint, enterprise_id bigint, task_id bigint, owner_id bigint)
LANGUAGE sql STABLE
AS $$
    SELECT m.id,
           reloc.light_of(m.done_on <= as_of, coalesce(f.under_review, false),
                          coalesce(f.due_then, f.extension_due_then, m.due_on), as_of, s.soon_by, f.status,
                          coalesce(f.extension_pending, false)),
           coalesce(f.due_then, f.extension_due_then, m.due_on),
           f.original,
           CASE WHEN m.done_on <= as_of AND NOT coalesce(f.under_review, false) THEN m.done_on END,
           coalesce(f.extensions, 0),
           coalesce(f.extension_pending, false),
           coalesce(f.under_review, false),
           f.status,
           coalesce(f.due_then, f.extension_due_then, m.due_on) - as_of,
           m.plan_id, m.enterprise_id, m.task_id, m.owner_id
    FROM reloc.milestone m
    -- OFFSET 0 keeps the subquery apart, so the date is computed once, not once per milestone.
    CROSS JOIN (SELECT reloc.add_working_days(as_of, st.due_soon_within::integer) AS soon_by
                FROM reloc.supervision_setting st OFFSET 0) s
    -- What happened to a milestone besides its own row, all four histories in one grouped scan and
    -- one join (each history its own join cost a pass over the million milestones each, make bench):
    --   extension   extension_request: approved by the day (extensions, and the due date asked from
    --               by the first: original), approved later (the due date it moved from: in force
    --               that day), pending that day;
    --   due         milestone_due_change (0028): any move after the day (by hand, a followed plan
    --               deadline, an extension) — the first one's due_from was in force that day;
    --   review      completion_review: submitted by the day and not decided by then (under review);
    --   report      progress_report: the latest status reported by the day.
    LEFT JOIN (
        SELECT h.milestone_id,
               count(*) FILTER (WHERE h.history = 'extension' AND h.state = 'approved' AND h.decided_on <= as_of)
                   AS extensions,
               bool_or(h.history = 'extension' AND h.asked_on <= as_of AND (h.state = 'pending' OR h.decided_on > as_of))
                   AS extension_pending,
               (array_agg(h.due ORDER BY h.at, h.id)
                    FILTER (WHERE h.history = 'extension' AND h.state = 'approved' AND h.decided_on > as_of))[1]
                   AS extension_due_then,
               (array_agg(h.due ORDER BY h.at, h.id)
                    FILTER (WHERE h.history = 'extension' AND h.state = 'approved' AND h.decided_on <= as_of))[1]
                   AS original,
               (array_agg(h.due ORDER BY h.at, h.id) FILTER (WHERE h.history = 'due' AND h.decided_on > as_of))[1]
                   AS due_then,
               bool_or(h.history = 'review' AND h.asked_on <= as_of AND (h.state = 'pending' OR h.decided_on > as_of))
                   AS under_review,
               (array_agg(h.state ORDER BY h.at DESC, h.id DESC) FILTER (WHERE h.history = 'report' AND h.asked_on <= as_of))[1]
                   AS status
        FROM (
            SELECT 'extension' AS history, e.milestone_id, e.id, e.decided_at AS at, e.due_on AS due, e.state,
                   reloc.local_date(e.requested_at) AS asked_on, reloc.local_date(e.decided_at) AS decided_on
            FROM reloc.extension_request e
            UNION ALL
            SELECT 'due', d.milestone_id, d.id, d.changed_at, d.due_from, NULL, NULL, reloc.local_date(d.changed_at)
            FROM reloc.milestone_due_change d
            UNION ALL
            SELECT 'review', c.milestone_id, c.id, c.requested_at, NULL, c.state, reloc.local_date(c.requested_at),
                   reloc.local_date(c.decided_at)
            FROM reloc.completion_review c
            UNION ALL
            SELECT 'report', r.milestone_id, r.id, r.reported_at, NULL, r.status, reloc.local_date(r.reported_at), NULL
            FROM reloc.progress_report r WHERE r.milestone_id IS NOT NULL
        ) h
        GROUP BY h.milestone_id
    ) f ON f.milestone_id = m.id
$$;
COMMENT ON FUNCTION reloc.milestones_lit(date) IS
    'reloc.milestone_lights with what each milestone is attached to (plan, enterprise, task, owner): the board counts by them in the same scan.';
REVOKE ALL ON FUNCTION reloc.milestones_lit(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.milestones_lit(date) TO reloc_app, reloc_reminder;

-- The same, without what each milestone is attached to: what the lists and milestone_light read.
CREATE OR REPLACE FUNCTION reloc.milestone_lights(as_of date)
RETURNS TABLE (milestone_id bigint, light text, due_on date, original_due_on date, done_on date, extensions bigint,
               extension_pending boolean, under_review boolean, status text, days_left integer)
LANGUAGE sql STABLE
AS $$
    SELECT l.milestone_id, l.light, l.due_on, l.original_due_on, l.done_on, l.extensions, l.extension_pending,
           l.under_review, l.status, l.days_left
    FROM reloc.milestones_lit(as_of) l
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

------------------------------------------------------------------------------------------------
-- The due dates a milestone had, dated (0028): the lights of a past day use the one in force then
------------------------------------------------------------------------------------------------
-- Every move of a milestone's due date, whoever made it (the province by hand, the database when a
-- plan's deadline it follows moves, an approved extension): written here, as the owner, in the
-- transaction that moves it. No role may write the table itself (no grant).
CREATE OR REPLACE FUNCTION reloc.milestone_due_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'milestone' OR TG_OP <> 'UPDATE' OR TG_WHEN <> 'AFTER' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'reloc.milestone_due_changed follows milestones only';
    END IF;
    INSERT INTO reloc.milestone_due_change (milestone_id, due_from, due_to) VALUES (NEW.id, OLD.due_on, NEW.due_on);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_due_changed() FROM PUBLIC;
COMMENT ON FUNCTION reloc.milestone_due_changed() IS
    'AFTER UPDATE trigger of milestone: records a moved due date in milestone_due_change (from, to, when).';

CREATE OR REPLACE TRIGGER milestone_due_changed AFTER UPDATE ON reloc.milestone
    FOR EACH ROW WHEN (OLD.due_on IS DISTINCT FROM NEW.due_on) EXECUTE FUNCTION reloc.milestone_due_changed();

DROP POLICY IF EXISTS milestone_due_change_read ON reloc.milestone_due_change;
CREATE POLICY milestone_due_change_read ON reloc.milestone_due_change FOR SELECT
    TO reloc_app, reloc_owner, reloc_reminder USING (true);
-- reloc.milestone_due_changed's INSERT runs as reloc_owner (row-level security is forced on the owner).
DROP POLICY IF EXISTS milestone_due_change_by_database ON reloc.milestone_due_change;
CREATE POLICY milestone_due_change_by_database ON reloc.milestone_due_change FOR INSERT TO reloc_owner WITH CHECK (true);
-- The owner sees every row to UPDATE or DELETE, so that its attempt is refused aloud by the trigger
-- below rather than matching no row in silence (the app roles have no such grant: 42501).
DROP POLICY IF EXISTS milestone_due_change_owner_update ON reloc.milestone_due_change;
CREATE POLICY milestone_due_change_owner_update ON reloc.milestone_due_change FOR UPDATE TO reloc_owner USING (true);
DROP POLICY IF EXISTS milestone_due_change_owner_delete ON reloc.milestone_due_change;
CREATE POLICY milestone_due_change_owner_delete ON reloc.milestone_due_change FOR DELETE TO reloc_owner USING (true);

-- History is never rewritten: no row is changed, and one is deleted only with its milestone (the
-- foreign key's ON DELETE CASCADE, after the milestone's row is gone).
CREATE OR REPLACE FUNCTION reloc.milestone_due_change_is_final() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_LEVEL = 'ROW' AND TG_OP = 'DELETE'
       AND NOT EXISTS (SELECT FROM reloc.milestone m WHERE m.id = OLD.milestone_id) THEN
        RETURN OLD;
    END IF;
    PERFORM reloc.raise_rule('milestone_due_change_final',
        CASE WHEN TG_LEVEL = 'ROW' THEN format('milestone %s, %s → %s: %s refused', OLD.milestone_id, OLD.due_from,
                                               OLD.due_to, lower(TG_OP))
             ELSE format('%s refused', lower(TG_OP)) END);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_due_change_is_final() FROM PUBLIC;
CREATE OR REPLACE TRIGGER milestone_due_change_is_final BEFORE UPDATE OR DELETE ON reloc.milestone_due_change
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_due_change_is_final();
CREATE OR REPLACE TRIGGER milestone_due_change_is_final_truncate BEFORE TRUNCATE ON reloc.milestone_due_change
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.milestone_due_change_is_final();
