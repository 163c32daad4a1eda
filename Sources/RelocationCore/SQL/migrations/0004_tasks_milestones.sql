-- 0004 tasks, milestones and progress: the annex's department tasks (附件 重点任务部门分工表) with
-- their assignments, dated milestones (节点) on plans, enterprises and tasks, and append-only
-- progress reports (进展). Section numbers refer to 吉政办发〔2014〕29号.
--
-- Runs in one transaction as a superuser, like 0002; objects are owned by reloc_owner.
-- Error contract as in 0002 (sql/REGISTER.md): rules raise 23514 with CONSTRAINT = the rule name
-- (words in reloc.rule); a write the acting organisation may not make raises 42501.
--
-- Shared contract (other migrations build on these names): reloc.task, reloc.task_assignment,
-- reloc.milestone (milestone_attached_once), reloc.progress_report, reloc.current_org(bigint),
-- reloc.today().

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('task_number_positive', 'task', NULL, 'a task number is a whole number from 1', NULL),
('task_number_key', 'task', NULL, 'a task number is used once (SQLSTATE 23505)', 'see reloc task list'),
('task_title_not_blank', 'task', NULL, 'a task needs a title (the annex''s wording)', NULL),
('task_assignment_department', 'task_assignment', '附件',
 'a task is assigned to provincial departments (省直部门), as in the annex''s 负责部门 column',
 'give a department''s code: reloc org list'),
('task_assignment_key', 'task_assignment', NULL,
 'a department is assigned to a task once (SQLSTATE 23505)', 'see reloc task show N'),
('task_assignment_one_lead', 'task_assignment', '附件',
 'a task has one lead department (the annex lists it first); the others are co-responsible (SQLSTATE 23505)',
 'reloc task assign N --org CODE --lead makes CODE the lead and the former lead co-responsible'),
('milestone_kind_check', 'milestone', NULL,
 'a milestone''s kind is plan-compiled, risk-assessed, approved, relocation-started, relocation-completed, heritage-surveyed, site-assessed, site-released, basic-completion or custom',
 NULL),
('milestone_title_not_blank', 'milestone', NULL, 'a milestone needs a title', NULL),
('milestone_attached_once', 'milestone', NULL,
 'a milestone is attached to exactly one thing: a plan, an enterprise or a task',
 'give one of --plan CODE, --enterprise ID, --task N'),
('milestone_owner', 'milestone', NULL,
 'a milestone has an owner organisation; by default the district (else city) government of its plan, the city of its enterprise, or the current lead department of its task',
 'give --owner CODE, or assign the task a lead department first'),
('milestone_owner_concerned', 'milestone', NULL,
 'a milestone''s owner is one the milestone concerns: for a plan or enterprise milestone its city or district government, for a task milestone a department assigned to the task, for a site milestone the site''s city or its plan''s district government; or the province',
 'leave --owner out to take the default, or name one of those'),
('task_assignment_current_body', 'task_assignment', NULL,
 'a task is assigned to a body that holds its work today, not to one that has been succeeded (renamed)',
 'assign the successor named in the detail'),
('progress_attached_once', 'progress_report', NULL,
 'a progress report is on exactly one task or one milestone', NULL),
('progress_percent_range', 'progress_report', NULL,
 'a progress percentage is between 0 and 100', 'give --percent from 0 to 100'),
('progress_percent_precision', 'progress_report', NULL,
 'a progress percentage has at most two decimal places: it is stored as given, never rounded (99.999 would round to 100, which means done)',
 'give e.g. --percent 33.33 or --percent 99.99'),
('progress_status_check', 'progress_report', NULL,
 'a progress status is on-track, at-risk, blocked or done', NULL),
('progress_done_is_complete', 'progress_report', NULL,
 'a report with status done is at 100 percent, and 100 percent is done',
 'report --percent 100 --status done, or a lower percentage with another status'),
('progress_note_not_blank', 'progress_report', NULL,
 'a progress report says what happened (a note)', 'give --note TEXT'),
('progress_append_only', 'progress_report', NULL,
 'progress reports are never changed or deleted: history is not rewritten',
 'record a correction as a new report');

-- reloc.today() and reloc.local_date(timestamptz) (the programme's calendar, Asia/Shanghai unless
-- the setting reloc.timezone says otherwise) are defined in 0002: acting for a renamed body
-- depends on the day too.

------------------------------------------------------------------------------------------------
-- Successions: which body holds a renamed department's work
------------------------------------------------------------------------------------------------

-- The body that holds org_id's work on on_date: follows successor_id while the succession has
-- taken effect (succeeded_on <= on_date). Work assigned to 省国土资源厅 is 省自然资源厅's from
-- 2018-10-01 (DOMAIN.md, 2018 reform).
CREATE FUNCTION reloc.org_on(org_id bigint, on_date date) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE chain (id, depth) AS (
        SELECT org_id, 0
        UNION ALL
        SELECT o.successor_id, c.depth + 1
        FROM reloc.organisation o JOIN chain c ON o.id = c.id
        WHERE o.successor_id IS NOT NULL AND o.succeeded_on <= on_date AND c.depth < 100
    )
    SELECT id FROM chain ORDER BY depth DESC LIMIT 1
$$;
COMMENT ON FUNCTION reloc.org_on(bigint, date) IS
    'The organisation that holds org_id''s work on a date (follows successions that have taken effect).';

CREATE FUNCTION reloc.current_org(org_id bigint) RETURNS bigint
LANGUAGE sql STABLE
RETURN reloc.org_on(org_id, reloc.today());
COMMENT ON FUNCTION reloc.current_org(bigint) IS 'The organisation that holds org_id''s work today.';

------------------------------------------------------------------------------------------------
-- Tasks (重点任务) and their assignments (负责部门)
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.task (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number integer NOT NULL
        CONSTRAINT task_number_key UNIQUE
        CONSTRAINT task_number_positive CHECK (number > 0),
    title text NOT NULL CONSTRAINT task_title_not_blank CHECK (btrim(title) <> ''),
    -- Annex tasks are province-wide (NULL); a plan may set tasks of its own.
    plan_id bigint CONSTRAINT task_plan_id_fkey REFERENCES reloc.plan (id),
    due_on date,
    note text,
    source_document text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_plan_id_idx ON reloc.task (plan_id);
COMMENT ON TABLE reloc.task IS 'Key tasks (重点任务): the annex''s 15 province-wide tasks and any a plan adds.';

CREATE TABLE reloc.task_assignment (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id bigint NOT NULL CONSTRAINT task_assignment_task_id_fkey REFERENCES reloc.task (id) ON DELETE CASCADE,
    -- The body as assigned (as printed); reloc.current_org(org_id) is who holds the work now.
    org_id bigint NOT NULL CONSTRAINT task_assignment_org_id_fkey REFERENCES reloc.organisation (id),
    lead boolean NOT NULL DEFAULT false,
    -- Order in the annex's 负责部门 column (the lead first).
    position integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT task_assignment_key UNIQUE (task_id, org_id)
);
CREATE UNIQUE INDEX task_assignment_one_lead ON reloc.task_assignment (task_id) WHERE lead;
CREATE INDEX task_assignment_org_id_idx ON reloc.task_assignment (org_id);
COMMENT ON TABLE reloc.task_assignment IS
    'The departments responsible for a task: one lead, any number co-responsible; a renamed department''s work passes to its successor (reloc.current_org).';

CREATE FUNCTION reloc.task_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
    ELSE
        NEW.created_at := OLD.created_at;
    END IF;
    NEW.updated_at := now();
    NEW.title := btrim(NEW.title);
    NEW.note := reloc.trim_space(NEW.note);
    IF NEW.number <= 0 THEN
        PERFORM reloc.raise_rule('task_number_positive', format('task %s', NEW.number));
    END IF;
    IF NEW.title = '' THEN
        PERFORM reloc.raise_rule('task_title_not_blank', format('task %s', NEW.number));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER task_before_write BEFORE INSERT OR UPDATE ON reloc.task
    FOR EACH ROW EXECUTE FUNCTION reloc.task_before_write();

CREATE FUNCTION reloc.task_assignment_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org reloc.organisation;
BEGIN
    SELECT * INTO org FROM reloc.organisation WHERE id = NEW.org_id;
    IF FOUND AND org.kind <> 'department' THEN
        PERFORM reloc.raise_rule('task_assignment_department', format('%s (%s) is a %s', org.code, org.name_zh, org.kind));
    END IF;
    -- New work goes to the body that exists today. The reference data (reloc db seed, run by a
    -- superuser) records the 2014 annex as printed, renamed bodies included.
    IF FOUND AND org.successor_id IS NOT NULL AND org.succeeded_on <= reloc.today()
       AND (TG_OP = 'INSERT' OR NEW.org_id IS DISTINCT FROM OLD.org_id)
       AND NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false) THEN
        PERFORM reloc.raise_rule('task_assignment_current_body',
            (SELECT format('%s (%s) was succeeded by %s (%s) on %s: assign %s', org.code, org.name_zh, cur.code, cur.name_zh,
                           org.succeeded_on, cur.code)
             FROM reloc.organisation cur WHERE cur.id = reloc.current_org(org.id)));
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
    ELSE
        NEW.created_at := OLD.created_at;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER task_assignment_before_write BEFORE INSERT OR UPDATE ON reloc.task_assignment
    FOR EACH ROW EXECUTE FUNCTION reloc.task_assignment_before_write();

-- Is the task assigned to one of orgs (the acting organisations, which include the predecessors
-- of a renamed department)? Policies pass (SELECT reloc.acting_org_ids()).
CREATE FUNCTION reloc.task_concerns(task_ref bigint, orgs bigint[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM reloc.task_assignment a WHERE a.task_id = task_ref AND a.org_id = ANY (orgs))
$$;

------------------------------------------------------------------------------------------------
-- Milestones (节点)
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.milestone (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL DEFAULT 'custom'
        CONSTRAINT milestone_kind_check CHECK (kind IN (
            'plan-compiled', 'risk-assessed', 'approved', 'relocation-started', 'relocation-completed',
            'heritage-surveyed', 'site-assessed', 'site-released', 'basic-completion', 'custom')),
    title text NOT NULL CONSTRAINT milestone_title_not_blank CHECK (btrim(title) <> ''),
    due_on date NOT NULL,
    -- Defaults (trigger) from what it is attached to: see the rule milestone_owner.
    owner_id bigint NOT NULL CONSTRAINT milestone_owner_id_fkey REFERENCES reloc.organisation (id),
    plan_id bigint CONSTRAINT milestone_plan_id_fkey REFERENCES reloc.plan (id),
    enterprise_id bigint CONSTRAINT milestone_enterprise_id_fkey REFERENCES reloc.enterprise (id),
    task_id bigint CONSTRAINT milestone_task_id_fkey REFERENCES reloc.task (id),
    done_on date,
    note text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT milestone_attached_once CHECK (num_nonnulls(plan_id, enterprise_id, task_id) = 1)
);
CREATE INDEX milestone_plan_id_idx ON reloc.milestone (plan_id);
CREATE INDEX milestone_enterprise_id_idx ON reloc.milestone (enterprise_id);
CREATE INDEX milestone_task_id_idx ON reloc.milestone (task_id);
CREATE INDEX milestone_owner_id_idx ON reloc.milestone (owner_id);
CREATE INDEX milestone_open_due_idx ON reloc.milestone (due_on) WHERE done_on IS NULL;
COMMENT ON TABLE reloc.milestone IS
    'Dated deadlines (节点) on one plan, enterprise or task: plans compiled by 2014-12-31 (§四(一)), basic completion by 2022 (§三), and any date a plan sets.';

-- The owner defaults from what the milestone is attached to: the plan's district government
-- (else its city: 所在城市及市辖区政府负责组织编制, §四(一)), the enterprise's city, the task's lead
-- department as it is today.
CREATE FUNCTION reloc.milestone_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    attachments text;
    attached bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
    ELSE
        NEW.created_at := OLD.created_at;
    END IF;
    NEW.updated_at := now();
    NEW.title := btrim(NEW.title);
    NEW.note := reloc.trim_space(NEW.note);
    IF NEW.kind NOT IN ('plan-compiled', 'risk-assessed', 'approved', 'relocation-started', 'relocation-completed',
                        'heritage-surveyed', 'site-assessed', 'site-released', 'basic-completion', 'custom') THEN
        PERFORM reloc.raise_rule('milestone_kind_check', format('"%s" is not a kind of milestone', NEW.kind));
    END IF;
    IF NEW.title = '' THEN
        PERFORM reloc.raise_rule('milestone_title_not_blank', NULL);
    END IF;
    -- Every *_id column but owner_id is an attachment, so a later migration that adds one (a
    -- vacated site) only has to widen the CHECK constraint milestone_attached_once.
    SELECT string_agg(j.key || ' ' || j.value, ', ' ORDER BY j.key), count(*) INTO attachments, attached
    FROM jsonb_each(to_jsonb(NEW)) AS j
    WHERE j.key ~ '_id$' AND j.key <> 'owner_id' AND j.value <> 'null'::jsonb;
    IF attached <> 1 THEN
        PERFORM reloc.raise_rule('milestone_attached_once', format('attached to: %s', coalesce(attachments, 'nothing')));
    END IF;
    IF NEW.owner_id IS NULL THEN
        NEW.owner_id := CASE
            WHEN NEW.plan_id IS NOT NULL THEN
                (SELECT coalesce(p.district_id, p.city_id) FROM reloc.plan p WHERE p.id = NEW.plan_id)
            WHEN NEW.enterprise_id IS NOT NULL THEN
                (SELECT e.city_id FROM reloc.enterprise e WHERE e.id = NEW.enterprise_id)
            WHEN NEW.task_id IS NOT NULL THEN
                (SELECT reloc.current_org(a.org_id) FROM reloc.task_assignment a WHERE a.task_id = NEW.task_id AND a.lead)
        END;
        IF NEW.owner_id IS NULL
           AND (NEW.plan_id IS NULL OR EXISTS (SELECT FROM reloc.plan WHERE id = NEW.plan_id))
           AND (NEW.enterprise_id IS NULL OR EXISTS (SELECT FROM reloc.enterprise WHERE id = NEW.enterprise_id))
           AND (NEW.task_id IS NULL OR EXISTS (SELECT FROM reloc.task WHERE id = NEW.task_id)) THEN
            PERFORM reloc.raise_rule('milestone_owner', 'nothing to take the owner from');
        END IF;
    END IF;
    -- The owner may report and close: only one the milestone concerns (naming another city would
    -- give it rights on this plan). Said only to those who may write the milestone at all; the
    -- others hear row-level security's 42501.
    IF num_nonnulls(NEW.plan_id, NEW.enterprise_id, NEW.task_id) = 1
       AND (TG_OP = 'INSERT' OR NEW.owner_id IS DISTINCT FROM OLD.owner_id OR NEW.plan_id IS DISTINCT FROM OLD.plan_id
            OR NEW.enterprise_id IS DISTINCT FROM OLD.enterprise_id OR NEW.task_id IS DISTINCT FROM OLD.task_id)
       AND NOT reloc.milestone_owner_fits(NEW.plan_id, NEW.enterprise_id, NEW.task_id, NEW.owner_id)
       AND (reloc.acting_is_province()
            OR reloc.attachment_concerns(NEW.plan_id, NEW.enterprise_id, NEW.task_id, NULL, reloc.acting_org_ids())) THEN
        PERFORM reloc.raise_rule('milestone_owner_concerned',
            format('%s is not a %s of %s', (SELECT o.code || ' (' || o.name_zh || ')' FROM reloc.organisation o WHERE o.id = NEW.owner_id),
                   CASE WHEN NEW.task_id IS NOT NULL THEN 'department assigned to' ELSE 'city or district government' END,
                   CASE WHEN NEW.plan_id IS NOT NULL THEN 'plan ' || (SELECT code FROM reloc.plan WHERE id = NEW.plan_id)
                        WHEN NEW.enterprise_id IS NOT NULL THEN 'enterprise ' || NEW.enterprise_id
                        ELSE 'task ' || (SELECT number FROM reloc.task WHERE id = NEW.task_id) END));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER milestone_before_write BEFORE INSERT OR UPDATE ON reloc.milestone
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_before_write();

-- May owner_ref own a milestone on this plan, enterprise or task: the plan's (or the enterprise's
-- plan's) city or district government, a department assigned to the task (as assigned, or the
-- body holding the work today), or the province? (Sites: 0005.)
CREATE FUNCTION reloc.milestone_owner_fits(plan_ref bigint, enterprise_ref bigint, task_ref bigint, owner_ref bigint)
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM reloc.organisation o WHERE o.id = owner_ref AND o.kind = 'province')
        OR EXISTS (SELECT FROM reloc.plan p WHERE p.id = plan_ref AND owner_ref IN (p.city_id, p.district_id))
        OR EXISTS (SELECT FROM reloc.enterprise e JOIN reloc.plan ep ON ep.id = e.plan_id
                   WHERE e.id = enterprise_ref AND owner_ref IN (e.city_id, ep.district_id))
        OR EXISTS (SELECT FROM reloc.task_assignment a
                   WHERE a.task_id = task_ref AND owner_ref IN (a.org_id, reloc.current_org(a.org_id)))
$$;

-- Does the milestone concern one of orgs: its owner, a plan or enterprise of their city or
-- district (the city reports on its own plans and enterprises), or a task assigned to them?
CREATE FUNCTION reloc.milestone_concerns(milestone_ref bigint, orgs bigint[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (
        SELECT FROM reloc.milestone m
        LEFT JOIN reloc.plan p ON p.id = m.plan_id
        LEFT JOIN reloc.enterprise e ON e.id = m.enterprise_id
        LEFT JOIN reloc.plan ep ON ep.id = e.plan_id
        WHERE m.id = milestone_ref
          AND (m.owner_id = ANY (orgs)
               OR p.city_id = ANY (orgs) OR p.district_id = ANY (orgs)
               OR e.city_id = ANY (orgs) OR ep.district_id = ANY (orgs)
               OR (m.task_id IS NOT NULL AND reloc.task_concerns(m.task_id, orgs))))
$$;

-- The same for a milestone not yet written (INSERT policy): by what it would be attached to.
CREATE FUNCTION reloc.attachment_concerns(plan_ref bigint, enterprise_ref bigint, task_ref bigint, owner_ref bigint, orgs bigint[])
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT owner_ref = ANY (orgs)
        OR EXISTS (SELECT FROM reloc.plan p WHERE p.id = plan_ref AND (p.city_id = ANY (orgs) OR p.district_id = ANY (orgs)))
        OR EXISTS (SELECT FROM reloc.enterprise e JOIN reloc.plan ep ON ep.id = e.plan_id
                   WHERE e.id = enterprise_ref AND (e.city_id = ANY (orgs) OR ep.district_id = ANY (orgs)))
        OR (task_ref IS NOT NULL AND reloc.task_concerns(task_ref, orgs))
$$;

------------------------------------------------------------------------------------------------
-- Progress reports (进展): append-only
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.progress_report (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id bigint CONSTRAINT progress_report_task_id_fkey REFERENCES reloc.task (id),
    milestone_id bigint CONSTRAINT progress_report_milestone_id_fkey REFERENCES reloc.milestone (id),
    -- Who: the organisation acted for (set by the trigger) and the person's login.
    org_id bigint NOT NULL CONSTRAINT progress_report_org_id_fkey REFERENCES reloc.organisation (id),
    login text NOT NULL DEFAULT session_user,
    reported_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- numeric, not numeric(5,2): a typmod rounds before any trigger sees the value (99.999 → 100 = done).
    percent numeric NOT NULL CONSTRAINT progress_percent_range CHECK (percent BETWEEN 0 AND 100)
        CONSTRAINT progress_percent_precision CHECK (percent = round(percent, 2)),
    status text NOT NULL
        CONSTRAINT progress_status_check CHECK (status IN ('on-track', 'at-risk', 'blocked', 'done')),
    note text NOT NULL CONSTRAINT progress_note_not_blank CHECK (btrim(note) <> ''),
    -- Document numbers (文号) that prove it.
    evidence text[] NOT NULL DEFAULT '{}',
    CONSTRAINT progress_attached_once CHECK (num_nonnulls(task_id, milestone_id) = 1),
    CONSTRAINT progress_done_is_complete CHECK ((status = 'done') = (percent = 100))
);
CREATE INDEX progress_report_task_idx ON reloc.progress_report (task_id, reported_at);
CREATE INDEX progress_report_milestone_idx ON reloc.progress_report (milestone_id, reported_at);
COMMENT ON TABLE reloc.progress_report IS
    'Progress reports on tasks and milestones, never changed: the latest is the current state; a correction is a new report.';

-- Stamps who and when (whatever the client wrote), fills the status, checks the rules with
-- words, and refuses, with a clear 42501, a report on something that is not the reporter's:
-- a department only on tasks assigned to it (or to its predecessors), a city or district only on
-- milestones of its own plans and enterprises, the province on anything. Row-level security is
-- the backstop.
CREATE FUNCTION reloc.progress_report_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acting bigint[] := reloc.acting_org_ids();
    province boolean := reloc.acting_is_province();
    allowed boolean;
    what text;
BEGIN
    NEW.login := session_user;
    NEW.reported_at := clock_timestamp();
    NEW.note := reloc.trim_space(NEW.note);
    NEW.evidence := coalesce(ARRAY(SELECT reloc.trim_space(x) FROM unnest(NEW.evidence) AS x
                                   WHERE reloc.trim_space(x) IS NOT NULL), '{}');
    NEW.status := coalesce(reloc.trim_space(NEW.status), CASE WHEN NEW.percent = 100 THEN 'done' ELSE 'on-track' END);
    -- The reporter: the acting body that has not been succeeded; a superuser reports for the province.
    NEW.org_id := coalesce(
        (SELECT o.id FROM reloc.organisation o WHERE o.id = ANY (acting)
           AND (o.successor_id IS NULL OR o.succeeded_on > reloc.today()) ORDER BY o.id LIMIT 1),
        (SELECT o.id FROM reloc.organisation o WHERE province AND o.kind = 'province' ORDER BY o.id LIMIT 1));
    IF num_nonnulls(NEW.task_id, NEW.milestone_id) <> 1 THEN
        PERFORM reloc.raise_rule('progress_attached_once', NULL);
    END IF;
    what := CASE WHEN NEW.task_id IS NOT NULL
                 THEN format('task %s', (SELECT number FROM reloc.task WHERE id = NEW.task_id))
                 ELSE format('milestone %s', NEW.milestone_id) END;
    IF NEW.percent IS NULL OR NEW.percent < 0 OR NEW.percent > 100 THEN
        PERFORM reloc.raise_rule('progress_percent_range', format('%s: %s percent', what, NEW.percent));
    END IF;
    IF NEW.percent <> round(NEW.percent, 2) THEN
        PERFORM reloc.raise_rule('progress_percent_precision', format('%s: %s percent', what, NEW.percent));
    END IF;
    NEW.percent := round(NEW.percent, 2);  -- stored with two places, as before (50 → 50.00)
    IF NEW.status NOT IN ('on-track', 'at-risk', 'blocked', 'done') THEN
        PERFORM reloc.raise_rule('progress_status_check', format('%s: "%s"', what, NEW.status));
    END IF;
    IF (NEW.status = 'done') <> (NEW.percent = 100) THEN
        PERFORM reloc.raise_rule('progress_done_is_complete', format('%s: %s percent, %s', what, NEW.percent, NEW.status));
    END IF;
    IF NEW.note IS NULL THEN
        PERFORM reloc.raise_rule('progress_note_not_blank', what);
    END IF;
    IF NEW.task_id IS NOT NULL THEN
        allowed := province OR reloc.task_concerns(NEW.task_id, acting);
    ELSE
        allowed := province OR reloc.milestone_concerns(NEW.milestone_id, acting);
    END IF;
    IF NOT allowed THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('%s is not yours to report on: a department reports on tasks assigned to it, a city or district on milestones of its own plans and enterprises', what),
            HINT = 'see reloc task list --mine / reloc milestone list --mine, or act as the responsible organisation (--as ORG)';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER progress_report_before_insert BEFORE INSERT ON reloc.progress_report
    FOR EACH ROW EXECUTE FUNCTION reloc.progress_report_before_insert();

-- History is never rewritten: not even the owner changes or deletes a report (the grants already
-- refuse every application role; this stops the rest, words included).
CREATE FUNCTION reloc.progress_report_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('progress_append_only', format('%s of a progress report', lower(TG_OP)));
    RETURN NULL;
END $$;
CREATE TRIGGER progress_report_append_only BEFORE UPDATE OR DELETE ON reloc.progress_report
    FOR EACH ROW EXECUTE FUNCTION reloc.progress_report_append_only();
CREATE TRIGGER progress_report_no_truncate BEFORE TRUNCATE ON reloc.progress_report
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.progress_report_append_only();

------------------------------------------------------------------------------------------------
-- Row-level security (forced) and grants
------------------------------------------------------------------------------------------------
ALTER TABLE reloc.task ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.task_assignment ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.milestone ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.progress_report ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

-- Everyone in the programme reads tasks, milestones and the progress history.
CREATE POLICY task_read ON reloc.task FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY task_assignment_read ON reloc.task_assignment FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY milestone_read ON reloc.milestone FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY progress_report_read ON reloc.progress_report FOR SELECT TO reloc_app, reloc_owner USING (true);

-- Tasks and their assignments: the province alone sets them (the annex is the province's).
CREATE POLICY task_province_write ON reloc.task FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY task_assignment_province_write ON reloc.task_assignment FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

-- Milestones: the province does everything; a city or district adds and closes milestones of its
-- own plans and enterprises, a department those of its tasks; an owner closes its own. Only the columns
-- done_on and note are granted to them, so nobody but the province moves a due date.
CREATE POLICY milestone_province_write ON reloc.milestone FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));
-- Adding goes by what the milestone is attached to (naming oneself owner gives no way into
-- another city's plan); closing also by ownership.
CREATE POLICY milestone_local_insert ON reloc.milestone FOR INSERT TO reloc_app
    WITH CHECK (reloc.attachment_concerns(plan_id, enterprise_id, task_id, NULL, (SELECT reloc.acting_org_ids())));
CREATE POLICY milestone_local_update ON reloc.milestone FOR UPDATE TO reloc_app
    USING (reloc.attachment_concerns(plan_id, enterprise_id, task_id, owner_id, (SELECT reloc.acting_org_ids())))
    WITH CHECK (reloc.attachment_concerns(plan_id, enterprise_id, task_id, owner_id, (SELECT reloc.acting_org_ids())));

-- Progress: insert only, on what is the reporter's (see the trigger); no UPDATE or DELETE policy
-- and no such privilege for anyone.
CREATE POLICY progress_report_insert ON reloc.progress_report FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province())
                OR (task_id IS NOT NULL AND reloc.task_concerns(task_id, (SELECT reloc.acting_org_ids())))
                OR (milestone_id IS NOT NULL AND reloc.milestone_concerns(milestone_id, (SELECT reloc.acting_org_ids()))));

GRANT SELECT ON reloc.task, reloc.task_assignment, reloc.milestone, reloc.progress_report TO reloc_app;
GRANT INSERT, UPDATE, DELETE ON reloc.task, reloc.task_assignment TO reloc_province;
GRANT INSERT ON reloc.milestone TO reloc_app;
GRANT UPDATE (done_on, note) ON reloc.milestone TO reloc_app;
GRANT UPDATE, DELETE ON reloc.milestone TO reloc_province;
GRANT INSERT (task_id, milestone_id, percent, status, note, evidence) ON reloc.progress_report TO reloc_app;

-- The audit trail (0003) records every change to these tables; a task is keyed by its number.
SELECT reloc.audit_table('reloc.task'::regclass, key_columns => ARRAY['number']);
SELECT reloc.audit_table('reloc.task_assignment'::regclass);
SELECT reloc.audit_table('reloc.milestone'::regclass);
SELECT reloc.audit_table('reloc.progress_report'::regclass);

RESET ROLE;
