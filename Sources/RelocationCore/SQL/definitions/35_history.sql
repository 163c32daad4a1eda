-- Histories of steps.
-- The status histories of plans, sites and enterprises: written only by the database (SECURITY DEFINER
-- triggers), never changed or deleted, dated within the programme; the approval correction.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

------------------------------------------------------------------------------------------------
-- Corrections of steps recorded in error (issue 14, 0021): the province undoes the latest step of
-- a plan or an enterprise, dated and with a reason. History is not edited: the undone step stays in
-- its history and reloc.status_correction says it was undone; the status returns to the one before
-- it and the milestones the step closed reopen (reloc.milestone_step_link, 55_deadlines).
------------------------------------------------------------------------------------------------
DROP POLICY IF EXISTS status_correction_read ON reloc.status_correction;
CREATE POLICY status_correction_read ON reloc.status_correction FOR SELECT TO reloc_app, reloc_owner, reloc_reminder
    USING (true);

DROP POLICY IF EXISTS status_correction_by_database ON reloc.status_correction;
CREATE POLICY status_correction_by_database ON reloc.status_correction FOR INSERT TO reloc_owner WITH CHECK (true);

CREATE OR REPLACE TRIGGER history_is_append_only BEFORE UPDATE OR DELETE ON reloc.status_correction
    FOR EACH ROW EXECUTE FUNCTION reloc.history_is_append_only();

-- True inside the transaction of a correction (written only by the functions below) moving this
-- plan or enterprise from one status back to another: the status triggers let that move through.
-- A setting could be forged by any role; a row only the database writes, in this transaction, cannot.
CREATE OR REPLACE FUNCTION reloc.status_correcting(plan_ref bigint, enterprise_ref bigint, from_status text,
                                                   to_status text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (
        SELECT FROM reloc.status_correction x
        WHERE x.transaction_id = pg_current_xact_id()::text::bigint
          AND x.plan_id IS NOT DISTINCT FROM plan_ref AND x.enterprise_id IS NOT DISTINCT FROM enterprise_ref
          AND x.from_status = status_correcting.from_status AND x.to_status = status_correcting.to_status)
$$;
REVOKE ALL ON FUNCTION reloc.status_correcting(bigint,bigint,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.status_correcting(bigint,bigint,text,text) TO reloc_app;

-- `reloc enterprise correct ID --step STATUS --reason TEXT [--on DATE]` (the province). STATUS names
-- the step undone, which must be the latest: two corrections at once undo one step, the second is
-- refused (it waits for the row lock, then finds the status changed). Errors: P0002 no such
-- enterprise; 42501 not the province; 23514 status_correction.
CREATE OR REPLACE FUNCTION reloc.correct_enterprise_step(enterprise_ref bigint, step_status text, reason text,
                                                         on_date date DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e reloc.enterprise;
    step reloc.enterprise_status_change;
    corrected_on date := coalesce(on_date, reloc.today());
BEGIN
    IF NOT reloc.acting_is_province(reloc.acting_role()::name) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'only the province corrects a step recorded in error',
            HINT = 'ask the province (reloc enterprise correct ID --step STATUS --reason TEXT --as JL)';
    END IF;
    SELECT * INTO e FROM reloc.enterprise x WHERE x.id = enterprise_ref FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = format('no enterprise %s', enterprise_ref),
            HINT = 'see reloc enterprise list';
    END IF;
    IF reloc.trim_space(reason) IS NULL THEN
        PERFORM reloc.raise_rule('status_correction', format('enterprise %s: no reason given', e.id));
    END IF;
    SELECT * INTO step FROM reloc.enterprise_status_change c
    WHERE c.enterprise_id = e.id AND NOT EXISTS (SELECT FROM reloc.status_correction x WHERE x.undone_enterprise_step = c.id)
    ORDER BY c.id DESC LIMIT 1;
    IF step.id IS NULL OR step.to_status <> e.status OR e.status <> lower(btrim(step_status)) THEN
        PERFORM reloc.raise_rule('status_correction',
            format('enterprise %s (%s) is %s: its latest step is %s, not %s', e.id, e.name, e.status,
                   coalesce(step.from_status || ' → ' || step.to_status || ' on ' || step.on_date, 'none'),
                   lower(btrim(step_status))));
    END IF;
    IF corrected_on < step.on_date OR corrected_on > reloc.today() THEN
        PERFORM reloc.raise_rule('status_correction',
            format('enterprise %s: correction dated %s; the step is dated %s and today is %s', e.id, corrected_on,
                   step.on_date, reloc.today()));
    END IF;
    INSERT INTO reloc.status_correction (enterprise_id, undone_enterprise_step, from_status, to_status, on_date, reason,
                                         corrected_by, corrected_by_login, transaction_id)
    VALUES (e.id, step.id, step.to_status, step.from_status, corrected_on, reloc.trim_space(reason), reloc.acting_role(),
            reloc.acting_login(), pg_current_xact_id()::text::bigint);
    UPDATE reloc.enterprise x SET status = step.from_status WHERE x.id = e.id;
    -- What the step closed reopens (or closes on an earlier step that satisfies it, if any).
    UPDATE reloc.milestone m SET done_on = NULL WHERE m.done_by_enterprise_step = step.id;
END $$;
REVOKE ALL ON FUNCTION reloc.correct_enterprise_step(bigint,text,text,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.correct_enterprise_step(bigint,text,text,date) TO reloc_app;

-- `reloc plan correct CODE --step STATUS --reason TEXT [--on DATE]` (the province), as for
-- enterprises. Undoing the approval step clears the approval (document and date) it recorded.
CREATE OR REPLACE FUNCTION reloc.correct_plan_step(plan_code text, step_status text, reason text,
                                                   on_date date DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    p reloc.plan;
    step reloc.plan_status_change;
    corrected_on date := coalesce(on_date, reloc.today());
BEGIN
    IF NOT reloc.acting_is_province(reloc.acting_role()::name) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'only the province corrects a step recorded in error',
            HINT = 'ask the province (reloc plan correct CODE --step STATUS --reason TEXT --as JL)';
    END IF;
    SELECT * INTO p FROM reloc.plan x WHERE x.code = upper(btrim(plan_code)) FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('no plan %s', upper(btrim(plan_code))), HINT = 'see reloc plan list';
    END IF;
    IF reloc.trim_space(reason) IS NULL THEN
        PERFORM reloc.raise_rule('status_correction', format('plan %s: no reason given', p.code));
    END IF;
    SELECT * INTO step FROM reloc.plan_status_change c
    WHERE c.plan_id = p.id AND NOT EXISTS (SELECT FROM reloc.status_correction x WHERE x.undone_plan_step = c.id)
    ORDER BY c.changed_at DESC, c.id DESC LIMIT 1;
    IF step.id IS NULL OR step.to_status <> p.status OR p.status <> lower(btrim(step_status)) THEN
        PERFORM reloc.raise_rule('status_correction',
            format('plan %s is %s: its latest step is %s, not %s', p.code, p.status,
                   coalesce(step.from_status || ' → ' || step.to_status || ' on ' || step.on_date, 'none'),
                   lower(btrim(step_status))));
    END IF;
    IF corrected_on < step.on_date OR corrected_on > reloc.today() THEN
        PERFORM reloc.raise_rule('status_correction',
            format('plan %s: correction dated %s; the step is dated %s and today is %s', p.code, corrected_on,
                   step.on_date, reloc.today()));
    END IF;
    INSERT INTO reloc.status_correction (plan_id, undone_plan_step, from_status, to_status, on_date, reason, corrected_by,
                                         corrected_by_login, transaction_id)
    VALUES (p.id, step.id, step.to_status, step.from_status, corrected_on, reloc.trim_space(reason), reloc.acting_role(),
            reloc.acting_login(), pg_current_xact_id()::text::bigint);
    UPDATE reloc.plan x SET status = step.from_status,
        approval_doc = CASE WHEN step.to_status = 'approved' THEN NULL ELSE x.approval_doc END,
        approved_on = CASE WHEN step.to_status = 'approved' THEN NULL ELSE x.approved_on END
    WHERE x.id = p.id;
    UPDATE reloc.milestone m SET done_on = NULL WHERE m.done_by_plan_step = step.id;
END $$;
REVOKE ALL ON FUNCTION reloc.correct_plan_step(text,text,text,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.correct_plan_step(text,text,text,date) TO reloc_app;

-- The correction's own UPDATE of the enterprise runs as reloc_owner (row-level security is forced).
DROP POLICY IF EXISTS enterprise_owner_correction ON reloc.enterprise;
CREATE POLICY enterprise_owner_correction ON reloc.enterprise FOR UPDATE TO reloc_owner USING (true) WITH CHECK (true);

-- Records each status move. advance_plan passes the document, date and note in transaction-local
-- settings; a plain UPDATE of status is recorded too (dated today, without document or note).
-- A step is dated on or after the step before it and not in the future (plan_status_dates): the
-- history reads in order, and nothing is recorded as done before it is.
CREATE OR REPLACE FUNCTION reloc.plan_record_status_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    step_on constant date := coalesce(nullif(current_setting('reloc.advance_on', true), '')::date, reloc.today());
    last_on date;
BEGIN
    SELECT c.on_date INTO last_on FROM reloc.plan_status_change c
    WHERE c.plan_id = NEW.id ORDER BY c.changed_at DESC, c.id DESC LIMIT 1;
    IF step_on > reloc.today() THEN
        PERFORM reloc.raise_rule('plan_status_dates',
            format('plan %s: %s → %s dated %s, after today (%s)', NEW.code, OLD.status, NEW.status, step_on, reloc.today()));
    END IF;
    IF step_on < last_on THEN
        PERFORM reloc.raise_rule('plan_status_dates',
            format('plan %s: %s → %s dated %s, before the step before it (%s)', NEW.code, OLD.status, NEW.status,
                   step_on, last_on));
    END IF;
    INSERT INTO reloc.plan_status_change (plan_id, from_status, to_status, on_date, doc, note, changed_by, changed_by_login)
    VALUES (NEW.id, OLD.status, NEW.status, step_on,
            nullif(current_setting('reloc.advance_doc', true), ''),
            nullif(current_setting('reloc.advance_note', true), ''),
            current_user, reloc.acting_login());
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.plan_record_status_change() FROM PUBLIC;

DROP POLICY IF EXISTS plan_status_change_read ON reloc.plan_status_change;
CREATE POLICY plan_status_change_read ON reloc.plan_status_change FOR SELECT TO reloc_app, reloc_owner USING (true);

-- Records each environmental step; reloc.advance_site passes document, date and note in
-- transaction-local settings, a plain UPDATE is recorded dated today.
CREATE OR REPLACE FUNCTION reloc.site_record_env_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    step_on date := coalesce(nullif(current_setting('reloc.site_on', true), '')::date, reloc.today());
    last_on date := (SELECT max(c.on_date) FROM reloc.site_env_change c WHERE c.site_id = NEW.id);
BEGIN
    -- A record read on any day must tell the truth of that day: steps in order, none ahead of today.
    IF step_on > reloc.today() OR step_on < last_on THEN
        PERFORM reloc.raise_rule('site_dates_in_order',
            format('site %s (%s): %s on %s, but the previous step was on %s and today is %s', NEW.id, NEW.name,
                   NEW.env_state, step_on, coalesce(last_on::text, '-'), reloc.today()));
    END IF;
    INSERT INTO reloc.site_env_change (site_id, from_state, to_state, on_date, doc, note, changed_by, changed_by_login)
    VALUES (NEW.id, OLD.env_state, NEW.env_state, step_on,
            nullif(current_setting('reloc.site_doc', true), ''),
            nullif(current_setting('reloc.site_note', true), ''),
            current_user, reloc.acting_login());
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.site_record_env_change() FROM PUBLIC;

DROP POLICY IF EXISTS site_env_change_read ON reloc.site_env_change;
CREATE POLICY site_env_change_read ON reloc.site_env_change FOR SELECT TO reloc_app, reloc_owner USING (true);

-- reloc_owner is the role of the SECURITY DEFINER code only (nobody logs in as it).
DROP POLICY IF EXISTS plan_status_change_by_database ON reloc.plan_status_change;
CREATE POLICY plan_status_change_by_database ON reloc.plan_status_change FOR INSERT TO reloc_owner WITH CHECK (true);

DROP POLICY IF EXISTS site_env_change_by_database ON reloc.site_env_change;
CREATE POLICY site_env_change_by_database ON reloc.site_env_change FOR INSERT TO reloc_owner WITH CHECK (true);

-- History is never rewritten (DOMAIN.md), not even by the owner: UPDATE and DELETE are refused.
CREATE OR REPLACE FUNCTION reloc.history_is_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = format('%s is a history: its rows are never changed or deleted', TG_TABLE_NAME);
END $$;
REVOKE ALL ON FUNCTION reloc.history_is_append_only() FROM PUBLIC;

CREATE OR REPLACE TRIGGER history_is_append_only BEFORE UPDATE OR DELETE ON reloc.plan_status_change
    FOR EACH ROW EXECUTE FUNCTION reloc.history_is_append_only();

CREATE OR REPLACE TRIGGER history_is_append_only BEFORE UPDATE OR DELETE ON reloc.site_env_change
    FOR EACH ROW EXECUTE FUNCTION reloc.history_is_append_only();

DROP POLICY IF EXISTS plan_approval_correction_read ON reloc.plan_approval_correction;
CREATE POLICY plan_approval_correction_read ON reloc.plan_approval_correction FOR SELECT TO reloc_app, reloc_owner
    USING (true);

DROP POLICY IF EXISTS plan_approval_correction_by_database ON reloc.plan_approval_correction;
CREATE POLICY plan_approval_correction_by_database ON reloc.plan_approval_correction FOR INSERT TO reloc_owner
    WITH CHECK (true);

CREATE OR REPLACE TRIGGER history_is_append_only BEFORE UPDATE OR DELETE ON reloc.plan_approval_correction
    FOR EACH ROW EXECUTE FUNCTION reloc.history_is_append_only();

-- Runs last of the plan's BEFORE triggers (name order: plan_before_write, plan_status_unchanged,
-- plan_step_record) on every UPDATE. SECURITY DEFINER: it alone writes plan_status_change.
CREATE OR REPLACE FUNCTION reloc.plan_step_record() RETURNS trigger
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
       AND NOT reloc.status_correcting(OLD.id, NULL, OLD.status, NEW.status)
    THEN
        PERFORM reloc.raise_rule('plan_approval_final',
            format('plan %s was approved on %s (%s)', OLD.code, OLD.approved_on, OLD.approval_doc));
    END IF;
    IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;
    -- The province's correction moving the status back is recorded in status_correction, not here.
    IF reloc.status_correcting(OLD.id, NULL, OLD.status, NEW.status) THEN
        RETURN NEW;
    END IF;

    step_on := coalesce(nullif(current_setting('reloc.advance_on', true), '')::date, reloc.today());
    -- A step undone by a correction no longer dates the next one.
    SELECT c.on_date INTO last_on FROM reloc.plan_status_change c
    WHERE c.plan_id = OLD.id AND NOT EXISTS (SELECT FROM reloc.status_correction x WHERE x.undone_plan_step = c.id)
    ORDER BY c.changed_at DESC, c.id DESC LIMIT 1;
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
            reloc.acting_role(), reloc.acting_login(), now());
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.plan_step_record() FROM PUBLIC;

CREATE OR REPLACE TRIGGER plan_step_record BEFORE UPDATE ON reloc.plan
    FOR EACH ROW EXECUTE FUNCTION reloc.plan_step_record();

-- `reloc plan correct-approval CODE [--doc 文号] [--on DATE] --reason TEXT`: the province corrects
-- a recorded approval. The corrected date lies between the steps around the approval, within the
-- programme and not in the future. Errors: P0002 no such plan; 42501 not the province; 23514
-- plan_approval_correction, plan_approval_at_approval, plan_status_dates.
CREATE OR REPLACE FUNCTION reloc.correct_plan_approval(plan_code text, doc text, on_date date, reason text) RETURNS void
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
            reloc.acting_role(), reloc.acting_login(), pg_current_xact_id()::text::bigint);
    UPDATE reloc.plan SET approval_doc = new_doc, approved_on = new_on WHERE id = p.id;
    -- The milestones the approval step closed are done on the approval's date as corrected
    -- (reloc.milestone_step_of reads an approval step's date from the plan).
    UPDATE reloc.milestone m SET done_on = new_on
    WHERE m.done_by_plan_step IN (SELECT c.id FROM reloc.plan_status_change c
                                  WHERE c.plan_id = p.id AND c.to_status = 'approved')
      AND m.done_on IS DISTINCT FROM new_on;
END $$;
REVOKE ALL ON FUNCTION reloc.correct_plan_approval(text,text,date,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.correct_plan_approval(text,text,date,text) TO reloc_app;

-- The correction's own UPDATE runs as reloc_owner (row-level security is forced on the owner).
DROP POLICY IF EXISTS plan_owner_correction ON reloc.plan;
CREATE POLICY plan_owner_correction ON reloc.plan FOR UPDATE TO reloc_owner USING (true) WITH CHECK (true);

-- Runs last of the site's BEFORE triggers (name order: site_after_release_frozen, site_before_write,
-- site_env_state_unchanged, site_step_record) on every UPDATE. SECURITY DEFINER: it alone writes
-- site_env_change. Checks what the others cannot see: the date of the step this UPDATE takes,
-- against the release this same UPDATE may record, and a released site's facts.
CREATE OR REPLACE FUNCTION reloc.site_step_record() RETURNS trigger
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
                reloc.acting_role(), reloc.acting_login(), now());
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

CREATE OR REPLACE TRIGGER site_step_record BEFORE UPDATE ON reloc.site
    FOR EACH ROW EXECUTE FUNCTION reloc.site_step_record();

-- Setting a site's state to the state it has is no step: refused, as for plans (a repeated
-- `site survey` or `site remediate --planned` used to print success and record nothing).
CREATE OR REPLACE FUNCTION reloc.site_env_state_unchanged() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('site_env_state_order',
        format('site %s (%s) is already %s: that step was recorded before', OLD.id, OLD.name, OLD.env_state));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.site_env_state_unchanged() FROM PUBLIC;

CREATE OR REPLACE TRIGGER site_env_state_unchanged BEFORE UPDATE OF env_state ON reloc.site
    FOR EACH ROW WHEN (OLD.env_state = NEW.env_state AND OLD.released_on IS NULL)
    EXECUTE FUNCTION reloc.site_env_state_unchanged();

DROP POLICY IF EXISTS enterprise_status_change_read ON reloc.enterprise_status_change;
CREATE POLICY enterprise_status_change_read ON reloc.enterprise_status_change FOR SELECT TO reloc_app, reloc_owner, reloc_reminder
    USING (true);

DROP POLICY IF EXISTS enterprise_status_change_by_database ON reloc.enterprise_status_change;
CREATE POLICY enterprise_status_change_by_database ON reloc.enterprise_status_change FOR INSERT TO reloc_owner
    WITH CHECK (true);

CREATE OR REPLACE TRIGGER history_is_append_only BEFORE UPDATE OR DELETE ON reloc.enterprise_status_change
    FOR EACH ROW EXECUTE FUNCTION reloc.history_is_append_only();

-- Runs last of the enterprise's BEFORE triggers (name order). SECURITY DEFINER: it alone writes
-- enterprise_status_change. The date comes from reloc.enterprise_on (input, like --on), checked
-- against the enterprise's own history, today and the programme's start.
CREATE OR REPLACE FUNCTION reloc.enterprise_step_record() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    step_on date;
    last_on date;
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'enterprise' OR TG_OP <> 'UPDATE' OR TG_WHEN <> 'BEFORE' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'reloc.enterprise_step_record records enterprise steps only';
    END IF;
    IF NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;
    -- The province's correction moving the status back is recorded in status_correction, not here.
    IF reloc.status_correcting(NULL, OLD.id, OLD.status, NEW.status) THEN
        RETURN NEW;
    END IF;
    step_on := coalesce(nullif(current_setting('reloc.enterprise_on', true), '')::date, reloc.today());
    -- A step undone by a correction no longer dates the next one.
    SELECT max(c.on_date) INTO last_on FROM reloc.enterprise_status_change c
    WHERE c.enterprise_id = OLD.id
      AND NOT EXISTS (SELECT FROM reloc.status_correction x WHERE x.undone_enterprise_step = c.id);
    IF step_on > reloc.today() OR step_on < reloc.programme_began() OR step_on < last_on THEN
        PERFORM reloc.raise_rule('enterprise_status_dates',
            format('enterprise %s (%s): %s → %s dated %s; the step before it is dated %s, the programme began on %s and today is %s',
                   OLD.id, OLD.name, OLD.status, NEW.status, step_on, coalesce(last_on::text, '-'),
                   reloc.programme_began(), reloc.today()));
    END IF;
    INSERT INTO reloc.enterprise_status_change (enterprise_id, from_status, to_status, on_date, doc, note, changed_by,
                                                changed_by_login, changed_at)
    VALUES (OLD.id, OLD.status, NEW.status, step_on, nullif(current_setting('reloc.enterprise_doc', true), ''),
            nullif(current_setting('reloc.enterprise_note', true), ''), reloc.acting_role(), reloc.acting_login(), now());
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.enterprise_step_record() FROM PUBLIC;

CREATE OR REPLACE TRIGGER enterprise_step_record BEFORE UPDATE ON reloc.enterprise
    FOR EACH ROW EXECUTE FUNCTION reloc.enterprise_step_record();
