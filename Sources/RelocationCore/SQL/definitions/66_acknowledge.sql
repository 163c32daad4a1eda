-- Acknowledgement (签收, issue 15 督办): an organisation confirms it received what it was assigned.
-- Which assignments and milestones wait for it, who may give it, once, never changed, and what is
-- still waiting on a day (for `reloc ack list`, the reminder job's 待签收 items, the board).
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

------------------------------------------------------------------------------------------------
-- What waits for a 签收 (0022): what an organisation assigns to another through reloc
------------------------------------------------------------------------------------------------
-- `task assign` by the province, `milestone add` for another owner: yes. An organisation's own
-- milestone (added acting for its owner): no, it has it. The administrator's session (a superuser:
-- `reloc db seed` loads the 2014 annex as printed, which the departments received in 2014) and the
-- database's own writes (as reloc_owner: a plan's programme deadlines from the document, the
-- province's milestone rules, a site's mirrored milestones): no, nobody assigned them through
-- reloc. Set on INSERT whatever the client writes, kept on UPDATE. On milestones it runs after
-- milestone_before_write and milestone_attach_site_owner (by name), which give the default owner.
CREATE OR REPLACE FUNCTION reloc.acknowledge_due_stamp() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.acknowledge := current_user <> 'reloc_owner'
            AND NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false);
        IF NEW.acknowledge AND TG_TABLE_NAME = 'milestone' THEN
            NEW.acknowledge := coalesce(NOT NEW.owner_id = ANY (reloc.acting_org_ids()), true);
        END IF;
    ELSE
        NEW.acknowledge := OLD.acknowledge;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.acknowledge_due_stamp() FROM PUBLIC;

CREATE OR REPLACE TRIGGER acknowledge_due_stamp BEFORE INSERT OR UPDATE ON reloc.task_assignment
    FOR EACH ROW EXECUTE FUNCTION reloc.acknowledge_due_stamp();
CREATE OR REPLACE TRIGGER milestone_owner_acknowledges BEFORE INSERT OR UPDATE ON reloc.milestone
    FOR EACH ROW EXECUTE FUNCTION reloc.acknowledge_due_stamp();

------------------------------------------------------------------------------------------------
-- The acknowledgement: by the organisation concerned, once, stamped by the database
------------------------------------------------------------------------------------------------
-- The login (reloc.acting_login(): session_user, or the person reloc-web names) and the time are the database's, whatever the client wrote; org_id is
-- the body acting (not one it succeeded). Refusals with words: not one subject (65), nothing to
-- acknowledge (65), acknowledged already (65), not the organisation concerned (77: a task
-- assignment's department or its successor, a milestone's owner or its successor; the province
-- only for what it owns itself). Row-level security is the backstop.
CREATE OR REPLACE FUNCTION reloc.acknowledgement_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acting constant bigint[] := reloc.acting_org_ids();
    superuser constant boolean :=
        coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false);
    concerned bigint;
    due boolean;
    ended date;
    what text;
    earlier record;
    words record;
BEGIN
    NEW.login := reloc.acting_login();
    NEW.acknowledged_at := clock_timestamp();
    NEW.note := reloc.trim_space(NEW.note);
    IF num_nonnulls(NEW.task_assignment_id, NEW.milestone_id) <> 1 THEN
        PERFORM reloc.raise_rule('acknowledgement_attached_once', NULL);
    END IF;
    IF NEW.task_assignment_id IS NOT NULL THEN
        SELECT a.org_id, a.acknowledge, a.ended_on, format('task %s, assignment of %s', t.number, o.code)
        INTO concerned, due, ended, what
        FROM reloc.task_assignment a JOIN reloc.task t ON t.id = a.task_id JOIN reloc.organisation o ON o.id = a.org_id
        WHERE a.id = NEW.task_assignment_id;
    ELSE
        SELECT m.owner_id, m.acknowledge, NULL::date, format('milestone %s', m.id)
        INTO concerned, due, ended, what
        FROM reloc.milestone m WHERE m.id = NEW.milestone_id;
    END IF;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key names what does not exist
    END IF;
    IF NOT superuser AND (NOT concerned = ANY (acting) OR (ended IS NOT NULL AND ended <= reloc.programme_today())) THEN
        SELECT r.message, r.hint INTO words FROM reloc.rule r WHERE r.name = 'acknowledgement_by_concerned';
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'acknowledgement_by_concerned',
            SCHEMA = 'reloc', TABLE = 'acknowledgement',
            MESSAGE = words.message,
            DETAIL = format('%s concerns %s%s', what, (SELECT o.code FROM reloc.organisation o WHERE o.id = concerned),
                            CASE WHEN ended IS NOT NULL THEN format(' (ended on %s)', ended) ELSE '' END),
            HINT = words.hint;
    END IF;
    IF NOT due THEN
        PERFORM reloc.raise_rule('acknowledgement_not_due', what);
    END IF;
    SELECT k.acknowledged_at, k.login, o.code INTO earlier
    FROM reloc.acknowledgement k JOIN reloc.organisation o ON o.id = k.org_id
    WHERE k.task_assignment_id = NEW.task_assignment_id OR k.milestone_id = NEW.milestone_id;
    IF FOUND THEN
        PERFORM reloc.raise_rule('acknowledgement_once',
            format('%s: acknowledged on %s by %s (%s)', what, reloc.local_date(earlier.acknowledged_at), earlier.code, earlier.login));
    END IF;
    NEW.org_id := CASE WHEN superuser THEN reloc.org_on(concerned, reloc.programme_today())
                       ELSE reloc.reporting_org_id(acting, false) END;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.acknowledgement_before_insert() FROM PUBLIC;

CREATE OR REPLACE TRIGGER acknowledgement_before_insert BEFORE INSERT ON reloc.acknowledgement
    FOR EACH ROW EXECUTE FUNCTION reloc.acknowledgement_before_insert();

-- Never rewritten: not even the owner changes or deletes one (no grant lets an application role;
-- this stops the rest, words included). As progress_report_append_only.
CREATE OR REPLACE FUNCTION reloc.acknowledgement_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('acknowledgement_append_only', format('%s of an acknowledgement', lower(TG_OP)));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.acknowledgement_append_only() FROM PUBLIC;

CREATE OR REPLACE TRIGGER acknowledgement_append_only BEFORE UPDATE OR DELETE ON reloc.acknowledgement
    FOR EACH ROW EXECUTE FUNCTION reloc.acknowledgement_append_only();
CREATE OR REPLACE TRIGGER acknowledgement_no_truncate BEFORE TRUNCATE ON reloc.acknowledgement
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.acknowledgement_append_only();

-- Everyone reads them (as tasks, milestones and progress); an organisation inserts its own, for
-- what concerns it (the trigger's words come first; this is the backstop); the job reads them.
DROP POLICY IF EXISTS acknowledgement_read ON reloc.acknowledgement;
CREATE POLICY acknowledgement_read ON reloc.acknowledgement FOR SELECT TO reloc_app, reloc_owner USING (true);
DROP POLICY IF EXISTS acknowledgement_by_concerned ON reloc.acknowledgement;
CREATE POLICY acknowledgement_by_concerned ON reloc.acknowledgement FOR INSERT TO reloc_app
    WITH CHECK (org_id = ANY (reloc.acting_org_ids())
                AND (EXISTS (SELECT FROM reloc.task_assignment a
                             WHERE a.id = task_assignment_id AND a.org_id = ANY (reloc.acting_org_ids()))
                     OR EXISTS (SELECT FROM reloc.milestone m
                                WHERE m.id = milestone_id AND m.owner_id = ANY (reloc.acting_org_ids()))));
DROP POLICY IF EXISTS acknowledgement_job_read ON reloc.acknowledgement;
CREATE POLICY acknowledgement_job_read ON reloc.acknowledgement FOR SELECT TO reloc_reminder USING (true);

------------------------------------------------------------------------------------------------
-- What awaits acknowledgement on a day
------------------------------------------------------------------------------------------------
-- Every task assignment and milestone that waits for a 签收 (acknowledge), made by that day
-- (since: its created date in the programme's zone), still current then (an assignment not
-- ended, a milestone not done), and not acknowledged by that day: for the organisation holding
-- the work that day (a renamed body's successor), with the working days since (working days after
-- `since` up to and including `as_of`) and the last day it may be acknowledged in time
-- (`acknowledge_within` working days after since, reloc.supervision_setting). Read under the
-- caller's row-level security (everyone in reloc_app reads tasks and milestones; the job too).
CREATE OR REPLACE FUNCTION reloc.unacknowledged(as_of date)
RETURNS TABLE (org_id bigint, task_id bigint, milestone_id bigint, since date, working_days integer,
               task_assignment_id bigint, acknowledge_by date)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH setting AS MATERIALIZED (SELECT s.acknowledge_within::integer AS within FROM reloc.supervision_setting s),
    waiting AS (
        SELECT a.org_id AS concerned, a.task_id, NULL::bigint AS milestone_id, reloc.local_date(a.created_at) AS since,
               a.id AS task_assignment_id
        FROM reloc.task_assignment a
        WHERE a.acknowledge AND reloc.local_date(a.created_at) <= as_of AND (a.ended_on IS NULL OR a.ended_on > as_of)
          AND NOT EXISTS (SELECT FROM reloc.acknowledgement k
                          WHERE k.task_assignment_id = a.id AND reloc.local_date(k.acknowledged_at) <= as_of)
        UNION ALL
        SELECT m.owner_id, NULL, m.id, reloc.local_date(m.created_at), NULL
        FROM reloc.milestone m
        WHERE m.acknowledge AND reloc.local_date(m.created_at) <= as_of AND (m.done_on IS NULL OR m.done_on > as_of)
          AND NOT EXISTS (SELECT FROM reloc.acknowledgement k
                          WHERE k.milestone_id = m.id AND reloc.local_date(k.acknowledged_at) <= as_of)
    )
    SELECT reloc.org_on(w.concerned, as_of), w.task_id, w.milestone_id, w.since,
           reloc.working_days_between(w.since, as_of), w.task_assignment_id,
           reloc.add_working_days(w.since, s.within)
    FROM waiting w CROSS JOIN setting s
$$;
COMMENT ON FUNCTION reloc.unacknowledged(date) IS
    'What awaits acknowledgement (签收) on a day: (org_id holding the work, task_id or milestone_id, since, working_days since, task_assignment_id, acknowledge_by = since + acknowledge_within working days).';
REVOKE ALL ON FUNCTION reloc.unacknowledged(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.unacknowledged(date) TO reloc_app, reloc_reminder;

------------------------------------------------------------------------------------------------
-- 待签收 in the reminder job's digests (60_remind.sql calls these two)
------------------------------------------------------------------------------------------------
-- Every recipient's items not acknowledged in time as of the run's day (acknowledge_by before
-- it), at once: (recipient_id, part) with part = {"awaiting_acknowledgement": [...]}, to add to its
-- digest. Chased on every run until acknowledged: the next day's digest no longer lists one that
-- was acknowledged. At most cap items per recipient, the longest waiting first. One query for all
-- recipients (the partial indexes on acknowledge keep it to the rows that wait, 0022).
CREATE OR REPLACE FUNCTION reloc.acknowledgement_digests(run_on date, cap integer DEFAULT 200)
RETURNS TABLE (recipient_id bigint, part jsonb)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH late AS (
        SELECT u.org_id, u.since, t.number AS task_number, u.milestone_id,
               jsonb_build_object(
                   'subject', CASE WHEN u.task_assignment_id IS NOT NULL THEN 'task' ELSE 'milestone' END,
                   'task_number', t.number, 'milestone_id', u.milestone_id,
                   'title', coalesce(m.title, t.title), 'since', u.since, 'working_days', u.working_days,
                   'acknowledge_by', u.acknowledge_by) AS item,
               row_number() OVER (PARTITION BY u.org_id ORDER BY u.since, t.number, u.milestone_id) AS position
        FROM reloc.unacknowledged(run_on) u
        LEFT JOIN reloc.milestone m ON m.id = u.milestone_id
        LEFT JOIN reloc.task t ON t.id = u.task_id
        WHERE u.acknowledge_by < run_on
    )
    SELECT l.org_id, jsonb_build_object('awaiting_acknowledgement', jsonb_agg(l.item ORDER BY l.position))
    FROM late l WHERE l.position <= cap
    GROUP BY l.org_id
$$;
COMMENT ON FUNCTION reloc.acknowledgement_digests(date, integer) IS
    'The 待签收 part of each recipient''s digest on a day: (recipient_id, {"awaiting_acknowledgement": [...]}).';
REVOKE ALL ON FUNCTION reloc.acknowledgement_digests(date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.acknowledgement_digests(date, integer) TO reloc_reminder;
