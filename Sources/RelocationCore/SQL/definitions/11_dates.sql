-- Dates: the programme keeps China Standard Time.
-- What "today" is, in which zone, and when the programme began.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

------------------------------------------------------------------------------------------------
-- Dates: the programme keeps China Standard Time
------------------------------------------------------------------------------------------------

-- The calendar date of an instant in the programme's zone: Asia/Shanghai, unless the session
-- setting reloc.timezone (set by the CLI from RELOC_TIMEZONE, or ALTER DATABASE … SET) names another.
-- Defined here, not with the tasks (0004): who acts for a renamed body and how a plan's steps are
-- dated depend on the day.
CREATE OR REPLACE FUNCTION reloc.local_date(at timestamptz) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (at AT TIME ZONE coalesce(nullif(current_setting('reloc.timezone', true), ''), 'Asia/Shanghai'))::date;
COMMENT ON FUNCTION reloc.local_date(timestamptz) IS
    'The date of an instant in Asia/Shanghai, or in the zone of the setting reloc.timezone.';

------------------------------------------------------------------------------------------------
-- The programme's start: 吉政办发〔2014〕29号 (2014). Nothing the programme records happened before.
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.programme_began() RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN DATE '2014-01-01';
COMMENT ON FUNCTION reloc.programme_began() IS
    'The first day of the programme (吉政办发〔2014〕29号, 2014): no step, completion or allocation it records is dated before it.';

------------------------------------------------------------------------------------------------
-- "Today": a session may move it back, never forward
------------------------------------------------------------------------------------------------
-- "Not in the future" is a rule (steps, completions, releases, allocations), so "today" is the
-- database's. A session's reloc.timezone (RELOC_TIMEZONE; any role may SET it) names the zone it
-- reads dates in, but today is the earlier of the date there and the date in the programme's own
-- zone, which only the administrator sets (ALTER DATABASE … SET reloc.timezone; else
-- Asia/Shanghai). A zone whose offset is beyond ±14 hours (PostgreSQL takes POSIX specs up to
-- ±167 hours, e.g. '<X>-167', a week ahead) is no place on earth: refused.
-- SQL-standard bodies: bound when created (no search_path to hijack), and inlined where called.
-- database_zone alone is plpgsql: its subquery keeps it from being inlined, and a SQL function
-- that is not inlined is planned again by every statement that calls it (≈ 0.4 ms: every statement
-- deciding on today, and every page of reloc-web through web_person, make bench); plpgsql keeps
-- the plan for the connection and still reads the setting afresh at every call.
CREATE OR REPLACE FUNCTION reloc.database_zone() RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    zone text := coalesce(nullif((SELECT substr(c.setting, length('reloc.timezone=') + 1)
                                  FROM pg_catalog.pg_db_role_setting s
                                  CROSS JOIN LATERAL unnest(s.setconfig) AS c (setting)
                                  WHERE s.setrole = 0 AND c.setting LIKE 'reloc.timezone=%'
                                    AND s.setdatabase = (SELECT d.oid FROM pg_catalog.pg_database d
                                                         WHERE d.datname = pg_catalog.current_database())
                                  LIMIT 1), ''),
                          'Asia/Shanghai');
BEGIN
    -- The programme's own zone is no place on earth either beyond ±14 hours: authority would be
    -- decided a week ahead (hostile review: '<X>-167' moved programme_today seven days on).
    IF (now() AT TIME ZONE zone) - (now() AT TIME ZONE 'UTC') NOT BETWEEN interval '-14 hours' AND interval '14 hours' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('the database''s reloc.timezone is %s, %s hours from UTC now: no zone on earth is more than 14 hours from UTC',
                             zone, round(extract(epoch FROM (now() AT TIME ZONE zone) - (now() AT TIME ZONE 'UTC')) / 3600, 2)),
            HINT = format('the administrator sets a zone name: ALTER DATABASE %I SET reloc.timezone = ''Asia/Shanghai''',
                          current_database());
    END IF;
    RETURN zone;
END $$;
COMMENT ON FUNCTION reloc.database_zone() IS
    'The programme calendar''s zone: the database''s own reloc.timezone (ALTER DATABASE … SET, the administrator''s), else Asia/Shanghai.';

CREATE OR REPLACE FUNCTION reloc.session_zone() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(nullif(pg_catalog.current_setting('reloc.timezone', true), ''), 'Asia/Shanghai');
COMMENT ON FUNCTION reloc.session_zone() IS
    'The zone the session reads dates in: its reloc.timezone (RELOC_TIMEZONE), else Asia/Shanghai.';

CREATE OR REPLACE FUNCTION reloc.refuse_zone(zone text) RETURNS date
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
        MESSAGE = format('the setting reloc.timezone (RELOC_TIMEZONE) is %s, %s hours from UTC now: no zone on earth is more than 14 hours from UTC',
                         zone, round(extract(epoch FROM (now() AT TIME ZONE zone) - (now() AT TIME ZONE 'UTC')) / 3600, 2)),
        HINT = 'use a zone name such as Asia/Shanghai or UTC, or unset RELOC_TIMEZONE';
END $$;

CREATE OR REPLACE FUNCTION reloc.today() RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE
    WHEN (pg_catalog.now() AT TIME ZONE reloc.session_zone()) - (pg_catalog.now() AT TIME ZONE 'UTC')
         NOT BETWEEN interval '-14 hours' AND interval '14 hours'
    THEN reloc.refuse_zone(reloc.session_zone())
    ELSE least((pg_catalog.now() AT TIME ZONE reloc.session_zone())::date,
               (pg_catalog.now() AT TIME ZONE reloc.database_zone())::date)
END;
COMMENT ON FUNCTION reloc.today() IS
    'Today on the programme calendar: the date in the session''s zone (reloc.timezone) or in the database''s own (ALTER DATABASE … SET reloc.timezone, else Asia/Shanghai), whichever is earlier; a zone beyond ±14 hours is refused.';

-- Today on the programme's own calendar: the database's zone only, which no session can move.
-- Who may act (an assignment that has ended, a body that has been succeeded) is decided on this
-- date: reloc.today() may be moved back a day by a session's zone (for "not in the future"), but
-- authority that ended on the programme's calendar does not come back with it.
CREATE OR REPLACE FUNCTION reloc.programme_today() RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (pg_catalog.now() AT TIME ZONE reloc.database_zone())::date;
COMMENT ON FUNCTION reloc.programme_today() IS
    'Today in the database''s own zone (the administrator''s reloc.timezone, else Asia/Shanghai); a session cannot move it. Used for who may act.';

------------------------------------------------------------------------------------------------
-- Counting in working days (issue 15, 督办; the calendar itself: 0020 and 65_calendar.sql)
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
