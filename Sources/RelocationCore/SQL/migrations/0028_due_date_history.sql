-- 0028 the due dates a milestone had, dated (issue 15, 红黄绿灯 "as of" a past day).
--
-- A milestone's light as of a past day is decided on the due date in force that day. Extensions
-- are dated (extension_request.decided_at), but a due date moved by hand (the province's
-- `milestone edit --due`) or by the database (a plan's deadline the milestone follows, 0011) was
-- dated nowhere a query over a million milestones can read: only in the audit trail, one JSON row
-- per change, readable by the owner alone. reloc.milestone_due_change holds every change of a
-- milestone's due date, whoever made it and why (by hand, a followed deadline, an approved
-- extension): from which date to which, and when. The database writes it (the trigger
-- milestone_due_changed, sql/definitions/69_lights.sql), nobody else: no role has a grant to
-- write it, and its rows are never changed or deleted (a milestone's deletion takes its rows).
--
-- Functions, triggers and policies: sql/definitions/69_lights.sql; sql/SUPERVISION.md.
SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('milestone_due_change_final', 'milestone_due_change', NULL,
 'the history of a milestone''s due dates is written by the database when the due date moves, and never changed or deleted',
 'move the due date itself: reloc milestone edit ID --due DATE (the province) or reloc extension request')
ON CONFLICT (name) DO NOTHING;

CREATE TABLE reloc.milestone_due_change (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    milestone_id bigint NOT NULL
        CONSTRAINT milestone_due_change_milestone_id_fkey REFERENCES reloc.milestone (id) ON DELETE CASCADE,
    due_from date NOT NULL,
    due_to date NOT NULL,
    -- The transaction's time: the change is in force from its day (reloc.local_date) on.
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT milestone_due_change_moved CHECK (due_from <> due_to)
);
CREATE INDEX milestone_due_change_milestone_idx ON reloc.milestone_due_change (milestone_id, changed_at, id);
COMMENT ON TABLE reloc.milestone_due_change IS
    'Every change of a milestone''s due date (by hand, a followed plan deadline, an approved extension), dated: written only by the database (trigger milestone_due_changed), never changed. The due date in force on a day is due_from of the first change after it, else the milestone''s due_on.';
COMMENT ON COLUMN reloc.milestone_due_change.changed_at IS
    'When the due date moved (the transaction''s time): in force from reloc.local_date(changed_at) on.';

-- What the audit trail already holds (every milestone is audited since 0004): its updates of
-- due_on, in order, each dated by its transaction. Written before row-level security is switched
-- on, as the owner (the policies come with the definitions, after the migrations).
INSERT INTO reloc.milestone_due_change (milestone_id, due_from, due_to, changed_at)
SELECT a.row_id, (a.old_values ->> 'due_on')::date, (a.new_values ->> 'due_on')::date, a.at
FROM reloc.audit a
JOIN reloc.milestone m ON m.id = a.row_id
WHERE a.table_name = 'milestone' AND a.action = 'update' AND a.new_values ? 'due_on'
  AND (a.old_values ->> 'due_on') IS DISTINCT FROM (a.new_values ->> 'due_on')
  AND (a.old_values ->> 'due_on') IS NOT NULL AND (a.new_values ->> 'due_on') IS NOT NULL
ORDER BY a.id;

ALTER TABLE reloc.milestone_due_change ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.milestone_due_change FROM PUBLIC;
-- Read like the milestones themselves (every role reads every milestone and its due date, 50_tasks).
GRANT SELECT ON reloc.milestone_due_change TO reloc_app, reloc_reminder;

-- Bulletins (a month, a quarter, a year: reloc.bulletin_figures) and the annual evaluation read the
-- milestones due in a period; only the open ones had an index on their due date (0004). With one,
-- a month's bulletin reads its thousands of milestones, not the million of make bench
-- (docs/performance-supervision.md). CONCURRENTLY cannot run in the migration's transaction: the
-- plain build reads the table once (about a second for a million milestones on an idle machine),
-- while writes to milestones wait and reads go on.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX milestone_due_idx ON reloc.milestone (due_on);
