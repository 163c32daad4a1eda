-- 0006 reminders: the daily job that tells every office about its deadlines (节点) exactly once,
-- on time, through the channel it uses. Rules (the province edits), contacts per organisation,
-- the ledger (one row per milestone, recipient and reminder occurrence), and the messages (one
-- digest per recipient per run) with their delivery state.
--
-- Runs in one transaction as a superuser, like 0002; objects are owned by reloc_owner.
-- The job acts as reloc_reminder (0001): it reads the register, tasks and milestones, writes the
-- ledger and the messages, and nothing else.
--
-- How a run works (RelocationCore/Remind/ReminderStore.swift):
--   1. plan: reloc.remind_plan(as_of) inserts, set-based, the reminders due by state as of the
--      date (only the most recent applicable occurrence of each milestone: a late run catches up
--      without spamming), ON CONFLICT DO NOTHING on the ledger's unique key;
--   2. compose: reloc.remind_compose(as_of) turns the new reminders into one digest per
--      recipient, in the same transaction as 1, which holds an advisory lock so two runs never
--      plan at once; a recipient's unsent digests of earlier days (or of the same day, when it has
--      new reminders) are superseded and their reminders still open folded into the new one;
--   3. deliver (outside any transaction): claim one message with FOR UPDATE SKIP LOCKED and a
--      lease, decide where it goes now (the run's --channel, else the recipient's contacts as
--      they are at that moment), send it, then mark it sent only if the claim is still ours;
--      failures come back with exponential backoff and jitter, and are dead after a limit. A run
--      killed mid-delivery leaves its claim to expire; the next run takes the message over (same
--      idempotency key).

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('reminder_rule_kind_check', 'reminder_rule', NULL,
 'reminder rules are set for "default" or for a kind of milestone (plan-compiled, risk-assessed, approved, relocation-started, relocation-completed, heritage-surveyed, site-assessed, site-released, basic-completion, custom)',
 'see reloc remind rules list'),
('reminder_rule_days', 'reminder_rule', NULL,
 'reminder days are whole numbers of at least 1: days before the due date (at most 366, at most 10 of them), the first overdue day, the interval of overdue reminders, the day of escalation',
 'e.g. reloc remind rules set --before 30,7,1 --overdue-first 1 --overdue-every 7 --escalate-after 14'),
('reminder_contact_channel_check', 'reminder_contact', NULL,
 'a contact is an e-mail address or a webhook URL', 'reloc remind contact add ORG --email ADDR or --webhook URL'),
('reminder_contact_address', 'reminder_contact', NULL,
 'an e-mail contact is one address (name@domain, no spaces or angle brackets); a webhook is an http:// or https:// URL',
 'e.g. --email ban@sp.gov.cn or --webhook https://hooks.sp.gov.cn/reloc'),
('reminder_contact_key', 'reminder_contact', NULL,
 'an organisation has each contact once (SQLSTATE 23505)', 'see reloc remind contact list');

------------------------------------------------------------------------------------------------
-- Rules: when reminders are due, per kind of milestone ('default' for kinds without their own)
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.reminder_rule (
    milestone_kind text PRIMARY KEY
        CONSTRAINT reminder_rule_kind_check CHECK (milestone_kind IN (
            'default', 'plan-compiled', 'risk-assessed', 'approved', 'relocation-started', 'relocation-completed',
            'heritage-surveyed', 'site-assessed', 'site-released', 'basic-completion', 'custom')),
    -- Reminders this many days before the due date.
    days_before integer[] NOT NULL DEFAULT '{30,7,1}',
    -- A reminder on the due date itself.
    on_due_date boolean NOT NULL DEFAULT true,
    -- Overdue reminders on this day after the due date and then every overdue_every days.
    overdue_first integer NOT NULL DEFAULT 1,
    overdue_every integer NOT NULL DEFAULT 7,
    -- Escalation (督办) to the province this many days overdue; NULL: never.
    escalate_after integer DEFAULT 14,
    -- Escalate to the city government too (always done for milestones of enterprises).
    escalate_to_city boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL DEFAULT current_user,
    CONSTRAINT reminder_rule_days CHECK (
        cardinality(days_before) <= 10 AND 0 < ALL (days_before) AND 366 >= ALL (days_before)
        AND array_position(days_before, NULL) IS NULL
        AND overdue_first >= 1 AND overdue_every >= 1 AND (escalate_after IS NULL OR escalate_after >= 1))
);
COMMENT ON TABLE reloc.reminder_rule IS
    'When reminders are sent, per kind of milestone (row "default" for the rest); the province edits them (reloc remind rules set).';

-- The defaults of the issue: 30, 7, 1 days before; on the day; overdue day 1 and every 7 days;
-- escalation to the province at 14 days overdue, and to the city for site milestones (腾退土地).
INSERT INTO reloc.reminder_rule (milestone_kind, escalate_to_city) VALUES
    ('default', false), ('site-assessed', true), ('site-released', true);

CREATE FUNCTION reloc.reminder_rule_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.updated_at := now();
    NEW.updated_by := current_user;
    NEW.milestone_kind := lower(btrim(NEW.milestone_kind));
    IF NEW.milestone_kind NOT IN ('default', 'plan-compiled', 'risk-assessed', 'approved', 'relocation-started',
            'relocation-completed', 'heritage-surveyed', 'site-assessed', 'site-released', 'basic-completion', 'custom') THEN
        PERFORM reloc.raise_rule('reminder_rule_kind_check', format('"%s"', NEW.milestone_kind));
    END IF;
    -- Sorted, without repeats: the order is the reminders' order.
    NEW.days_before := ARRAY(SELECT DISTINCT d FROM unnest(NEW.days_before) AS d ORDER BY d DESC);
    IF cardinality(NEW.days_before) > 10 OR NOT (0 < ALL (NEW.days_before)) OR NOT (366 >= ALL (NEW.days_before))
       OR array_position(NEW.days_before, NULL) IS NOT NULL
       OR NEW.overdue_first < 1 OR NEW.overdue_every < 1 OR NEW.escalate_after < 1 THEN
        PERFORM reloc.raise_rule('reminder_rule_days',
            format('%s: before %s, overdue from day %s every %s, escalation on day %s', NEW.milestone_kind,
                   NEW.days_before, NEW.overdue_first, NEW.overdue_every, coalesce(NEW.escalate_after::text, 'never')));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER reminder_rule_before_write BEFORE INSERT OR UPDATE ON reloc.reminder_rule
    FOR EACH ROW EXECUTE FUNCTION reloc.reminder_rule_before_write();

-- The rule in force for each kind of milestone: its own row, else the default row.
CREATE FUNCTION reloc.reminder_rules_in_force()
RETURNS TABLE (milestone_kind text, days_before integer[], on_due_date boolean, overdue_first integer,
               overdue_every integer, escalate_after integer, escalate_to_city boolean, own_rule boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.kind, coalesce(r.days_before, d.days_before),
           CASE WHEN r.milestone_kind IS NULL THEN d.on_due_date ELSE r.on_due_date END,
           coalesce(r.overdue_first, d.overdue_first), coalesce(r.overdue_every, d.overdue_every),
           CASE WHEN r.milestone_kind IS NULL THEN d.escalate_after ELSE r.escalate_after END,
           CASE WHEN r.milestone_kind IS NULL THEN d.escalate_to_city ELSE r.escalate_to_city END,
           r.milestone_kind IS NOT NULL
    FROM unnest(ARRAY['plan-compiled', 'risk-assessed', 'approved', 'relocation-started', 'relocation-completed',
                      'heritage-surveyed', 'site-assessed', 'site-released', 'basic-completion', 'custom']) AS k (kind)
    LEFT JOIN reloc.reminder_rule r ON r.milestone_kind = k.kind
    LEFT JOIN reloc.reminder_rule d ON d.milestone_kind = 'default'
$$;

------------------------------------------------------------------------------------------------
-- Contacts: how each organisation wants to hear
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.reminder_contact (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id bigint NOT NULL CONSTRAINT reminder_contact_org_id_fkey REFERENCES reloc.organisation (id),
    channel text NOT NULL CONSTRAINT reminder_contact_channel_check CHECK (channel IN ('email', 'webhook')),
    address text NOT NULL,
    -- Who reads it (a person or an office), for the list.
    name text,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL DEFAULT current_user,
    CONSTRAINT reminder_contact_key UNIQUE (org_id, channel, address),
    CONSTRAINT reminder_contact_address CHECK (
        (channel = 'email' AND address ~ '^[^@\s<>(),;:"\[\]\\]+@[^@\s<>(),;:"\[\]\\.][^@\s<>(),;:"\[\]\\]*\.[^@\s<>(),;:"\[\]\\]+$')
        OR (channel = 'webhook' AND address ~ '^https?://[^/\s]+(/\S*)?$'))
);
CREATE INDEX reminder_contact_org_id_idx ON reloc.reminder_contact (org_id);
COMMENT ON TABLE reloc.reminder_contact IS
    'Where an organisation''s reminders go: e-mail addresses and webhooks. An organisation without one still has its reminders recorded (no-contact).';

CREATE FUNCTION reloc.reminder_contact_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.created_at := now();
    NEW.created_by := current_user;
    NEW.address := btrim(NEW.address);
    NEW.name := reloc.trim_space(NEW.name);
    IF NEW.channel IS DISTINCT FROM 'email' AND NEW.channel IS DISTINCT FROM 'webhook' THEN
        PERFORM reloc.raise_rule('reminder_contact_channel_check', format('"%s"', NEW.channel));
    END IF;
    IF NOT ((NEW.channel = 'email' AND NEW.address ~ '^[^@\s<>(),;:"\[\]\\]+@[^@\s<>(),;:"\[\]\\.][^@\s<>(),;:"\[\]\\]*\.[^@\s<>(),;:"\[\]\\]+$')
            OR (NEW.channel = 'webhook' AND NEW.address ~ '^https?://[^/\s]+(/\S*)?$')) THEN
        PERFORM reloc.raise_rule('reminder_contact_address', format('%s "%s"', NEW.channel, NEW.address));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER reminder_contact_before_write BEFORE INSERT OR UPDATE ON reloc.reminder_contact
    FOR EACH ROW EXECUTE FUNCTION reloc.reminder_contact_before_write();

------------------------------------------------------------------------------------------------
-- Messages: one digest per recipient per run, with its delivery state
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.reminder_message (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The same on every resend (webhook header Idempotency-Key, e-mail Message-ID), so a
    -- receiver can recognise a repeat after a crash between sending and recording.
    idempotency_key uuid NOT NULL DEFAULT gen_random_uuid() CONSTRAINT reminder_message_idempotency_key_key UNIQUE,
    recipient_id bigint NOT NULL CONSTRAINT reminder_message_recipient_id_fkey REFERENCES reloc.organisation (id),
    -- Where it went (stdout, jsonl:PATH, webhook:URL, email:ADDRESS), each once it accepted the
    -- message. Where a message goes is decided when it is sent, not when it is composed: the
    -- run's --channel, else the recipient's contacts at that moment (a removed contact gets
    -- nothing more, a fixed one gets what waits); a retry skips those already served.
    delivered_to text[] NOT NULL DEFAULT '{}',
    as_of date NOT NULL,
    -- The digest as composed (the JSON of RelocationCore's ReminderDigest): a resend sends the same.
    digest jsonb NOT NULL,
    state text NOT NULL DEFAULT 'pending'
        CONSTRAINT reminder_message_state_check
        CHECK (state IN ('pending', 'sending', 'retrying', 'sent', 'dead', 'no-contact', 'superseded')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- The run holding the message while it sends, and until when (a killed run's claim expires).
    claimed_by uuid,
    lease_until timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    -- Never sent: a later run composed a fresh digest for the recipient (this one's reminders
    -- still open are in it; superseded_by is NULL when none were).
    superseded_at timestamptz,
    superseded_by bigint CONSTRAINT reminder_message_superseded_by_fkey REFERENCES reloc.reminder_message (id),
    CONSTRAINT reminder_message_superseded CHECK ((state = 'superseded') = (superseded_at IS NOT NULL)),
    CONSTRAINT reminder_message_claim CHECK ((state = 'sending') = (claimed_by IS NOT NULL AND lease_until IS NOT NULL))
);
CREATE INDEX reminder_message_queue_idx ON reloc.reminder_message (next_attempt_at)
    WHERE state IN ('pending', 'retrying', 'sending');
CREATE INDEX reminder_message_recipient_idx ON reloc.reminder_message (recipient_id, created_at);
COMMENT ON TABLE reloc.reminder_message IS
    'One reminder digest for one recipient: pending → sending (claimed, leased) → sent, or retrying (backoff) → dead; no-contact when the recipient had none when it was to be sent; superseded when a later digest took its place before it was sent.';

------------------------------------------------------------------------------------------------
-- The ledger: one row per milestone, recipient and reminder occurrence, never twice
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.reminder (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    milestone_id bigint NOT NULL CONSTRAINT reminder_milestone_id_fkey REFERENCES reloc.milestone (id) ON DELETE CASCADE,
    recipient_id bigint NOT NULL CONSTRAINT reminder_recipient_id_fkey REFERENCES reloc.organisation (id),
    -- The due date the reminder was computed for: a deadline moved by the province starts afresh.
    due_on date NOT NULL,
    -- before-30, before-7, before-1, due, overdue-1, overdue-8, …, escalation-14.
    occurrence text NOT NULL CONSTRAINT reminder_occurrence_format
        CHECK (occurrence ~ '^(before-[1-9][0-9]*|due|overdue-[1-9][0-9]*|escalation-[1-9][0-9]*)$'),
    -- The day the rule puts it on (a late run sends it later, once).
    occurs_on date NOT NULL,
    escalation boolean NOT NULL DEFAULT false,
    -- The run's date (--as-of) and when it was planned.
    planned_on date NOT NULL,
    planned_at timestamptz NOT NULL DEFAULT now(),
    -- planned: waiting for compose (within the planning transaction); composed: in a message;
    -- withdrawn: its message was superseded before it was sent and by then the milestone was
    -- done (or its due date moved), so it is not sent at all.
    state text NOT NULL DEFAULT 'planned'
        CONSTRAINT reminder_state_check CHECK (state IN ('planned', 'composed', 'withdrawn')),
    CONSTRAINT reminder_once UNIQUE (milestone_id, recipient_id, due_on, occurrence)
);
CREATE INDEX reminder_recipient_idx ON reloc.reminder (recipient_id);
CREATE INDEX reminder_planned_idx ON reloc.reminder (id) WHERE state = 'planned';
-- The latest day planned: a run never plans for an earlier one (it would send older reminders).
CREATE INDEX reminder_planned_on_idx ON reloc.reminder (planned_on);
COMMENT ON TABLE reloc.reminder IS
    'The reminder ledger: one row per (milestone, recipient, due date, occurrence), unique, so a reminder is planned once however often the job runs.';

CREATE TABLE reloc.reminder_message_item (
    message_id bigint NOT NULL CONSTRAINT reminder_message_item_message_id_fkey REFERENCES reloc.reminder_message (id) ON DELETE CASCADE,
    reminder_id bigint NOT NULL CONSTRAINT reminder_message_item_reminder_id_fkey REFERENCES reloc.reminder (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, reminder_id)
);
CREATE INDEX reminder_message_item_reminder_idx ON reloc.reminder_message_item (reminder_id);
COMMENT ON TABLE reloc.reminder_message_item IS 'Which reminders of the ledger a message carries.';

------------------------------------------------------------------------------------------------
-- Planning: set-based, by state as of a date
------------------------------------------------------------------------------------------------

-- Inserts the reminders due as of the date; returns how many are new. For each milestone not
-- done by that date, the most recent occurrence the rule puts on or before the date (a late run
-- sends that one, not every one it missed); for its owner and, for a task's milestone, every
-- department assigned to the task, each as the body holding the work on that date (a renamed
-- department's successor). Escalation (督办) once the milestone is escalate_after days overdue: to
-- the province, and to the city for an enterprise's milestone or a kind whose rule says so.
-- JIT off: compiling the expressions costs more (≈ 0.7 s) than the whole plan takes without it on
-- a million milestones. The rules are materialized so each kind's horizon is computed once, not
-- once per milestone.
CREATE FUNCTION reloc.remind_plan(as_of date) RETURNS bigint
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
COMMENT ON FUNCTION reloc.remind_plan(date) IS
    'Plans the reminders due as of a date (most recent applicable occurrence per milestone and recipient); returns how many are new.';

------------------------------------------------------------------------------------------------
-- Composing: the new reminders become one digest per recipient
------------------------------------------------------------------------------------------------

-- Turns the planned reminders into messages: one digest per recipient (JSON, the shape of
-- RelocationCore's ReminderDigest). Where a message goes is not decided here but when it is sent
-- (reloc remind run --channel C, else the recipient's contacts then). Returns the counts.
-- A digest lists at most max_items items (the longest overdue first) and counts the rest in
-- "omitted": nobody reads thousands of lines in one message, and the job's memory stays bounded
-- however large the programme grows; every reminder stays in the ledger, linked to the message.
--
-- One digest per recipient per run, nothing done reminded: a recipient's messages not yet sent
-- to anyone (pending, or retrying with nothing delivered) that are of an earlier day, or of this
-- day when the recipient has new reminders, are superseded; their reminders whose milestone is
-- still open as of the date (same due date) go into the new digest, the others are withdrawn.
-- A message a run was sending (even one whose lease ran out) is finished with its own
-- idempotency key instead, so a receiver can recognise the repeat of a send a killed run made.
CREATE FUNCTION reloc.remind_compose(as_of date, max_items integer DEFAULT 200)
RETURNS TABLE (messages bigint, superseded bigint)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off
AS $$
DECLARE
    run_on constant date := as_of;
    cap constant integer := max_items;
    stale_ids bigint[];
    composed bigint;
BEGIN
    WITH stale AS (
        UPDATE reloc.reminder_message m SET state = 'superseded', superseded_at = now()
        WHERE m.state IN ('pending', 'retrying') AND m.delivered_to = '{}'
          AND (m.as_of < run_on
               OR EXISTS (SELECT FROM reloc.reminder r WHERE r.state = 'planned' AND r.recipient_id = m.recipient_id))
        RETURNING m.id
    )
    SELECT coalesce(array_agg(stale.id), '{}') INTO stale_ids FROM stale;

    UPDATE reloc.reminder r
    SET state = CASE WHEN (ms.done_on IS NULL OR ms.done_on > run_on) AND ms.due_on = r.due_on
                     THEN 'planned' ELSE 'withdrawn' END
    FROM reloc.milestone ms
    WHERE ms.id = r.milestone_id AND r.state = 'composed'
      AND r.id IN (SELECT i.reminder_id FROM reloc.reminder_message_item i WHERE i.message_id = ANY (stale_ids));

    WITH taken AS (
        UPDATE reloc.reminder r SET state = 'composed'
        WHERE r.state = 'planned'
        RETURNING r.id, r.milestone_id, r.recipient_id, r.due_on, r.escalation
    ),
    item AS (
        -- One item per milestone in a digest: the owner's own reminder wins over an escalation.
        SELECT DISTINCT ON (t.recipient_id, t.milestone_id)
               t.recipient_id, t.milestone_id, t.due_on - run_on AS days_left,
               jsonb_build_object(
                   'milestone_id', m.id, 'kind', m.kind, 'title', m.title,
                   'belongs_to', CASE
                       WHEN m.plan_id IS NOT NULL THEN jsonb_build_object('type', 'plan', 'code', p.code, 'name', p.name)
                       WHEN m.enterprise_id IS NOT NULL THEN jsonb_build_object('type', 'enterprise', 'code', NULL, 'name', e.name)
                       WHEN m.task_id IS NOT NULL THEN jsonb_build_object('type', 'task', 'code', k.number::text, 'name', k.title)
                       WHEN m.site_id IS NOT NULL THEN jsonb_build_object('type', 'site', 'code', m.site_id::text, 'name', s.name)
                       -- Attached to something a later migration adds.
                       ELSE jsonb_build_object('type', 'other', 'code', NULL, 'name', m.title) END,
                   'due_on', t.due_on, 'days_left', t.due_on - run_on, 'escalation', t.escalation,
                   'owner', jsonb_build_object('code', owner.code, 'name', owner.name_zh),
                   'latest_progress', CASE WHEN pr.status IS NOT NULL THEN jsonb_build_object(
                       'percent', pr.percent, 'status', pr.status, 'note', pr.note,
                       'reported_on', reloc.local_date(pr.reported_at)) END) AS item
        FROM taken t
        JOIN reloc.milestone m ON m.id = t.milestone_id
        JOIN reloc.organisation owner ON owner.id = reloc.org_on(m.owner_id, run_on)
        LEFT JOIN reloc.plan p ON p.id = m.plan_id
        LEFT JOIN reloc.enterprise e ON e.id = m.enterprise_id
        LEFT JOIN reloc.task k ON k.id = m.task_id
        LEFT JOIN reloc.site s ON s.id = m.site_id
        LEFT JOIN LATERAL (
            SELECT x.percent, x.status, x.note, x.reported_at FROM reloc.progress_report x
            WHERE x.milestone_id = m.id OR (m.task_id IS NOT NULL AND x.task_id = m.task_id)
            ORDER BY x.reported_at DESC, x.id DESC LIMIT 1) pr ON true
        ORDER BY t.recipient_id, t.milestone_id, t.escalation
    ),
    ranked AS (
        SELECT i.*, row_number() OVER (PARTITION BY i.recipient_id ORDER BY i.days_left, i.milestone_id) AS position
        FROM item i
    ),
    digest AS (
        SELECT i.recipient_id,
               jsonb_build_object(
                   'recipient', jsonb_build_object('code', o.code, 'name', o.name_zh), 'as_of', run_on,
                   'items', jsonb_agg(i.item ORDER BY i.days_left, i.milestone_id) FILTER (WHERE i.position <= cap),
                   'omitted', count(*) FILTER (WHERE i.position > cap)) AS digest
        FROM ranked i JOIN reloc.organisation o ON o.id = i.recipient_id
        GROUP BY i.recipient_id, o.code, o.name_zh
    ),
    message AS (
        INSERT INTO reloc.reminder_message (recipient_id, as_of, digest)
        SELECT d.recipient_id, run_on, d.digest FROM digest d ORDER BY d.recipient_id
        RETURNING id, recipient_id
    ),
    linked AS (
        INSERT INTO reloc.reminder_message_item (message_id, reminder_id)
        SELECT m.id, t.id FROM message m JOIN taken t ON t.recipient_id = m.recipient_id
        RETURNING 1
    )
    -- (linked runs to completion although nothing reads it: a data-modifying WITH always does.)
    SELECT count(*) INTO composed FROM message;

    UPDATE reloc.reminder_message s SET superseded_by = n.id
    FROM reloc.reminder_message n
    WHERE s.id = ANY (stale_ids) AND n.recipient_id = s.recipient_id AND n.created_at = now() AND n.id <> s.id;

    RETURN QUERY SELECT composed, cardinality(stale_ids)::bigint;
END $$;
COMMENT ON FUNCTION reloc.remind_compose(date, integer) IS
    'Composes the planned reminders into one digest per recipient, listing at most max_items, superseding the recipient''s unsent older digests; returns (messages, superseded).';

------------------------------------------------------------------------------------------------
-- Row-level security (forced) and grants: reloc_reminder (the job) reads what it needs and
-- writes only the ledger and the messages; the province edits rules; an organisation manages its
-- own contacts (the province any); everyone reads the messages addressed to them.
------------------------------------------------------------------------------------------------
ALTER TABLE reloc.reminder_rule ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.reminder_contact ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.reminder_message ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.reminder ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.reminder_message_item ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

CREATE POLICY reminder_rule_read ON reloc.reminder_rule FOR SELECT TO reloc_app, reloc_reminder, reloc_owner USING (true);
CREATE POLICY reminder_rule_province_write ON reloc.reminder_rule FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

CREATE POLICY reminder_contact_job_read ON reloc.reminder_contact FOR SELECT TO reloc_reminder USING (true);
CREATE POLICY reminder_contact_own ON reloc.reminder_contact FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province()) OR org_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]))
    WITH CHECK ((SELECT reloc.acting_is_province()) OR org_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]));

CREATE POLICY reminder_message_job ON reloc.reminder_message FOR ALL TO reloc_reminder USING (true) WITH CHECK (true);
CREATE POLICY reminder_message_read ON reloc.reminder_message FOR SELECT TO reloc_app
    USING ((SELECT reloc.acting_is_province()) OR recipient_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]));
CREATE POLICY reminder_message_province_retry ON reloc.reminder_message FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

CREATE POLICY reminder_job ON reloc.reminder FOR ALL TO reloc_reminder USING (true) WITH CHECK (true);
CREATE POLICY reminder_read ON reloc.reminder FOR SELECT TO reloc_app
    USING ((SELECT reloc.acting_is_province()) OR recipient_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]));
CREATE POLICY reminder_message_item_job ON reloc.reminder_message_item FOR ALL TO reloc_reminder USING (true) WITH CHECK (true);
CREATE POLICY reminder_message_item_read ON reloc.reminder_message_item FOR SELECT TO reloc_app USING (true);

-- The job reads the register, tasks, milestones and progress (no write policy, no write grant).
CREATE POLICY organisation_reminder_read ON reloc.organisation FOR SELECT TO reloc_reminder USING (true);
CREATE POLICY plan_reminder_read ON reloc.plan FOR SELECT TO reloc_reminder USING (true);
CREATE POLICY enterprise_reminder_read ON reloc.enterprise FOR SELECT TO reloc_reminder USING (true);
CREATE POLICY task_reminder_read ON reloc.task FOR SELECT TO reloc_reminder USING (true);
CREATE POLICY task_assignment_reminder_read ON reloc.task_assignment FOR SELECT TO reloc_reminder USING (true);
CREATE POLICY milestone_reminder_read ON reloc.milestone FOR SELECT TO reloc_reminder USING (true);
CREATE POLICY progress_report_reminder_read ON reloc.progress_report FOR SELECT TO reloc_reminder USING (true);
CREATE POLICY site_reminder_read ON reloc.site FOR SELECT TO reloc_reminder USING (true);

GRANT SELECT ON reloc.rule, reloc.organisation, reloc.plan, reloc.enterprise, reloc.task, reloc.task_assignment,
    reloc.milestone, reloc.progress_report, reloc.site, reloc.reminder_rule, reloc.reminder_contact TO reloc_reminder;
GRANT SELECT, INSERT ON reloc.reminder, reloc.reminder_message, reloc.reminder_message_item TO reloc_reminder;
GRANT UPDATE (state) ON reloc.reminder TO reloc_reminder;
GRANT UPDATE (state, attempts, next_attempt_at, claimed_by, lease_until, last_error, sent_at, delivered_to,
    superseded_at, superseded_by) ON reloc.reminder_message TO reloc_reminder;

GRANT SELECT ON reloc.reminder_rule, reloc.reminder_contact, reloc.reminder_message, reloc.reminder,
    reloc.reminder_message_item TO reloc_app;
GRANT INSERT, UPDATE, DELETE ON reloc.reminder_rule TO reloc_province;
GRANT INSERT (org_id, channel, address, name), DELETE ON reloc.reminder_contact TO reloc_app;
GRANT UPDATE (state, attempts, next_attempt_at, last_error) ON reloc.reminder_message TO reloc_province;

REVOKE ALL ON FUNCTION reloc.remind_plan(date), reloc.remind_compose(date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.remind_plan(date), reloc.remind_compose(date, integer) TO reloc_reminder;

-- The audit trail (0003) records who changed the rules and the contacts, when it is there.
DO $$
BEGIN
    IF to_regprocedure('reloc.audit_table(regclass)') IS NOT NULL THEN
        PERFORM reloc.audit_table('reloc.reminder_rule'::regclass);
        PERFORM reloc.audit_table('reloc.reminder_contact'::regclass);
    END IF;
END $$;

RESET ROLE;
