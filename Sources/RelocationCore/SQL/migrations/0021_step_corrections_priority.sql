-- 0021 (issue 14, rest): a step recorded in error is corrected, the opinion's two groups of named
-- enterprises are data, and a fact the opinion does not give is unknown.
--
-- * reloc.status_correction: the province undoes the latest step of a plan or an enterprise
--   (`reloc plan correct CODE --step STATUS --reason …`, `reloc enterprise correct ID --step STATUS
--   --reason …`), dated and with a reason. History is never edited: the undone step stays in
--   plan_status_change / enterprise_status_change, and this row says it was undone. Written only by
--   the SECURITY DEFINER functions reloc.correct_plan_step / reloc.correct_enterprise_step (in
--   sql/definitions/35_history.sql), which move the status back and reopen what the step closed.
-- * reloc.enterprise.priority: §四(二) names five enterprises to finish soon (加快推进…尽快完成搬迁改造)
--   and eight to push to start (重点推动…开展搬迁改造); unknown (NULL) for any other.
-- * reloc.enterprise.listed_in_plan is unknown (NULL) unless someone says yes or no: the opinion
--   names enterprises but does not say which are listed in a plan (§五(三)).
-- * Enterprises advanced before 0011 have no status history: one row each, at their status, dated
--   their registration (the real date is unknown), noted 补录 (backfilled).

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('status_correction', 'status_correction', NULL,
 'a step recorded in error is corrected by the province: the latest step of the plan or enterprise, named by its status, with a reason, dated on or after that step and not after today; the status returns to the one before it and the milestones the step closed reopen',
 'reloc enterprise correct ID --step STATUS --reason TEXT --as JL (reloc plan correct CODE … for a plan); see reloc enterprise show ID'),
('enterprise_priority_check', 'enterprise', '四(二)',
 'an enterprise''s priority is finish-soon (尽快完成搬迁改造) or push-start (重点推动开展搬迁改造), as §四(二) groups the enterprises it names; unknown otherwise',
 '--priority finish-soon or push-start')
ON CONFLICT (name) DO NOTHING;

CREATE TABLE reloc.status_correction (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id bigint CONSTRAINT status_correction_plan_id_fkey REFERENCES reloc.plan (id),
    enterprise_id bigint CONSTRAINT status_correction_enterprise_id_fkey REFERENCES reloc.enterprise (id),
    -- the step undone (once: a step is undone by one correction)
    undone_plan_step bigint CONSTRAINT status_correction_undone_plan_step_fkey REFERENCES reloc.plan_status_change (id)
        CONSTRAINT status_correction_undone_plan_step_key UNIQUE,
    undone_enterprise_step bigint
        CONSTRAINT status_correction_undone_enterprise_step_fkey REFERENCES reloc.enterprise_status_change (id)
        CONSTRAINT status_correction_undone_enterprise_step_key UNIQUE,
    from_status text NOT NULL,  -- the status the step had set (undone)
    to_status text NOT NULL,    -- the status before it (restored)
    on_date date NOT NULL,
    reason text NOT NULL,
    corrected_by text NOT NULL,
    corrected_by_login text NOT NULL,
    corrected_at timestamptz NOT NULL DEFAULT now(),
    transaction_id bigint NOT NULL,  -- lets the status move back in this transaction only
    CONSTRAINT status_correction_subject CHECK (
        (plan_id IS NOT NULL AND undone_plan_step IS NOT NULL AND enterprise_id IS NULL AND undone_enterprise_step IS NULL)
        OR (enterprise_id IS NOT NULL AND undone_enterprise_step IS NOT NULL AND plan_id IS NULL AND undone_plan_step IS NULL))
);
CREATE INDEX status_correction_plan_id_idx ON reloc.status_correction (plan_id);
CREATE INDEX status_correction_enterprise_id_idx ON reloc.status_correction (enterprise_id);
COMMENT ON TABLE reloc.status_correction IS
    'The province''s corrections of steps recorded in error: each undoes the latest step of a plan or enterprise (kept in its history), with a date and a reason. Written only by reloc.correct_plan_step / reloc.correct_enterprise_step; never changed.';
ALTER TABLE reloc.status_correction ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.status_correction FROM PUBLIC;
GRANT SELECT ON reloc.status_correction TO reloc_app, reloc_reminder;

ALTER TABLE reloc.enterprise ADD COLUMN priority text
    CONSTRAINT enterprise_priority_check CHECK (priority IN ('finish-soon', 'push-start'));
COMMENT ON COLUMN reloc.enterprise.priority IS
    '§四(二): finish-soon (加快推进…尽快完成搬迁改造) or push-start (重点推动…开展搬迁改造); NULL: not named by the opinion.';

-- Meant: a client that wrote nothing there recorded "no", which it did not know (issue 14). The
-- clients of this release say yes, no or nothing; the default and the NOT NULL go.
-- squawk-ignore ban-drop-default
ALTER TABLE reloc.enterprise ALTER COLUMN listed_in_plan DROP DEFAULT;
-- squawk-ignore ban-drop-not-null
ALTER TABLE reloc.enterprise ALTER COLUMN listed_in_plan DROP NOT NULL;
COMMENT ON COLUMN reloc.enterprise.listed_in_plan IS
    'Listed in one of the 11 plans (§五(三) tax treatment): yes, no, or unknown (NULL).';
-- The opinion's enterprises were recorded "no" only because the column could not say "unknown".
-- (Row-level security is forced on the owner, who has no update policy of its own here.)
ALTER TABLE reloc.enterprise NO FORCE ROW LEVEL SECURITY;
UPDATE reloc.enterprise SET listed_in_plan = NULL
WHERE source_document = '吉政办发〔2014〕29号' AND listed_in_plan = false;
UPDATE reloc.enterprise e SET priority = g.priority
FROM (VALUES ('长春轨道客车装备', 'finish-soon'), ('哈达湾冀东水泥', 'finish-soon'), ('一汽四平专用车', 'finish-soon'),
             ('辽源百康药业', 'finish-soon'), ('通化金马', 'finish-soon'),
             ('长春大成集团', 'push-start'), ('哈达湾中钢吉铁', 'push-start'), ('中钢吉炭', 'push-start'),
             ('四平昊华化工', 'push-start'), ('东风机械', 'push-start'), ('一汽辽源汽车电器公司', 'push-start'),
             ('吉化公司辽源总厂', 'push-start'), ('通化石油化工机械', 'push-start')) AS g (name, priority)
WHERE e.name = g.name AND e.source_document = '吉政办发〔2014〕29号' AND e.priority IS NULL;
ALTER TABLE reloc.enterprise FORCE ROW LEVEL SECURITY;

-- reloc.term's policies are applied after the numbered migrations (0019 says why).
ALTER TABLE reloc.term NO FORCE ROW LEVEL SECURITY;
INSERT INTO reloc.term (domain, code, zh, en) VALUES
('enterprise.priority', 'finish-soon', '尽快完成', 'finish soon'),
('enterprise.priority', 'push-start', '重点推动开展', 'push to start');
ALTER TABLE reloc.term FORCE ROW LEVEL SECURITY;

-- Enterprises past registered without any recorded step (advanced before 0011): one row at their
-- status, dated their registration, noted 补录, so that `enterprise show` says how they got there.
INSERT INTO reloc.enterprise_status_change (enterprise_id, from_status, to_status, on_date, note, changed_by,
                                            changed_by_login)
SELECT e.id, 'registered', e.status, reloc.local_date(e.created_at), '补录', 'reloc_owner',
       session_user
FROM reloc.enterprise e
WHERE e.status <> 'registered'
  AND NOT EXISTS (SELECT FROM reloc.enterprise_status_change c WHERE c.enterprise_id = e.id)
ORDER BY e.id;

SELECT reloc.audit_table('reloc.status_correction'::regclass);
SELECT reloc.add_clean_text_checks();

RESET ROLE;
