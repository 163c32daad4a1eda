-- 0012 task assignments end, and are kept (issue 14, "task unassign"): a department's share of a
-- key task (附件 负责部门) can end — the province reassigns the work — but the annex's record of who
-- was responsible, and when, stays. An assignment gets an end date rather than being deleted.
--
-- * began_on: the day the assignment began. Set by the database: today for an assignment made by
--   the programme's roles; for the reference data (a superuser session: the 2014 annex, 吉政办发
--   〔2014〕29号) the programme's first day unless given.
-- * ended_on: the day the department stopped holding the work (from that day on it is not
--   assigned). Not in the future, not before 2014, not before began_on
--   (task_assignment_end_dates).
-- * The lead cannot be ended (task_assignment_lead_stays): a task always has its one lead
--   (附件: 第一个为牵头部门). To end a lead's share, make another department lead first
--   (`task assign N --org X --lead`, which leaves the former lead co-responsible), then end it.
-- * An ended assignment is history: it is not changed, reopened or re-dated, and ending one changes
--   nothing but its end date (task_assignment_history). A department ended on a task is not assigned
--   to it again (the key stays one row per task and department).
-- * Nobody deletes an assignment any more (DELETE revoked from reloc_province); a task deleted by
--   the owner still takes its assignments with it (ON DELETE CASCADE).
-- * reloc.task_concerns (0004) counts only assignments not ended by today, so an ended department
--   no longer reports on the task or adds its milestones.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('task_assignment_end_dates', 'task_assignment', NULL,
 'an assignment ends on a day from the programme''s start (2014-01-01) to today, not before it began',
 'see reloc task show N for the day each department''s assignment began'),
('task_assignment_lead_stays', 'task_assignment', '附件',
 'the lead department of a task cannot be unassigned: a task keeps its one lead',
 'make another department lead first: reloc task assign N --org CODE --lead, then unassign the former lead'),
('task_assignment_history', 'task_assignment', NULL,
 'an ended assignment is kept as it was: it is not changed, re-dated or reopened, and ending one changes nothing but its end date',
 'see reloc task show N; a department whose assignment ended is not assigned to that task again');

ALTER TABLE reloc.task_assignment
    ADD COLUMN began_on date,
    ADD COLUMN ended_on date;

-- Existing rows: the annex's (province-wide tasks) began with the programme; a plan's task's with
-- the day it was recorded. The owner has no UPDATE policy (row-level security is forced): lift it
-- for this one statement, inside the migration's transaction.
ALTER TABLE reloc.task_assignment NO FORCE ROW LEVEL SECURITY;
UPDATE reloc.task_assignment a
SET began_on = CASE WHEN t.plan_id IS NULL THEN reloc.programme_began() ELSE reloc.local_date(a.created_at) END
FROM reloc.task t WHERE t.id = a.task_id;
ALTER TABLE reloc.task_assignment FORCE ROW LEVEL SECURITY;

ALTER TABLE reloc.task_assignment ALTER COLUMN began_on SET NOT NULL;
COMMENT ON COLUMN reloc.task_assignment.began_on IS
    'The day the assignment began (set by the database: today; the reference data: the programme''s first day).';
COMMENT ON COLUMN reloc.task_assignment.ended_on IS
    'The day the department stopped holding the work (NULL: it still does). Ended assignments are kept.';

-- Runs after task_assignment_before_write (0004): BEFORE triggers fire in name order.
CREATE FUNCTION reloc.task_assignment_history() RETURNS trigger
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
CREATE TRIGGER task_assignment_history BEFORE INSERT OR UPDATE ON reloc.task_assignment
    FOR EACH ROW EXECUTE FUNCTION reloc.task_assignment_history();

REVOKE DELETE ON reloc.task_assignment FROM reloc_province;

-- 0004's, redefined: an ended assignment no longer concerns the department (no progress reports,
-- no milestones of the task on its behalf).
CREATE OR REPLACE FUNCTION reloc.task_concerns(task_ref bigint, orgs bigint[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM reloc.task_assignment a
                   WHERE a.task_id = task_ref AND a.org_id = ANY (orgs)
                     AND (a.ended_on IS NULL OR a.ended_on > reloc.today()))
$$;

-- 0011's reference table of which step closes which milestone kind is audited like the rest
-- (AuditCoverageTests: every table of schema reloc).
SELECT reloc.audit_table('reloc.milestone_step'::regclass);

------------------------------------------------------------------------------------------------
-- The reminder job reminds a department of a task's milestones only while it holds the task
-- (0006's remind_plan, redefined: the same statement with the assignment's dates on the run's day).
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.remind_plan(as_of date) RETURNS bigint
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off
AS $$
    WITH rules AS MATERIALIZED (
        SELECT r.*, (SELECT coalesce(max(d), 0) FROM unnest(r.days_before) AS d) AS horizon
        FROM reloc.reminder_rules_in_force() r
    ),
    -- Who holds each organisation's work on the date (one recursive lookup per organisation,
    -- not per milestone).
    holder AS (
        SELECT o.id, reloc.org_on(o.id, as_of) AS holder_id, o.kind FROM reloc.organisation o
    ),
    open AS (
        SELECT m.id, m.due_on, m.owner_id, m.task_id, m.plan_id, m.enterprise_id, m.site_id, as_of - m.due_on AS late, r.*
        FROM reloc.milestone m
        JOIN rules r ON r.milestone_kind = m.kind
        WHERE (m.done_on IS NULL OR m.done_on > as_of)
          AND m.due_on <= as_of + r.horizon
    ),
    latest AS (
        SELECT o.*,
               CASE WHEN o.late >= o.overdue_first
                        THEN o.overdue_first + ((o.late - o.overdue_first) / o.overdue_every) * o.overdue_every
                    WHEN o.late >= 0 AND o.on_due_date THEN 0
                    ELSE (SELECT max(-d) FROM unnest(o.days_before) AS d WHERE -d <= o.late)
               END AS offset_days
        FROM open o
    ),
    regular AS (
        SELECT l.id AS milestone_id, h.holder_id AS recipient_id, l.due_on, l.offset_days
        FROM latest l JOIN holder h ON h.id = l.owner_id
        WHERE l.offset_days IS NOT NULL
        UNION
        SELECT l.id, h.holder_id, l.due_on, l.offset_days
        FROM latest l
        JOIN reloc.task_assignment a ON a.task_id = l.task_id
        JOIN holder h ON h.id = a.org_id
        WHERE l.offset_days IS NOT NULL
          AND (a.ended_on IS NULL OR a.ended_on > as_of)
    ),
    escalated AS (
        -- The city too for an enterprise's or a site's milestone (the city carries overall
        -- responsibility, §六), and for a plan's where the rule says so.
        SELECT l.*, coalesce(e.city_id, s.city_id, CASE WHEN l.escalate_to_city THEN p.city_id END) AS city_id
        FROM latest l
        LEFT JOIN reloc.enterprise e ON e.id = l.enterprise_id
        LEFT JOIN reloc.site s ON s.id = l.site_id
        LEFT JOIN reloc.plan p ON p.id = l.plan_id
        WHERE l.escalate_after IS NOT NULL AND l.late >= l.escalate_after
    ),
    escalations AS (
        SELECT x.id AS milestone_id, h.holder_id AS recipient_id, x.due_on, x.escalate_after
        FROM escalated x CROSS JOIN holder h
        WHERE h.kind = 'province' AND h.id = h.holder_id
        UNION
        SELECT x.id, h.holder_id, x.due_on, x.escalate_after
        FROM escalated x JOIN holder h ON h.id = x.city_id
    ),
    inserted AS (
        INSERT INTO reloc.reminder (milestone_id, recipient_id, due_on, occurrence, occurs_on, escalation, planned_on)
        SELECT r.milestone_id, r.recipient_id, r.due_on,
               CASE WHEN r.offset_days < 0 THEN 'before-' || -r.offset_days
                    WHEN r.offset_days = 0 THEN 'due'
                    ELSE 'overdue-' || r.offset_days END,
               r.due_on + r.offset_days, false, as_of
        FROM regular r
        UNION ALL
        SELECT e.milestone_id, e.recipient_id, e.due_on, 'escalation-' || e.escalate_after,
               e.due_on + e.escalate_after, true, as_of
        FROM escalations e
        ORDER BY 1, 2, 4
        ON CONFLICT ON CONSTRAINT reminder_once DO NOTHING
        RETURNING 1
    )
    SELECT count(*) FROM inserted
$$;

SELECT reloc.add_clean_text_checks();

RESET ROLE;
