-- 0010 the reminder job under faults and hostile contacts (issue 12).
--
-- 1. Auditing: 0006 attached the audit trail only if to_regprocedure('reloc.audit_table(regclass)')
--    was not null, but the function's signature is (regclass, text[], text[]): the check was always
--    null and the rules and contacts were never audited, silently. Attached here unconditionally
--    (a missing audit_table now fails the migration). Tests/RelocationCoreTests/Remind/
--    AuditCoverageTests.swift checks the catalog: every programme table of schema reloc has its
--    audit triggers.
-- 2. reloc.reminder_message_item was readable by every organisation (USING (true)): a row is now
--    visible only with its message, whose own policy says who reads it.
-- 3. reloc.remind_compose: a digest not yet delivered anywhere is recomposed before it is sent
--    when one of its milestones was done or moved since (a same-day rerun), and a message recorded
--    no-contact is folded into a fresh digest once its recipient has a contact; the province's
--    digest lists the dead messages (failed_deliveries, 投递失败).
-- 4. Webhook contacts get a secret (the job signs each request with HMAC-SHA256 under it): written
--    once by `reloc remind contact add`, which shows it; nobody but the job reads it back (column
--    privileges), and the audit trail leaves it out. E-mail contacts are ASCII addresses only
--    (a raw non-ASCII address in To: is not a valid header), with host-name labels; a webhook has
--    no IPv6 literal host and a port from 1 to 65535, and is inserted with its 64-hex secret.
--    The audit trail records address_shown (credentials in a webhook URL masked), not address.
-- 5. reloc.reminder_run: each run's counts, for `reloc remind status`.
-- 6. reloc.reminder_job_lock: the planning run's lock, which only the job may take (0006's
--    advisory lock could be taken by any login and hold every run off).
-- 7. reminder_message_coherent: the province's raw UPDATE cannot make a message incoherent.
--
-- Runs as a superuser in one transaction, like 0006; objects stay owned by reloc_owner.

SET LOCAL ROLE reloc_owner;

------------------------------------------------------------------------------------------------
-- 4. Contacts: a webhook's signing secret; ASCII e-mail addresses
------------------------------------------------------------------------------------------------
ALTER TABLE reloc.reminder_contact ADD COLUMN secret text;
COMMENT ON COLUMN reloc.reminder_contact.secret IS
    'A webhook''s signing key (X-Reloc-Signature), shown once at contact add; read by the job only. NULL: unsigned (contacts added before 0010).';
-- The address as the audit trail records it: credentials in a webhook URL (user:password@) are
-- masked, for the audit rows are read by the city and the province (the address itself is left
-- out of the record, like the secret, below).
-- A webhook's credential may also stand in its query string (钉钉 access_token=…, 企业微信 key=…):
-- the query is masked too. One function for the record, the lists and the history.
CREATE FUNCTION reloc.url_shown(text text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN regexp_replace(regexp_replace(text, '(https?://)[^/?#\s]*@', '\1***@', 'gi'),
                      '(https?://[^\s?#]*)\?[^\s#]*', '\1?***', 'gi');
COMMENT ON FUNCTION reloc.url_shown(text) IS
    'Text with every http(s) URL''s credentials (user:password@ → ***@) and query (?… → ?***) masked.';
ALTER TABLE reloc.reminder_contact ADD COLUMN address_shown text
    GENERATED ALWAYS AS (reloc.url_shown(address)) STORED;
COMMENT ON COLUMN reloc.reminder_contact.address_shown IS
    'The address with a webhook URL''s credentials (***@) and query (?***) masked: what the audit trail records.';
-- Organisations read every column but the secret.
REVOKE SELECT ON reloc.reminder_contact FROM reloc_app;
GRANT SELECT (id, org_id, channel, address, address_shown, name, created_at, created_by) ON reloc.reminder_contact TO reloc_app;
GRANT INSERT (secret) ON reloc.reminder_contact TO reloc_app;

UPDATE reloc.rule SET
    message = 'an e-mail contact is one ASCII address (name@domain, no spaces or angle brackets; the domain''s labels letters, digits and inner hyphens, joined by single dots; a non-ASCII domain in its xn-- form); a webhook is an http:// or https:// URL with a host name or IPv4 address (not an IPv6 literal) and a port, if any, from 1 to 65535',
    hint = 'e.g. --email ban@sp.gov.cn or --webhook https://hooks.sp.gov.cn/reloc'
WHERE name = 'reminder_contact_address';
INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('reminder_contact_secret', 'reminder_contact', NULL,
 'a webhook contact is added with its signing secret: 64 lower-case hex characters (an e-mail contact has none)',
 'add contacts with reloc remind contact add, which makes the secret and shows it once');

CREATE OR REPLACE FUNCTION reloc.reminder_contact_before_write() RETURNS trigger
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
    -- Printable ASCII only (a mail header takes no raw UTF-8, and no line breaks anywhere).
    -- The domain: labels of letters, digits and inner hyphens joined by single dots (no a@-b.cn,
    -- a@b..cn, a@b.cn.). A webhook: a host name or IPv4 address, never an IPv6 literal (the
    -- job's HTTP client cannot send to one), and a port from 1 to 65535.
    IF NOT ((NEW.channel = 'email'
             AND NEW.address ~ '^[^@\s<>(),;:"\[\]\\]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$')
            OR (NEW.channel = 'webhook'
                AND NEW.address ~ '^https?://([^/?#\s@]*@)?[^/?#\s@\[\]:]+(:[0-9]{1,5})?([/?#]\S*)?$'
                AND coalesce(substring(NEW.address FROM '^https?://(?:[^/?#\s@]*@)?[^/?#\s@\[\]:]+:([0-9]{1,5})')::integer, 1)
                    BETWEEN 1 AND 65535))
       OR NEW.address !~ '^[\x21-\x7e]+$' THEN
        PERFORM reloc.raise_rule('reminder_contact_address', format('%s "%s"', NEW.channel,
            regexp_replace(NEW.address, '^(https?://)[^/?#\s]*@', '\1***@', 'i')));
    END IF;
    -- A webhook is signed: its secret is made by `reloc remind contact add` (64 hex), never
    -- empty or missing (contacts added before 0010 keep theirs NULL: only INSERT is checked,
    -- and organisations may not UPDATE contacts).
    IF TG_OP = 'INSERT' AND NEW.channel = 'webhook' AND (NEW.secret IS NULL OR NEW.secret !~ '^[0-9a-f]{64}$') THEN
        PERFORM reloc.raise_rule('reminder_contact_secret', NULL);
    END IF;
    -- Only a webhook is signed.
    IF NEW.channel = 'email' THEN
        NEW.secret := NULL;
    END IF;
    RETURN NEW;
END $$;

------------------------------------------------------------------------------------------------
-- 1. The audit trail on the rules and the contacts (never skipped silently)
------------------------------------------------------------------------------------------------
SELECT reloc.audit_table('reloc.reminder_rule'::regclass);
-- The secret stays out of the record (every organisation reads its own audit rows).
-- The address is recorded as address_shown (credentials masked).
SELECT reloc.audit_table('reloc.reminder_contact'::regclass, ignored_columns => ARRAY['secret', 'address']);

------------------------------------------------------------------------------------------------
-- 2. Another organisation's message items are invisible
------------------------------------------------------------------------------------------------
DROP POLICY reminder_message_item_read ON reloc.reminder_message_item;
-- The subquery is itself under reminder_message_read: the province sees every message, an
-- organisation those addressed to it (or to a body it succeeded).
CREATE POLICY reminder_message_item_read ON reloc.reminder_message_item FOR SELECT TO reloc_app
    USING (EXISTS (SELECT FROM reloc.reminder_message m WHERE m.id = message_id));

------------------------------------------------------------------------------------------------
-- 3. Composing: stale same-day digests and no-contact messages are recomposed
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.remind_compose(as_of date, max_items integer DEFAULT 200)
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
        WHERE m.delivered_to = '{}'
          AND ((m.state IN ('pending', 'retrying')
                AND (m.as_of < run_on
                     OR EXISTS (SELECT FROM reloc.reminder r WHERE r.state = 'planned' AND r.recipient_id = m.recipient_id)
                     -- A same-day digest gone stale: one of its milestones is done, or its due
                     -- date moved, since it was composed (nothing done or moved is reminded).
                     OR EXISTS (SELECT FROM reloc.reminder_message_item i
                                JOIN reloc.reminder r ON r.id = i.reminder_id
                                JOIN reloc.milestone ms ON ms.id = r.milestone_id
                                WHERE i.message_id = m.id
                                  AND ((ms.done_on IS NOT NULL AND ms.done_on <= run_on) OR ms.due_on <> r.due_on))))
               -- Recorded no-contact, and the recipient has a contact now: its items still open
               -- go to that contact in this run's fresh digest.
               OR (m.state = 'no-contact'
                   AND EXISTS (SELECT FROM reloc.reminder_contact c WHERE c.org_id = m.recipient_id)))
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
                   'omitted', count(*) FILTER (WHERE i.position > cap))
               -- The province's digest lists the messages that died (投递失败), the latest 50,
               -- until they are retried: a person there sees what nobody received.
               || CASE WHEN o.kind = 'province' THEN coalesce((
                      SELECT jsonb_build_object('failed_deliveries', jsonb_agg(f.failed ORDER BY f.id DESC))
                      FROM (SELECT d.id, jsonb_build_object(
                                'message_id', d.id, 'as_of', d.as_of, 'attempts', d.attempts,
                                'recipient', jsonb_build_object('code', r.code, 'name', r.name_zh),
                                'last_error', regexp_replace(coalesce(d.last_error, ''), '(https?://)[^/?#\s]*@', '\1***@', 'g')
                            ) AS failed
                            FROM reloc.reminder_message d JOIN reloc.organisation r ON r.id = d.recipient_id
                            WHERE d.state = 'dead' ORDER BY d.id DESC LIMIT 50) f
                      HAVING count(*) > 0), '{}') ELSE '{}' END AS digest
        FROM ranked i JOIN reloc.organisation o ON o.id = i.recipient_id
        GROUP BY i.recipient_id, o.code, o.name_zh, o.kind
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
    'Composes the planned reminders into one digest per recipient, listing at most max_items, superseding the recipient''s undelivered digests that are older, stale (a milestone done or moved) or no-contact with a contact now; returns (messages, superseded).';
REVOKE ALL ON FUNCTION reloc.remind_compose(date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.remind_compose(date, integer) TO reloc_reminder;

------------------------------------------------------------------------------------------------
-- 5. The runs: what each run did, for `reloc remind status` (an operator's day)
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.reminder_run (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    as_of date NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now(),
    login text NOT NULL DEFAULT session_user,
    planned integer NOT NULL, sent integer NOT NULL, retrying integer NOT NULL, dead integer NOT NULL,
    no_contact integer NOT NULL, held integer NOT NULL, superseded integer NOT NULL, waiting integer NOT NULL,
    exit_status integer NOT NULL
);
CREATE INDEX reminder_run_as_of_idx ON reloc.reminder_run (as_of, id);
COMMENT ON TABLE reloc.reminder_run IS
    'One row per reminder run (not dry runs): its counts and exit status; written only by the job.';
ALTER TABLE reloc.reminder_run ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY reminder_run_job ON reloc.reminder_run FOR ALL TO reloc_reminder USING (true) WITH CHECK (true);
-- Counts only, no organisation's data: every organisation may see that the job ran.
CREATE POLICY reminder_run_read ON reloc.reminder_run FOR SELECT TO reloc_app USING (true);
GRANT SELECT, INSERT ON reloc.reminder_run TO reloc_reminder;
GRANT SELECT ON reloc.reminder_run TO reloc_app;

------------------------------------------------------------------------------------------------
-- 7. A message's state stays coherent whoever updates it (the province may retry by hand)
------------------------------------------------------------------------------------------------
INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('reminder_message_coherent', 'reminder_message', NULL,
 'a reminder message has 0 or more attempts, finite times, and is sent only with a time sent and a destination that accepted it',
 'to send a message again use reloc remind retry ID');
ALTER TABLE reloc.reminder_message ADD CONSTRAINT reminder_message_coherent CHECK (
    attempts >= 0
    AND isfinite(next_attempt_at) AND isfinite(created_at)
    AND (lease_until IS NULL OR isfinite(lease_until))
    AND (sent_at IS NULL OR isfinite(sent_at))
    AND (superseded_at IS NULL OR isfinite(superseded_at))
    AND (state <> 'sent' OR (sent_at IS NOT NULL AND cardinality(delivered_to) > 0)));

------------------------------------------------------------------------------------------------
-- 6. The job's own lock: one planner at a time, a lock no organisation can take
------------------------------------------------------------------------------------------------
-- 0006 serialised planning with pg_advisory_xact_lock(hashtext('reloc.remind')): any login can
-- take that advisory lock and hold every run off. This row is locked FOR UPDATE instead, and only
-- reloc_reminder has any privilege on its table (so nobody else can lock it, not even with LOCK
-- TABLE, which needs UPDATE, DELETE or TRUNCATE).
CREATE TABLE reloc.reminder_job_lock (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row)
);
INSERT INTO reloc.reminder_job_lock DEFAULT VALUES;
COMMENT ON TABLE reloc.reminder_job_lock IS
    'One row, locked FOR UPDATE by the reminder run that plans (one planner at a time); only the job may lock it.';
REVOKE ALL ON reloc.reminder_job_lock FROM PUBLIC;
GRANT SELECT, UPDATE ON reloc.reminder_job_lock TO reloc_reminder;

-- The new text columns (reminder_run.login, reminder_contact.secret) get their length and
-- control-character checks like every other (0008).
SELECT reloc.add_clean_text_checks();

RESET ROLE;
