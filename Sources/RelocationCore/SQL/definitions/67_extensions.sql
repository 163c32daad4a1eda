-- Extension requests (延期申请, issue 15 督办): asked before the due date by a body that may close
-- the milestone, decided once by the province; an approval moves the due date as the database.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

-- May one of orgs close the milestone (the milestone_local_update policy's test, for one row): a
-- body of its plan, enterprise or site, a department assigned to its task, or its owner.
CREATE OR REPLACE FUNCTION reloc.milestone_closable_by(milestone_ref bigint, orgs bigint[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM reloc.milestone m
                   WHERE m.id = milestone_ref
                     AND (reloc.attachment_concerns(m.plan_id, m.enterprise_id, m.task_id, m.owner_id, orgs)
                          OR (m.site_id IS NOT NULL AND reloc.site_concerns(m.site_id, orgs))))
$$;
COMMENT ON FUNCTION reloc.milestone_closable_by(bigint, bigint[]) IS
    'True if one of orgs may close the milestone (its owner, a body of its plan, enterprise or site, a department assigned to its task).';
REVOKE ALL ON FUNCTION reloc.milestone_closable_by(bigint, bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.milestone_closable_by(bigint, bigint[]) TO reloc_app;

-- Everyone in the programme reads the requests (a milestone's history); the job reads them too.
DROP POLICY IF EXISTS extension_request_read ON reloc.extension_request;
CREATE POLICY extension_request_read ON reloc.extension_request FOR SELECT TO reloc_app, reloc_reminder, reloc_owner
    USING (true);
-- Asked by a body that may close the milestone (the trigger says so in words first).
DROP POLICY IF EXISTS extension_request_insert ON reloc.extension_request;
CREATE POLICY extension_request_insert ON reloc.extension_request FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province())
                OR reloc.milestone_closable_by(milestone_id, (SELECT reloc.acting_org_ids())));
-- Decided by the province alone (and the grant of the decision's columns is the province's).
DROP POLICY IF EXISTS extension_request_decide ON reloc.extension_request;
CREATE POLICY extension_request_decide ON reloc.extension_request FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

-- The shape every decision of the province on a request shares (延期申请 here, 办结审核 in
-- 68_review.sql): only a pending request is decided, once (rule <table>_decided); nothing of the
-- request itself changes, only its decision (<table>_decision); the province decides (42501,
-- with the caller's words). The caller then stamps the decision (who, when) and checks its own.
CREATE OR REPLACE FUNCTION reloc.decided_once(request_table text, request text, old_state text,
                                              old_decided_at timestamptz, as_made boolean,
                                              refusal text, hint text) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF old_state <> 'pending' THEN
        PERFORM reloc.raise_rule(request_table || '_decided',
            format('%s was %s on %s', request, old_state, reloc.local_date(old_decided_at)));
    END IF;
    IF NOT as_made THEN
        PERFORM reloc.raise_rule(request_table || '_decision', format('%s: only its decision changes', request));
    END IF;
    IF NOT reloc.acting_is_province() THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = refusal, HINT = hint;
    END IF;
END $$;
REVOKE ALL ON FUNCTION reloc.decided_once(text, text, text, timestamptz, boolean, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.decided_once(text, text, text, timestamptz, boolean, text, text) TO reloc_app;

-- Stamps who, when and the due date asked from, whatever the client wrote, and checks the rules
-- with words: an open milestone that the asker may close, not yet past its due date (plus the
-- province's grace in working days, on the programme's date), a later date, one pending.
CREATE OR REPLACE FUNCTION reloc.extension_request_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acting constant bigint[] := reloc.acting_org_ids();
    province constant boolean := reloc.acting_is_province();
    m reloc.milestone;
    grace bigint;
    last_day date;
BEGIN
    NEW.requested_by := reloc.reporting_org_id(acting, province);
    NEW.login := reloc.acting_login();
    NEW.requested_at := now();
    NEW.state := 'pending';
    NEW.decided_to := NULL;
    NEW.decided_by := NULL;
    NEW.decided_at := NULL;
    NEW.decision_note := NULL;
    NEW.reason := reloc.trim_space(NEW.reason);
    NEW.evidence := coalesce(ARRAY(SELECT reloc.trim_space(x) FROM unnest(NEW.evidence) AS x
                                   WHERE reloc.trim_space(x) IS NOT NULL), '{}');
    SELECT * INTO m FROM reloc.milestone WHERE id = NEW.milestone_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key says so
    END IF;
    IF NOT province AND NOT reloc.milestone_closable_by(m.id, acting) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('milestone %s is not yours to ask an extension for: the body that may close it asks', m.id),
            HINT = 'see reloc milestone list --mine, or act as the responsible organisation (--as ORG)';
    END IF;
    -- Read again, locked: a close or an approval in another session is waited for and seen (the
    -- request is then refused in words), never asked against a milestone closed meanwhile.
    SELECT * INTO m FROM reloc.milestone WHERE id = NEW.milestone_id FOR NO KEY UPDATE;
    NEW.due_on := m.due_on;
    IF m.done_on IS NOT NULL THEN
        PERFORM reloc.raise_rule('extension_request_open_milestone', format('milestone %s was done on %s', m.id, m.done_on));
    END IF;
    IF NEW.reason IS NULL THEN
        PERFORM reloc.raise_rule('extension_request_reason', format('milestone %s', m.id));
    END IF;
    -- 'infinity' or year 9999 would be an open-ended extension, and breaks every date sum after it.
    IF NEW.requested_to > DATE '2100-12-31' THEN
        PERFORM reloc.raise_rule('extension_request_horizon', format('milestone %s: asked for %s', m.id, NEW.requested_to));
    END IF;
    IF NEW.requested_to IS NULL OR NEW.requested_to <= m.due_on THEN
        PERFORM reloc.raise_rule('extension_request_later',
            format('milestone %s is due on %s; asked for %s', m.id, m.due_on, coalesce(NEW.requested_to::text, 'no date')));
    END IF;
    SELECT s.extension_grace INTO grace FROM reloc.supervision_setting s;
    last_day := reloc.add_working_days(m.due_on, coalesce(grace, 0)::integer);
    IF reloc.programme_today() > last_day THEN
        PERFORM reloc.raise_rule('extension_request_in_time',
            format('milestone %s was due on %s; requests were taken until %s (grace %s working days); today is %s',
                   m.id, m.due_on, last_day, coalesce(grace, 0), reloc.programme_today()));
    END IF;
    IF EXISTS (SELECT FROM reloc.extension_request e WHERE e.milestone_id = m.id AND e.state = 'pending') THEN
        PERFORM reloc.raise_rule('extension_request_one_pending',
            (SELECT format('milestone %s: request %s (to %s) is pending', m.id, e.id, e.requested_to)
             FROM reloc.extension_request e WHERE e.milestone_id = m.id AND e.state = 'pending' LIMIT 1));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.extension_request_before_insert() FROM PUBLIC;

CREATE OR REPLACE TRIGGER extension_request_before_insert BEFORE INSERT ON reloc.extension_request
    FOR EACH ROW EXECUTE FUNCTION reloc.extension_request_before_insert();

-- A request on a milestone — an extension asked here, a completion submitted (68_review.sql) —
-- writes the milestone's row, not only locks it: a direct close whose snapshot is older than the
-- request (a REPEATABLE READ transaction begun before it committed) then fails with a
-- serialization error (40001, the CLI's 75: try again, and the close is then refused or lapses
-- the request with words) instead of closing past a request it never saw — the completion left
-- 待审核 on a closed milestone, the extension pending. A READ COMMITTED close waits for the lock
-- and reads the request, as before. The write is updated_at (milestone_before_write stamps it),
-- as the database: the body asking may not be one that may edit the milestone.
CREATE OR REPLACE FUNCTION reloc.milestone_request_written() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME NOT IN ('completion_review', 'extension_request')
       OR TG_OP <> 'INSERT' OR TG_WHEN <> 'AFTER' OR TG_LEVEL <> 'ROW' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'reloc.milestone_request_written follows new completion submissions and extension requests only';
    END IF;
    UPDATE reloc.milestone m SET updated_at = now() WHERE m.id = NEW.milestone_id;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_request_written() FROM PUBLIC;
COMMENT ON FUNCTION reloc.milestone_request_written() IS
    'AFTER INSERT trigger of completion_review and extension_request: writes the milestone''s row, so that a REPEATABLE READ close older than the request fails (40001) instead of skipping it.';

CREATE OR REPLACE TRIGGER extension_request_writes_milestone AFTER INSERT ON reloc.extension_request
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_request_written();

-- A decision, once: only a pending request is decided, only its decision changes, by the province;
-- stamped with the province's login and the time. Approved: to the date asked unless the province
-- gives another, still later than the milestone's due date, the milestone still open. Rejected:
-- with a note (why), and no date. Lapsed: only as the database, when the milestone is closed
-- (extension_request_lapses below).
CREATE OR REPLACE FUNCTION reloc.extension_request_before_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m reloc.milestone;
BEGIN
    IF OLD.state = 'pending' AND NEW.state = 'lapsed' AND current_user = 'reloc_owner' THEN
        NEW.decided_to := NULL;
        NEW.decided_by := reloc.acting_login();
        NEW.decided_at := now();
        RETURN NEW;
    END IF;
    IF OLD.state = 'lapsed' THEN
        -- The loser of a race with the close (accepted, 销号, or closed directly): words, not a moved
        -- due date on a closed milestone.
        PERFORM reloc.raise_rule('extension_request_open_milestone',
            format('request %s lapsed on %s: %s', OLD.id, reloc.local_date(OLD.decided_at), OLD.decision_note));
    END IF;
    PERFORM reloc.decided_once(TG_TABLE_NAME, format('request %s', OLD.id), OLD.state, OLD.decided_at,
        (NEW.id, NEW.milestone_id, NEW.requested_by, NEW.login, NEW.requested_at, NEW.due_on, NEW.requested_to,
         NEW.reason, NEW.evidence)
        IS NOT DISTINCT FROM (OLD.id, OLD.milestone_id, OLD.requested_by, OLD.login, OLD.requested_at, OLD.due_on,
                              OLD.requested_to, OLD.reason, OLD.evidence),
        format('extension request %s is decided by the province (省政府), not by the body that asked', OLD.id),
        'the province approves or rejects: reloc extension list --pending');
    NEW.state := lower(btrim(NEW.state));
    NEW.decision_note := reloc.trim_space(NEW.decision_note);
    NEW.decided_by := reloc.acting_login();
    NEW.decided_at := now();
    IF NEW.state = 'approved' THEN
        -- Locked: an acceptance (销号) or a close in another session is waited for and then seen,
        -- so that the approval never moves the due date of a milestone closed meanwhile. The close
        -- itself never waits for this request (extension_request_lapses: NOWAIT): no deadlock.
        SELECT * INTO m FROM reloc.milestone WHERE id = OLD.milestone_id FOR NO KEY UPDATE;
        NEW.decided_to := coalesce(NEW.decided_to, OLD.requested_to);
        IF m.done_on IS NOT NULL THEN
            PERFORM reloc.raise_rule('extension_request_open_milestone', format('milestone %s was done on %s', m.id, m.done_on));
        END IF;
        IF NEW.decided_to > DATE '2100-12-31' THEN
            PERFORM reloc.raise_rule('extension_request_horizon', format('milestone %s: approved to %s', m.id, NEW.decided_to));
        END IF;
        IF NEW.decided_to <= m.due_on OR NEW.decided_to <= OLD.due_on THEN
            PERFORM reloc.raise_rule('extension_request_later',
                format('milestone %s is due on %s; approved to %s', m.id, m.due_on, NEW.decided_to));
        END IF;
    ELSIF NEW.state = 'rejected' THEN
        IF NEW.decided_to IS NOT NULL OR NEW.decision_note IS NULL THEN
            PERFORM reloc.raise_rule('extension_request_decision',
                format('request %s: a rejection gives no date and says why', OLD.id));
        END IF;
    ELSIF NEW.state = 'pending' THEN
        PERFORM reloc.raise_rule('extension_request_decision', format('request %s: approved or rejected', OLD.id));
    ELSIF NEW.state = 'lapsed' THEN
        PERFORM reloc.raise_rule('extension_request_lapsed', format('request %s', OLD.id));
    ELSE
        PERFORM reloc.raise_rule('extension_request_state', format('"%s"', NEW.state));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.extension_request_before_update() FROM PUBLIC;

CREATE OR REPLACE TRIGGER extension_request_before_update BEFORE UPDATE ON reloc.extension_request
    FOR EACH ROW EXECUTE FUNCTION reloc.extension_request_before_update();

-- The history is kept: no request is deleted (no grant either; this stops the owner too).
CREATE OR REPLACE FUNCTION reloc.extension_request_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('extension_request_decided', format('%s of extension requests', lower(TG_OP)));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.extension_request_kept() FROM PUBLIC;

CREATE OR REPLACE TRIGGER extension_request_kept BEFORE DELETE ON reloc.extension_request
    FOR EACH ROW EXECUTE FUNCTION reloc.extension_request_kept();
CREATE OR REPLACE TRIGGER extension_request_no_truncate BEFORE TRUNCATE ON reloc.extension_request
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.extension_request_kept();

-- An approval moves the milestone's due date, as the database (the asker has no right to move it;
-- the province's approval is the authority). The reminder ledger is keyed by the due date
-- (reminder_once), so the moved milestone is reminded afresh; a digest not yet sent that lists the
-- old date is stale and recomposed (remind_supersede).
CREATE OR REPLACE FUNCTION reloc.extension_request_approved() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'extension_request' OR TG_OP <> 'UPDATE' OR TG_WHEN <> 'AFTER' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'reloc.extension_request_approved follows decisions only';
    END IF;
    UPDATE reloc.milestone m SET due_on = NEW.decided_to WHERE m.id = NEW.milestone_id;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.extension_request_approved() FROM PUBLIC;

CREATE OR REPLACE TRIGGER extension_request_approved AFTER UPDATE ON reloc.extension_request
    FOR EACH ROW WHEN (OLD.state = 'pending' AND NEW.state = 'approved')
    EXECUTE FUNCTION reloc.extension_request_approved();

-- A pending request on a milestone that gets closed (accepted, 销号; closed directly; closed by a
-- recorded step) has no due date left to move: it lapses (已失效), stamped with the login that
-- closed it, and stays in the milestone's history; it is no extension granted. As the database
-- (the one closing may not decide requests). The request is locked NOWAIT: if the province is
-- deciding it in another session at this moment (that session holds it and waits for this
-- milestone), the close is refused in words rather than deadlocked — the decision comes first.
CREATE OR REPLACE FUNCTION reloc.extension_request_lapses() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'milestone' OR TG_OP <> 'UPDATE' OR TG_WHEN <> 'AFTER' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'reloc.extension_request_lapses follows closed milestones only';
    END IF;
    BEGIN
        PERFORM FROM reloc.extension_request e WHERE e.milestone_id = NEW.id AND e.state = 'pending' FOR UPDATE NOWAIT;
    EXCEPTION WHEN lock_not_available THEN
        PERFORM reloc.raise_rule('milestone_close_extension_deciding',
            (SELECT format('milestone %s: extension request %s (to %s) is being decided', NEW.id, e.id, e.requested_to)
             FROM reloc.extension_request e WHERE e.milestone_id = NEW.id AND e.state = 'pending' LIMIT 1));
    END;
    UPDATE reloc.extension_request e
    SET state = 'lapsed', decision_note = format('milestone closed on %s before the decision', NEW.done_on)
    WHERE e.milestone_id = NEW.id AND e.state = 'pending';
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.extension_request_lapses() FROM PUBLIC;

-- AFTER UPDATE, not UPDATE OF done_on: a step closes a milestone whose kind or subject changes
-- (milestone_step_link sets done_on in a BEFORE trigger, which no column list sees; hostile review).
CREATE OR REPLACE TRIGGER extension_request_lapses AFTER UPDATE ON reloc.milestone
    FOR EACH ROW WHEN (OLD.done_on IS NULL AND NEW.done_on IS NOT NULL)
    EXECUTE FUNCTION reloc.extension_request_lapses();

-- The database lapses pending requests (the function above runs as the owner; row-level security
-- is forced on it).
DROP POLICY IF EXISTS extension_request_lapse ON reloc.extension_request;
CREATE POLICY extension_request_lapse ON reloc.extension_request FOR UPDATE TO reloc_owner
    USING (state = 'pending') WITH CHECK (state = 'lapsed');
