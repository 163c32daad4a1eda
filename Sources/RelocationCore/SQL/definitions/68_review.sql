-- Completion review (办结审核, 销号, 退办; issue 15 督办): for the milestones the province reviews, a
-- body other than the province submits the completion with evidence; the province accepts it
-- (销号: the milestone is closed on the day submitted) or returns it (退办: open again).
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

DROP POLICY IF EXISTS review_kind_read ON reloc.review_kind;
CREATE POLICY review_kind_read ON reloc.review_kind FOR SELECT TO reloc_app, reloc_reminder, reloc_owner USING (true);
DROP POLICY IF EXISTS review_kind_province_write ON reloc.review_kind;
CREATE POLICY review_kind_province_write ON reloc.review_kind FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

CREATE OR REPLACE FUNCTION reloc.review_kind_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.kind := lower(btrim(NEW.kind));
    NEW.created_at := now();
    IF NEW.kind NOT IN ('plan-compiled', 'risk-assessed', 'approved', 'relocation-started', 'relocation-completed',
                        'heritage-surveyed', 'site-assessed', 'site-released', 'basic-completion', 'custom') THEN
        PERFORM reloc.raise_rule('review_kind_kind', format('"%s"', NEW.kind));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.review_kind_before_insert() FROM PUBLIC;

CREATE OR REPLACE TRIGGER review_kind_before_insert BEFORE INSERT ON reloc.review_kind
    FOR EACH ROW EXECUTE FUNCTION reloc.review_kind_before_insert();

-- Is a milestone of this kind, on this task (or none), plan or enterprise, one whose completion
-- the province reviews? Its kind is reviewed, or it is a task's and task milestones are; never
-- one a recorded step closes (milestone_step: the step is the evidence).
CREATE OR REPLACE FUNCTION reloc.milestone_reviewed(milestone_kind text, task_ref bigint, plan_ref bigint, enterprise_ref bigint)
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (EXISTS (SELECT FROM reloc.review_kind k WHERE k.kind = milestone_kind)
            OR (task_ref IS NOT NULL AND (SELECT s.review_task_milestones FROM reloc.supervision_setting s)))
       AND NOT EXISTS (SELECT FROM reloc.milestone_step ms
                       WHERE ms.kind = milestone_kind
                         AND ms.subject = CASE WHEN plan_ref IS NOT NULL THEN 'plan'
                                               WHEN enterprise_ref IS NOT NULL THEN 'enterprise' END)
$$;
COMMENT ON FUNCTION reloc.milestone_reviewed(text, bigint, bigint, bigint) IS
    'True if the completion of such a milestone is reviewed by the province (办结审核): its kind is in review_kind, or it is a task''s and the setting says so; never one a recorded step closes.';
REVOKE ALL ON FUNCTION reloc.milestone_reviewed(text, bigint, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.milestone_reviewed(text, bigint, bigint, bigint) TO reloc_app, reloc_reminder;

-- A reviewed milestone is closed by the province: its owner, city or department submits the
-- completion (completion_review) instead. A step closing it (done_by_*_step, set by
-- milestone_step_link, which fires before this trigger: name order) and the province pass; so
-- does the acceptance (completion_review_accepted, as the database: current_user is then the
-- owner, which no application role can become).
CREATE OR REPLACE FUNCTION reloc.milestone_under_review_close() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.done_on IS NOT DISTINCT FROM OLD.done_on THEN
        RETURN NEW;
    END IF;
    -- A completion under review is answered before the milestone is closed, by anyone, the
    -- province included: a provincial office answers a department's submission (its evidence, the
    -- day it says the work was done) by accepting it (销号, which closes the milestone on that day)
    -- or returning it (退办), and the answer is recorded. A direct close would leave the
    -- submission unanswered (still 待审核 in the province's digest) and the milestone done on a day
    -- nobody evidenced. The acceptance passes: its row is no longer pending when it closes the
    -- milestone. (A recorded step never closes a reviewed milestone: milestone_reviewed.)
    IF TG_OP = 'UPDATE' AND OLD.done_on IS NULL AND NEW.done_on IS NOT NULL THEN
        PERFORM reloc.raise_rule('milestone_done_under_review',
            format('milestone %s: completion %s (done on %s, submitted by %s) is under review', NEW.id, c.id, c.done_on,
                   (SELECT o.code FROM reloc.organisation o WHERE o.id = c.requested_by)))
        FROM reloc.completion_review c WHERE c.milestone_id = NEW.id AND c.state = 'pending';
    END IF;
    IF NEW.done_by_plan_step IS NULL AND NEW.done_by_enterprise_step IS NULL
       AND reloc.milestone_reviewed(NEW.kind, NEW.task_id, NEW.plan_id, NEW.enterprise_id)
       AND current_user <> 'reloc_owner' AND NOT reloc.acting_is_province() THEN
        IF NEW.done_on IS NOT NULL THEN
            PERFORM reloc.raise_rule('milestone_done_reviewed',
                format('milestone %s (%s) is reviewed by the province', coalesce(NEW.id::text, '(new)'), NEW.kind));
        END IF;
        -- Reopening what the province struck off (销号) undoes its decision: the province's alone
        -- (hostile review: a department reopened an accepted milestone, its review still "accepted").
        IF EXISTS (SELECT FROM reloc.completion_review r WHERE r.milestone_id = NEW.id AND r.state = 'accepted') THEN
            PERFORM reloc.raise_rule('milestone_reopen_reviewed', format('milestone %s', NEW.id));
        END IF;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_under_review_close() FROM PUBLIC;

-- Every UPDATE (the function returns at once when done_on did not change): a change of kind or
-- subject closes a milestone through milestone_step_link, which UPDATE OF done_on never saw.
CREATE OR REPLACE TRIGGER milestone_under_review_close BEFORE INSERT OR UPDATE ON reloc.milestone
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_under_review_close();

DROP POLICY IF EXISTS completion_review_read ON reloc.completion_review;
CREATE POLICY completion_review_read ON reloc.completion_review FOR SELECT TO reloc_app, reloc_reminder, reloc_owner
    USING (true);
DROP POLICY IF EXISTS completion_review_insert ON reloc.completion_review;
CREATE POLICY completion_review_insert ON reloc.completion_review FOR INSERT TO reloc_app
    WITH CHECK (reloc.milestone_closable_by(milestone_id, (SELECT reloc.acting_org_ids())));
DROP POLICY IF EXISTS completion_review_decide ON reloc.completion_review;
CREATE POLICY completion_review_decide ON reloc.completion_review FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

-- Stamps who and when, whatever the client wrote; the day done defaults to today. Submitted by a
-- body that may close the milestone, not the province (it closes directly), for a reviewed
-- milestone still open, with evidence, on a day within the programme and not in the future, one
-- pending at a time.
CREATE OR REPLACE FUNCTION reloc.completion_review_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acting constant bigint[] := reloc.acting_org_ids();
    province constant boolean := reloc.acting_is_province();
    m reloc.milestone;
BEGIN
    NEW.requested_by := reloc.reporting_org_id(acting, province);
    NEW.login := reloc.acting_login();
    NEW.requested_at := now();
    NEW.state := 'pending';
    NEW.decided_by := NULL;
    NEW.decided_at := NULL;
    NEW.decision_note := NULL;
    NEW.done_on := coalesce(NEW.done_on, reloc.today());
    -- Counted from the day on the programme's own calendar (the database's zone), as authority
    -- is: the session's reloc.timezone, anyone's to set, moved the province's deadline by a
    -- working day (hostile review, 2026-12-02).
    NEW.review_by := reloc.add_working_days((NEW.requested_at AT TIME ZONE reloc.database_zone())::date,
                                            (SELECT s.review_within FROM reloc.supervision_setting s)::integer);
    NEW.note := reloc.trim_space(NEW.note);
    NEW.evidence := coalesce(ARRAY(SELECT reloc.trim_space(x) FROM unnest(NEW.evidence) AS x
                                   WHERE reloc.trim_space(x) IS NOT NULL), '{}');
    SELECT * INTO m FROM reloc.milestone WHERE id = NEW.milestone_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key says so
    END IF;
    IF NOT reloc.milestone_closable_by(m.id, acting) AND NOT province THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('milestone %s is not yours to submit: the body that may close it submits its completion', m.id),
            HINT = 'see reloc milestone list --mine, or act as the responsible organisation (--as ORG)';
    END IF;
    -- Read again, locked: a close in another session is waited for and seen (then refused in words).
    SELECT * INTO m FROM reloc.milestone WHERE id = NEW.milestone_id FOR NO KEY UPDATE;
    IF province OR m.done_on IS NOT NULL OR NOT reloc.milestone_reviewed(m.kind, m.task_id, m.plan_id, m.enterprise_id) THEN
        PERFORM reloc.raise_rule('completion_review_reviewed',
            format('milestone %s (%s): %s', m.id, m.kind,
                   CASE WHEN province THEN 'the province closes it directly'
                        WHEN m.done_on IS NOT NULL THEN 'done on ' || m.done_on
                        ELSE 'its completion is not reviewed' END));
    END IF;
    IF cardinality(NEW.evidence) = 0 THEN
        PERFORM reloc.raise_rule('completion_review_evidence', format('milestone %s', m.id));
    END IF;
    IF NEW.done_on > reloc.today() OR NEW.done_on < reloc.programme_began() THEN
        PERFORM reloc.raise_rule('milestone_done_dates',
            format('milestone %s done on %s; the programme began on %s and today is %s', m.id, NEW.done_on,
                   reloc.programme_began(), reloc.today()));
    END IF;
    IF EXISTS (SELECT FROM reloc.completion_review c WHERE c.milestone_id = m.id AND c.state = 'pending') THEN
        PERFORM reloc.raise_rule('completion_review_one_pending',
            (SELECT format('milestone %s: completion %s (done on %s) is under review', m.id, c.id, c.done_on)
             FROM reloc.completion_review c WHERE c.milestone_id = m.id AND c.state = 'pending' LIMIT 1));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.completion_review_before_insert() FROM PUBLIC;

CREATE OR REPLACE TRIGGER completion_review_before_insert BEFORE INSERT ON reloc.completion_review
    FOR EACH ROW EXECUTE FUNCTION reloc.completion_review_before_insert();

-- The submission writes its milestone's row (reloc.milestone_request_written, 67_extensions.sql).
CREATE OR REPLACE TRIGGER completion_review_writes_milestone AFTER INSERT ON reloc.completion_review
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_request_written();

-- A decision, once, by the province: accepted (the milestone still open) or returned with a
-- reason; nothing else of the submission changes.
CREATE OR REPLACE FUNCTION reloc.completion_review_before_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m reloc.milestone;
BEGIN
    PERFORM reloc.decided_once(TG_TABLE_NAME, format('completion %s', OLD.id), OLD.state, OLD.decided_at,
        (NEW.id, NEW.milestone_id, NEW.requested_by, NEW.login, NEW.requested_at, NEW.done_on, NEW.review_by,
         NEW.evidence, NEW.note)
        IS NOT DISTINCT FROM (OLD.id, OLD.milestone_id, OLD.requested_by, OLD.login, OLD.requested_at, OLD.done_on,
                              OLD.review_by, OLD.evidence, OLD.note),
        format('completion %s is accepted or returned by the province (省政府), not by the body that submitted it', OLD.id),
        'the province reviews: reloc review list');
    NEW.state := lower(btrim(NEW.state));
    NEW.decision_note := reloc.trim_space(NEW.decision_note);
    NEW.decided_by := reloc.acting_login();
    NEW.decided_at := now();
    IF NEW.state = 'accepted' THEN
        -- Locked: an extension approved in another session is waited for (then this closes the
        -- milestone with the due date it moved, as if one came after the other); a close is waited
        -- for and seen. Pending extension requests lapse when this closes it (67_extensions.sql).
        SELECT * INTO m FROM reloc.milestone WHERE id = OLD.milestone_id FOR NO KEY UPDATE;
        IF m.done_on IS NOT NULL THEN
            PERFORM reloc.raise_rule('completion_review_reviewed',
                format('milestone %s was closed on %s meanwhile: return the completion', m.id, m.done_on));
        END IF;
    ELSIF NEW.state = 'returned' THEN
        IF NEW.decision_note IS NULL THEN
            PERFORM reloc.raise_rule('completion_review_decision', format('completion %s: a return says why', OLD.id));
        END IF;
    ELSIF NEW.state = 'pending' THEN
        PERFORM reloc.raise_rule('completion_review_decision', format('completion %s: accepted or returned', OLD.id));
    ELSE
        PERFORM reloc.raise_rule('completion_review_state', format('"%s"', NEW.state));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.completion_review_before_update() FROM PUBLIC;

CREATE OR REPLACE TRIGGER completion_review_before_update BEFORE UPDATE ON reloc.completion_review
    FOR EACH ROW EXECUTE FUNCTION reloc.completion_review_before_update();

CREATE OR REPLACE FUNCTION reloc.completion_review_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('completion_review_decided', format('%s of completions under review', lower(TG_OP)));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.completion_review_kept() FROM PUBLIC;

CREATE OR REPLACE TRIGGER completion_review_kept BEFORE DELETE ON reloc.completion_review
    FOR EACH ROW EXECUTE FUNCTION reloc.completion_review_kept();
CREATE OR REPLACE TRIGGER completion_review_no_truncate BEFORE TRUNCATE ON reloc.completion_review
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.completion_review_kept();

-- 销号: the acceptance closes the milestone on the day submitted, as the database (the province
-- acts; the milestone's own triggers check the date again).
CREATE OR REPLACE FUNCTION reloc.completion_review_accepted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'completion_review' OR TG_OP <> 'UPDATE' OR TG_WHEN <> 'AFTER' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'reloc.completion_review_accepted follows decisions only';
    END IF;
    UPDATE reloc.milestone m SET done_on = NEW.done_on WHERE m.id = NEW.milestone_id AND m.done_on IS NULL;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.completion_review_accepted() FROM PUBLIC;

CREATE OR REPLACE TRIGGER completion_review_accepted AFTER UPDATE ON reloc.completion_review
    FOR EACH ROW WHEN (OLD.state = 'pending' AND NEW.state = 'accepted')
    EXECUTE FUNCTION reloc.completion_review_accepted();
