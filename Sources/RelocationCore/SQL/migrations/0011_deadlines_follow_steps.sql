-- 0011 deadlines follow the work (issue 14, "Deadlines follow the work"): milestones are closed by
-- the steps they measure, a plan gets its programme milestones when it is created and their due
-- dates follow the province's deadlines, and an enterprise's steps are dated and documented.
--
-- * reloc.milestone_step names, for each kind of milestone that measures a step, the statuses
--   whose step satisfies it (a table, not code). When the step is recorded (a row of
--   plan_status_change or enterprise_status_change, which only the database writes, 0007), the
--   open milestones it satisfies are closed in the same transaction, done_on = the step's date,
--   with a link to the step (done_by_plan_step / done_by_enterprise_step). A milestone whose step
--   is already recorded is created closed. The link is computed by the database from the
--   histories on every write of a milestone: whatever a client writes there is overwritten, so it
--   cannot be forged. The columns do not end in _id: 0004's trigger counts every *_id column as
--   an attachment.
-- * A plan's plan-compiled (due compile_by, §四(一)) and basic-completion (due
--   basic_completion_by, §三) milestones are created with the plan and follow `plan edit
--   --compile-by / --basic-completion-by` (due_follows); a due date moved by hand stops following,
--   recorded in due_moved_by_hand_on (and the audit trail says who).
-- * Enterprises: reloc.enterprise_status_change, written only by the SECURITY DEFINER trigger
--   reloc.enterprise_step_record (dated: not in the future, not before the step before it nor the
--   programme's start); a repeated step is refused (enterprise_status_order), as for plans.
--   reloc.advance_enterprise(id, to, doc, on, note) is `reloc enterprise advance`.
-- * Reopening a milestone that is open is no step: refused (milestone_reopen_open).
--
-- Site milestones (site-assessed, site-released) keep 0005's closing code (reloc.site_closes_milestones);
-- they are listed in milestone_step for the record.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('milestone_closed_by_step', 'milestone', NULL,
 'a milestone closed by the step it measures (a plan''s or an enterprise''s recorded status) is done on that step''s date: it is not reopened or re-dated by hand',
 'a step recorded in error is corrected by the province; see reloc milestone show ID'),
('milestone_reopen_open', 'milestone', NULL,
 'only a milestone that is done can be reopened: this one is open',
 'see reloc milestone show ID'),
('milestone_step_kind', 'milestone_step', NULL,
 'a step closes a milestone of a known kind (plan-compiled, risk-assessed, approved, basic-completion, heritage-surveyed, relocation-started, relocation-completed, site-assessed, site-released), on a plan, an enterprise or a site, at one of that record''s statuses',
 NULL),
('enterprise_status_dates', 'enterprise', '四(二)',
 'each step of an enterprise''s status is dated on or after the step before it, not before the programme began (2014-01-01) and not after today (programme calendar)',
 'give --on the day of the step (reloc enterprise show ID lists its steps)')
ON CONFLICT (name) DO NOTHING;

------------------------------------------------------------------------------------------------
-- Which step closes which milestone
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.milestone_step (
    kind text NOT NULL,
    subject text NOT NULL,   -- what the milestone is attached to: plan, enterprise or site
    status text NOT NULL,    -- a status of that record whose step satisfies the milestone
    CONSTRAINT milestone_step_pkey PRIMARY KEY (kind, subject, status),
    CONSTRAINT milestone_step_kind CHECK (
        (subject = 'plan' AND kind IN ('plan-compiled', 'risk-assessed', 'approved', 'basic-completion')
         AND status IN ('consultation', 'risk-assessed', 'approved', 'implementing', 'basically-complete', 'complete'))
        OR (subject = 'enterprise' AND kind IN ('heritage-surveyed', 'relocation-started', 'relocation-completed')
            AND status IN ('heritage-surveyed', 'relocating', 'relocated', 'closing', 'closed', 'renovating', 'renovated'))
        OR (subject = 'site' AND kind IN ('site-assessed', 'site-released')
            AND status IN ('clean', 'contaminated', 'released')))
);
COMMENT ON TABLE reloc.milestone_step IS
    'For each kind of milestone that measures a step: the statuses of the plan, enterprise or site whose (first) step closes it. custom milestones are closed by hand.';
-- A plan is compiled (编制完成, §四(一)) when it goes to consultation; each later status implies the
-- earlier steps. An enterprise's work starts with relocating, closing or renovating and ends with
-- relocated, closed or renovated (搬迁改造 covers the three modes, §四(二)).
INSERT INTO reloc.milestone_step (kind, subject, status)
SELECT k.kind, k.subject, unnest(k.statuses) FROM (VALUES
    ('plan-compiled', 'plan', ARRAY['consultation', 'risk-assessed', 'approved', 'implementing', 'basically-complete', 'complete']),
    ('risk-assessed', 'plan', ARRAY['risk-assessed', 'approved', 'implementing', 'basically-complete', 'complete']),
    ('approved', 'plan', ARRAY['approved', 'implementing', 'basically-complete', 'complete']),
    ('basic-completion', 'plan', ARRAY['basically-complete', 'complete']),
    ('heritage-surveyed', 'enterprise', ARRAY['heritage-surveyed', 'relocating', 'relocated', 'closing', 'closed', 'renovating', 'renovated']),
    ('relocation-started', 'enterprise', ARRAY['relocating', 'relocated', 'closing', 'closed', 'renovating', 'renovated']),
    ('relocation-completed', 'enterprise', ARRAY['relocated', 'closed', 'renovated']),
    ('site-assessed', 'site', ARRAY['clean', 'contaminated']),
    ('site-released', 'site', ARRAY['released'])
) AS k (kind, subject, statuses);
ALTER TABLE reloc.milestone_step ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY milestone_step_read ON reloc.milestone_step FOR SELECT TO reloc_app, reloc_owner, reloc_reminder USING (true);
REVOKE ALL ON reloc.milestone_step FROM PUBLIC;
GRANT SELECT ON reloc.milestone_step TO reloc_app, reloc_reminder;

------------------------------------------------------------------------------------------------
-- Enterprises: every step dated, documented, kept (written only by the database)
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.enterprise_status_change (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enterprise_id bigint NOT NULL CONSTRAINT enterprise_status_change_enterprise_id_fkey REFERENCES reloc.enterprise (id),
    from_status text NOT NULL,
    to_status text NOT NULL,
    on_date date NOT NULL,
    doc text,
    note text,
    changed_by text NOT NULL,
    changed_by_login text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprise_status_change_enterprise_id_idx ON reloc.enterprise_status_change (enterprise_id, id);
COMMENT ON TABLE reloc.enterprise_status_change IS
    'Every status step of an enterprise: written only by its trigger reloc.enterprise_step_record (SECURITY DEFINER; no application role may write it), never changed.';
ALTER TABLE reloc.enterprise_status_change ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY enterprise_status_change_read ON reloc.enterprise_status_change FOR SELECT TO reloc_app, reloc_owner, reloc_reminder
    USING (true);
CREATE POLICY enterprise_status_change_by_database ON reloc.enterprise_status_change FOR INSERT TO reloc_owner
    WITH CHECK (true);
REVOKE ALL ON reloc.enterprise_status_change FROM PUBLIC;
GRANT SELECT ON reloc.enterprise_status_change TO reloc_app, reloc_reminder;
CREATE TRIGGER history_is_append_only BEFORE UPDATE OR DELETE ON reloc.enterprise_status_change
    FOR EACH ROW EXECUTE FUNCTION reloc.history_is_append_only();

-- Advancing an enterprise to the status it has is no step (as for plans and sites): refused. Two
-- sessions advancing the same enterprise at once: the second waits for the first's row lock, then
-- sees the status it would set and is refused here, so one step is recorded, not two.
CREATE FUNCTION reloc.enterprise_status_unchanged() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('enterprise_status_order',
        format('enterprise %s (%s) is already %s: that step was recorded before', OLD.id, OLD.name, OLD.status));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.enterprise_status_unchanged() FROM PUBLIC;
CREATE TRIGGER enterprise_status_unchanged BEFORE UPDATE OF status ON reloc.enterprise
    FOR EACH ROW WHEN (OLD.status = NEW.status) EXECUTE FUNCTION reloc.enterprise_status_unchanged();

-- Runs last of the enterprise's BEFORE triggers (name order). SECURITY DEFINER: it alone writes
-- enterprise_status_change. The date comes from reloc.enterprise_on (input, like --on), checked
-- against the enterprise's own history, today and the programme's start.
CREATE FUNCTION reloc.enterprise_step_record() RETURNS trigger
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
    step_on := coalesce(nullif(current_setting('reloc.enterprise_on', true), '')::date, reloc.today());
    SELECT max(c.on_date) INTO last_on FROM reloc.enterprise_status_change c WHERE c.enterprise_id = OLD.id;
    IF step_on > reloc.today() OR step_on < reloc.programme_began() OR step_on < last_on THEN
        PERFORM reloc.raise_rule('enterprise_status_dates',
            format('enterprise %s (%s): %s → %s dated %s; the step before it is dated %s, the programme began on %s and today is %s',
                   OLD.id, OLD.name, OLD.status, NEW.status, step_on, coalesce(last_on::text, '-'),
                   reloc.programme_began(), reloc.today()));
    END IF;
    INSERT INTO reloc.enterprise_status_change (enterprise_id, from_status, to_status, on_date, doc, note, changed_by,
                                                changed_by_login, changed_at)
    VALUES (OLD.id, OLD.status, NEW.status, step_on, nullif(current_setting('reloc.enterprise_doc', true), ''),
            nullif(current_setting('reloc.enterprise_note', true), ''), reloc.acting_role(), session_user, now());
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.enterprise_step_record() FROM PUBLIC;
CREATE TRIGGER enterprise_step_record BEFORE UPDATE ON reloc.enterprise
    FOR EACH ROW EXECUTE FUNCTION reloc.enterprise_step_record();

-- `reloc enterprise advance ID --to STATUS [--on DATE] [--doc 文号] [--note]`. Errors: P0002 no such
-- enterprise; 42501 not the caller's; 23514 enterprise_status_order / _dates / _matches_mode.
CREATE FUNCTION reloc.advance_enterprise(enterprise_ref bigint, to_status text, doc text DEFAULT NULL,
                                         on_date date DEFAULT NULL, note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed integer;
BEGIN
    IF NOT EXISTS (SELECT FROM reloc.enterprise e WHERE e.id = enterprise_ref) THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = format('no enterprise %s', enterprise_ref),
            HINT = 'see reloc enterprise list';
    END IF;
    PERFORM set_config('reloc.enterprise_doc', coalesce(reloc.trim_space(doc), ''), true),
            set_config('reloc.enterprise_on', coalesce(to_char(on_date, 'YYYY-MM-DD'), ''), true),
            set_config('reloc.enterprise_note', coalesce(reloc.trim_space(note), ''), true);
    UPDATE reloc.enterprise e SET status = to_status WHERE e.id = enterprise_ref;
    GET DIAGNOSTICS changed = ROW_COUNT;
    PERFORM set_config('reloc.enterprise_doc', '', true), set_config('reloc.enterprise_on', '', true),
            set_config('reloc.enterprise_note', '', true);
    IF changed = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('enterprise %s is not yours to advance', enterprise_ref),
            HINT = 'a city government advances the enterprises of its own city; the province any enterprise';
    END IF;
END $$;
REVOKE ALL ON FUNCTION reloc.advance_enterprise(bigint, text, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.advance_enterprise(bigint, text, text, date, text) TO reloc_app;

------------------------------------------------------------------------------------------------
-- Milestones: the link to the step, and due dates that follow the plan's deadlines
------------------------------------------------------------------------------------------------
ALTER TABLE reloc.milestone
    ADD COLUMN done_by_plan_step bigint CONSTRAINT milestone_done_by_plan_step_fkey REFERENCES reloc.plan_status_change (id),
    ADD COLUMN done_by_enterprise_step bigint
        CONSTRAINT milestone_done_by_enterprise_step_fkey REFERENCES reloc.enterprise_status_change (id),
    ADD COLUMN due_follows text CONSTRAINT milestone_due_follows_check CHECK (due_follows IN ('compile_by', 'basic_completion_by')),
    ADD COLUMN due_moved_by_hand_on date;
COMMENT ON COLUMN reloc.milestone.done_by_plan_step IS 'The plan step (plan_status_change) that closed it; set only by the database.';
COMMENT ON COLUMN reloc.milestone.done_by_enterprise_step IS 'The enterprise step (enterprise_status_change) that closed it; set only by the database.';
COMMENT ON COLUMN reloc.milestone.due_follows IS 'The plan deadline its due date follows (compile_by, basic_completion_by); NULL once moved by hand.';
COMMENT ON COLUMN reloc.milestone.due_moved_by_hand_on IS 'The day its due date was moved by hand, after which it no longer follows the plan''s deadline.';

-- The first recorded step that satisfies a milestone of this kind on this plan or enterprise.
CREATE FUNCTION reloc.milestone_step_of(milestone_kind text, plan_ref bigint, enterprise_ref bigint,
                                        OUT plan_step bigint, OUT enterprise_step bigint, OUT on_date date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT s.plan_step, s.enterprise_step, s.on_date FROM (
        SELECT c.id AS plan_step, NULL::bigint AS enterprise_step, c.on_date, c.id AS seq
        FROM reloc.plan_status_change c
        JOIN reloc.milestone_step ms ON ms.subject = 'plan' AND ms.kind = milestone_kind AND ms.status = c.to_status
        WHERE c.plan_id = plan_ref
        UNION ALL
        SELECT NULL, c.id, c.on_date, c.id
        FROM reloc.enterprise_status_change c
        JOIN reloc.milestone_step ms ON ms.subject = 'enterprise' AND ms.kind = milestone_kind AND ms.status = c.to_status
        WHERE c.enterprise_id = enterprise_ref
    ) s ORDER BY s.on_date, s.seq LIMIT 1
$$;
REVOKE ALL ON FUNCTION reloc.milestone_step_of(text, bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.milestone_step_of(text, bigint, bigint) TO reloc_app, reloc_reminder;

-- Named to run after the other BEFORE triggers of milestone (name order). Computes the link from
-- the histories whatever the client wrote: a milestone whose step is recorded is done on its date
-- (created closed, closed by the step, never reopened or re-dated by hand); one closed by hand
-- before its step was recorded stays as it was closed. Due dates: due_follows is the database's;
-- a due date moved by hand to another day than the plan's deadline stops following.
CREATE FUNCTION reloc.milestone_step_link() RETURNS trigger
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
CREATE TRIGGER milestone_step_link BEFORE INSERT OR UPDATE ON reloc.milestone
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_step_link();

-- Reopening an open milestone is no step (milestone reopen twice): refused.
CREATE FUNCTION reloc.milestone_reopen_open() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('milestone_reopen_open', format('milestone %s (%s) is open', OLD.id, OLD.title));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_reopen_open() FROM PUBLIC;
CREATE TRIGGER milestone_reopen_open BEFORE UPDATE OF done_on ON reloc.milestone
    FOR EACH ROW WHEN (OLD.done_on IS NULL AND NEW.done_on IS NULL) EXECUTE FUNCTION reloc.milestone_reopen_open();

-- The database's own writes of milestones (row-level security is forced on the owner).
CREATE POLICY milestone_by_database_insert ON reloc.milestone FOR INSERT TO reloc_owner WITH CHECK (true);
CREATE POLICY milestone_by_database_update ON reloc.milestone FOR UPDATE TO reloc_owner USING (true) WITH CHECK (true);

------------------------------------------------------------------------------------------------
-- The closing code: a recorded step closes the open milestones it satisfies (same transaction)
------------------------------------------------------------------------------------------------
CREATE FUNCTION reloc.step_closes_milestones() RETURNS trigger
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
CREATE TRIGGER step_closes_milestones AFTER INSERT ON reloc.plan_status_change
    FOR EACH ROW EXECUTE FUNCTION reloc.step_closes_milestones();
CREATE TRIGGER step_closes_milestones AFTER INSERT ON reloc.enterprise_status_change
    FOR EACH ROW EXECUTE FUNCTION reloc.step_closes_milestones();

------------------------------------------------------------------------------------------------
-- A plan's programme milestones: created with it, their due dates follow its deadlines (§三, §四(一))
------------------------------------------------------------------------------------------------
CREATE FUNCTION reloc.plan_programme_milestones() RETURNS trigger
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
CREATE TRIGGER plan_programme_milestones AFTER INSERT ON reloc.plan
    FOR EACH ROW EXECUTE FUNCTION reloc.plan_programme_milestones();
CREATE TRIGGER plan_programme_milestones_follow AFTER UPDATE OF compile_by, basic_completion_by ON reloc.plan
    FOR EACH ROW WHEN ((OLD.compile_by, OLD.basic_completion_by) IS DISTINCT FROM (NEW.compile_by, NEW.basic_completion_by))
    EXECUTE FUNCTION reloc.plan_programme_milestones();

------------------------------------------------------------------------------------------------
-- Existing data: the programme milestones that carry their plan's deadline follow it; those whose
-- step is already recorded close; plans without their programme milestones get them.
------------------------------------------------------------------------------------------------
UPDATE reloc.milestone m SET due_follows = CASE m.kind WHEN 'plan-compiled' THEN 'compile_by' ELSE 'basic_completion_by' END
FROM reloc.plan p
WHERE p.id = m.plan_id AND ((m.kind = 'plan-compiled' AND m.due_on = p.compile_by)
                            OR (m.kind = 'basic-completion' AND m.due_on = p.basic_completion_by));
UPDATE reloc.milestone m SET done_on = (SELECT s.on_date FROM reloc.milestone_step_of(m.kind, m.plan_id, m.enterprise_id) s)
WHERE m.done_on IS NULL
  AND (SELECT s.on_date FROM reloc.milestone_step_of(m.kind, m.plan_id, m.enterprise_id) s) IS NOT NULL;
INSERT INTO reloc.milestone (kind, title, due_on, plan_id, note, due_follows)
SELECT m.kind, m.title || '（' || p.name || '）', m.due_on, p.id, m.note, m.follows
FROM reloc.plan p
CROSS JOIN LATERAL (VALUES
    ('plan-compiled', '搬迁改造规划和实施方案编制完成', p.compile_by, '§四(一)', 'compile_by'),
    ('basic-completion', '基本完成城区老工业区搬迁改造任务', p.basic_completion_by, '§三', 'basic_completion_by')
) AS m (kind, title, due_on, note, follows)
WHERE NOT EXISTS (SELECT FROM reloc.milestone x WHERE x.plan_id = p.id AND x.kind = m.kind);

------------------------------------------------------------------------------------------------
-- Milestone rules per plan for relocating enterprises (the province's; default none)
------------------------------------------------------------------------------------------------
-- An enterprise registered with mode relocate gets a heritage-surveyed, relocation-started or
-- relocation-completed milestone only if the province set a rule for its plan: so many days after
-- registration, or a fixed date. Without a rule nothing is invented.
INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('milestone_rule_kind', 'milestone_rule', '四(二)',
 'a milestone rule for relocating enterprises is for heritage-surveyed, relocation-started or relocation-completed',
 'reloc milestone rules set PLAN KIND (--days-after N | --due DATE | --none) --as JL'),
('milestone_rule_when', 'milestone_rule', NULL,
 'a milestone rule gives either a number of days after registration (1 to 3650) or a fixed due date from 2014-01-01, not both',
 'reloc milestone rules set PLAN KIND (--days-after N | --due DATE | --none) --as JL')
ON CONFLICT (name) DO NOTHING;

CREATE TABLE reloc.milestone_rule (
    plan_id bigint NOT NULL CONSTRAINT milestone_rule_plan_id_fkey REFERENCES reloc.plan (id),
    kind text NOT NULL CONSTRAINT milestone_rule_kind
        CHECK (kind IN ('heritage-surveyed', 'relocation-started', 'relocation-completed')),
    days_after integer,
    due_on date,
    CONSTRAINT milestone_rule_pkey PRIMARY KEY (plan_id, kind),
    CONSTRAINT milestone_rule_when CHECK (num_nonnulls(days_after, due_on) = 1
                                          AND (days_after BETWEEN 1 AND 3650 OR due_on >= DATE '2014-01-01'))
);
COMMENT ON TABLE reloc.milestone_rule IS
    'The province''s milestone rules per plan for enterprises registered to relocate: days after registration or a fixed date (none: no milestone).';
ALTER TABLE reloc.milestone_rule ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY milestone_rule_read ON reloc.milestone_rule FOR SELECT TO reloc_app, reloc_owner, reloc_reminder USING (true);
CREATE POLICY milestone_rule_province_write ON reloc.milestone_rule FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));
REVOKE ALL ON reloc.milestone_rule FROM PUBLIC;
GRANT SELECT ON reloc.milestone_rule TO reloc_app, reloc_reminder;
GRANT INSERT, UPDATE, DELETE ON reloc.milestone_rule TO reloc_province;

-- Words before the constraints: an unknown kind or both/neither of the two ways is the rule's.
CREATE FUNCTION reloc.milestone_rule_before_write() RETURNS trigger
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
CREATE TRIGGER milestone_rule_before_write BEFORE INSERT OR UPDATE ON reloc.milestone_rule
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_rule_before_write();

-- The milestones the rules give an enterprise registered to relocate (as the database: the city
-- registering it may add milestones to it anyway; the rule is the province's).
CREATE FUNCTION reloc.enterprise_rule_milestones() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'enterprise' OR TG_OP <> 'INSERT' OR TG_WHEN <> 'AFTER' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE = 'reloc.enterprise_rule_milestones follows new enterprises only';
    END IF;
    INSERT INTO reloc.milestone (kind, title, due_on, enterprise_id, note)
    SELECT r.kind,
           CASE r.kind WHEN 'heritage-surveyed' THEN '工业遗产普查' WHEN 'relocation-started' THEN '开始搬迁'
                       ELSE '完成搬迁' END || '（' || NEW.name || '）',
           coalesce(r.due_on, reloc.today() + r.days_after), NEW.id,
           'rule of plan ' || (SELECT p.code FROM reloc.plan p WHERE p.id = NEW.plan_id)
    FROM reloc.milestone_rule r
    WHERE r.plan_id = NEW.plan_id
    ORDER BY r.kind;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.enterprise_rule_milestones() FROM PUBLIC;
CREATE TRIGGER enterprise_rule_milestones AFTER INSERT ON reloc.enterprise
    FOR EACH ROW WHEN (NEW.mode = 'relocate') EXECUTE FUNCTION reloc.enterprise_rule_milestones();
SELECT reloc.audit_table('reloc.milestone_rule'::regclass);

SELECT reloc.audit_table('reloc.enterprise_status_change'::regclass);

-- The new text columns get their length and control-character checks like every other (0008).
SELECT reloc.add_clean_text_checks();

RESET ROLE;
