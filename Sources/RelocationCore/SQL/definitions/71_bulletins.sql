-- Bulletins (通报, issue 15, 督办): the figures of a period per city and per department, the
-- ranking and the overdue items named (点名); an issued bulletin stored with its figures frozen.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

------------------------------------------------------------------------------------------------
-- The period: a month (2015-01), a quarter (2015-Q1) or a year (2015)
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.bulletin_period(period text, OUT label text, OUT period_start date, OUT period_end date)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    y integer;
    part integer;
BEGIN
    label := upper(btrim(coalesce(period, '')));
    IF label ~ '^[0-9]{4}$' THEN
        y := label::integer;
        period_start := make_date(y, 1, 1);
        period_end := make_date(y, 12, 31);
    ELSIF label ~ '^[0-9]{4}-Q[1-4]$' THEN
        y := left(label, 4)::integer;
        part := right(label, 1)::integer;
        period_start := make_date(y, 3 * part - 2, 1);
        period_end := (period_start + interval '3 months' - interval '1 day')::date;
    ELSIF label ~ '^[0-9]{4}-[0-9]{2}$' AND right(label, 2)::integer BETWEEN 1 AND 12 THEN
        y := left(label, 4)::integer;
        period_start := make_date(y, right(label, 2)::integer, 1);
        period_end := (period_start + interval '1 month' - interval '1 day')::date;
    END IF;
    IF period_start IS NULL OR y NOT BETWEEN 2014 AND 2100 THEN
        PERFORM reloc.raise_rule('bulletin_period_format', format('"%s"', btrim(coalesce(period, ''))));
    END IF;
END $$;
COMMENT ON FUNCTION reloc.bulletin_period(text) IS
    'A bulletin''s period read: 2015-01 (a month), 2015-Q1 (a quarter) or 2015 (a year), with its first and last day.';

------------------------------------------------------------------------------------------------
-- The figures
------------------------------------------------------------------------------------------------
-- Per milestone due in the period, on the as-of day: done on time (done_on ≤ due_on), done late,
-- overdue (not done and due before the as-of day; days counted in working days, the supervision
-- norm, and in calendar days), not yet due; the extensions granted it. The on-time rate is
-- done on time / (done on time + done late + overdue): the items that have fallen due. Only a
-- completion the province accepted sets done_on (办结审核), so only those count as done.
CREATE OR REPLACE FUNCTION reloc.bulletin_figures(period text, as_of date) RETURNS json
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off
AS $$
DECLARE
    p record;
    result json;
BEGIN
    p := reloc.bulletin_period(period);
    IF as_of IS NULL THEN
        as_of := reloc.today();
    END IF;
    -- One read of the period's milestones (by milestone_due_idx), with who answers for each read in
    -- the same pass: its plan's, its enterprise's and its owner's city (supervised_units' rule,
    -- 70_board.sql), its task for the departments. A year's bulletin read them twice before (the
    -- items, then supervised_units), 2.6 s of a million milestones (docs/performance-supervision.md).
    WITH item AS MATERIALIZED (
        SELECT m.id, m.title, m.due_on, m.task_id,
               m.done_on IS NOT NULL AND m.done_on <= as_of AND m.done_on <= m.due_on AS on_time,
               m.done_on IS NOT NULL AND m.done_on <= as_of AND m.done_on > m.due_on AS late,
               (m.done_on IS NULL OR m.done_on > as_of) AND m.due_on < as_of AS overdue,
               (m.done_on IS NULL OR m.done_on > as_of) AND m.due_on >= as_of AS not_yet_due,
               coalesce(w.working_days, 0) AS overdue_working_days,
               greatest(as_of - m.due_on, 0) AS overdue_calendar_days,
               coalesce(x.granted, 0) AS extensions,
               pl.city_id AS plan_city, en.city_id AS enterprise_city,
               CASE o.kind WHEN 'city' THEN o.id WHEN 'district' THEN o.parent_id END AS owner_city
        FROM reloc.milestone m
        LEFT JOIN reloc.plan pl ON pl.id = m.plan_id
        LEFT JOIN reloc.enterprise en ON en.id = m.enterprise_id
        LEFT JOIN reloc.organisation o ON o.id = m.owner_id
        LEFT JOIN reloc.working_days_until(p.period_start, as_of) w
            ON w.day = m.due_on AND (m.done_on IS NULL OR m.done_on > as_of) AND m.due_on < as_of
        -- 延期: the requests the province approved by the as-of day (extension_request, 67_extensions.sql).
        LEFT JOIN (SELECT e.milestone_id, count(*) AS granted FROM reloc.extension_request e
                   WHERE e.state = 'approved' AND reloc.local_date(e.decided_at) <= as_of
                   GROUP BY e.milestone_id) x ON x.milestone_id = m.id
        WHERE m.due_on BETWEEN p.period_start AND p.period_end
    ), holder AS (
        -- A department for the milestones of the tasks assigned to it (a renamed one's successor), once.
        SELECT DISTINCT a.task_id, h.id AS org_id
        FROM reloc.task_assignment a
        JOIN reloc.organisation h ON h.id = reloc.current_org(a.org_id) AND h.kind = 'department'
    ), answer AS MATERIALIZED (
        -- Each item with who answers for it (supervised_units' rule, from the item's own row): each
        -- city once, the task's holders. Read for the figures and for the names (点名).
        SELECT i.plan_city AS unit_id, i.* FROM item i WHERE i.plan_city IS NOT NULL
        UNION ALL
        SELECT i.enterprise_city, i.* FROM item i
        WHERE i.enterprise_city IS NOT NULL AND i.enterprise_city IS DISTINCT FROM i.plan_city
        UNION ALL
        SELECT i.owner_city, i.* FROM item i
        WHERE i.owner_city IS NOT NULL AND i.owner_city IS DISTINCT FROM i.plan_city
          AND i.owner_city IS DISTINCT FROM i.enterprise_city
        UNION ALL
        SELECT h.org_id, i.* FROM item i JOIN holder h ON h.task_id = i.task_id
    ), unit AS (
        SELECT o.id, o.code, o.name_zh, o.kind FROM reloc.organisation o
        WHERE o.kind = 'city' OR (o.kind = 'department' AND o.successor_id IS NULL)
    ), counted AS (
        SELECT s.unit_id,
               count(*) AS due,
               count(*) FILTER (WHERE s.on_time) AS on_time,
               count(*) FILTER (WHERE s.late) AS late,
               count(*) FILTER (WHERE s.overdue) AS overdue,
               coalesce(sum(s.overdue_working_days) FILTER (WHERE s.overdue), 0) AS overdue_working_days,
               coalesce(max(s.overdue_working_days) FILTER (WHERE s.overdue), 0) AS max_overdue_working_days,
               count(*) FILTER (WHERE s.not_yet_due) AS not_yet_due,
               coalesce(sum(s.extensions), 0) AS extensions
        FROM answer s
        GROUP BY s.unit_id
    ), figures AS (
        -- Every city and department, those with nothing due in the period with zeros.
        SELECT u.kind, u.code, u.name_zh AS name,
               coalesce(c.due, 0) AS due, coalesce(c.on_time, 0) AS on_time, coalesce(c.late, 0) AS late,
               coalesce(c.overdue, 0) AS overdue, coalesce(c.overdue_working_days, 0) AS overdue_working_days,
               coalesce(c.max_overdue_working_days, 0) AS max_overdue_working_days,
               coalesce(c.not_yet_due, 0) AS not_yet_due, coalesce(c.extensions, 0) AS extensions
        FROM unit u
        LEFT JOIN counted c ON c.unit_id = u.id
    ), rated AS (
        SELECT f.*, round(100.0 * f.on_time / nullif(f.on_time + f.late + f.overdue, 0), 1) AS on_time_rate
        FROM figures f
    ), ranked AS (
        SELECT r.*,
               CASE WHEN r.on_time_rate IS NOT NULL THEN
                   rank() OVER (PARTITION BY r.kind, r.on_time_rate IS NULL
                                ORDER BY r.on_time_rate DESC, r.overdue, r.overdue_working_days) END AS rank
        FROM rated r
    )
    SELECT json_build_object(
        'province', (SELECT o.name_zh FROM reloc.organisation o WHERE o.kind = 'province' ORDER BY o.id LIMIT 1),
        'period', p.label,
        'period_start', p.period_start,
        'period_end', p.period_end,
        'as_of', as_of,
        'overdue_days_in', 'working days',
        'totals', (SELECT json_build_object(
                       'due', count(*), 'on_time', count(*) FILTER (WHERE i.on_time),
                       'late', count(*) FILTER (WHERE i.late), 'overdue', count(*) FILTER (WHERE i.overdue),
                       'not_yet_due', count(*) FILTER (WHERE i.not_yet_due),
                       'extensions', coalesce(sum(i.extensions), 0),
                       'on_time_rate', round(100.0 * count(*) FILTER (WHERE i.on_time)
                                             / nullif(count(*) FILTER (WHERE i.on_time OR i.late OR i.overdue), 0), 1))
                   FROM item i),
        'cities', (SELECT coalesce(json_agg(json_build_object(
                       'rank', r.rank, 'code', r.code, 'name', r.name, 'due', r.due, 'on_time', r.on_time,
                       'late', r.late, 'overdue', r.overdue, 'overdue_working_days', r.overdue_working_days,
                       'max_overdue_working_days', r.max_overdue_working_days, 'not_yet_due', r.not_yet_due,
                       'extensions', r.extensions, 'on_time_rate', r.on_time_rate)
                       ORDER BY r.rank NULLS LAST, r.code), '[]'::json)
                   FROM ranked r WHERE r.kind = 'city'),
        'departments', (SELECT coalesce(json_agg(json_build_object(
                       'rank', r.rank, 'code', r.code, 'name', r.name, 'due', r.due, 'on_time', r.on_time,
                       'late', r.late, 'overdue', r.overdue, 'overdue_working_days', r.overdue_working_days,
                       'max_overdue_working_days', r.max_overdue_working_days, 'not_yet_due', r.not_yet_due,
                       'extensions', r.extensions, 'on_time_rate', r.on_time_rate)
                       ORDER BY r.rank NULLS LAST, r.code), '[]'::json)
                   FROM ranked r WHERE r.kind = 'department'),
        -- 点名: every overdue item, by the city or department answering for it, longest overdue first.
        'overdue_items', (SELECT coalesce(json_agg(json_build_object(
                       'unit_kind', u.kind, 'unit_code', u.code, 'unit_name', u.name_zh, 'milestone_id', i.id,
                       'title', i.title, 'due_on', i.due_on, 'overdue_working_days', i.overdue_working_days,
                       'overdue_calendar_days', i.overdue_calendar_days)
                       ORDER BY u.kind, i.overdue_working_days DESC, u.code, i.id), '[]'::json)
                   FROM answer i
                   JOIN unit u ON u.id = i.unit_id
                   WHERE i.overdue))
    INTO result;
    RETURN result;
END $$;
COMMENT ON FUNCTION reloc.bulletin_figures(text, date) IS
    'A bulletin''s figures (JSON) for a period on a day: totals, per city and per department (due, on time, late, overdue with working days, not yet due, extensions, on-time rate, rank) and the overdue items named.';

------------------------------------------------------------------------------------------------
-- Issuing: province only; stored once, never changed
------------------------------------------------------------------------------------------------
DROP POLICY IF EXISTS bulletin_read ON reloc.bulletin;
CREATE POLICY bulletin_read ON reloc.bulletin FOR SELECT TO reloc_app, reloc_owner USING (true);
-- reloc.issue_bulletin's INSERT runs as reloc_owner (row-level security is forced on the owner).
DROP POLICY IF EXISTS bulletin_owner_issue ON reloc.bulletin;
CREATE POLICY bulletin_owner_issue ON reloc.bulletin FOR INSERT TO reloc_owner WITH CHECK (true);

-- `reloc bulletin issue --period P --number 第N期 [--as-of DATE]`. Errors: 42501 not the province;
-- 23514 bulletin_period_format, bulletin_number_format, bulletin_number_taken.
CREATE OR REPLACE FUNCTION reloc.issue_bulletin(number text, period text, as_of date) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p record;
    new_number text := btrim(coalesce(number, ''));
    on_day date := coalesce(as_of, reloc.today());
    new_id bigint;
BEGIN
    IF NOT reloc.acting_is_province(reloc.acting_role()::name) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'only the province issues a bulletin (通报)',
            HINT = 'a draft is for everyone: reloc bulletin draft --period …';
    END IF;
    p := reloc.bulletin_period(period);
    IF new_number !~ '^([0-9]{4}年)?第[0-9]+期$' THEN
        PERFORM reloc.raise_rule('bulletin_number_format', format('"%s"', new_number));
    END IF;
    IF on_day > reloc.today() THEN
        PERFORM reloc.raise_rule('bulletin_period_format',
            format('as of %s: a bulletin is issued on figures of today (%s) or before', on_day, reloc.today()));
    END IF;
    -- Serialise issues: two at once with the same number would otherwise race to the unique key.
    PERFORM pg_advisory_xact_lock(hashtext('reloc.issue_bulletin'));
    IF EXISTS (SELECT FROM reloc.bulletin b WHERE b.number = new_number) THEN
        PERFORM reloc.raise_rule('bulletin_number_taken', new_number);
    END IF;
    INSERT INTO reloc.bulletin (number, period, period_start, period_end, as_of, figures, issued_by, issued_by_login)
    VALUES (new_number, p.label, p.period_start, p.period_end, on_day, reloc.bulletin_figures(p.label, on_day),
            reloc.acting_role(), reloc.acting_login())
    RETURNING id INTO new_id;
    RETURN new_id;
END $$;
REVOKE ALL ON FUNCTION reloc.issue_bulletin(text, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.issue_bulletin(text, text, date) TO reloc_app;

-- The owner sees every row to UPDATE or DELETE, so that its attempt is refused aloud by the trigger
-- below rather than matching no row in silence (the app roles have no such grant: 42501).
DROP POLICY IF EXISTS bulletin_owner_update ON reloc.bulletin;
CREATE POLICY bulletin_owner_update ON reloc.bulletin FOR UPDATE TO reloc_owner USING (true);
DROP POLICY IF EXISTS bulletin_owner_delete ON reloc.bulletin;
CREATE POLICY bulletin_owner_delete ON reloc.bulletin FOR DELETE TO reloc_owner USING (true);

-- An issued bulletin is final for every role, the owner included (no grant stops the owner).
CREATE OR REPLACE FUNCTION reloc.bulletin_is_final() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('bulletin_issued_final',
        CASE WHEN TG_LEVEL = 'ROW' THEN format('%s (%s): %s refused', OLD.number, OLD.period, lower(TG_OP))
             ELSE format('%s refused', lower(TG_OP)) END);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.bulletin_is_final() FROM PUBLIC;
CREATE OR REPLACE TRIGGER bulletin_is_final BEFORE UPDATE OR DELETE ON reloc.bulletin
    FOR EACH ROW EXECUTE FUNCTION reloc.bulletin_is_final();
CREATE OR REPLACE TRIGGER bulletin_is_final_truncate BEFORE TRUNCATE ON reloc.bulletin
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.bulletin_is_final();
