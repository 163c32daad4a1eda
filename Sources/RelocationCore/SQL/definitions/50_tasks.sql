-- Tasks, milestones and progress.
-- Tasks assigned to departments, milestones with owners and due dates, append-only progress reports, and who may
-- add and close what.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

CREATE OR REPLACE FUNCTION reloc.task_before_write() RETURNS trigger
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

CREATE OR REPLACE TRIGGER task_before_write BEFORE INSERT OR UPDATE ON reloc.task
    FOR EACH ROW EXECUTE FUNCTION reloc.task_before_write();

CREATE OR REPLACE FUNCTION reloc.task_assignment_before_write() RETURNS trigger
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
    -- (On the programme's date: a session's zone does not bring a succeeded body back for a day.)
    IF FOUND AND org.successor_id IS NOT NULL AND org.succeeded_on <= reloc.programme_today()
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

CREATE OR REPLACE TRIGGER task_assignment_before_write BEFORE INSERT OR UPDATE ON reloc.task_assignment
    FOR EACH ROW EXECUTE FUNCTION reloc.task_assignment_before_write();

-- The owner defaults from what the milestone is attached to: the plan's district government
-- (else its city: 所在城市及市辖区政府负责组织编制, §四(一)), the enterprise's city, the task's lead
-- department as it is today.
CREATE OR REPLACE FUNCTION reloc.milestone_before_write() RETURNS trigger
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

CREATE OR REPLACE TRIGGER milestone_before_write BEFORE INSERT OR UPDATE ON reloc.milestone
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_before_write();

-- May owner_ref own a milestone on this plan, enterprise or task: the plan's (or the enterprise's
-- plan's) city or district government, a department assigned to the task (as assigned, or the
-- body holding the work today), or the province? (Sites: 0005.)
CREATE OR REPLACE FUNCTION reloc.milestone_owner_fits(plan_ref bigint, enterprise_ref bigint, task_ref bigint, owner_ref bigint)
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

-- The same for a milestone not yet written (INSERT policy): by what it would be attached to.
CREATE OR REPLACE FUNCTION reloc.attachment_concerns(plan_ref bigint, enterprise_ref bigint, task_ref bigint, owner_ref bigint, orgs bigint[])
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT owner_ref = ANY (orgs)
        OR EXISTS (SELECT FROM reloc.plan p WHERE p.id = plan_ref AND (p.city_id = ANY (orgs) OR p.district_id = ANY (orgs)))
        OR EXISTS (SELECT FROM reloc.enterprise e JOIN reloc.plan ep ON ep.id = e.plan_id
                   WHERE e.id = enterprise_ref AND (e.city_id = ANY (orgs) OR ep.district_id = ANY (orgs)))
        OR (task_ref IS NOT NULL AND reloc.task_concerns(task_ref, orgs))
$$;

-- The organisation a report is recorded for: the acting body that has not been succeeded; a
-- superuser reports for the province. acting and province are the caller's acting_org_ids() and
-- acting_is_province(), computed once by whoever asks (a report, a statement, an import).
CREATE OR REPLACE FUNCTION reloc.reporting_org_id(acting bigint[], province boolean) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(
        (SELECT o.id FROM reloc.organisation o WHERE o.id = ANY (acting)
           AND (o.successor_id IS NULL OR o.succeeded_on > reloc.programme_today()) ORDER BY o.id LIMIT 1),
        (SELECT o.id FROM reloc.organisation o WHERE province AND o.kind = 'province' ORDER BY o.id LIMIT 1))
$$;
COMMENT ON FUNCTION reloc.reporting_org_id(bigint[], boolean) IS
    'The organisation a progress report is recorded for, given the acting organisations and whether they are the province.';
REVOKE ALL ON FUNCTION reloc.reporting_org_id(bigint[], boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.reporting_org_id(bigint[], boolean) TO reloc_app;

-- Stamps who and when (whatever the client wrote), fills the status, checks the rules with
-- words, and refuses, with a clear 42501, a report on something that is not the reporter's:
-- a department only on tasks assigned to it (or to its predecessors), a city or district only on
-- milestones of its own plans and enterprises, the province on anything. Row-level security is
-- the backstop.
--
-- Who the reporter is costs two computations of the acting organisations (a recursive query
-- with pg_has_role for each organisation): per row, that was 94 % of a bulk import's time
-- (docs/performance-import.md). So a report that already names its org_id (the bulk import
-- names it, computed once per file) is not looked up here: progress_report_reporter_check, once
-- per statement, refuses the statement unless every new row's org_id is the acting reporter and
-- its task or milestone is the reporter's. The login and the time are stamped here for every row,
-- whatever the client wrote; a report without org_id is checked here, as always.
CREATE OR REPLACE FUNCTION reloc.progress_report_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acting bigint[];
    province boolean;
    allowed boolean;
    what text;
BEGIN
    NEW.login := reloc.acting_login();  -- the person, also behind reloc-web (80_web.sql)
    NEW.reported_at := clock_timestamp();
    NEW.note := reloc.trim_space(NEW.note);
    NEW.evidence := coalesce(ARRAY(SELECT reloc.trim_space(x) FROM unnest(NEW.evidence) AS x
                                   WHERE reloc.trim_space(x) IS NOT NULL), '{}');
    NEW.status := coalesce(reloc.trim_space(NEW.status), CASE WHEN NEW.percent = 100 THEN 'done' ELSE 'on-track' END);
    -- Words only for a report that breaks a rule: naming the task costs a query.
    IF num_nonnulls(NEW.task_id, NEW.milestone_id) <> 1
       OR NEW.percent IS NULL OR NEW.percent < 0 OR NEW.percent > 100 OR NEW.percent <> round(NEW.percent, 2)
       OR NEW.status NOT IN ('on-track', 'at-risk', 'blocked', 'done')
       OR (NEW.status = 'done') <> (NEW.percent = 100)
       OR NEW.note IS NULL
       OR NEW.org_id IS NULL THEN
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
        IF NEW.status NOT IN ('on-track', 'at-risk', 'blocked', 'done') THEN
            PERFORM reloc.raise_rule('progress_status_check', format('%s: "%s"', what, NEW.status));
        END IF;
        IF (NEW.status = 'done') <> (NEW.percent = 100) THEN
            PERFORM reloc.raise_rule('progress_done_is_complete', format('%s: %s percent, %s', what, NEW.percent, NEW.status));
        END IF;
        IF NEW.note IS NULL THEN
            PERFORM reloc.raise_rule('progress_note_not_blank', what);
        END IF;
    END IF;
    NEW.percent := round(NEW.percent, 2);  -- stored with two places, as before (50 → 50.00)
    IF NEW.org_id IS NULL THEN
        acting := reloc.acting_org_ids();
        province := reloc.acting_is_province();
        NEW.org_id := reloc.reporting_org_id(acting, province);
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
    END IF;
    RETURN NEW;
END $$;

-- Only for a row it would change or refuse (issue 13, import speed; as the enterprise's, 0014):
-- the condition is the negation of "nothing to do" — the reporter named (org_id: checked once per
-- statement by progress_report_reporter_check), the stamps what it would set (login the session's,
-- as the column's default writes it; reported_at within this statement, as clock_timestamp()
-- writes it), every normalisation the identity (note and evidence trimmed, no empty document
-- number, percent with its two places) and every rule held. A property of the row, not a session
-- setting: a row so given is the row the trigger would have written. The bulk import inserts its
-- reports in that form; `task progress` and raw SQL without org_id take the trigger as before.
-- progress_report_reporter_check checks the login again for every row of the statement.
CREATE OR REPLACE TRIGGER progress_report_before_insert BEFORE INSERT ON reloc.progress_report
    FOR EACH ROW WHEN (NOT coalesce(
        NEW.org_id IS NOT NULL
        -- reloc.acting_login() (80_web.sql) without its call a row: reloc-web's session records
        -- the person it names, so the trigger stamps it
        AND NEW.login = SESSION_USER AND SESSION_USER <> 'reloc_web'
        AND NEW.reported_at >= statement_timestamp() AND NEW.reported_at <= clock_timestamp()
        AND num_nonnulls(NEW.task_id, NEW.milestone_id) = 1
        AND NEW.percent >= 0 AND NEW.percent <= 100 AND scale(NEW.percent) = 2
        AND NEW.status IN ('on-track', 'at-risk', 'blocked', 'done')
        AND (NEW.status = 'done') = (NEW.percent = 100)
        AND NEW.note = reloc.trim_space(NEW.note)
        AND (NEW.evidence = '{}'
             OR (array_ndims(NEW.evidence) = 1 AND array_lower(NEW.evidence, 1) = 1
                 AND array_position(NEW.evidence, NULL) IS NULL
                 -- no element empty or starting or ending with a space reloc.trim_space trims
                 -- (U+0001 is no part of clean text: progress_report_evidence_text refuses it)
                 AND E'\x01' || array_to_string(NEW.evidence, E'\x01') || E'\x01'
                     !~ E'\x01[ \t\r\n\u00a0\u3000\ufeff]|[ \t\r\n\u00a0\u3000\ufeff]\x01|\x01\x01')),
        false))
    EXECUTE FUNCTION reloc.progress_report_before_insert();

-- The check of the reports that named their org_id (the bulk import), once per statement: the
-- acting organisations are computed once, every new row's org_id must be the reporter, and each
-- distinct task or milestone of the statement must be the reporter's (the province's: anything).
-- It looks at every new row, not only those that named org_id: a row the row trigger stamped
-- passes by construction, and nothing a client writes into a row can exempt it. AFTER, so it sees
-- the rows as stored; a refusal rolls the whole statement back, its audit rows included.
CREATE OR REPLACE FUNCTION reloc.progress_report_reporter_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    acting constant bigint[] := reloc.acting_org_ids();
    province constant boolean := reloc.acting_is_province();
    reporter constant bigint := reloc.reporting_org_id(acting, province);
    recorded_login constant text := reloc.acting_login();
    forged bigint;
    what text;
BEGIN
    -- The login of the rows the row trigger's WHEN let through (issue 13) is the person acting,
    -- whatever wrote it (the WHEN compares it with session_user, the usual case of
    -- reloc.acting_login()). Their time the WHEN itself holds to this statement.
    SELECT n.id INTO forged FROM new_reports n WHERE n.login IS DISTINCT FROM recorded_login LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('a progress report is recorded under the login acting (%s)', recorded_login),
            HINT = 'leave login out: the database records it';
    END IF;
    SELECT n.org_id INTO forged FROM new_reports n WHERE n.org_id IS DISTINCT FROM reporter LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('a progress report is recorded for the organisation acting (%s), not for %s',
                             coalesce((SELECT code FROM reloc.organisation WHERE id = reporter), 'none'),
                             coalesce((SELECT code FROM reloc.organisation WHERE id = forged), forged::text)),
            HINT = 'leave org_id out: the database records the reporter';
    END IF;
    IF province THEN
        RETURN NULL;
    END IF;
    -- MATERIALIZED: otherwise the condition is pushed below the DISTINCT and asked for every row.
    WITH d AS MATERIALIZED (SELECT DISTINCT n.task_id, n.milestone_id FROM new_reports n)
    SELECT CASE WHEN d.task_id IS NOT NULL
                THEN format('task %s', (SELECT number FROM reloc.task WHERE id = d.task_id))
                ELSE format('milestone %s', d.milestone_id) END
    INTO what
    FROM d
    WHERE NOT CASE WHEN d.task_id IS NOT NULL THEN reloc.task_concerns(d.task_id, acting)
                   ELSE reloc.milestone_concerns(d.milestone_id, acting) END
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('%s is not yours to report on: a department reports on tasks assigned to it, a city or district on milestones of its own plans and enterprises', what),
            HINT = 'see reloc task list --mine / reloc milestone list --mine, or act as the responsible organisation (--as ORG)';
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER progress_report_reporter_check AFTER INSERT ON reloc.progress_report
    REFERENCING NEW TABLE AS new_reports
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.progress_report_reporter_check();

-- A report on a milestone is on one still open (0037, progress_on_open_milestone): a done
-- milestone's record is closed — by hand, by its step, or struck off by the province after review
-- (销号, issue 15) — and its work, if it came undone, is recorded by reopening it first. A
-- completion returned (退办) or under review leaves the milestone open, so it takes reports.
-- Every row, whatever its form: the row trigger's WHEN above lets a well-formed row through
-- unchecked, so this is a trigger of its own (named to fire after progress_report_before_insert,
-- whose permission words come first). The milestone row is share-locked (as the database: a
-- reporter may lack the UPDATE policy such a lock asks for): a close racing the report waits or
-- is waited for, and the report sees the milestone as committed.
CREATE OR REPLACE FUNCTION reloc.progress_report_open_milestone() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m record;
BEGIN
    IF TG_TABLE_SCHEMA <> 'reloc' OR TG_TABLE_NAME <> 'progress_report' OR TG_OP <> 'INSERT' OR TG_WHEN <> 'BEFORE' THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'reloc.progress_report_open_milestone checks progress reports only';
    END IF;
    SELECT x.id, x.title, x.done_on INTO m FROM reloc.milestone x WHERE x.id = NEW.milestone_id FOR SHARE;
    IF FOUND AND m.done_on IS NOT NULL THEN
        PERFORM reloc.raise_rule('progress_on_open_milestone',
            format('milestone %s (%s) was done on %s', m.id, m.title, m.done_on));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.progress_report_open_milestone() FROM PUBLIC;

CREATE OR REPLACE TRIGGER progress_report_open_milestone BEFORE INSERT ON reloc.progress_report
    FOR EACH ROW WHEN (NEW.milestone_id IS NOT NULL) EXECUTE FUNCTION reloc.progress_report_open_milestone();

-- History is never rewritten: not even the owner changes or deletes a report (the grants already
-- refuse every application role; this stops the rest, words included).
CREATE OR REPLACE FUNCTION reloc.progress_report_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('progress_append_only', format('%s of a progress report', lower(TG_OP)));
    RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER progress_report_append_only BEFORE UPDATE OR DELETE ON reloc.progress_report
    FOR EACH ROW EXECUTE FUNCTION reloc.progress_report_append_only();

CREATE OR REPLACE TRIGGER progress_report_no_truncate BEFORE TRUNCATE ON reloc.progress_report
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.progress_report_append_only();

-- Everyone in the programme reads tasks, milestones and the progress history.
DROP POLICY IF EXISTS task_read ON reloc.task;
CREATE POLICY task_read ON reloc.task FOR SELECT TO reloc_app, reloc_owner USING (true);

DROP POLICY IF EXISTS task_assignment_read ON reloc.task_assignment;
CREATE POLICY task_assignment_read ON reloc.task_assignment FOR SELECT TO reloc_app, reloc_owner USING (true);

DROP POLICY IF EXISTS milestone_read ON reloc.milestone;
CREATE POLICY milestone_read ON reloc.milestone FOR SELECT TO reloc_app, reloc_owner USING (true);

DROP POLICY IF EXISTS progress_report_read ON reloc.progress_report;
CREATE POLICY progress_report_read ON reloc.progress_report FOR SELECT TO reloc_app, reloc_owner USING (true);

-- Tasks and their assignments: the province alone sets them (the annex is the province's).
DROP POLICY IF EXISTS task_province_write ON reloc.task;
CREATE POLICY task_province_write ON reloc.task FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS task_assignment_province_write ON reloc.task_assignment;
CREATE POLICY task_assignment_province_write ON reloc.task_assignment FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

-- Milestones: the province does everything; a city or district adds and closes milestones of its
-- own plans and enterprises, a department those of its tasks; an owner closes its own. Only the columns
-- done_on and note are granted to them, so nobody but the province moves a due date.
DROP POLICY IF EXISTS milestone_province_write ON reloc.milestone;
CREATE POLICY milestone_province_write ON reloc.milestone FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

-- Adding goes by what the milestone is attached to (naming oneself owner gives no way into
-- another city's plan); closing also by ownership.
-- The site's city and its plan's district add and close the site's milestones, as for plans.
DROP POLICY IF EXISTS milestone_local_insert ON reloc.milestone;
CREATE POLICY milestone_local_insert ON reloc.milestone FOR INSERT TO reloc_app
   
    WITH CHECK (reloc.attachment_concerns(plan_id, enterprise_id, task_id, NULL, (SELECT reloc.acting_org_ids()))
                OR (site_id IS NOT NULL AND reloc.site_concerns(site_id, (SELECT reloc.acting_org_ids()))));

DROP POLICY IF EXISTS milestone_local_update ON reloc.milestone;
CREATE POLICY milestone_local_update ON reloc.milestone FOR UPDATE TO reloc_app
   
    USING (reloc.attachment_concerns(plan_id, enterprise_id, task_id, owner_id, (SELECT reloc.acting_org_ids()))
           OR (site_id IS NOT NULL AND reloc.site_concerns(site_id, (SELECT reloc.acting_org_ids()))))
    WITH CHECK (reloc.attachment_concerns(plan_id, enterprise_id, task_id, owner_id, (SELECT reloc.acting_org_ids()))
                OR (site_id IS NOT NULL AND reloc.site_concerns(site_id, (SELECT reloc.acting_org_ids()))));

-- Progress: insert only, on what is the reporter's (see the trigger); no UPDATE or DELETE policy
-- and no such privilege for anyone.
-- A task's condition is reloc.task_concerns written out (keep the two alike): as a call it is never
-- inlined — PostgreSQL inlines no scalar SQL function whose body holds a subquery (the EXISTS),
-- with or without its SET search_path — and its call a row was ≈ 20 % of a bulk progress import
-- (issue 13, docs/performance-import.md); written out it is an index probe a row, the acting
-- organisations and the programme's date computed once for the statement.
DROP POLICY IF EXISTS progress_report_insert ON reloc.progress_report;
CREATE POLICY progress_report_insert ON reloc.progress_report FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province())
                OR (task_id IS NOT NULL
                    AND EXISTS (SELECT FROM reloc.task_assignment a
                                WHERE a.task_id = progress_report.task_id
                                  AND a.org_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
                                  AND (a.ended_on IS NULL OR a.ended_on > (SELECT reloc.programme_today()))))
                OR (milestone_id IS NOT NULL AND reloc.milestone_concerns(milestone_id, (SELECT reloc.acting_org_ids()))));

-- Does the milestone concern one of orgs: its owner, a plan or enterprise of their city or
-- district (the city reports on its own plans and enterprises), or a task assigned to them?
--
-- milestone_concerns (progress reports on milestones) learns sites too.
CREATE OR REPLACE FUNCTION reloc.milestone_concerns(milestone_ref bigint, orgs bigint[]) RETURNS boolean
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
               OR (m.task_id IS NOT NULL AND reloc.task_concerns(m.task_id, orgs))
               OR (m.site_id IS NOT NULL AND reloc.site_concerns(m.site_id, orgs))))
$$;

------------------------------------------------------------------------------------------------
-- Milestones: done on a day within the programme, not in the future
------------------------------------------------------------------------------------------------
-- Not "before the milestone was recorded": a milestone entered today for the 2014 deadline may
-- well have been met in 2014 (backfilling is how the register was filled).
CREATE OR REPLACE FUNCTION reloc.milestone_done_in_programme() RETURNS trigger
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

CREATE OR REPLACE TRIGGER milestone_done_in_programme BEFORE INSERT OR UPDATE OF done_on ON reloc.milestone
    FOR EACH ROW WHEN (NEW.done_on IS NOT NULL)
    EXECUTE FUNCTION reloc.milestone_done_in_programme();

-- Runs after task_assignment_before_write (0004): BEFORE triggers fire in name order.
CREATE OR REPLACE FUNCTION reloc.task_assignment_history() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    superuser boolean := coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user), false);
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.ended_on IS NOT NULL THEN
            PERFORM reloc.raise_rule('task_assignment_history', 'an assignment is made current, then ended');
        END IF;
        NEW.began_on := CASE WHEN superuser THEN coalesce(NEW.began_on, reloc.programme_began()) ELSE reloc.today() END;
        RETURN NEW;
    END IF;
    IF OLD.ended_on IS NOT NULL THEN
        PERFORM reloc.raise_rule('task_assignment_history', format('it ended on %s', OLD.ended_on));
    END IF;
    NEW.began_on := OLD.began_on;
    IF NEW.ended_on IS NOT NULL THEN
        IF (NEW.task_id, NEW.org_id, NEW.lead, NEW.position) IS DISTINCT FROM (OLD.task_id, OLD.org_id, OLD.lead, OLD.position) THEN
            PERFORM reloc.raise_rule('task_assignment_history', 'ending it changes only its end date');
        END IF;
        IF OLD.lead THEN
            PERFORM reloc.raise_rule('task_assignment_lead_stays',
                (SELECT format('%s (%s) leads the task', o.code, o.name_zh) FROM reloc.organisation o WHERE o.id = OLD.org_id));
        END IF;
        IF NEW.ended_on > reloc.today() OR NEW.ended_on < reloc.programme_began() OR NEW.ended_on < OLD.began_on THEN
            PERFORM reloc.raise_rule('task_assignment_end_dates',
                format('%s: the assignment began on %s, today is %s', NEW.ended_on, OLD.began_on, reloc.today()));
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER task_assignment_history BEFORE INSERT OR UPDATE ON reloc.task_assignment
    FOR EACH ROW EXECUTE FUNCTION reloc.task_assignment_history();

-- Is the task assigned to one of orgs (the acting organisations, which include the predecessors
-- of a renamed department)? Policies pass (SELECT reloc.acting_org_ids()).
--
-- 0004's, redefined: an ended assignment no longer concerns the department (no progress reports,
-- no milestones of the task on its behalf).
CREATE OR REPLACE FUNCTION reloc.task_concerns(task_ref bigint, orgs bigint[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM reloc.task_assignment a
                   WHERE a.task_id = task_ref AND a.org_id = ANY (orgs)
                     -- Ended by the programme's date, which a session's zone cannot move back.
                     AND (a.ended_on IS NULL OR a.ended_on > reloc.programme_today()))
$$;
