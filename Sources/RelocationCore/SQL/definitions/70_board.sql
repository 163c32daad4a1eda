-- The board (督办看板, issue 15): how many milestones stand at each light (红黄绿灯, the decision of
-- reloc.milestone_lights, 69_lights.sql) per city, per department or per plan on a day — what a
-- leader reads first.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

-- A city answers for the milestones of its plans and its enterprises and for those owned by it or
-- by its districts (所在城市政府…负总责, §六); a department for the milestones of the tasks assigned
-- to it, the work of a renamed department passing to its successor (reloc.current_org). A
-- milestone may count for a city and a department both; the totals count it once.
-- One scan of the milestones (the due range's, by index), kept apart (MATERIALIZED) and read four
-- times: a milestone's plan's, enterprise's and owner's city, each once (no UNION of four scans to
-- de-duplicate, no per-milestone VALUES list: 20 µs a milestone at make bench's load); the
-- departments from the tasks' holders. Cities and departments are different organisations, so
-- the parts need no de-duplication between them.
CREATE OR REPLACE FUNCTION reloc.supervised_units(first_due date, last_due date)
RETURNS TABLE (unit_id bigint, milestone_id bigint)
LANGUAGE sql STABLE
AS $$
    WITH c AS MATERIALIZED (
        SELECT m.id, m.task_id, p.city_id AS plan_city, e.city_id AS enterprise_city,
               CASE o.kind WHEN 'city' THEN o.id WHEN 'district' THEN o.parent_id END AS owner_city
        FROM reloc.milestone m
        LEFT JOIN reloc.plan p ON p.id = m.plan_id
        LEFT JOIN reloc.enterprise e ON e.id = m.enterprise_id
        LEFT JOIN reloc.organisation o ON o.id = m.owner_id
        WHERE m.due_on BETWEEN first_due AND last_due
    ), holder AS (
        SELECT DISTINCT a.task_id, h.id AS org_id
        FROM reloc.task_assignment a
        JOIN reloc.organisation h ON h.id = reloc.current_org(a.org_id) AND h.kind = 'department'
    )
    SELECT c.plan_city, c.id FROM c WHERE c.plan_city IS NOT NULL
    UNION ALL
    SELECT c.enterprise_city, c.id FROM c
    WHERE c.enterprise_city IS NOT NULL AND c.enterprise_city IS DISTINCT FROM c.plan_city
    UNION ALL
    SELECT c.owner_city, c.id FROM c
    WHERE c.owner_city IS NOT NULL AND c.owner_city IS DISTINCT FROM c.plan_city
      AND c.owner_city IS DISTINCT FROM c.enterprise_city
    UNION ALL
    SELECT h.org_id, c.id FROM c JOIN holder h ON h.task_id = c.task_id
$$;
COMMENT ON FUNCTION reloc.supervised_units(date, date) IS
    'The cities and departments answering for each milestone due from first_due to last_due: a city for its plans'', enterprises'' and its own and its districts'' milestones, a department for its tasks''.';

-- Working days after each day of [first_day, last_day] up to last_day: one pass over the calendar,
-- so that overdue days of many milestones cost a join, not a count each. Equal to
-- reloc.working_days_between(day, last_day) (the tests compare them).
CREATE OR REPLACE FUNCTION reloc.working_days_until(first_day date, last_day date)
RETURNS TABLE (day date, working_days integer)
LANGUAGE sql STABLE
AS $$
    -- MATERIALIZED: whether a day works is read once per day, not again in the window's frame.
    WITH d AS MATERIALIZED (
        SELECT g::date AS day, reloc.is_working_day(g::date) AS works
        FROM generate_series(first_day, last_day, interval '1 day') AS g
    )
    SELECT d.day,
           (count(*) FILTER (WHERE d.works) OVER (ORDER BY d.day DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            - CASE WHEN d.works THEN 1 ELSE 0 END)::integer
    FROM d
$$;
COMMENT ON FUNCTION reloc.working_days_until(date, date) IS
    'For every day from first_day to last_day: the working days after it up to and including last_day (reloc.working_days_between(day, last_day)).';

-- Which city, department or plan answers for each milestone (any due date). A city: its plans',
-- its enterprises' and its own and its districts' milestones (所在城市政府…负总责, §六); a
-- department: its tasks' (a renamed department's passing to its successor); a plan: its own, its
-- enterprises' and its own tasks'.
CREATE OR REPLACE FUNCTION reloc.board_units(by_unit text)
RETURNS TABLE (unit_id bigint, milestone_id bigint)
LANGUAGE sql STABLE
AS $$
    SELECT s.unit_id, s.milestone_id
    FROM reloc.supervised_units(DATE '-infinity', DATE 'infinity') s
    JOIN reloc.organisation o ON o.id = s.unit_id
    WHERE o.kind = CASE by_unit WHEN 'city' THEN 'city' WHEN 'department' THEN 'department' END
    UNION ALL
    SELECT coalesce(m.plan_id, e.plan_id, t.plan_id), m.id
    FROM reloc.milestone m
    LEFT JOIN reloc.enterprise e ON e.id = m.enterprise_id
    LEFT JOIN reloc.task t ON t.id = m.task_id
    WHERE by_unit = 'plan' AND coalesce(m.plan_id, e.plan_id, t.plan_id) IS NOT NULL
$$;
COMMENT ON FUNCTION reloc.board_units(text) IS
    'The city, department or plan (by_unit) answering for each milestone: the board''s rows.';

-- The board's one read of the milestones: every milestone lit from its own row (reloc.light_of,
-- inlined, with no history: the decision reloc.milestones_lit makes for a milestone that has none)
-- and counted by what answers for it, by the board's unit only — for a city its plan and its owner
-- as they are (their cities are looked up per group by reloc.board, not per milestone) and its
-- enterprise's city; for a department its task; for a plan its plan, its enterprise's plan, its
-- task — a few thousand groups out of a million milestones.
--
-- SECURITY DEFINER so that this read may run in parallel (make bench, docs/performance-supervision.md):
-- read as an organisation's role, the milestone table's policies include milestone_province_write's
-- reloc.acting_is_province(), which is not parallel safe, and that keeps any query of theirs on it
-- serial. It reveals nothing more: every reader reads every milestone, plan and enterprise
-- (milestone_read, enterprise_read: USING (true)); reloc.board shows each reader its own units.
-- The table is read in slices of its pages (TID ranges), each counted apart, in parallel (a
-- Parallel Append: a slice per process), and the counts summed: the planner cannot know that a
-- million rows make a few thousand groups (the light's due_on and done_on make its estimate the
-- row count), so it would not aggregate in its workers (a partial aggregate) by itself.
CREATE OR REPLACE FUNCTION reloc.board_counts(by_unit text, as_of date, soon_by date)
RETURNS TABLE (plan_id bigint, via bigint, owner_id bigint, task_id bigint, light text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET jit = off SET work_mem = '64MB'
    -- The gather's tuples are a few thousand counts, not the million rows the planner expects; and
    -- a slice is one process's, read whole (no parallel scan of the enterprises inside a slice,
    -- which would keep the slices from running side by side).
    SET parallel_setup_cost = 0 SET parallel_tuple_cost = 0 SET min_parallel_table_scan_size = '8GB'
AS $$
DECLARE
    pages bigint := pg_relation_size('reloc.milestone'::regclass) / current_setting('block_size')::bigint;
    -- A slice for each process that may read: the workers a gather may have, and this one.
    slices integer := 1 + least(current_setting('max_parallel_workers_per_gather')::integer, 4);
    first_enterprise bigint;
    last_enterprise bigint;
    enterprises bigint;
    -- The enterprise's city (or plan) by its id: via_of[id - first_enterprise + 1], 0 for no such id.
    via_of bigint[];
    via text := 'e.city_id';
    enterprise_join text := 'LEFT JOIN reloc.enterprise e ON e.id = m.enterprise_id';
BEGIN
    IF by_unit = 'department' THEN
        via := 'NULL::bigint';
        enterprise_join := '';
    ELSE
        -- The enterprise's city or plan, per milestone, was a hash join of a million milestones to
        -- a hash of 100,000 enterprises: half the board's time (make bench). Looked up in an array by
        -- the enterprise's id instead (ids are dense: an identity), when the ids are dense enough
        -- that the array is no more than a few times the table. A STABLE function's statements
        -- share the calling statement's snapshot: the array and the scan see the same enterprises.
        SELECT min(e.id), max(e.id), count(*) INTO first_enterprise, last_enterprise, enterprises FROM reloc.enterprise e;
        IF last_enterprise - first_enterprise + 1 = enterprises THEN
            -- No id missing (the usual case): the enterprises in the order of their ids.
            SELECT array_agg(CASE by_unit WHEN 'city' THEN e.city_id ELSE e.plan_id END ORDER BY e.id) INTO via_of
            FROM reloc.enterprise e;
        ELSIF last_enterprise - first_enterprise < 4 * enterprises + 10000 THEN
            -- Some ids missing (an insert rolled back): 0 in their places (no NULL: an array with
            -- NULLs is read from its start for each element).
            SELECT array_agg(coalesce(CASE by_unit WHEN 'city' THEN e.city_id ELSE e.plan_id END, 0) ORDER BY g)
            INTO via_of
            FROM generate_series(first_enterprise, last_enterprise) g
            LEFT JOIN reloc.enterprise e ON e.id = g;
        END IF;
        IF via_of IS NOT NULL THEN
            via := 'nullif($4[m.enterprise_id - $5 + 1], 0)';
            enterprise_join := '';
        ELSIF by_unit = 'plan' THEN
            via := 'e.plan_id';
        END IF;
    END IF;
    -- The same statement for each slice of pages (the last open-ended: a row written since lands
    -- in it); one statement, one snapshot, so the slices are disjoint and cover the table.
    RETURN QUERY EXECUTE
        'SELECT s.plan_id, s.via, s.owner_id, s.task_id, s.light, sum(s.n)::bigint FROM ('
        || string_agg(format($slice$
            SELECT CASE WHEN $1 <> 'department' THEN m.plan_id END AS plan_id,
                   %s AS via,
                   CASE WHEN $1 = 'city' THEN m.owner_id END AS owner_id,
                   CASE WHEN $1 <> 'city' THEN m.task_id END AS task_id,
                   reloc.light_of(m.done_on <= $2, false, m.due_on, $2, $3, NULL, false) AS light,
                   count(*) AS n
            FROM reloc.milestone m %s
            WHERE ($1 <> 'department' OR m.task_id IS NOT NULL) %s
            GROUP BY 1, 2, 3, 4, 5$slice$,
            via, enterprise_join,
            concat_ws(' AND ', '', CASE WHEN k > 0 THEN format('m.ctid >= ''(%s,0)''::tid', k * pages / slices) END,
                      CASE WHEN k < slices - 1 THEN format('m.ctid < ''(%s,0)''::tid', (k + 1) * pages / slices) END)),
            ' UNION ALL ')
        || ') s GROUP BY 1, 2, 3, 4, 5'
        FROM generate_series(0, slices - 1) k
    USING by_unit, as_of, soon_by, via_of, first_enterprise;
END $$;
COMMENT ON FUNCTION reloc.board_counts(text, date, date) IS
    'The board''s read of the milestones: counts per light (from each milestone''s own row) and what answers for them (plan, enterprise''s city or plan, owner, task).';
REVOKE ALL ON FUNCTION reloc.board_counts(text, date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.board_counts(text, date, date) TO reloc_app;

-- `reloc board [--by city|department|plan] [--as-of DATE]`: per unit, the milestones at each light
-- on the day, and a total row first (code NULL) counting each milestone once. The province sees every
-- unit; a city, district or department only its own rows (a city its own, a plan of its own), and
-- the total of those. Units with nothing open or done are left out. Red first: the longest red
-- lists lead.
--
-- Over a million milestones (make bench, docs/performance-supervision.md) it reads the milestones
-- once, in reloc.board_counts: each lit from its own row and counted by what answers for it. The
-- few with a history (an extension asked, a due date moved, a completion submitted, a progress
-- report) are then taken out of that light again (n = -1, the same group) and lit by
-- reloc.milestones_lit itself, by id (n = 1). Only the groups are then given their units (a
-- group's cities, each once; a task's holders) and summed: the same counts as reloc.board_units
-- joined to reloc.milestone_lights, milestone by milestone (BoardSetTests).
CREATE OR REPLACE FUNCTION reloc.board(by_unit text, as_of date)
RETURNS TABLE (code text, name text, red bigint, yellow bigint, green bigint, done bigint, total bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off SET work_mem = '64MB'
AS $$
DECLARE
    -- Not SECURITY DEFINER: current_user is the role acting (--as), as in a policy.
    everything boolean := reloc.acting_is_province();
    mine bigint[] := reloc.acting_org_ids();
    soon_by date;
BEGIN
    IF by_unit IS NULL OR by_unit NOT IN ('city', 'department', 'plan') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('the board is by city, department or plan, not %s', coalesce(by_unit, 'nothing'));
    END IF;
    -- Due soon: on or before the due_soon_within-th working day after the day (as milestones_lit).
    SELECT reloc.add_working_days(as_of, st.due_soon_within::integer) INTO soon_by FROM reloc.supervision_setting st;
    RETURN QUERY
    WITH unit AS (
        SELECT o.id, o.code, o.name_zh AS name FROM reloc.organisation o
        WHERE o.kind = by_unit AND (everything OR o.id = ANY (mine))
        UNION ALL
        SELECT p.id, p.code, p.name FROM reloc.plan p
        WHERE by_unit = 'plan' AND (everything OR p.city_id = ANY (mine) OR p.district_id = ANY (mine))
    ), told AS MATERIALIZED (
        -- The milestones with a history that may change their light (69_lights.sql): a few.
        SELECT e.milestone_id FROM reloc.extension_request e
        UNION SELECT d.milestone_id FROM reloc.milestone_due_change d
        UNION SELECT c.milestone_id FROM reloc.completion_review c
        UNION SELECT r.milestone_id FROM reloc.progress_report r WHERE r.milestone_id IS NOT NULL
    ), retold AS (
        -- Those few as board_counts counted them (their own row's light, n = -1) and as
        -- milestones_lit lights them (n = 1), keyed as board_counts keys them.
        SELECT m.plan_id, m.enterprise_id, m.owner_id, m.task_id,
               reloc.light_of(m.done_on <= as_of, false, m.due_on, as_of, soon_by, NULL, false) AS light, -1 AS n
        FROM reloc.milestone m
        WHERE m.id IN (SELECT t.milestone_id FROM told t)
        UNION ALL
        SELECT l.plan_id, l.enterprise_id, l.owner_id, l.task_id, l.light, 1
        FROM reloc.milestones_lit(as_of) l
        WHERE l.milestone_id IN (SELECT t.milestone_id FROM told t)
    ), counted AS (
        SELECT c.plan_id, c.via, c.owner_id, c.task_id, c.light, c.n
        FROM reloc.board_counts(by_unit, as_of, soon_by) c
        UNION ALL
        SELECT CASE WHEN by_unit <> 'department' THEN r.plan_id END,
               CASE by_unit WHEN 'city' THEN e.city_id WHEN 'plan' THEN e.plan_id END,
               CASE WHEN by_unit = 'city' THEN r.owner_id END,
               CASE WHEN by_unit <> 'city' THEN r.task_id END,
               r.light, r.n
        FROM retold r
        LEFT JOIN reloc.enterprise e ON e.id = r.enterprise_id
        WHERE by_unit <> 'department' OR r.task_id IS NOT NULL
    ), grouped AS MATERIALIZED (
        SELECT row_number() OVER () AS g, c.light, c.n,
               CASE WHEN by_unit = 'city' THEN p.city_id END AS plan_city,
               CASE WHEN by_unit = 'city' THEN c.via END AS enterprise_city,
               CASE WHEN by_unit = 'city' THEN CASE o.kind WHEN 'city' THEN o.id WHEN 'district' THEN o.parent_id END
               END AS owner_city,
               CASE WHEN by_unit = 'department' THEN c.task_id END AS task_id,
               CASE WHEN by_unit = 'plan' THEN coalesce(c.plan_id, c.via, t.plan_id) END AS plan_unit
        FROM (SELECT x.plan_id, x.via, x.owner_id, x.task_id, x.light, sum(x.n) AS n
              FROM counted x GROUP BY x.plan_id, x.via, x.owner_id, x.task_id, x.light
              HAVING sum(x.n) <> 0) c
        LEFT JOIN reloc.plan p ON p.id = c.plan_id
        LEFT JOIN reloc.organisation o ON o.id = c.owner_id
        LEFT JOIN reloc.task t ON t.id = c.task_id
    ), holder AS (
        -- A department for the milestones of the tasks assigned to it (a renamed one's successor), once.
        SELECT DISTINCT a.task_id, h.id AS org_id
        FROM reloc.task_assignment a
        JOIN reloc.organisation h ON h.id = reloc.current_org(a.org_id) AND h.kind = 'department'
        WHERE by_unit = 'department'
    ), answering AS (
        -- Each group's units, each once (a milestone's plan and enterprise are in the same city).
        SELECT DISTINCT a.g, a.unit_id
        FROM (SELECT gr.g, u.unit_id
              FROM grouped gr
              CROSS JOIN LATERAL (VALUES (gr.plan_city), (gr.enterprise_city), (gr.owner_city), (gr.plan_unit)) u (unit_id)
              UNION ALL
              SELECT gr.g, h.org_id FROM grouped gr JOIN holder h ON h.task_id = gr.task_id) a
        WHERE a.unit_id IS NOT NULL
    ), seen AS (
        SELECT a.g, u.code, u.name FROM answering a JOIN unit u ON u.id = a.unit_id
    )
    SELECT x.code, x.name, x.red, x.yellow, x.green, x.done, x.total
    FROM (
        SELECT s.code, s.name,
               coalesce(sum(gr.n) FILTER (WHERE gr.light = 'red'), 0)::bigint AS red,
               coalesce(sum(gr.n) FILTER (WHERE gr.light = 'yellow'), 0)::bigint AS yellow,
               coalesce(sum(gr.n) FILTER (WHERE gr.light = 'green'), 0)::bigint AS green,
               coalesce(sum(gr.n) FILTER (WHERE gr.light = 'done'), 0)::bigint AS done,
               sum(gr.n)::bigint AS total
        FROM seen s JOIN grouped gr ON gr.g = s.g
        GROUP BY s.code, s.name
        UNION ALL
        -- Each milestone once: the groups some unit shown answers for.
        SELECT NULL, NULL,
               coalesce(sum(gr.n) FILTER (WHERE gr.light = 'red'), 0)::bigint,
               coalesce(sum(gr.n) FILTER (WHERE gr.light = 'yellow'), 0)::bigint,
               coalesce(sum(gr.n) FILTER (WHERE gr.light = 'green'), 0)::bigint,
               coalesce(sum(gr.n) FILTER (WHERE gr.light = 'done'), 0)::bigint,
               coalesce(sum(gr.n), 0)::bigint
        FROM grouped gr WHERE gr.g IN (SELECT s.g FROM seen s)
    ) x
    ORDER BY x.code IS NOT NULL, x.red DESC, x.yellow DESC, x.code;
END $$;
COMMENT ON FUNCTION reloc.board(text, date) IS
    'The board: milestones per light (red, yellow, green, done) per city, department or plan on a day, with a total row (code NULL); the province sees all, the others their own rows.';
