-- The working-day calendar (issue 15, 督办): which days count, and counting in them.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

-- Everyone reads the calendar and the settings (they are no organisation's data); the province writes them.
DROP POLICY IF EXISTS calendar_day_read ON reloc.calendar_day;
CREATE POLICY calendar_day_read ON reloc.calendar_day FOR SELECT TO reloc_app, reloc_reminder, reloc_owner USING (true);
DROP POLICY IF EXISTS calendar_day_province_write ON reloc.calendar_day;
CREATE POLICY calendar_day_province_write ON reloc.calendar_day FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS supervision_setting_read ON reloc.supervision_setting;
CREATE POLICY supervision_setting_read ON reloc.supervision_setting FOR SELECT TO reloc_app, reloc_reminder, reloc_owner USING (true);
DROP POLICY IF EXISTS supervision_setting_province_write ON reloc.supervision_setting;
CREATE POLICY supervision_setting_province_write ON reloc.supervision_setting FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

-- Words before the constraints, and a clean name.
CREATE OR REPLACE FUNCTION reloc.calendar_day_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.kind := lower(btrim(NEW.kind));
    NEW.name := btrim(NEW.name);
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
    ELSE
        NEW.created_at := OLD.created_at;
    END IF;
    IF NEW.kind NOT IN ('holiday', 'workday') THEN
        PERFORM reloc.raise_rule('calendar_day_kind', format('%s: "%s"', NEW.day, NEW.kind));
    END IF;
    IF NEW.name IS NULL OR NEW.name = '' THEN
        PERFORM reloc.raise_rule('calendar_day_name_not_blank', NEW.day::text);
    END IF;
    IF NEW.day NOT BETWEEN DATE '2014-01-01' AND DATE '2100-12-31' THEN
        PERFORM reloc.raise_rule('calendar_day_in_programme', NEW.day::text);
    END IF;
    IF NEW.kind = 'workday' AND extract(isodow FROM NEW.day) NOT IN (6, 7) THEN
        PERFORM reloc.raise_rule('calendar_workday_on_weekend', format('%s is a %s', NEW.day, to_char(NEW.day, 'FMDay')));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.calendar_day_before_write() FROM PUBLIC;
CREATE OR REPLACE TRIGGER calendar_day_before_write BEFORE INSERT OR UPDATE ON reloc.calendar_day
    FOR EACH ROW EXECUTE FUNCTION reloc.calendar_day_before_write();

CREATE OR REPLACE FUNCTION reloc.supervision_setting_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.updated_at := now();
    IF NEW.acknowledge_within NOT BETWEEN 1 AND 30 OR NEW.extension_grace NOT BETWEEN 0 AND 30
       OR NEW.review_within NOT BETWEEN 1 AND 30 OR NEW.due_soon_within NOT BETWEEN 1 AND 30 THEN
        PERFORM reloc.raise_rule('supervision_setting_range',
            format('acknowledge within %s, extension grace %s, review within %s, due soon within %s',
                   NEW.acknowledge_within, NEW.extension_grace, NEW.review_within, NEW.due_soon_within));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.supervision_setting_before_write() FROM PUBLIC;
CREATE OR REPLACE TRIGGER supervision_setting_before_write BEFORE UPDATE ON reloc.supervision_setting
    FOR EACH ROW EXECUTE FUNCTION reloc.supervision_setting_before_write();

------------------------------------------------------------------------------------------------
-- Counting in working days
------------------------------------------------------------------------------------------------
-- A day works unless the calendar marks it a holiday; a Saturday or Sunday works only when the
-- calendar marks it a workday (调休).
CREATE OR REPLACE FUNCTION reloc.is_working_day(day date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce((SELECT c.kind = 'workday' FROM reloc.calendar_day c WHERE c.day = is_working_day.day),
                extract(isodow FROM day) < 6);
COMMENT ON FUNCTION reloc.is_working_day(date) IS
    'True on a working day: Monday to Friday unless the calendar marks a holiday; a weekend day the calendar marks a workday (调休).';

-- The n-th working day after `day` (n > 0), before it (n < 0), or `day` itself (n = 0). "Within 2
-- working days of Friday" is the Tuesday after (Monday, Tuesday), whatever day the count starts on.
-- The search window is wide enough for any run of holidays (the longest, 春节 and 国庆, are 8 to 9
-- days with their weekends): 2 calendar days per working day plus 30.
CREATE OR REPLACE FUNCTION reloc.add_working_days(day date, n integer) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
    WHEN n = 0 THEN day
    WHEN n > 0 THEN (SELECT d::date FROM generate_series(day + 1, day + 2 * n + 30, interval '1 day') AS g (d)
                     WHERE reloc.is_working_day(d::date) ORDER BY d OFFSET n - 1 LIMIT 1)
    ELSE (SELECT d::date FROM generate_series(day - 1, day + 2 * n - 30, interval '-1 day') AS g (d)
          WHERE reloc.is_working_day(d::date) ORDER BY d DESC OFFSET -n - 1 LIMIT 1)
END;
COMMENT ON FUNCTION reloc.add_working_days(date, integer) IS
    'The n-th working day after day (n > 0), before it (n < 0), or day itself (n = 0).';

-- Working days after a up to and including b (b > a); the negative count when b < a; 0 when equal.
-- "Overdue by N working days" is working_days_between(due_on, today).
CREATE OR REPLACE FUNCTION reloc.working_days_between(a date, b date) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
    WHEN b >= a THEN (SELECT count(*)::integer FROM generate_series(a + 1, b, interval '1 day') AS g (d)
                      WHERE reloc.is_working_day(d::date))
    ELSE -(SELECT count(*)::integer FROM generate_series(b + 1, a, interval '1 day') AS g (d)
           WHERE reloc.is_working_day(d::date))
END;
COMMENT ON FUNCTION reloc.working_days_between(date, date) IS
    'Working days after a up to and including b; negative when b is before a.';
