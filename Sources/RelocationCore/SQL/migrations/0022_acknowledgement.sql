-- 0022 acknowledgement (签收) and reminder rules in working days (issue 15, 督办).
--
-- * reloc.acknowledgement: an organisation acknowledges (签收) a task assignment made to it, or a
--   milestone it owns, once; who (the login, session_user) and when are stamped by the database,
--   never taken from the client; append-only like progress_report; audited. Its trigger and
--   policies: sql/definitions/66_acknowledge.sql.
-- * task_assignment.acknowledge and milestone.acknowledge: whether the row waits for a 签收 at all.
--   Set by the database when the row is written: true for what an organisation assigns through
--   reloc (`task assign`, `milestone add`), false for what the administrator loads (a superuser
--   session: `reloc db seed`, the 2014 annex as printed, which the departments received in 2014)
--   and what the database derives on its own (a plan's programme deadlines from the document, the
--   province's milestone rules, a site's mirrored milestones: as reloc_owner). The rows existing
--   now were all written before 签收 existed: false, so nobody's digest fills on the first day
--   with assignments made years ago.
-- * reminder_rule.working_days_before: reminders before the due date counted in working days
--   (`remind rules set --before 5wd,1wd`), beside days_before in calendar days; the occurrence of
--   such a reminder is before-5wd.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('acknowledgement_attached_once', 'acknowledgement', NULL,
 'an acknowledgement (签收) is of one task assignment or one milestone', 'reloc ack task N or reloc ack milestone ID'),
('acknowledgement_once', 'acknowledgement', NULL,
 'a task assignment or a milestone is acknowledged (签收) once',
 'see reloc ack list'),
('acknowledgement_milestone_once', 'acknowledgement', NULL,
 'a milestone is acknowledged (签收) once', 'see reloc ack list'),
('acknowledgement_not_due', 'acknowledgement', NULL,
 'this was not assigned through reloc (the reference data, a deadline the database set from the document or the province''s rules, or a row older than 签收): there is nothing to acknowledge',
 'reloc ack list --pending shows what awaits acknowledgement'),
('acknowledgement_by_concerned', 'acknowledgement', NULL,
 'only the organisation concerned acknowledges (签收): for a task assignment the department assigned (or its successor), for a milestone its owner',
 'act as that organisation (--as ORG); reloc ack list --pending --org CODE'),
('acknowledgement_append_only', 'acknowledgement', NULL,
 'an acknowledgement (签收) is never changed or deleted', NULL),
('acknowledgement_writers', 'acknowledgement', NULL,
 'the organisation acted for may not write these acknowledgements (they are written by the organisation concerned, once, and never changed)',
 'act as the organisation concerned (--as ORG)'),
-- PostgreSQL's own refusals of 0020's tables (a grant, row-level security) in words (0017's way).
('calendar_day_writers', 'calendar_day', NULL,
 'the organisation acted for may not write the working-day calendar (it is written by the province: reloc calendar import)',
 'act as the province (--as JL)'),
('supervision_setting_writers', 'supervision_setting', NULL,
 'the organisation acted for may not change the supervision settings (they are set by the province)',
 'act as the province (--as JL)'),
('reminder_rule_working_days', 'reminder_rule', NULL,
 'reminders before the due date in working days are whole numbers from 1 to 250, at most 10 of them',
 'e.g. reloc remind rules set --before 5wd,1wd')
ON CONFLICT (name) DO NOTHING;

CREATE TABLE reloc.acknowledgement (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_assignment_id bigint CONSTRAINT acknowledgement_task_assignment_id_fkey REFERENCES reloc.task_assignment (id),
    milestone_id bigint CONSTRAINT acknowledgement_milestone_id_fkey REFERENCES reloc.milestone (id),
    -- The organisation that acknowledged: the body acted for (set by the trigger).
    org_id bigint NOT NULL CONSTRAINT acknowledgement_org_id_fkey REFERENCES reloc.organisation (id),
    login text NOT NULL DEFAULT session_user,
    acknowledged_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    note text,
    CONSTRAINT acknowledgement_attached_once CHECK (num_nonnulls(task_assignment_id, milestone_id) = 1)
);
CREATE UNIQUE INDEX acknowledgement_once ON reloc.acknowledgement (task_assignment_id) WHERE task_assignment_id IS NOT NULL;
CREATE UNIQUE INDEX acknowledgement_milestone_once ON reloc.acknowledgement (milestone_id) WHERE milestone_id IS NOT NULL;
COMMENT ON TABLE reloc.acknowledgement IS
    'Acknowledgements (签收) of task assignments and owned milestones by the organisation concerned: once, never changed.';
ALTER TABLE reloc.acknowledgement ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.acknowledgement FROM PUBLIC;
GRANT SELECT, INSERT ON reloc.acknowledgement TO reloc_app;
GRANT SELECT ON reloc.acknowledgement TO reloc_reminder;

-- Whether a row waits for a 签收 (see above). Existing rows: false (the default here); the
-- definitions' trigger sets it for every new row, whatever the client writes.
ALTER TABLE reloc.task_assignment ADD COLUMN acknowledge boolean NOT NULL DEFAULT false;
ALTER TABLE reloc.milestone ADD COLUMN acknowledge boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN reloc.task_assignment.acknowledge IS
    'Waits for the department''s acknowledgement (签收): made through reloc by an organisation, not loaded by the administrator or older than 0022.';
COMMENT ON COLUMN reloc.milestone.acknowledge IS
    'Waits for the owner''s acknowledgement (签收): added through reloc by an organisation, not set by the database or loaded by the administrator, or older than 0022.';
-- What waits is found through these (the reminder job asks on every run, over a million
-- milestones in make bench). Every existing row is false: the indexes are built empty, by one
-- read of each table; CONCURRENTLY cannot run in the migration's transaction.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX task_assignment_acknowledge_idx ON reloc.task_assignment (id) WHERE acknowledge;
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX milestone_acknowledge_idx ON reloc.milestone (id) WHERE acknowledge;

ALTER TABLE reloc.reminder_rule ADD COLUMN working_days_before bigint[] NOT NULL DEFAULT '{}'
    CONSTRAINT reminder_rule_working_days CHECK (
        cardinality(working_days_before) <= 10 AND 0 < ALL (working_days_before) AND 250 >= ALL (working_days_before)
        AND array_position(working_days_before, NULL) IS NULL);
COMMENT ON COLUMN reloc.reminder_rule.working_days_before IS
    'Reminders this many working days before the due date (reloc.add_working_days), beside days_before.';

-- A reminder counted in working days is before-5wd: the format is widened (every stored value
-- still matches; the ledger's rows are checked again, the job's runs wait for that, briefly).
-- squawk-ignore ban-drop-constraint
ALTER TABLE reloc.reminder DROP CONSTRAINT reminder_occurrence_format;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE reloc.reminder ADD CONSTRAINT reminder_occurrence_format
    CHECK (occurrence ~ '^(before-[1-9][0-9]*(wd)?|due|overdue-[1-9][0-9]*|escalation-[1-9][0-9]*)$');

-- Its return type gains working_days_before: the definitions (60_remind.sql) create it again
-- (docs/migrations.md: a changed return type is dropped by a migration).
-- squawk-ignore ban-drop-function
DROP FUNCTION reloc.reminder_rules_in_force();

SELECT reloc.audit_table('reloc.acknowledgement'::regclass);
SELECT reloc.add_clean_text_checks();
