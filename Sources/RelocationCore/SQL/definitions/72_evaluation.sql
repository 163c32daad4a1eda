-- The annual evaluation (年度评估, issue 15; the 2021 demonstration-zone plan §(十四), §(十五)):
-- weights and bands, each city's and department's score and rating, the province's adjustment
-- with a reason, publication (final), and the consequences: 较差 two published years running is
-- flagged (§(十五)), 好 is recommended for incentives (§(十四)).
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

------------------------------------------------------------------------------------------------
-- Weights and bands: everyone reads them, the province sets them
------------------------------------------------------------------------------------------------
DROP POLICY IF EXISTS evaluation_setting_read ON reloc.evaluation_setting;
CREATE POLICY evaluation_setting_read ON reloc.evaluation_setting FOR SELECT TO reloc_app, reloc_owner USING (true);
DROP POLICY IF EXISTS evaluation_setting_province_write ON reloc.evaluation_setting;
CREATE POLICY evaluation_setting_province_write ON reloc.evaluation_setting FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

CREATE OR REPLACE FUNCTION reloc.evaluation_setting_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.updated_at := now();
    IF (NEW.on_time_weight BETWEEN 0 AND 100 AND NEW.completion_weight BETWEEN 0 AND 100
            AND NEW.on_time_weight + NEW.completion_weight <= 100
            AND NEW.overdue_day_weight BETWEEN 0 AND 100 AND NEW.escalation_weight BETWEEN 0 AND 100
            AND NEW.extension_weight BETWEEN 0 AND 100 AND NEW.escalate_after BETWEEN 1 AND 250
            AND NEW.good_from <= 100 AND NEW.good_from > NEW.fairly_good_from
            AND NEW.fairly_good_from > NEW.fair_from AND NEW.fair_from >= 0) THEN
        RETURN NEW;
    END IF;
    PERFORM reloc.raise_rule('evaluation_setting_range',
        format('on time %s, completion %s, overdue day %s, escalation %s, extension %s, escalate after %s; bands 好 %s, 较好 %s, 一般 %s',
               NEW.on_time_weight, NEW.completion_weight, NEW.overdue_day_weight, NEW.escalation_weight,
               NEW.extension_weight, NEW.escalate_after, NEW.good_from, NEW.fairly_good_from, NEW.fair_from));
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.evaluation_setting_before_write() FROM PUBLIC;
CREATE OR REPLACE TRIGGER evaluation_setting_before_write BEFORE UPDATE ON reloc.evaluation_setting
    FOR EACH ROW EXECUTE FUNCTION reloc.evaluation_setting_before_write();

------------------------------------------------------------------------------------------------
-- Who reads a result: the province all; a city or department its own; everyone a published year
------------------------------------------------------------------------------------------------
DROP POLICY IF EXISTS evaluation_result_read ON reloc.evaluation_result;
CREATE POLICY evaluation_result_read ON reloc.evaluation_result FOR SELECT TO reloc_app
    USING ((SELECT reloc.acting_is_province()) OR org_id = ANY (reloc.acting_org_ids())
           OR year IN (SELECT p.year FROM reloc.evaluation_publication p));
-- Written only by reloc.evaluation_compute and reloc.evaluation_adjust (SECURITY DEFINER, as the owner).
DROP POLICY IF EXISTS evaluation_result_owner ON reloc.evaluation_result;
CREATE POLICY evaluation_result_owner ON reloc.evaluation_result FOR ALL TO reloc_owner USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS evaluation_publication_read ON reloc.evaluation_publication;
CREATE POLICY evaluation_publication_read ON reloc.evaluation_publication FOR SELECT TO reloc_app, reloc_owner USING (true);
-- The owner writes publications (reloc.evaluation_publish) and sees every row to change, so that
-- the trigger below refuses its UPDATE or DELETE aloud.
DROP POLICY IF EXISTS evaluation_publication_owner ON reloc.evaluation_publication;
CREATE POLICY evaluation_publication_owner ON reloc.evaluation_publication FOR ALL TO reloc_owner USING (true) WITH CHECK (true);

-- A published year is final for every role, the owner included (2021 plan §(十五) counts on it).
CREATE OR REPLACE FUNCTION reloc.evaluation_result_unpublished() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    y bigint := CASE WHEN TG_OP = 'INSERT' THEN NEW.year ELSE OLD.year END;
BEGIN
    IF EXISTS (SELECT FROM reloc.evaluation_publication p WHERE p.year = y)
       OR (TG_OP = 'UPDATE' AND EXISTS (SELECT FROM reloc.evaluation_publication p WHERE p.year = NEW.year)) THEN
        PERFORM reloc.raise_rule('evaluation_published_final', format('%s: %s refused', y, lower(TG_OP)));
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
REVOKE ALL ON FUNCTION reloc.evaluation_result_unpublished() FROM PUBLIC;
CREATE OR REPLACE TRIGGER evaluation_result_unpublished BEFORE INSERT OR UPDATE OR DELETE ON reloc.evaluation_result
    FOR EACH ROW EXECUTE FUNCTION reloc.evaluation_result_unpublished();

CREATE OR REPLACE FUNCTION reloc.evaluation_publication_final() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('evaluation_published_final',
        CASE WHEN TG_LEVEL = 'ROW' THEN format('publication of %s: %s refused', OLD.year, lower(TG_OP))
             ELSE format('%s refused', lower(TG_OP)) END);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.evaluation_publication_final() FROM PUBLIC;
CREATE OR REPLACE TRIGGER evaluation_publication_final BEFORE UPDATE OR DELETE ON reloc.evaluation_publication
    FOR EACH ROW EXECUTE FUNCTION reloc.evaluation_publication_final();
CREATE OR REPLACE TRIGGER evaluation_publication_final_truncate BEFORE TRUNCATE ON reloc.evaluation_publication
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.evaluation_publication_final();
CREATE OR REPLACE TRIGGER evaluation_result_final_truncate BEFORE TRUNCATE ON reloc.evaluation_result
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.evaluation_publication_final();

------------------------------------------------------------------------------------------------
-- The figures and the score
------------------------------------------------------------------------------------------------
-- The rating a score falls in, by the province's bands.
CREATE OR REPLACE FUNCTION reloc.evaluation_band(score numeric) RETURNS text
LANGUAGE sql STABLE
RETURN (SELECT CASE WHEN score >= s.good_from THEN 'good' WHEN score >= s.fairly_good_from THEN 'fairly-good'
                    WHEN score >= s.fair_from THEN 'fair' ELSE 'poor' END
        FROM reloc.evaluation_setting s);

-- A year the evaluation may be of, as an integer for the date arithmetic: within the programme
-- (2014 on) and not in the future; anything else (99999999999 once said "integer out of range")
-- is refused with the rule's words before any date, lock or cast is made of it.
CREATE OR REPLACE FUNCTION reloc.evaluation_year(y bigint) RETURNS integer
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF y IS NULL OR y < 2014 OR y > extract(year FROM reloc.today()) THEN
        PERFORM reloc.raise_rule('evaluation_year_range', format('%s (today is %s)', coalesce(y::text, 'no year'), reloc.today()));
    END IF;
    RETURN y::integer;
END $$;
COMMENT ON FUNCTION reloc.evaluation_year(bigint) IS
    'The year as an integer if the evaluation may be of it (2014 on, not in the future); else the rule evaluation_year_range.';

-- Each city's and department's figures for the milestones due in `year`, as of the year's last day
-- (or today, during the year; once the year is over, all it had due has fallen due): due, done (on time or late), done on time, overdue working days
-- (lateness of the late ones and of the still open ones), escalations (late, or still open, by more
-- than escalate_after working days: 督办), extensions granted; the rates, the score and its band.
-- A unit with nothing due that year is not rated.
CREATE OR REPLACE FUNCTION reloc.evaluation_figures(year bigint)
RETURNS TABLE (org_id bigint, due bigint, done bigint, on_time bigint, overdue_days bigint, escalations bigint,
               extensions bigint, on_time_rate numeric, completion_rate numeric, score numeric, rating text)
LANGUAGE sql STABLE
AS $$
    WITH checked AS (
        SELECT reloc.evaluation_year(year) AS y
    ), bounds AS (
        SELECT make_date(c.y, 1, 1) AS first_day, make_date(c.y, 12, 31) AS last_day,
               least(make_date(c.y, 12, 31), reloc.today()) AS as_of,
               -- Once the year is over, whatever it had due and is not done has fallen due, the
               -- milestones of its last day too.
               reloc.today() > make_date(c.y, 12, 31) AS closed
        FROM checked c
    ), wd AS (
        SELECT w.day, w.working_days FROM bounds b, reloc.working_days_until(b.first_day, b.as_of) w
    ), item AS (
        SELECT m.id,
               m.done_on IS NOT NULL AND m.done_on <= b.as_of AS done,
               m.done_on IS NOT NULL AND m.done_on <= b.as_of AND m.done_on <= m.due_on AS on_time,
               CASE WHEN m.done_on IS NOT NULL AND m.done_on <= b.as_of AND m.done_on > m.due_on
                        THEN due.working_days - done.working_days
                    WHEN (m.done_on IS NULL OR m.done_on > b.as_of) AND m.due_on < b.as_of THEN due.working_days
                    ELSE 0 END AS late_days,
               (m.done_on IS NULL OR m.done_on > b.as_of) AND (m.due_on < b.as_of OR (b.closed AND m.due_on <= b.as_of))
                   AS open_overdue,
               coalesce(x.granted, 0) AS extensions
        FROM bounds b
        JOIN reloc.milestone m ON m.due_on BETWEEN b.first_day AND b.last_day
        LEFT JOIN wd due ON due.day = m.due_on
        LEFT JOIN wd done ON done.day = m.done_on
        LEFT JOIN (SELECT e.milestone_id, count(*) AS granted FROM reloc.extension_request e, bounds b
                   WHERE e.state = 'approved' AND reloc.local_date(e.decided_at) <= b.as_of
                   GROUP BY e.milestone_id) x ON x.milestone_id = m.id
    ), unit AS (
        SELECT s.unit_id, count(*) AS due, count(*) FILTER (WHERE i.done) AS done,
               count(*) FILTER (WHERE i.on_time) AS on_time,
               count(*) FILTER (WHERE i.done OR i.open_overdue) AS fallen_due,
               coalesce(sum(i.late_days), 0)::bigint AS overdue_days,
               count(*) FILTER (WHERE i.late_days > st.escalate_after) AS escalations,
               coalesce(sum(i.extensions), 0)::bigint AS extensions
        FROM bounds b
        CROSS JOIN LATERAL reloc.supervised_units(b.first_day, b.last_day) s
        JOIN item i ON i.id = s.milestone_id
        JOIN reloc.organisation o ON o.id = s.unit_id AND o.kind IN ('city', 'department')
        CROSS JOIN reloc.evaluation_setting st
        GROUP BY s.unit_id
    ), scored AS (
        SELECT u.*, round(u.on_time::numeric / nullif(u.fallen_due, 0), 4) AS on_time_rate,
               round(u.done::numeric / u.due, 4) AS completion_rate,
               round(greatest(0, least(100,
                   st.on_time_weight * coalesce(u.on_time::numeric / nullif(u.fallen_due, 0), 1)
                   + st.completion_weight * u.done::numeric / u.due
                   - st.overdue_day_weight * u.overdue_days::numeric / u.due
                   - st.escalation_weight * u.escalations
                   - st.extension_weight * u.extensions)), 1) AS score
        FROM unit u CROSS JOIN reloc.evaluation_setting st
    )
    SELECT s.unit_id, s.due, s.done, s.on_time, s.overdue_days, s.escalations, s.extensions,
           s.on_time_rate, s.completion_rate, s.score, reloc.evaluation_band(s.score)
    FROM scored s
$$;
COMMENT ON FUNCTION reloc.evaluation_figures(bigint) IS
    'The annual evaluation''s figures, score and band for each city and department with milestones due in the year (docs/usage/supervision-reports.md gives the formula).';

CREATE OR REPLACE FUNCTION reloc.evaluation_refuse_unless_province(what text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT reloc.acting_is_province(reloc.acting_role()::name) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('only the province %s the annual evaluation (年度评估)', what),
            HINT = 'a city or department reads its own result: reloc evaluation list --year Y';
    END IF;
END $$;
REVOKE ALL ON FUNCTION reloc.evaluation_refuse_unless_province(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION reloc.evaluation_check_year(y bigint) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.evaluation_year(y);
    IF EXISTS (SELECT FROM reloc.evaluation_publication p WHERE p.year = y) THEN
        PERFORM reloc.raise_rule('evaluation_published_final', format('%s is published', y));
    END IF;
END $$;
REVOKE ALL ON FUNCTION reloc.evaluation_check_year(bigint) FROM PUBLIC;

-- `reloc evaluation compute --year Y` (province): the year's results computed again; a rating the
-- province adjusted stays adjusted (with its reason); a published year is refused.
CREATE OR REPLACE FUNCTION reloc.evaluation_compute(year bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    y bigint := year;
    written bigint;
BEGIN
    PERFORM reloc.evaluation_refuse_unless_province('computes');
    PERFORM pg_advisory_xact_lock(hashtext('reloc.evaluation'), reloc.evaluation_year(y));
    PERFORM reloc.evaluation_check_year(y);
    DELETE FROM reloc.evaluation_result r
    WHERE r.year = y AND r.org_id NOT IN (SELECT f.org_id FROM reloc.evaluation_figures(y) f);
    INSERT INTO reloc.evaluation_result AS r (year, org_id, due, done, on_time, overdue_days, escalations, extensions,
                                              on_time_rate, completion_rate, score, computed_rating, rating)
    SELECT y, f.org_id, f.due, f.done, f.on_time, f.overdue_days, f.escalations, f.extensions, f.on_time_rate,
           f.completion_rate, f.score, f.rating, f.rating
    FROM reloc.evaluation_figures(y) f
    ON CONFLICT ON CONSTRAINT evaluation_result_pkey DO UPDATE SET
        due = EXCLUDED.due, done = EXCLUDED.done, on_time = EXCLUDED.on_time, overdue_days = EXCLUDED.overdue_days,
        escalations = EXCLUDED.escalations, extensions = EXCLUDED.extensions, on_time_rate = EXCLUDED.on_time_rate,
        completion_rate = EXCLUDED.completion_rate, score = EXCLUDED.score,
        computed_rating = EXCLUDED.computed_rating,
        rating = CASE WHEN r.adjusted_at IS NULL THEN EXCLUDED.computed_rating ELSE r.rating END,
        computed_at = now();
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;
REVOKE ALL ON FUNCTION reloc.evaluation_compute(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.evaluation_compute(bigint) TO reloc_app;

-- `reloc evaluation adjust CITY --year Y --rating R --reason TEXT` (province): audited (the
-- result's audit trail records the old and new rating, who and when).
CREATE OR REPLACE FUNCTION reloc.evaluation_adjust(org_code text, year bigint, rating text, reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    y bigint := year;
    org bigint;
    new_rating text := lower(btrim(coalesce(rating, '')));
    why text := reloc.trim_space(reason);
BEGIN
    PERFORM reloc.evaluation_refuse_unless_province('adjusts');
    PERFORM pg_advisory_xact_lock(hashtext('reloc.evaluation'), reloc.evaluation_year(y));
    PERFORM reloc.evaluation_check_year(y);
    SELECT o.id INTO org FROM reloc.organisation o WHERE o.code = upper(btrim(org_code));
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('no organisation %s', upper(btrim(org_code))), HINT = 'see reloc org list';
    END IF;
    IF NOT EXISTS (SELECT FROM reloc.evaluation_result r WHERE r.year = y AND r.org_id = org) THEN
        PERFORM reloc.raise_rule('evaluation_not_computed', format('%s has no result for %s', upper(btrim(org_code)), y));
    END IF;
    IF why IS NULL THEN
        PERFORM reloc.raise_rule('evaluation_adjust_reason', format('%s, %s: no reason given', upper(btrim(org_code)), y));
    END IF;
    UPDATE reloc.evaluation_result r
    SET rating = new_rating, reason = why, adjusted_at = now(), adjusted_by = reloc.acting_role()
    WHERE r.year = y AND r.org_id = org;
END $$;
REVOKE ALL ON FUNCTION reloc.evaluation_adjust(text, bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.evaluation_adjust(text, bigint, text, text) TO reloc_app;

-- `reloc evaluation publish --year Y` (province): the year's results final from now on.
CREATE OR REPLACE FUNCTION reloc.evaluation_publish(year bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    y bigint := year;
BEGIN
    PERFORM reloc.evaluation_refuse_unless_province('publishes');
    PERFORM pg_advisory_xact_lock(hashtext('reloc.evaluation'), reloc.evaluation_year(y));
    PERFORM reloc.evaluation_check_year(y);
    IF NOT EXISTS (SELECT FROM reloc.evaluation_result r WHERE r.year = y) THEN
        PERFORM reloc.raise_rule('evaluation_not_computed', format('%s has no results', y));
    END IF;
    INSERT INTO reloc.evaluation_publication (year, published_by, published_by_login)
    VALUES (y, reloc.acting_role(), reloc.acting_login());
END $$;
REVOKE ALL ON FUNCTION reloc.evaluation_publish(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.evaluation_publish(bigint) TO reloc_app;
