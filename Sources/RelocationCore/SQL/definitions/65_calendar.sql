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
-- Counting in working days: reloc.is_working_day, reloc.add_working_days, reloc.working_days_between
-- are in 11_dates.sql, so that the reminder job (60_remind.sql: reminders before the due date in
-- working days, 0022) can use them: a SQL-language body is checked when it is created.
------------------------------------------------------------------------------------------------
