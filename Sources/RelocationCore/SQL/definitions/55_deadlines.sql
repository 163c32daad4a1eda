-- Deadlines follow steps.
-- Milestones the programme's rules create (milestone_rule), linked to the plan's and enterprise's steps, which
-- close them.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

DROP POLICY IF EXISTS milestone_step_read ON reloc.milestone_step;
CREATE POLICY milestone_step_read ON reloc.milestone_step FOR SELECT TO reloc_app, reloc_owner, reloc_reminder USING (true);

-- The first recorded step that satisfies a milestone of this kind on this plan or enterprise. A
-- step undone by the province's correction (status_correction, 0021) satisfies nothing; an
-- approval step is dated by the plan's approval as it stands (a corrected approval, §四(一)).
CREATE OR REPLACE FUNCTION reloc.milestone_step_of(milestone_kind text, plan_ref bigint, enterprise_ref bigint,
                                        OUT plan_step bigint, OUT enterprise_step bigint, OUT on_date date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.plan_step, s.enterprise_step, s.on_date FROM (
        SELECT c.id AS plan_step, NULL::bigint AS enterprise_step,
               CASE WHEN c.to_status = 'approved' THEN coalesce(p.approved_on, c.on_date) ELSE c.on_date END AS on_date,
               c.id AS seq
        FROM reloc.plan_status_change c
        JOIN reloc.plan p ON p.id = c.plan_id
        JOIN reloc.milestone_step ms ON ms.subject = 'plan' AND ms.kind = milestone_kind AND ms.status = c.to_status
        WHERE c.plan_id = plan_ref
          AND NOT EXISTS (SELECT FROM reloc.status_correction x WHERE x.undone_plan_step = c.id)
        UNION ALL
        SELECT NULL, c.id, c.on_date, c.id
        FROM reloc.enterprise_status_change c
        JOIN reloc.milestone_step ms ON ms.subject = 'enterprise' AND ms.kind = milestone_kind AND ms.status = c.to_status
        WHERE c.enterprise_id = enterprise_ref
          AND NOT EXISTS (SELECT FROM reloc.status_correction x WHERE x.undone_enterprise_step = c.id)
    ) s ORDER BY s.on_date, s.seq LIMIT 1
$$;
REVOKE ALL ON FUNCTION reloc.milestone_step_of(text,bigint,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.milestone_step_of(text,bigint,bigint) TO reloc_app;
GRANT EXECUTE ON FUNCTION reloc.milestone_step_of(text,bigint,bigint) TO reloc_reminder;

-- Named to run after the other BEFORE triggers of milestone (name order). Computes the link from
-- the histories whatever the client wrote: a milestone whose step is recorded is done on its date
-- (created closed, closed by the step, never reopened or re-dated by hand); one closed by hand
-- before its step was recorded stays as it was closed. Due dates: due_follows is the database's;
-- a due date moved by hand to another day than the plan's deadline stops following.
CREATE OR REPLACE FUNCTION reloc.milestone_step_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    step record;
    followed date;
    same_subject boolean := TG_OP = 'UPDATE' AND NEW.kind = OLD.kind AND NEW.plan_id IS NOT DISTINCT FROM OLD.plan_id
                            AND NEW.enterprise_id IS NOT DISTINCT FROM OLD.enterprise_id;
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'milestone' OR TG_WHEN <> 'BEFORE' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'reloc.milestone_step_link links milestones only';
    END IF;
    -- The due date and what it follows.
    IF TG_OP = 'INSERT' THEN
        NEW.due_moved_by_hand_on := NULL;
    ELSE
        NEW.due_moved_by_hand_on := OLD.due_moved_by_hand_on;
        NEW.due_follows := CASE WHEN same_subject THEN OLD.due_follows END;
    END IF;
    IF NEW.due_follows IS NOT NULL THEN
        SELECT CASE NEW.due_follows WHEN 'compile_by' THEN p.compile_by ELSE p.basic_completion_by END INTO followed
        FROM reloc.plan p WHERE p.id = NEW.plan_id;
        IF followed IS NULL
           OR NEW.kind <> (CASE NEW.due_follows WHEN 'compile_by' THEN 'plan-compiled' ELSE 'basic-completion' END) THEN
            NEW.due_follows := NULL;
        ELSIF NEW.due_on <> followed THEN
            NEW.due_follows := NULL;
            IF TG_OP = 'UPDATE' THEN
                NEW.due_moved_by_hand_on := reloc.today();
            END IF;
        END IF;
    END IF;

    -- The step.
    NEW.done_by_plan_step := CASE WHEN same_subject THEN OLD.done_by_plan_step END;
    NEW.done_by_enterprise_step := CASE WHEN same_subject THEN OLD.done_by_enterprise_step END;
    IF NOT EXISTS (SELECT FROM reloc.milestone_step ms WHERE ms.kind = NEW.kind
                   AND ms.subject = CASE WHEN NEW.plan_id IS NOT NULL THEN 'plan' WHEN NEW.enterprise_id IS NOT NULL THEN 'enterprise' END)
    THEN
        RETURN NEW;
    END IF;
    IF NEW.done_by_plan_step IS NOT NULL OR NEW.done_by_enterprise_step IS NOT NULL THEN
        IF NEW.done_on IS DISTINCT FROM OLD.done_on THEN
            -- Only the database moves it: its step's date as it now stands (a corrected approval),
            -- or, its step undone by a correction, reopened (or closed by an earlier step).
            SELECT * INTO step FROM reloc.milestone_step_of(NEW.kind, NEW.plan_id, NEW.enterprise_id);
            IF (step.plan_step, step.enterprise_step) IS NOT DISTINCT FROM (OLD.done_by_plan_step, OLD.done_by_enterprise_step)
               AND NEW.done_on IS NOT DISTINCT FROM step.on_date THEN
                RETURN NEW;
            END IF;
            IF EXISTS (SELECT FROM reloc.status_correction x
                       WHERE x.undone_plan_step = OLD.done_by_plan_step OR x.undone_enterprise_step = OLD.done_by_enterprise_step)
            THEN
                NEW.done_on := step.on_date;
                NEW.done_by_plan_step := step.plan_step;
                NEW.done_by_enterprise_step := step.enterprise_step;
                RETURN NEW;
            END IF;
            PERFORM reloc.raise_rule('milestone_closed_by_step',
                format('milestone %s (%s) was closed on %s by the %s step %s', OLD.id, OLD.kind, OLD.done_on,
                       CASE WHEN OLD.plan_id IS NOT NULL THEN 'plan' ELSE 'enterprise' END,
                       coalesce(OLD.done_by_plan_step, OLD.done_by_enterprise_step)));
        END IF;
        RETURN NEW;
    END IF;
    SELECT * INTO step FROM reloc.milestone_step_of(NEW.kind, NEW.plan_id, NEW.enterprise_id);
    IF step.on_date IS NULL THEN
        RETURN NEW;  -- not yet recorded: open, or closed by hand
    END IF;
    IF TG_OP = 'INSERT' OR NOT same_subject OR (OLD.done_on IS NULL AND NEW.done_on IS NOT DISTINCT FROM step.on_date) THEN
        NEW.done_on := step.on_date;
        NEW.done_by_plan_step := step.plan_step;
        NEW.done_by_enterprise_step := step.enterprise_step;
    ELSIF NEW.done_on IS NULL THEN
        PERFORM reloc.raise_rule('milestone_closed_by_step',
            format('milestone %s (%s): its step was recorded on %s', OLD.id, OLD.kind, step.on_date));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_step_link() FROM PUBLIC;

CREATE OR REPLACE TRIGGER milestone_step_link BEFORE INSERT OR UPDATE ON reloc.milestone
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_step_link();

-- Reopening an open milestone is no step (milestone reopen twice): refused.
CREATE OR REPLACE FUNCTION reloc.milestone_reopen_open() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('milestone_reopen_open', format('milestone %s (%s) is open', OLD.id, OLD.title));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_reopen_open() FROM PUBLIC;

CREATE OR REPLACE TRIGGER milestone_reopen_open BEFORE UPDATE OF done_on ON reloc.milestone
    FOR EACH ROW WHEN (OLD.done_on IS NULL AND NEW.done_on IS NULL) EXECUTE FUNCTION reloc.milestone_reopen_open();

-- The database's own writes of milestones (row-level security is forced on the owner).
DROP POLICY IF EXISTS milestone_by_database_insert ON reloc.milestone;
CREATE POLICY milestone_by_database_insert ON reloc.milestone FOR INSERT TO reloc_owner WITH CHECK (true);

DROP POLICY IF EXISTS milestone_by_database_update ON reloc.milestone;
CREATE POLICY milestone_by_database_update ON reloc.milestone FOR UPDATE TO reloc_owner USING (true) WITH CHECK (true);

------------------------------------------------------------------------------------------------
-- The closing code: a recorded step closes the open milestones it satisfies (same transaction)
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.step_closes_milestones() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_OP <> 'INSERT' OR TG_WHEN <> 'AFTER'
       OR TG_TABLE_NAME NOT IN ('plan_status_change', 'enterprise_status_change') THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'reloc.step_closes_milestones follows recorded steps only';
    END IF;
    IF TG_TABLE_NAME = 'plan_status_change' THEN
        UPDATE reloc.milestone m SET done_on = NEW.on_date
        WHERE m.plan_id = NEW.plan_id AND m.done_on IS NULL
          AND m.kind IN (SELECT ms.kind FROM reloc.milestone_step ms WHERE ms.subject = 'plan' AND ms.status = NEW.to_status);
    ELSE
        UPDATE reloc.milestone m SET done_on = NEW.on_date
        WHERE m.enterprise_id = NEW.enterprise_id AND m.done_on IS NULL
          AND m.kind IN (SELECT ms.kind FROM reloc.milestone_step ms WHERE ms.subject = 'enterprise' AND ms.status = NEW.to_status);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.step_closes_milestones() FROM PUBLIC;

CREATE OR REPLACE TRIGGER step_closes_milestones AFTER INSERT ON reloc.plan_status_change
    FOR EACH ROW EXECUTE FUNCTION reloc.step_closes_milestones();

CREATE OR REPLACE TRIGGER step_closes_milestones AFTER INSERT ON reloc.enterprise_status_change
    FOR EACH ROW EXECUTE FUNCTION reloc.step_closes_milestones();

------------------------------------------------------------------------------------------------
-- A plan's programme milestones: created with it, their due dates follow its deadlines (§三, §四(一))
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.plan_programme_milestones() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'plan' OR TG_WHEN <> 'AFTER' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'reloc.plan_programme_milestones follows plans only';
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- The titles are the reference data's (20_tasks_milestones.sql), which then adds nothing.
        INSERT INTO reloc.milestone (kind, title, due_on, plan_id, note, due_follows)
        SELECT m.kind, m.title || '（' || NEW.name || '）', m.due_on, NEW.id, m.note, m.follows
        FROM (VALUES
            ('plan-compiled', '搬迁改造规划和实施方案编制完成', NEW.compile_by, '§四(一)', 'compile_by'),
            ('basic-completion', '基本完成城区老工业区搬迁改造任务', NEW.basic_completion_by, '§三', 'basic_completion_by')
        ) AS m (kind, title, due_on, note, follows)
        WHERE NOT EXISTS (SELECT FROM reloc.milestone x WHERE x.plan_id = NEW.id AND x.kind = m.kind);
    ELSE
        UPDATE reloc.milestone m SET due_on = NEW.compile_by
        WHERE m.plan_id = NEW.id AND m.due_follows = 'compile_by' AND m.due_on <> NEW.compile_by;
        UPDATE reloc.milestone m SET due_on = NEW.basic_completion_by
        WHERE m.plan_id = NEW.id AND m.due_follows = 'basic_completion_by' AND m.due_on <> NEW.basic_completion_by;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.plan_programme_milestones() FROM PUBLIC;

CREATE OR REPLACE TRIGGER plan_programme_milestones AFTER INSERT ON reloc.plan
    FOR EACH ROW EXECUTE FUNCTION reloc.plan_programme_milestones();

CREATE OR REPLACE TRIGGER plan_programme_milestones_follow AFTER UPDATE OF compile_by, basic_completion_by ON reloc.plan
    FOR EACH ROW WHEN ((OLD.compile_by, OLD.basic_completion_by) IS DISTINCT FROM (NEW.compile_by, NEW.basic_completion_by))
    EXECUTE FUNCTION reloc.plan_programme_milestones();

DROP POLICY IF EXISTS milestone_rule_read ON reloc.milestone_rule;
CREATE POLICY milestone_rule_read ON reloc.milestone_rule FOR SELECT TO reloc_app, reloc_owner, reloc_reminder USING (true);

DROP POLICY IF EXISTS milestone_rule_province_write ON reloc.milestone_rule;
CREATE POLICY milestone_rule_province_write ON reloc.milestone_rule FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

-- Words before the constraints: an unknown kind or both/neither of the two ways is the rule's.
CREATE OR REPLACE FUNCTION reloc.milestone_rule_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.kind := lower(btrim(NEW.kind));
    IF NEW.kind NOT IN ('heritage-surveyed', 'relocation-started', 'relocation-completed') THEN
        PERFORM reloc.raise_rule('milestone_rule_kind', format('"%s"', NEW.kind));
    END IF;
    IF num_nonnulls(NEW.days_after, NEW.due_on) <> 1 OR NEW.days_after NOT BETWEEN 1 AND 3650
       OR NEW.due_on < DATE '2014-01-01' THEN
        PERFORM reloc.raise_rule('milestone_rule_when',
            format('%s: %s days after, due %s', NEW.kind, coalesce(NEW.days_after::text, '-'), coalesce(NEW.due_on::text, '-')));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_rule_before_write() FROM PUBLIC;

CREATE OR REPLACE TRIGGER milestone_rule_before_write BEFORE INSERT OR UPDATE ON reloc.milestone_rule
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_rule_before_write();

-- The milestones the rules give an enterprise registered to relocate (as the database: the city
-- registering it may add milestones to it anyway; the rule is the province's). One registered with
-- its mode unknown (0026), or with another mode (in-situ, close) changed to relocate while no step
-- of that mode is recorded, gets them when the mode becomes relocate, counted from that day (the
-- day it is known to relocate), except a kind it already has.
CREATE OR REPLACE FUNCTION reloc.enterprise_rule_milestones() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'enterprise' OR TG_OP NOT IN ('INSERT', 'UPDATE')
       OR TG_WHEN <> 'AFTER' OR (TG_OP = 'UPDATE' AND (OLD.mode IS NOT DISTINCT FROM 'relocate' OR NEW.mode IS DISTINCT FROM 'relocate')) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'reloc.enterprise_rule_milestones follows new enterprises and modes changed to relocate only';
    END IF;
    INSERT INTO reloc.milestone (kind, title, due_on, enterprise_id, note)
    SELECT r.kind,
           CASE r.kind WHEN 'heritage-surveyed' THEN '工业遗产普查' WHEN 'relocation-started' THEN '开始搬迁'
                       ELSE '完成搬迁' END || '（' || NEW.name || '）',
           coalesce(r.due_on, reloc.today() + r.days_after), NEW.id,
           'rule of plan ' || (SELECT p.code FROM reloc.plan p WHERE p.id = NEW.plan_id)
    FROM reloc.milestone_rule r
    WHERE r.plan_id = NEW.plan_id
      AND NOT EXISTS (SELECT FROM reloc.milestone m WHERE m.enterprise_id = NEW.id AND m.kind = r.kind)
    ORDER BY r.kind;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.enterprise_rule_milestones() FROM PUBLIC;

CREATE OR REPLACE TRIGGER enterprise_rule_milestones AFTER INSERT ON reloc.enterprise
    FOR EACH ROW WHEN (NEW.mode = 'relocate') EXECUTE FUNCTION reloc.enterprise_rule_milestones();

CREATE OR REPLACE TRIGGER enterprise_rule_milestones_mode_set AFTER UPDATE OF mode ON reloc.enterprise
    FOR EACH ROW WHEN (OLD.mode IS DISTINCT FROM 'relocate' AND NEW.mode = 'relocate')
    EXECUTE FUNCTION reloc.enterprise_rule_milestones();

-- A relocation's milestones (relocation-started, relocation-completed) wait for the enterprise's
-- mode: none while it is unknown (0026, §四(二)), whoever adds it (by hand or by a rule).
CREATE OR REPLACE FUNCTION reloc.milestone_mode_known() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e record;
BEGIN
    SELECT x.id, x.name, x.mode INTO e FROM reloc.enterprise x WHERE x.id = NEW.enterprise_id;
    IF FOUND AND e.mode IS NULL THEN
        PERFORM reloc.raise_rule('enterprise_mode_known',
            format('a %s milestone for enterprise %s (%s), whose mode is unknown', NEW.kind, e.id, e.name));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_mode_known() FROM PUBLIC;

CREATE OR REPLACE TRIGGER milestone_mode_known BEFORE INSERT OR UPDATE OF kind, enterprise_id ON reloc.milestone
    FOR EACH ROW WHEN (NEW.enterprise_id IS NOT NULL AND NEW.kind IN ('relocation-started', 'relocation-completed'))
    EXECUTE FUNCTION reloc.milestone_mode_known();
