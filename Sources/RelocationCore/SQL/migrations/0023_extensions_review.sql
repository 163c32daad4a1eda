-- 0023 extension requests (延期申请) and completion review (办结审核, 销号, 退办) — issue 15 (督办).
--
-- * reloc.extension_request: a body that may close a milestone asks, before its due date (plus the
--   province's grace, supervision_setting.extension_grace, in working days), for a later one, with
--   a reason and evidence (文号); the province approves (with the date asked or another) or rejects
--   it. Approval moves the milestone's due date, as the database (the requester has no right to);
--   the request rows are the milestone's history of extensions: the first approved row's due_on is
--   the original due date. A decided request is never changed; at most one is pending per milestone.
-- * reloc.completion_review: for the milestones the province has completion reviewed (the kinds in
--   reloc.review_kind, and the milestones of tasks while supervision_setting.review_task_milestones),
--   a body other than the province does not close a milestone: it submits the completion, with its
--   date and evidence; the milestone is under review (done_on stays empty) until the province
--   accepts it (销号: closed on the date submitted) or returns it (退办: open again, due date as it was).
--   Only an accepted completion counts as done. A milestone a recorded step closes is not reviewed:
--   the step is the evidence.
--
-- Functions, triggers and policies: sql/definitions/67_extensions.sql, 68_review.sql; the lights
-- (红黄绿灯) that read both: 69_lights.sql. Names and signatures: sql/SUPERVISION.md.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('extension_request_state', 'extension_request', NULL,
 'an extension request is pending, approved or rejected', NULL),
('extension_request_reason', 'extension_request', NULL,
 'an extension request says why the milestone cannot be met (a reason)', 'give --reason TEXT'),
('extension_request_horizon', 'extension_request', NULL,
 'an extension is to a real day within the programme''s calendar (by 2100-12-31), not open-ended',
 'give --to a date such as 2027-06-30'),
('extension_request_later', 'extension_request', NULL,
 'an extension moves a milestone''s due date later: the date asked (and the date approved) is after the current due date',
 'give --to a date after the due date: reloc milestone show ID'),
('extension_request_in_time', 'extension_request', NULL,
 'an extension is asked for before the due date passes (on the due date at the latest, plus the province''s grace in working days)',
 'once overdue, report progress and close the milestone late: reloc milestone progress ID'),
('extension_request_open_milestone', 'extension_request', NULL,
 'an extension is asked for an open milestone: a closed one has no due date to move', NULL),
('extension_request_one_pending', 'extension_request', NULL,
 'a milestone has at most one pending extension request (SQLSTATE 23505)',
 'wait for the province''s decision: reloc extension list --pending'),
('extension_request_decided', 'extension_request', NULL,
 'an extension request is decided once, by the province, and never changed or deleted afterwards',
 'ask again with a new request if the milestone still needs one'),
('extension_request_decision', 'extension_request', NULL,
 'deciding an extension request sets only its decision (approved or rejected), the date approved and a note; a rejection says why',
 'reloc extension approve ID [--to DATE] [--note TEXT] / reloc extension reject ID --note TEXT'),
('extension_request_decide_province', 'extension_request', NULL,
 'the province (省政府) approves or rejects an extension request: no body decides its own',
 'act as the province (--as JL); see reloc extension list --pending'),
('completion_review_decide_province', 'completion_review', NULL,
 'the province (省政府) accepts (销号) or returns (退办) a completion under review: no body reviews its own',
 'act as the province (--as JL); see reloc review list'),
('review_kind_province', 'review_kind', NULL,
 'the province (省政府) decides which milestones it reviews', 'act as the province (--as JL)'),
('review_kind_kind', 'review_kind', NULL,
 'a reviewed kind is a kind of milestone', 'see reloc milestone add --help for the kinds'),
('completion_review_state', 'completion_review', NULL,
 'a completion under review is pending, accepted (销号) or returned (退办)', NULL),
('completion_review_evidence', 'completion_review', NULL,
 'a completion submitted for review names its evidence (文号 or 材料)', 'give --evidence 文号'),
('completion_review_reviewed', 'completion_review', NULL,
 'a completion is submitted for review only for a milestone the province reviews (reloc review kinds), still open, not closed by a recorded step',
 'close it with reloc milestone done'),
('completion_review_one_pending', 'completion_review', NULL,
 'a milestone has at most one completion under review (SQLSTATE 23505)', 'see reloc review list'),
('completion_review_decided', 'completion_review', NULL,
 'a completion under review is accepted or returned once, by the province, and never changed or deleted afterwards',
 'submit the completion again after a return: reloc milestone done ID'),
('completion_review_decision', 'completion_review', NULL,
 'deciding a completion sets only its decision (accepted or returned) and a note; a return says why',
 'reloc review accept ID / reloc review return ID --reason TEXT'),
('milestone_reopen_reviewed', 'milestone', NULL,
 'a milestone the province accepted (销号) is reopened by the province only',
 'ask the province (reloc milestone reopen ID --as JL)'),
('milestone_done_reviewed', 'milestone', NULL,
 'a milestone the province reviews (办结审核) is closed by the province accepting its completion (销号), not by its owner directly',
 'submit the completion: reloc milestone done ID --evidence 文号')
ON CONFLICT (name) DO NOTHING;

------------------------------------------------------------------------------------------------
-- Extension requests (延期申请)
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.extension_request (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    milestone_id bigint NOT NULL CONSTRAINT extension_request_milestone_id_fkey REFERENCES reloc.milestone (id),
    -- Who asked (stamped by the database) and when.
    requested_by bigint NOT NULL CONSTRAINT extension_request_requested_by_fkey REFERENCES reloc.organisation (id),
    login text NOT NULL DEFAULT session_user,
    requested_at timestamptz NOT NULL DEFAULT now(),
    -- The milestone's due date when asked (stamped), and the date asked for.
    due_on date NOT NULL,
    requested_to date NOT NULL,
    reason text NOT NULL CONSTRAINT extension_request_reason CHECK (btrim(reason) <> ''),
    -- Document numbers (文号) that support it.
    evidence text[] NOT NULL DEFAULT '{}',
    state text NOT NULL DEFAULT 'pending'
        CONSTRAINT extension_request_state CHECK (state IN ('pending', 'approved', 'rejected')),
    -- The decision: the date approved (the date asked unless the province gives another), the
    -- province's login, when, and its note (a rejection's reason).
    decided_to date,
    decided_by text,
    decided_at timestamptz,
    decision_note text,
    CONSTRAINT extension_request_later CHECK (requested_to > due_on AND (decided_to IS NULL OR decided_to > due_on)),
    CONSTRAINT extension_request_horizon CHECK (requested_to <= DATE '2100-12-31' AND (decided_to IS NULL OR decided_to <= DATE '2100-12-31')),
    CONSTRAINT extension_request_decision CHECK (
        CASE state
            WHEN 'pending' THEN num_nonnulls(decided_to, decided_by, decided_at) = 0
            WHEN 'approved' THEN num_nonnulls(decided_to, decided_by, decided_at) = 3
            ELSE decided_to IS NULL AND num_nonnulls(decided_by, decided_at, decision_note) = 3
        END)
);
CREATE UNIQUE INDEX extension_request_one_pending ON reloc.extension_request (milestone_id) WHERE state = 'pending';
CREATE INDEX extension_request_milestone_idx ON reloc.extension_request (milestone_id, id);
COMMENT ON TABLE reloc.extension_request IS
    'Extension requests (延期申请): asked by a body that may close the milestone before its due date, decided once by the province; an approval moves the due date. The rows are the milestone''s history of extensions.';

ALTER TABLE reloc.extension_request ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.extension_request FROM PUBLIC;
GRANT SELECT ON reloc.extension_request TO reloc_app, reloc_reminder;
GRANT INSERT (milestone_id, requested_to, reason, evidence) ON reloc.extension_request TO reloc_app;
GRANT UPDATE (state, decided_to, decision_note) ON reloc.extension_request TO reloc_province;

------------------------------------------------------------------------------------------------
-- Completion review (办结审核)
------------------------------------------------------------------------------------------------
-- The kinds of milestone whose completion the province reviews (default: custom), beside the
-- milestones of tasks (supervision_setting.review_task_milestones, default on).
CREATE TABLE reloc.review_kind (
    kind text PRIMARY KEY CONSTRAINT review_kind_kind CHECK (kind IN (
        'plan-compiled', 'risk-assessed', 'approved', 'relocation-started', 'relocation-completed',
        'heritage-surveyed', 'site-assessed', 'site-released', 'basic-completion', 'custom')),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE reloc.review_kind IS
    'The kinds of milestone whose completion the province reviews (办结审核): closed only when the province accepts it (销号).';
INSERT INTO reloc.review_kind (kind) VALUES ('custom');
ALTER TABLE reloc.review_kind ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.review_kind FROM PUBLIC;
GRANT SELECT ON reloc.review_kind TO reloc_app, reloc_reminder;
GRANT INSERT, DELETE ON reloc.review_kind TO reloc_province;

ALTER TABLE reloc.supervision_setting ADD COLUMN review_task_milestones boolean NOT NULL DEFAULT true;
COMMENT ON COLUMN reloc.supervision_setting.review_task_milestones IS
    'Whether the completion of a task''s milestone is reviewed (办结审核) whatever its kind.';
GRANT UPDATE (review_task_milestones) ON reloc.supervision_setting TO reloc_province;

CREATE TABLE reloc.completion_review (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    milestone_id bigint NOT NULL CONSTRAINT completion_review_milestone_id_fkey REFERENCES reloc.milestone (id),
    -- Who submitted it (stamped by the database) and when.
    requested_by bigint NOT NULL CONSTRAINT completion_review_requested_by_fkey REFERENCES reloc.organisation (id),
    login text NOT NULL DEFAULT session_user,
    requested_at timestamptz NOT NULL DEFAULT now(),
    -- The day the work was done, as submitted: the milestone's done_on once accepted.
    done_on date NOT NULL,
    -- 待审核: the review_within-th working day after submission (stamped), from which the province's
    -- digest lists it.
    review_by date NOT NULL,
    evidence text[] NOT NULL CONSTRAINT completion_review_evidence CHECK (cardinality(evidence) > 0),
    note text,
    state text NOT NULL DEFAULT 'pending'
        CONSTRAINT completion_review_state CHECK (state IN ('pending', 'accepted', 'returned')),
    decided_by text,
    decided_at timestamptz,
    -- The province's note; a return's reason (退办理由).
    decision_note text,
    CONSTRAINT completion_review_decision CHECK (
        CASE state
            WHEN 'pending' THEN num_nonnulls(decided_by, decided_at) = 0
            WHEN 'accepted' THEN num_nonnulls(decided_by, decided_at) = 2
            ELSE num_nonnulls(decided_by, decided_at, decision_note) = 3
        END)
);
CREATE UNIQUE INDEX completion_review_one_pending ON reloc.completion_review (milestone_id) WHERE state = 'pending';
CREATE INDEX completion_review_milestone_idx ON reloc.completion_review (milestone_id, id);
COMMENT ON TABLE reloc.completion_review IS
    'Completions submitted for review (办结审核): pending until the province accepts (销号, closes the milestone on done_on) or returns (退办) them; never changed after the decision.';

ALTER TABLE reloc.completion_review ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.completion_review FROM PUBLIC;
GRANT SELECT ON reloc.completion_review TO reloc_app, reloc_reminder;
GRANT INSERT (milestone_id, done_on, evidence, note) ON reloc.completion_review TO reloc_app;
GRANT UPDATE (state, decision_note) ON reloc.completion_review TO reloc_province;

-- 待审核: a completion under review review_within working days is an item of the province's
-- digest, once per submission (occurrence review-<completion id>; reloc.reminders_due).
-- Widened, not weakened: every occurrence the old CHECK took is still taken, so the rows already
-- in the ledger (millions, on a large programme) need no scan: NOT VALID checks the new rows only.
-- squawk-ignore ban-drop-constraint
ALTER TABLE reloc.reminder DROP CONSTRAINT reminder_occurrence_format;
ALTER TABLE reloc.reminder ADD CONSTRAINT reminder_occurrence_format
    CHECK (occurrence ~ '^(before-[1-9][0-9]*(wd)?|due|overdue-[1-9][0-9]*|escalation-[1-9][0-9]*|review-[1-9][0-9]*)$') NOT VALID;

-- reloc.term's policies are applied after the numbered migrations (0019 says why).
ALTER TABLE reloc.term NO FORCE ROW LEVEL SECURITY;
INSERT INTO reloc.term (domain, code, zh, en) VALUES
('extension_request.state', 'pending', '待审批', 'pending'),
('extension_request.state', 'approved', '已批准', 'approved'),
('extension_request.state', 'rejected', '不予批准', 'rejected'),
('completion_review.state', 'pending', '待审核', 'pending'),
('completion_review.state', 'accepted', '已销号', 'accepted'),
('completion_review.state', 'returned', '已退办', 'returned'),
('milestone.state', 'under-review', '审核中', 'under review'),
('milestone.light', 'red', '红灯', 'red'),
('milestone.light', 'yellow', '黄灯', 'yellow'),
('milestone.light', 'green', '绿灯', 'green'),
('milestone.light', 'done', '已办结', 'done');
ALTER TABLE reloc.term FORCE ROW LEVEL SECURITY;

SELECT reloc.audit_table('reloc.extension_request'::regclass);
SELECT reloc.audit_table('reloc.completion_review'::regclass);
SELECT reloc.audit_table('reloc.review_kind'::regclass, ARRAY['kind']);
SELECT reloc.add_clean_text_checks();
