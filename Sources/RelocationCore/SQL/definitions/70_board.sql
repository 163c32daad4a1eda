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
CREATE OR REPLACE FUNCTION reloc.supervised_units(first_due date, last_due date)
RETURNS TABLE (unit_id bigint, milestone_id bigint)
LANGUAGE sql STABLE
AS $$
    WITH m AS (
        SELECT m.id, m.plan_id, m.enterprise_id, m.task_id, m.owner_id
        FROM reloc.milestone m WHERE m.due_on BETWEEN first_due AND last_due
    ), holder AS (
        SELECT a.task_id, h.id AS org_id
        FROM reloc.task_assignment a
        JOIN reloc.organisation h ON h.id = reloc.current_org(a.org_id) AND h.kind = 'department'
    )
    SELECT p.city_id, m.id FROM m JOIN reloc.plan p ON p.id = m.plan_id
    UNION
    SELECT e.city_id, m.id FROM m JOIN reloc.enterprise e ON e.id = m.enterprise_id
    UNION
    SELECT CASE o.kind WHEN 'city' THEN o.id ELSE o.parent_id END, m.id
    FROM m JOIN reloc.organisation o ON o.id = m.owner_id AND o.kind IN ('city', 'district')
    UNION
    SELECT h.org_id, m.id FROM m JOIN holder h ON h.task_id = m.task_id
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
    WITH d AS (
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

-- `reloc board [--by city|department|plan] [--as-of DATE]`: per unit, the milestones at each light
-- on the day, and a total row first (code NULL) counting each milestone once. The province sees every
-- unit; a city, district or department only its own rows (a city its own, a plan of its own), and
-- the total of those. Units with nothing open or done are left out. Red first: the longest red
-- lists lead.
CREATE OR REPLACE FUNCTION reloc.board(by_unit text, as_of date)
RETURNS TABLE (code text, name text, red bigint, yellow bigint, green bigint, done bigint, total bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- Not SECURITY DEFINER: current_user is the role acting (--as), as in a policy.
    everything boolean := reloc.acting_is_province();
    mine bigint[] := reloc.acting_org_ids();
BEGIN
    IF by_unit IS NULL OR by_unit NOT IN ('city', 'department', 'plan') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('the board is by city, department or plan, not %s', coalesce(by_unit, 'nothing'));
    END IF;
    RETURN QUERY
    WITH unit AS (
        SELECT o.id, o.code, o.name_zh AS name FROM reloc.organisation o
        WHERE o.kind = by_unit AND (everything OR o.id = ANY (mine))
        UNION ALL
        SELECT p.id, p.code, p.name FROM reloc.plan p
        WHERE by_unit = 'plan' AND (everything OR p.city_id = ANY (mine) OR p.district_id = ANY (mine))
    ), answered AS (
        SELECT u.code, u.name, b.milestone_id FROM reloc.board_units(by_unit) b JOIN unit u ON u.id = b.unit_id
    ), lit AS (
        SELECT a.code, a.name, a.milestone_id, l.light
        FROM answered a JOIN reloc.milestone_lights(as_of) l ON l.milestone_id = a.milestone_id
    ), rows AS (
        SELECT l.code, l.name,
               count(*) FILTER (WHERE l.light = 'red') AS red, count(*) FILTER (WHERE l.light = 'yellow') AS yellow,
               count(*) FILTER (WHERE l.light = 'green') AS green, count(*) FILTER (WHERE l.light = 'done') AS done,
               count(*) AS total
        FROM lit l GROUP BY l.code, l.name
    ), once AS (
        SELECT DISTINCT l.milestone_id, l.light FROM lit l
    )
    SELECT x.code, x.name, x.red, x.yellow, x.green, x.done, x.total
    FROM (
        SELECT r.code, r.name, r.red, r.yellow, r.green, r.done, r.total FROM rows r
        UNION ALL
        SELECT NULL, NULL, count(*) FILTER (WHERE o.light = 'red'), count(*) FILTER (WHERE o.light = 'yellow'),
               count(*) FILTER (WHERE o.light = 'green'), count(*) FILTER (WHERE o.light = 'done'), count(*)
        FROM once o
    ) x
    ORDER BY x.code IS NOT NULL, x.red DESC, x.yellow DESC, x.code;
END $$;
COMMENT ON FUNCTION reloc.board(text, date) IS
    'The board: milestones per light (red, yellow, green, done) per city, department or plan on a day, with a total row (code NULL); the province sees all, the others their own rows.';
