-- 0007 history integrity: records only the database may write can no longer be forged, and every
-- dated step is dated within the programme and in order (issue 11, "Records that only the
-- database may write can be forged").
--
-- * The histories (plan_status_change, site_env_change) are written only by SECURITY DEFINER
--   trigger functions owned by reloc_owner, with a fixed search_path. No organisation role has
--   INSERT, UPDATE or DELETE on them any more, so no route (a direct INSERT, a trigger on a TEMP
--   table, a temp function, a view, COPY) writes a row: each is 42501. The old policies trusted
--   pg_trigger_depth() > 0, which a TEMP table's trigger satisfies. The login recorded is
--   session_user, the acting role the SET ROLE role (what PostgreSQL lets a session set only to a
--   role its login is a member of), never a value the caller gives. Both histories are audited.
-- * The step is recorded by a BEFORE UPDATE trigger of the plan and of the site that runs last and
--   checks the step with the date it records: one checked path whatever columns an UPDATE touches
--   (plan advance, site survey, plain SQL). The date arrives in the transaction-local settings
--   reloc.advance_on / reloc.site_on (any role may set them, as it may give --on): it is input,
--   checked against the record's own history, the programme calendar and the programme's start,
--   and read once, by the function that writes it.
-- * An approval once recorded changes only by the province's correction (reloc.correct_plan_approval,
--   `reloc plan correct-approval`), itself dated and audited (§四(一)).
-- * A released site's facts are final: only the province corrects them (audited); its release and
--   environmental record never change (§四(六), national plan §九(三)).
-- * A repeated site step is refused (site_env_state_order), as a plan's is.
-- * Milestones are done on a day from the programme's start to today; successions are dated in
--   order (the chain locked while checked); an allocation is dated near its quota's year (§五(四)).
-- * "Today" (reloc.today()) cannot be moved forward by a session's zone, only back (see below).
-- * It applies only over histories that keep these rules: a forged row is named, not locked in.
--
-- Runs in one transaction as a superuser, like the others; objects are owned by reloc_owner.

SET LOCAL ROLE reloc_owner;

------------------------------------------------------------------------------------------------
-- The programme's start: 吉政办发〔2014〕29号 (2014). Nothing the programme records happened before.
------------------------------------------------------------------------------------------------
CREATE FUNCTION reloc.programme_began() RETURNS date
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
CREATE FUNCTION reloc.database_zone() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(nullif((SELECT substr(c.setting, length('reloc.timezone=') + 1)
                        FROM pg_catalog.pg_db_role_setting s
                        CROSS JOIN LATERAL unnest(s.setconfig) AS c (setting)
                        WHERE s.setrole = 0 AND c.setting LIKE 'reloc.timezone=%'
                          AND s.setdatabase = (SELECT d.oid FROM pg_catalog.pg_database d
                                               WHERE d.datname = pg_catalog.current_database())
                        LIMIT 1), ''),
                'Asia/Shanghai');
COMMENT ON FUNCTION reloc.database_zone() IS
    'The programme calendar''s zone: the database''s own reloc.timezone (ALTER DATABASE … SET, the administrator''s), else Asia/Shanghai.';

CREATE FUNCTION reloc.session_zone() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce(nullif(pg_catalog.current_setting('reloc.timezone', true), ''), 'Asia/Shanghai');
COMMENT ON FUNCTION reloc.session_zone() IS
    'The zone the session reads dates in: its reloc.timezone (RELOC_TIMEZONE), else Asia/Shanghai.';

CREATE FUNCTION reloc.refuse_zone(zone text) RETURNS date
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

------------------------------------------------------------------------------------------------
-- The rules' words
------------------------------------------------------------------------------------------------
UPDATE reloc.rule SET message =
    'each step of a plan''s status is dated on or after the step before it, not before the programme began (2014-01-01) and not after today (programme calendar); an approval is dated by its step, and the steps after it on or after the approval (as corrected)'
WHERE name = 'plan_status_dates';
UPDATE reloc.rule SET message =
    'the steps of a site''s environmental record and its release are dated in the order they happen, none before the programme began (2014-01-01) and none in the future'
WHERE name = 'site_dates_in_order';
UPDATE reloc.rule SET message =
    'a released site stays released: its environmental record, release and facts (plan, enterprise, name, area, planned reuse, heritage) no longer change, except by a correction of the province (audited)',
    hint = 'ask the province to correct it (reloc site edit ID … --as JL); the release itself is final'
WHERE name = 'site_released_is_final';

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('plan_approval_final', 'plan', '四(一)',
 'a plan''s approval (its document number and date), once recorded, changes only by a correction of the province, itself dated and audited (§四(一))',
 'ask the province: reloc plan correct-approval CODE --doc 文号 --on DATE --reason TEXT --as JL'),
('plan_approval_correction', 'plan', '四(一)',
 'a correction of a plan''s approval gives its reason and changes the document number or the date of an approved plan',
 'reloc plan correct-approval CODE [--doc 文号] [--on DATE] --reason TEXT'),
('milestone_done_dates', 'milestone', NULL,
 'a milestone is done on a day from the programme''s start (2014-01-01) up to today (programme calendar): not in the future, not before the programme began',
 'give --on the day it was really done, or leave it out for today'),
('organisation_succession_dates', 'organisation', NULL,
 'successions are dated in order: a body is succeeded after the day it took over from its own predecessor, and before the day its successor is succeeded',
 'give --on a date after the succession before it (reloc org show CODE)'),
('land_allocation_in_quota_year', 'land_allocation', '五(四)',
 'an allocation from a year''s quota (年度新增建设用地计划指标, §五(四)) is dated in that year or the year before or after it, and not before the programme began (2014-01-01)',
 'give --on the day of the allocation, or the right --year');

------------------------------------------------------------------------------------------------
-- Before the histories are locked: no forged row is kept
------------------------------------------------------------------------------------------------
-- Until now a TEMP table's trigger could write the histories (issue 11). Once locked below, their
-- rows can never be changed or deleted, so a row that breaks the rules this migration states is
-- refused now: the administrator deletes or repairs it and migrates again. Runs as the superuser
-- that applies migrations (row-level security does not hide a row from it).
RESET ROLE;
DO $$
DECLARE
    found bigint;
    listed text;
BEGIN
    WITH plan_steps AS (
        SELECT c.id, p.code, c.to_status, c.on_date, p.approved_on,
               lag(c.on_date) OVER (PARTITION BY c.plan_id ORDER BY c.changed_at, c.id) AS before_on
        FROM reloc.plan_status_change c JOIN reloc.plan p ON p.id = c.plan_id
    ), site_steps AS (
        SELECT c.id, c.site_id, c.on_date,
               lag(c.on_date) OVER (PARTITION BY c.site_id ORDER BY c.changed_at, c.id) AS before_on
        FROM reloc.site_env_change c
    ), offending AS (
        SELECT 'plan_status_change' AS history, id, 'plan ' || code AS whose, on_date,
               CASE WHEN on_date > reloc.today() THEN format('after today (%s)', reloc.today())
                    WHEN on_date < reloc.programme_began() THEN format('before the programme began (%s)', reloc.programme_began())
                    WHEN on_date < before_on THEN format('before the step before it (%s)', before_on)
                    WHEN to_status IN ('consultation', 'risk-assessed') AND on_date > approved_on
                        THEN format('after the plan''s approval (%s)', approved_on)
                    WHEN to_status IN ('implementing', 'basically-complete', 'complete') AND on_date < approved_on
                        THEN format('before the plan''s approval (%s)', approved_on)
               END AS fault
        FROM plan_steps
        UNION ALL
        SELECT 'site_env_change', id, 'site ' || site_id, on_date,
               CASE WHEN on_date > reloc.today() THEN format('after today (%s)', reloc.today())
                    WHEN on_date < reloc.programme_began() THEN format('before the programme began (%s)', reloc.programme_began())
                    WHEN on_date < before_on THEN format('before the step before it (%s)', before_on)
               END
        FROM site_steps
    )
    SELECT count(*), string_agg(format('%s id %s (%s, dated %s: %s)', history, id, whose, on_date, fault), '; '
                                ORDER BY history, id) FILTER (WHERE rank <= 50)
    INTO found, listed
    FROM (SELECT o.*, row_number() OVER (ORDER BY history, id) AS rank FROM offending o WHERE fault IS NOT NULL) f;
    IF found > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            MESSAGE = format('%s history row(s) break the dating rules and would be kept for ever once history is locked: %s%s. '
                             'As the database administrator (a superuser), delete or repair them (e.g. DELETE FROM '
                             'reloc.plan_status_change WHERE id = …), then run `reloc db migrate` again',
                             found, listed, CASE WHEN found > 50 THEN format(' (and %s more)', found - 50) ELSE '' END);
    END IF;
END $$;
SET LOCAL ROLE reloc_owner;

------------------------------------------------------------------------------------------------
-- The histories: nobody but the database writes them
------------------------------------------------------------------------------------------------
REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON reloc.plan_status_change, reloc.site_env_change
    FROM PUBLIC, reloc_app, reloc_province, reloc_department, reloc_city, reloc_district, reloc_reminder;
DROP POLICY plan_status_change_by_trigger ON reloc.plan_status_change;
DROP POLICY site_env_change_by_trigger ON reloc.site_env_change;
-- reloc_owner is the role of the SECURITY DEFINER code only (nobody logs in as it).
CREATE POLICY plan_status_change_by_database ON reloc.plan_status_change FOR INSERT TO reloc_owner WITH CHECK (true);
CREATE POLICY site_env_change_by_database ON reloc.site_env_change FOR INSERT TO reloc_owner WITH CHECK (true);
COMMENT ON TABLE reloc.plan_status_change IS
    'Every status move of a plan: written only by the plan''s trigger reloc.plan_step_record (SECURITY DEFINER; no application role may write it), never changed.';
COMMENT ON TABLE reloc.site_env_change IS
    'Every step of a site''s environmental record: written only by the site''s trigger reloc.site_step_record (SECURITY DEFINER; no application role may write it), never changed.';

-- History is never rewritten (DOMAIN.md), not even by the owner: UPDATE and DELETE are refused.
CREATE FUNCTION reloc.history_is_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = format('%s is a history: its rows are never changed or deleted', TG_TABLE_NAME);
END $$;
REVOKE ALL ON FUNCTION reloc.history_is_append_only() FROM PUBLIC;
CREATE TRIGGER history_is_append_only BEFORE UPDATE OR DELETE ON reloc.plan_status_change
    FOR EACH ROW EXECUTE FUNCTION reloc.history_is_append_only();
CREATE TRIGGER history_is_append_only BEFORE UPDATE OR DELETE ON reloc.site_env_change
    FOR EACH ROW EXECUTE FUNCTION reloc.history_is_append_only();

-- The role a step is taken as: the SET ROLE role (--as), else the login (reloc.audit_actor).
CREATE FUNCTION reloc.acting_role() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN coalesce(nullif(current_setting('role'), 'none'), session_user::text);
REVOKE ALL ON FUNCTION reloc.acting_role() FROM PUBLIC;

------------------------------------------------------------------------------------------------
-- Plans: the step and its record, checked together (§四(一))
------------------------------------------------------------------------------------------------
-- The province's corrections of an approval: dated, with their reason, audited. A row here is
-- also what lets the plan's trigger accept the changed approval (only reloc.correct_plan_approval,
-- SECURITY DEFINER, writes it).
CREATE TABLE reloc.plan_approval_correction (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id bigint NOT NULL CONSTRAINT plan_approval_correction_plan_id_fkey REFERENCES reloc.plan (id),
    old_doc text,
    old_on date,
    new_doc text NOT NULL,
    new_on date NOT NULL,
    reason text NOT NULL CONSTRAINT plan_approval_correction CHECK (btrim(reason) <> ''),
    corrected_on date NOT NULL,                    -- the day of the correction (programme calendar)
    corrected_by text NOT NULL,                    -- the acting role
    corrected_by_login text NOT NULL,              -- session_user
    transaction_id bigint NOT NULL,
    corrected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_approval_correction_plan_id_idx ON reloc.plan_approval_correction (plan_id, id);
COMMENT ON TABLE reloc.plan_approval_correction IS
    'The province''s corrections of a plan''s approval document and date (§四(一)): written only by reloc.correct_plan_approval, never changed.';
ALTER TABLE reloc.plan_approval_correction ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY plan_approval_correction_read ON reloc.plan_approval_correction FOR SELECT TO reloc_app, reloc_owner
    USING (true);
CREATE POLICY plan_approval_correction_by_database ON reloc.plan_approval_correction FOR INSERT TO reloc_owner
    WITH CHECK (true);
REVOKE ALL ON reloc.plan_approval_correction FROM PUBLIC;
GRANT SELECT ON reloc.plan_approval_correction TO reloc_app;
CREATE TRIGGER history_is_append_only BEFORE UPDATE OR DELETE ON reloc.plan_approval_correction
    FOR EACH ROW EXECUTE FUNCTION reloc.history_is_append_only();

-- The old AFTER trigger wrote the history from settings read after the row had been checked.
DROP TRIGGER plan_record_status_change ON reloc.plan;
REVOKE ALL ON FUNCTION reloc.plan_record_status_change() FROM PUBLIC;

-- Runs last of the plan's BEFORE triggers (name order: plan_before_write, plan_status_unchanged,
-- plan_step_record) on every UPDATE. SECURITY DEFINER: it alone writes plan_status_change.
CREATE FUNCTION reloc.plan_step_record() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    step_on date;
    last_on date;
    doc text;
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'plan' OR TG_OP <> 'UPDATE' OR TG_WHEN <> 'BEFORE' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'reloc.plan_step_record records plan steps only';
    END IF;
    -- An approval once recorded: only the province's correction, recorded first in this
    -- transaction by reloc.correct_plan_approval, changes it.
    IF OLD.approved_on IS NOT NULL
       AND (NEW.approval_doc, NEW.approved_on) IS DISTINCT FROM (OLD.approval_doc, OLD.approved_on)
       AND NOT EXISTS (SELECT FROM reloc.plan_approval_correction c
                       WHERE c.plan_id = OLD.id AND c.transaction_id = pg_current_xact_id()::text::bigint
                         AND c.new_doc IS NOT DISTINCT FROM NEW.approval_doc AND c.new_on IS NOT DISTINCT FROM NEW.approved_on)
    THEN
        PERFORM reloc.raise_rule('plan_approval_final',
            format('plan %s was approved on %s (%s)', OLD.code, OLD.approved_on, OLD.approval_doc));
    END IF;
    IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;

    step_on := coalesce(nullif(current_setting('reloc.advance_on', true), '')::date, reloc.today());
    SELECT c.on_date INTO last_on FROM reloc.plan_status_change c
    WHERE c.plan_id = OLD.id ORDER BY c.changed_at DESC, c.id DESC LIMIT 1;
    -- A step after the approval follows the approval as it stands: a correction of the province
    -- may have moved it after the approval step's own row (§四(一)).
    IF NEW.status IN ('implementing', 'basically-complete', 'complete') AND step_on < NEW.approved_on THEN
        PERFORM reloc.raise_rule('plan_status_dates',
            format('plan %s: %s → %s dated %s, before the plan''s approval (%s)', OLD.code, OLD.status, NEW.status,
                   step_on, NEW.approved_on));
    END IF;
    IF step_on > reloc.today() THEN
        PERFORM reloc.raise_rule('plan_status_dates',
            format('plan %s: %s → %s dated %s, after today (%s)', OLD.code, OLD.status, NEW.status, step_on, reloc.today()));
    END IF;
    IF step_on < reloc.programme_began() THEN
        PERFORM reloc.raise_rule('plan_status_dates',
            format('plan %s: %s → %s dated %s, before the programme began (%s)', OLD.code, OLD.status, NEW.status,
                   step_on, reloc.programme_began()));
    END IF;
    IF step_on < last_on THEN
        PERFORM reloc.raise_rule('plan_status_dates',
            format('plan %s: %s → %s dated %s, before the step before it (%s)', OLD.code, OLD.status, NEW.status,
                   step_on, last_on));
    END IF;
    doc := nullif(current_setting('reloc.advance_doc', true), '');
    IF NEW.status = 'approved' THEN
        -- The approval is the step: its date is the step's, its document the step's.
        IF NEW.approved_on IS NULL THEN
            NEW.approved_on := step_on;
        ELSIF NEW.approved_on <> step_on THEN
            PERFORM reloc.raise_rule('plan_status_dates',
                format('plan %s: approved on %s, but the approval step is dated %s', OLD.code, NEW.approved_on, step_on));
        END IF;
        doc := NEW.approval_doc;
    END IF;
    INSERT INTO reloc.plan_status_change (plan_id, from_status, to_status, on_date, doc, note, changed_by, changed_by_login,
                                          changed_at)
    VALUES (OLD.id, OLD.status, NEW.status, step_on, doc, nullif(current_setting('reloc.advance_note', true), ''),
            reloc.acting_role(), session_user, now());
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.plan_step_record() FROM PUBLIC;
CREATE TRIGGER plan_step_record BEFORE UPDATE ON reloc.plan
    FOR EACH ROW EXECUTE FUNCTION reloc.plan_step_record();

-- `reloc plan correct-approval CODE [--doc 文号] [--on DATE] --reason TEXT`: the province corrects
-- a recorded approval. The corrected date lies between the steps around the approval, within the
-- programme and not in the future. Errors: P0002 no such plan; 42501 not the province; 23514
-- plan_approval_correction, plan_approval_at_approval, plan_status_dates.
CREATE FUNCTION reloc.correct_plan_approval(plan_code text, doc text, on_date date, reason text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p reloc.plan;
    new_doc text := reloc.trim_space(doc);
    new_on date;
    before_on date;
    after_on date;
BEGIN
    IF NOT reloc.acting_is_province(reloc.acting_role()::name) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'only the province corrects a plan''s approval',
            HINT = 'ask the province (reloc plan correct-approval CODE … --as JL)';
    END IF;
    SELECT * INTO p FROM reloc.plan WHERE code = upper(btrim(plan_code)) FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('no plan %s', upper(btrim(plan_code))), HINT = 'see reloc plan list';
    END IF;
    IF p.approved_on IS NULL THEN
        PERFORM reloc.raise_rule('plan_approval_at_approval', format('plan %s is %s, not approved', p.code, p.status));
    END IF;
    new_doc := coalesce(new_doc, p.approval_doc);
    new_on := coalesce(on_date, p.approved_on);
    IF reloc.trim_space(reason) IS NULL THEN
        PERFORM reloc.raise_rule('plan_approval_correction', format('plan %s: no reason given', p.code));
    END IF;
    IF (new_doc, new_on) IS NOT DISTINCT FROM (p.approval_doc, p.approved_on) THEN
        PERFORM reloc.raise_rule('plan_approval_correction',
            format('plan %s: approved on %s (%s) already', p.code, p.approved_on, p.approval_doc));
    END IF;
    -- Between the step before the approval and the step after it (if any).
    SELECT max(c.on_date) FILTER (WHERE c.to_status IN ('consultation', 'risk-assessed')),
           min(c.on_date) FILTER (WHERE c.to_status IN ('implementing', 'basically-complete', 'complete'))
    INTO before_on, after_on
    FROM reloc.plan_status_change c WHERE c.plan_id = p.id;
    IF new_on > reloc.today() OR new_on < reloc.programme_began() OR new_on < before_on OR new_on > after_on THEN
        PERFORM reloc.raise_rule('plan_status_dates',
            format('plan %s: approval corrected to %s; the step before it is dated %s, the step after it %s, today is %s',
                   p.code, new_on, coalesce(before_on::text, '-'), coalesce(after_on::text, '-'), reloc.today()));
    END IF;
    INSERT INTO reloc.plan_approval_correction (plan_id, old_doc, old_on, new_doc, new_on, reason, corrected_on,
                                                corrected_by, corrected_by_login, transaction_id)
    VALUES (p.id, p.approval_doc, p.approved_on, new_doc, new_on, reloc.trim_space(reason), reloc.today(),
            reloc.acting_role(), session_user, pg_current_xact_id()::text::bigint);
    UPDATE reloc.plan SET approval_doc = new_doc, approved_on = new_on WHERE id = p.id;
END $$;
REVOKE ALL ON FUNCTION reloc.correct_plan_approval(text, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.correct_plan_approval(text, text, date, text) TO reloc_app;
-- The correction's own UPDATE runs as reloc_owner (row-level security is forced on the owner).
CREATE POLICY plan_owner_correction ON reloc.plan FOR UPDATE TO reloc_owner USING (true) WITH CHECK (true);

------------------------------------------------------------------------------------------------
-- Sites: one checked path for every change (§四(六), §四(八); national plan §九(三))
------------------------------------------------------------------------------------------------
DROP TRIGGER site_record_env_change ON reloc.site;

-- Runs last of the site's BEFORE triggers (name order: site_after_release_frozen, site_before_write,
-- site_env_state_unchanged, site_step_record) on every UPDATE. SECURITY DEFINER: it alone writes
-- site_env_change. Checks what the others cannot see: the date of the step this UPDATE takes,
-- against the release this same UPDATE may record, and a released site's facts.
CREATE FUNCTION reloc.site_step_record() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    step_on date;
    last_on date;
    changed text;
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'site' OR TG_OP <> 'UPDATE' OR TG_WHEN <> 'BEFORE' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'reloc.site_step_record records site steps only';
    END IF;
    -- A released site's facts are final; the province alone corrects them (audited in reloc.audit).
    IF OLD.released_on IS NOT NULL THEN
        SELECT string_agg(n.key, ', ' ORDER BY n.key) INTO changed
        FROM jsonb_each(to_jsonb(NEW)) n
        WHERE n.key NOT IN ('note', 'updated_at') AND n.value IS DISTINCT FROM to_jsonb(OLD) -> n.key;
        IF changed IS NOT NULL AND (changed ~ '(^|, )(env_state|released_on|release_doc|plan_id|city_id|enterprise_id|registered_by|created_at)(,|$)'
                                    OR NOT reloc.acting_is_province(reloc.acting_role()::name)) THEN
            PERFORM reloc.raise_rule('site_released_is_final',
                format('site %s (%s) was released on %s (%s); changed: %s', OLD.id, OLD.name, OLD.released_on,
                       OLD.release_doc, changed));
        END IF;
        IF NEW.planned_reuse IS NULL THEN
            PERFORM reloc.raise_rule('site_release_needs_reuse', format('site %s (%s) was released', OLD.id, OLD.name));
        END IF;
        IF NEW.heritage_found IS NULL THEN
            PERFORM reloc.raise_rule('site_release_needs_heritage_survey', format('site %s (%s) was released', OLD.id, OLD.name));
        END IF;
        RETURN NEW;
    END IF;

    SELECT max(c.on_date) INTO last_on FROM reloc.site_env_change c WHERE c.site_id = OLD.id;
    IF NEW.env_state IS DISTINCT FROM OLD.env_state THEN
        step_on := coalesce(nullif(current_setting('reloc.site_on', true), '')::date, reloc.today());
        IF step_on > reloc.today() OR step_on < last_on OR step_on < reloc.programme_began() THEN
            PERFORM reloc.raise_rule('site_dates_in_order',
                format('site %s (%s): %s on %s, but the previous step was on %s, the programme began on %s and today is %s',
                       OLD.id, OLD.name, NEW.env_state, step_on, coalesce(last_on::text, '-'), reloc.programme_began(),
                       reloc.today()));
        END IF;
        INSERT INTO reloc.site_env_change (site_id, from_state, to_state, on_date, doc, note, changed_by, changed_by_login,
                                           changed_at)
        VALUES (OLD.id, OLD.env_state, NEW.env_state, step_on,
                nullif(current_setting('reloc.site_doc', true), ''),
                nullif(current_setting('reloc.site_note', true), ''),
                reloc.acting_role(), session_user, now());
        last_on := greatest(last_on, step_on);
    END IF;
    -- A release is dated on or after every step, including one this same UPDATE takes.
    IF NEW.released_on IS NOT NULL
       AND (NEW.released_on > reloc.today() OR NEW.released_on < last_on OR NEW.released_on < reloc.programme_began()) THEN
        PERFORM reloc.raise_rule('site_dates_in_order',
            format('site %s (%s): released on %s, but its last environmental step was on %s and today is %s',
                   OLD.id, OLD.name, NEW.released_on, coalesce(last_on::text, '-'), reloc.today()));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.site_step_record() FROM PUBLIC;
CREATE TRIGGER site_step_record BEFORE UPDATE ON reloc.site
    FOR EACH ROW EXECUTE FUNCTION reloc.site_step_record();

-- Setting a site's state to the state it has is no step: refused, as for plans (a repeated
-- `site survey` or `site remediate --planned` used to print success and record nothing).
CREATE FUNCTION reloc.site_env_state_unchanged() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('site_env_state_order',
        format('site %s (%s) is already %s: that step was recorded before', OLD.id, OLD.name, OLD.env_state));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.site_env_state_unchanged() FROM PUBLIC;
CREATE TRIGGER site_env_state_unchanged BEFORE UPDATE OF env_state ON reloc.site
    FOR EACH ROW WHEN (OLD.env_state = NEW.env_state AND OLD.released_on IS NULL)
    EXECUTE FUNCTION reloc.site_env_state_unchanged();

-- A step on a site that is not the caller's is "not yours" (42501) before any rule is said.
CREATE OR REPLACE FUNCTION reloc.advance_site(site_id bigint, to_state text, doc text DEFAULT NULL,
                                              on_date date DEFAULT NULL, note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed integer;
BEGIN
    IF NOT EXISTS (SELECT FROM reloc.site s WHERE s.id = site_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = format('no site %s', site_id), HINT = 'see reloc site list';
    END IF;
    IF NOT (reloc.acting_is_province() OR reloc.site_concerns(site_id, reloc.acting_org_ids())) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('site %s is not yours to change', site_id),
            HINT = 'a city government records the sites of its own city; the province any site';
    END IF;
    PERFORM set_config('reloc.site_doc', coalesce(reloc.trim_space(doc), ''), true),
            set_config('reloc.site_on', coalesce(to_char(on_date, 'YYYY-MM-DD'), ''), true),
            set_config('reloc.site_note', coalesce(reloc.trim_space(note), ''), true);
    UPDATE reloc.site s SET env_state = to_state WHERE s.id = site_id;
    GET DIAGNOSTICS changed = ROW_COUNT;
    PERFORM set_config('reloc.site_doc', '', true), set_config('reloc.site_on', '', true),
            set_config('reloc.site_note', '', true);
    IF changed = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('site %s is not yours to change', site_id),
            HINT = 'a city government records the sites of its own city; the province any site';
    END IF;
END $$;

SELECT reloc.audit_table('reloc.site_env_change'::regclass);
SELECT reloc.audit_table('reloc.plan_approval_correction'::regclass);

------------------------------------------------------------------------------------------------
-- Milestones: done on a day within the programme, not in the future
------------------------------------------------------------------------------------------------
-- Not "before the milestone was recorded": a milestone entered today for the 2014 deadline may
-- well have been met in 2014 (backfilling is how the register was filled).
CREATE FUNCTION reloc.milestone_done_in_programme() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.done_on > reloc.today() OR NEW.done_on < reloc.programme_began() THEN
        PERFORM reloc.raise_rule('milestone_done_dates',
            format('milestone %s done on %s; the programme began on %s and today is %s', coalesce(NEW.id::text, '(new)'),
                   NEW.done_on, reloc.programme_began(), reloc.today()));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_done_in_programme() FROM PUBLIC;
CREATE TRIGGER milestone_done_in_programme BEFORE INSERT OR UPDATE OF done_on ON reloc.milestone
    FOR EACH ROW WHEN (NEW.done_on IS NOT NULL)
    EXECUTE FUNCTION reloc.milestone_done_in_programme();

------------------------------------------------------------------------------------------------
-- Successions are dated in order
------------------------------------------------------------------------------------------------
CREATE FUNCTION reloc.organisation_succession_in_order() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    took_over date;
    next_on date;
BEGIN
    IF NEW.succeeded_on IS NULL THEN
        RETURN NEW;
    END IF;
    -- Lock the chain around this body before reading it: two successions changed at once (this
    -- body's predecessor and its successor, each in its own transaction) would each check against
    -- the other's old date and both commit out of order. FOR SHARE waits for the other to commit
    -- and reads its date (READ COMMITTED), or fails with a serialization error (REPEATABLE READ,
    -- SERIALIZABLE); a body renamed while its successor is being renamed waits likewise.
    PERFORM FROM reloc.organisation o WHERE o.successor_id = NEW.id OR o.id = NEW.successor_id
    ORDER BY o.id FOR SHARE;
    -- The day this body took over from its own predecessor(s).
    SELECT max(o.succeeded_on) INTO took_over FROM reloc.organisation o WHERE o.successor_id = NEW.id;
    IF NEW.succeeded_on <= took_over THEN
        PERFORM reloc.raise_rule('organisation_succession_dates',
            format('%s (%s) took over from its predecessor on %s; it cannot be succeeded on %s', NEW.code, NEW.name_zh,
                   took_over, NEW.succeeded_on));
    END IF;
    -- The successor's own succession, if already recorded, comes later.
    SELECT o.succeeded_on INTO next_on FROM reloc.organisation o WHERE o.id = NEW.successor_id;
    IF next_on <= NEW.succeeded_on THEN
        PERFORM reloc.raise_rule('organisation_succession_dates',
            format('%s is succeeded on %s, but its successor is itself succeeded on %s', NEW.code, NEW.succeeded_on, next_on));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.organisation_succession_in_order() FROM PUBLIC;
CREATE TRIGGER organisation_succession_in_order BEFORE INSERT OR UPDATE OF successor_id, succeeded_on ON reloc.organisation
    FOR EACH ROW EXECUTE FUNCTION reloc.organisation_succession_in_order();

------------------------------------------------------------------------------------------------
-- Allocations are dated near their quota's year (§五(四))
------------------------------------------------------------------------------------------------
-- The quota is annual (年度新增建设用地计划指标, §五(四)): land is allocated from it in its year.
-- A year either side is allowed (a quota issued late and used early the next year, or a decision
-- of December recorded against the coming year's quota); anything further is a wrong year or date.
CREATE FUNCTION reloc.land_allocation_in_quota_year() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.allocated_on < reloc.programme_began()
       OR NEW.allocated_on NOT BETWEEN make_date(NEW.year - 1, 1, 1) AND make_date(NEW.year + 1, 12, 31) THEN
        PERFORM reloc.raise_rule('land_allocation_in_quota_year',
            format('allocated on %s from the quota for %s (allowed: %s to %s, from %s)', NEW.allocated_on, NEW.year,
                   make_date(NEW.year - 1, 1, 1), make_date(NEW.year + 1, 12, 31), reloc.programme_began()));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.land_allocation_in_quota_year() FROM PUBLIC;
-- Named to fire after land_allocation_before_write (permission is said first).
CREATE TRIGGER land_allocation_in_quota_year BEFORE INSERT ON reloc.land_allocation
    FOR EACH ROW EXECUTE FUNCTION reloc.land_allocation_in_quota_year();

RESET ROLE;
