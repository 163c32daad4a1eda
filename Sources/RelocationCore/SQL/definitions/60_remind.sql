-- Reminders.
-- The reminder job: rules, contacts, planning and composing digests, and what the job's role may read and write.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

CREATE OR REPLACE FUNCTION reloc.reminder_rule_before_write() RETURNS trigger
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
    -- The same for the reminders counted in working days (0022, issue 15: 5wd,1wd).
    NEW.working_days_before := ARRAY(SELECT DISTINCT d FROM unnest(coalesce(NEW.working_days_before, '{}')) AS d ORDER BY d DESC);
    IF cardinality(NEW.working_days_before) > 10 OR NOT (0 < ALL (NEW.working_days_before))
       OR NOT (250 >= ALL (NEW.working_days_before)) OR array_position(NEW.working_days_before, NULL) IS NOT NULL THEN
        PERFORM reloc.raise_rule('reminder_rule_working_days',
            format('%s: before %s working days', NEW.milestone_kind, NEW.working_days_before));
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER reminder_rule_before_write BEFORE INSERT OR UPDATE ON reloc.reminder_rule
    FOR EACH ROW EXECUTE FUNCTION reloc.reminder_rule_before_write();

-- The rule in force for each kind of milestone: its own row, else the default row.
CREATE OR REPLACE FUNCTION reloc.reminder_rules_in_force()
RETURNS TABLE (milestone_kind text, days_before integer[], on_due_date boolean, overdue_first integer,
               overdue_every integer, escalate_after integer, escalate_to_city boolean, own_rule boolean,
               working_days_before integer[])
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT k.kind, coalesce(r.days_before, d.days_before),
           CASE WHEN r.milestone_kind IS NULL THEN d.on_due_date ELSE r.on_due_date END,
           coalesce(r.overdue_first, d.overdue_first), coalesce(r.overdue_every, d.overdue_every),
           CASE WHEN r.milestone_kind IS NULL THEN d.escalate_after ELSE r.escalate_after END,
           CASE WHEN r.milestone_kind IS NULL THEN d.escalate_to_city ELSE r.escalate_to_city END,
           r.milestone_kind IS NOT NULL,
           -- Reminders before the due date in working days (0022): the kind's own, else the default's.
           coalesce(r.working_days_before, d.working_days_before)::integer[]
    FROM unnest(ARRAY['plan-compiled', 'risk-assessed', 'approved', 'relocation-started', 'relocation-completed',
                      'heritage-surveyed', 'site-assessed', 'site-released', 'basic-completion', 'custom']) AS k (kind)
    LEFT JOIN reloc.reminder_rule r ON r.milestone_kind = k.kind
    LEFT JOIN reloc.reminder_rule d ON d.milestone_kind = 'default'
$$;

CREATE OR REPLACE TRIGGER reminder_contact_before_write BEFORE INSERT OR UPDATE ON reloc.reminder_contact
    FOR EACH ROW EXECUTE FUNCTION reloc.reminder_contact_before_write();

DROP POLICY IF EXISTS reminder_rule_read ON reloc.reminder_rule;
CREATE POLICY reminder_rule_read ON reloc.reminder_rule FOR SELECT TO reloc_app, reloc_reminder, reloc_owner USING (true);

DROP POLICY IF EXISTS reminder_rule_province_write ON reloc.reminder_rule;
CREATE POLICY reminder_rule_province_write ON reloc.reminder_rule FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS reminder_contact_job_read ON reloc.reminder_contact;
CREATE POLICY reminder_contact_job_read ON reloc.reminder_contact FOR SELECT TO reloc_reminder USING (true);

DROP POLICY IF EXISTS reminder_contact_own ON reloc.reminder_contact;
CREATE POLICY reminder_contact_own ON reloc.reminder_contact FOR ALL TO reloc_app
    USING ((SELECT reloc.acting_is_province()) OR org_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]))
    WITH CHECK ((SELECT reloc.acting_is_province()) OR org_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]));

DROP POLICY IF EXISTS reminder_message_job ON reloc.reminder_message;
CREATE POLICY reminder_message_job ON reloc.reminder_message FOR ALL TO reloc_reminder USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS reminder_message_read ON reloc.reminder_message;
CREATE POLICY reminder_message_read ON reloc.reminder_message FOR SELECT TO reloc_app
    USING ((SELECT reloc.acting_is_province()) OR recipient_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]));

DROP POLICY IF EXISTS reminder_message_province_retry ON reloc.reminder_message;
CREATE POLICY reminder_message_province_retry ON reloc.reminder_message FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS reminder_job ON reloc.reminder;
CREATE POLICY reminder_job ON reloc.reminder FOR ALL TO reloc_reminder USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS reminder_read ON reloc.reminder;
CREATE POLICY reminder_read ON reloc.reminder FOR SELECT TO reloc_app
    USING ((SELECT reloc.acting_is_province()) OR recipient_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]));


-- The ledger is written once (0035, 0036): a reminder names its message when it is composed
-- (planned → composed) and leaves it only when that digest was superseded before it was sent
-- (→ planned, for the fresh digest, or withdrawn); nothing else of a reminder ever changes. This
-- holds for the job's own role too: its UPDATE grant is for these steps only, and a delivered
-- reminder set back to planned would be reminded again, its first delivery lost from the ledger.
CREATE OR REPLACE FUNCTION reloc.reminder_written_once() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (to_jsonb(NEW) - 'state' - 'message_id') IS DISTINCT FROM (to_jsonb(OLD) - 'state' - 'message_id')
       OR NOT ((OLD.state, OLD.message_id) IS NOT DISTINCT FROM (NEW.state, NEW.message_id)
               OR (OLD.state = 'planned' AND NEW.state = 'composed')
               OR (OLD.state = 'composed' AND NEW.state IN ('planned', 'withdrawn')
                   AND NEW.message_id IS NOT DISTINCT FROM OLD.message_id
                   AND EXISTS (SELECT FROM reloc.reminder_message m
                               WHERE m.id = OLD.message_id AND m.state = 'superseded'))) THEN
        PERFORM reloc.raise_rule('reminder_written_once',
            format('reminder %s: %s in message %s → %s in message %s', OLD.id, OLD.state,
                   coalesce(OLD.message_id::text, '-'), NEW.state, coalesce(NEW.message_id::text, '-')));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.reminder_written_once() FROM PUBLIC;

CREATE OR REPLACE TRIGGER reminder_written_once BEFORE UPDATE ON reloc.reminder
    FOR EACH ROW EXECUTE FUNCTION reloc.reminder_written_once();

-- By hand (the province's `reloc remind retry`), only a dead or retrying message goes back in the
-- queue — pending, attempts from 0, its error cleared — its delivery record (delivered_to,
-- sent_at, the digest) kept; the job's role drives a message's life otherwise. An AFTER trigger,
-- so that an incoherent change is refused in reminder_message_coherent's words first (0010).
CREATE OR REPLACE FUNCTION reloc.reminder_message_retry_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF pg_has_role(current_user, 'reloc_app', 'MEMBER') AND NOT pg_has_role(current_user, 'reloc_reminder', 'MEMBER')
       AND NOT (OLD.state IN ('dead', 'retrying') AND NEW.state = 'pending'
                AND (to_jsonb(NEW) - 'state' - 'attempts' - 'next_attempt_at' - 'last_error')
                    = (to_jsonb(OLD) - 'state' - 'attempts' - 'next_attempt_at' - 'last_error')) THEN
        PERFORM reloc.raise_rule('reminder_message_retry_only',
            format('message %s: %s → %s', OLD.id, OLD.state, NEW.state));
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.reminder_message_retry_only() FROM PUBLIC;

CREATE OR REPLACE TRIGGER reminder_message_retry_only AFTER UPDATE ON reloc.reminder_message
    FOR EACH ROW EXECUTE FUNCTION reloc.reminder_message_retry_only();

-- The job reads the register, tasks, milestones and progress (no write policy, no write grant).
DROP POLICY IF EXISTS organisation_reminder_read ON reloc.organisation;
CREATE POLICY organisation_reminder_read ON reloc.organisation FOR SELECT TO reloc_reminder USING (true);

DROP POLICY IF EXISTS plan_reminder_read ON reloc.plan;
CREATE POLICY plan_reminder_read ON reloc.plan FOR SELECT TO reloc_reminder USING (true);

DROP POLICY IF EXISTS enterprise_reminder_read ON reloc.enterprise;
CREATE POLICY enterprise_reminder_read ON reloc.enterprise FOR SELECT TO reloc_reminder USING (true);

DROP POLICY IF EXISTS task_reminder_read ON reloc.task;
CREATE POLICY task_reminder_read ON reloc.task FOR SELECT TO reloc_reminder USING (true);

DROP POLICY IF EXISTS task_assignment_reminder_read ON reloc.task_assignment;
CREATE POLICY task_assignment_reminder_read ON reloc.task_assignment FOR SELECT TO reloc_reminder USING (true);

DROP POLICY IF EXISTS milestone_reminder_read ON reloc.milestone;
CREATE POLICY milestone_reminder_read ON reloc.milestone FOR SELECT TO reloc_reminder USING (true);

DROP POLICY IF EXISTS progress_report_reminder_read ON reloc.progress_report;
CREATE POLICY progress_report_reminder_read ON reloc.progress_report FOR SELECT TO reloc_reminder USING (true);

DROP POLICY IF EXISTS site_reminder_read ON reloc.site;
CREATE POLICY site_reminder_read ON reloc.site FOR SELECT TO reloc_reminder USING (true);

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
    -- job's HTTP client could not send to one when this was written; see ChannelAddress.webhookURL),
    -- and a port from 1 to 65535.
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
--
------------------------------------------------------------------------------------------------
-- 3. Composing: stale same-day digests and no-contact messages are recomposed
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.remind_compose(as_of date, max_items integer DEFAULT 200)
RETURNS TABLE (messages bigint, superseded bigint)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off
AS $$
DECLARE
    stale_ids bigint[];
    composed bigint;
BEGIN
    PERFORM reloc.remind_stage();
    stale_ids := reloc.remind_supersede(as_of);
    PERFORM reloc.remind_take_planned();
    composed := reloc.remind_compose_taken(as_of, max_items, stale_ids);
    DROP TABLE pg_temp.remind_taken, pg_temp.remind_box;
    RETURN QUERY SELECT composed, cardinality(stale_ids)::bigint;
END $$;
COMMENT ON FUNCTION reloc.remind_compose(date, integer) IS
    'Composes the planned reminders into one digest per recipient, listing at most max_items, superseding the recipient''s undelivered digests that are older, stale (a milestone done or moved) or no-contact with a contact now; returns (messages, superseded).';
REVOKE ALL ON FUNCTION reloc.remind_compose(date,integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.remind_compose(date,integer) TO reloc_reminder;

DROP POLICY IF EXISTS reminder_run_job ON reloc.reminder_run;
CREATE POLICY reminder_run_job ON reloc.reminder_run FOR ALL TO reloc_reminder USING (true) WITH CHECK (true);

-- Counts only, no organisation's data: every organisation may see that the job ran.
DROP POLICY IF EXISTS reminder_run_read ON reloc.reminder_run;
CREATE POLICY reminder_run_read ON reloc.reminder_run FOR SELECT TO reloc_app USING (true);


------------------------------------------------------------------------------------------------
-- Set-based in cost (0013, issue 13): the job's run (reloc.remind_run) and the steps it shares
-- with remind_plan / remind_compose; figures in docs/performance-remind.md
------------------------------------------------------------------------------------------------

------------------------------------------------------------------------------------------------
-- Who holds each organisation's work on a date, for every organisation at once
------------------------------------------------------------------------------------------------
-- The same chain as reloc.org_on (0004): follow successor_id while the succession has taken effect
-- (succeeded_on <= on_date), at most 100 steps; the last body reached holds the work. One
-- recursive query for all organisations instead of one per organisation (or per reminder).
CREATE OR REPLACE FUNCTION reloc.org_holders(on_date date)
RETURNS TABLE (org_id bigint, holder_id bigint, kind text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE chain (org_id, holder_id, depth) AS (
        SELECT o.id, o.id, 0 FROM reloc.organisation o
        UNION ALL
        SELECT c.org_id, s.successor_id, c.depth + 1
        FROM chain c JOIN reloc.organisation s ON s.id = c.holder_id
        WHERE s.successor_id IS NOT NULL AND s.succeeded_on <= on_date AND c.depth < 100
    )
    SELECT DISTINCT ON (c.org_id) c.org_id, c.holder_id, o.kind
    FROM chain c JOIN reloc.organisation o ON o.id = c.org_id
    ORDER BY c.org_id, c.depth DESC
$$;
COMMENT ON FUNCTION reloc.org_holders(date) IS
    'Every organisation with the organisation that holds its work on a date (reloc.org_on for all at once) and its own kind.';

------------------------------------------------------------------------------------------------
-- What is due: the reminders the rules put on the date (0012's remind_plan, its query alone)
------------------------------------------------------------------------------------------------
-- For each milestone not done by that date, the most recent occurrence the rule puts on or before
-- the date; for its owner and, for a task's milestone, every department assigned to the task on
-- the date, each as the body holding the work then; escalations (督办) to the province and, for an
-- enterprise's or a site's milestone or a kind whose rule says so, the city. May include rows the
-- ledger already has (the caller inserts ON CONFLICT DO NOTHING).
CREATE OR REPLACE FUNCTION reloc.reminders_due(as_of date)
RETURNS TABLE (milestone_id bigint, recipient_id bigint, due_on date, occurrence text, occurs_on date, escalation boolean)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp ROWS 50000
AS $$
    WITH rules AS MATERIALIZED (
        -- A reminder n working days before lies at most 2n + 30 calendar days before (the window
        -- of reloc.add_working_days).
        SELECT r.*, greatest((SELECT coalesce(max(d), 0) FROM unnest(r.days_before) AS d),
                             (SELECT coalesce(max(2 * d + 30), 0) FROM unnest(r.working_days_before) AS d)) AS horizon
        FROM reloc.reminder_rules_in_force() r
    ),
    -- Who holds each organisation's work on the date (one recursive query for all of them).
    holder AS MATERIALIZED (
        SELECT h.org_id AS id, h.holder_id, h.kind FROM reloc.org_holders(as_of) h
    ),
    open AS (
        SELECT m.id, m.due_on, m.owner_id, m.task_id, m.plan_id, m.enterprise_id, m.site_id, as_of - m.due_on AS late, r.*
        FROM reloc.milestone m
        JOIN rules r ON r.milestone_kind = m.kind
        WHERE (m.done_on IS NULL OR m.done_on > as_of)
          AND m.due_on <= as_of + r.horizon
          -- The same bound for every kind at once (the longest horizon), before the join: the
          -- scan keeps only the milestones near or past their due date, as the floor's does,
          -- instead of joining every open one to its rule (issue 13).
          AND m.due_on <= as_of + (SELECT max(x.horizon) FROM rules x)
          -- Under review (办结审核, 68_review.sql): submitted as done, so not chased; the province
          -- is reminded to review it instead (待审核, below). NOT IN over the pending reviews (few:
          -- one per milestone at most, milestone_id NOT NULL) is one hashed subplan; NOT EXISTS
          -- was planned as a nested-loop anti join rescanning completion_review for every open
          -- milestone (issue 13: ≈ 1.5× the floor's whole scan; docs/performance-remind.md).
          AND m.id NOT IN (SELECT cr.milestone_id FROM reloc.completion_review cr WHERE cr.state = 'pending')
    ),
    latest AS MATERIALIZED (
        SELECT o.*,
               CASE WHEN o.late >= o.overdue_first
                        THEN o.overdue_first + ((o.late - o.overdue_first) / o.overdue_every) * o.overdue_every
                    WHEN o.late >= 0 AND o.on_due_date THEN 0
                    ELSE (SELECT max(-d) FROM unnest(o.days_before) AS d WHERE -d <= o.late)
               END AS offset_days,
               -- Before the due date in working days (0022): the fewest working days whose day
               -- (reloc.add_working_days(due_on, -n)) has come; only where a day before is chosen.
               CASE WHEN cardinality(o.working_days_before) > 0 AND o.late < o.overdue_first
                         AND NOT (o.late >= 0 AND o.on_due_date)
                    THEN (SELECT min(d) FROM unnest(o.working_days_before) AS d
                          WHERE reloc.add_working_days(o.due_on, -d) <= as_of)
               END AS offset_wd
        FROM open o
    ),
    -- The occurrence: a day before counted in working days when its day is later than the one in
    -- calendar days (before-5wd), else as before (before-N, due, overdue-N).
    timed AS (
        SELECT l.*,
               CASE WHEN l.offset_wd IS NOT NULL
                         AND (l.offset_days IS NULL OR l.due_on + l.offset_days < reloc.add_working_days(l.due_on, -l.offset_wd))
                    THEN 'before-' || l.offset_wd || 'wd'
                    WHEN l.offset_days < 0 THEN 'before-' || -l.offset_days
                    WHEN l.offset_days = 0 THEN 'due'
                    ELSE 'overdue-' || l.offset_days END AS occurrence,
               CASE WHEN l.offset_wd IS NOT NULL
                         AND (l.offset_days IS NULL OR l.due_on + l.offset_days < reloc.add_working_days(l.due_on, -l.offset_wd))
                    THEN reloc.add_working_days(l.due_on, -l.offset_wd)
                    ELSE l.due_on + l.offset_days END AS occurs_on
        FROM latest l
        WHERE l.offset_days IS NOT NULL OR l.offset_wd IS NOT NULL
    ),
    regular AS (
        SELECT l.id AS milestone_id, h.holder_id AS recipient_id, l.due_on, l.occurrence, l.occurs_on
        FROM timed l JOIN holder h ON h.id = l.owner_id
        UNION
        SELECT l.id, h.holder_id, l.due_on, l.occurrence, l.occurs_on
        FROM timed l
        JOIN reloc.task_assignment a ON a.task_id = l.task_id
        JOIN holder h ON h.id = a.org_id
        WHERE (a.ended_on IS NULL OR a.ended_on > as_of)
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
    )
    SELECT r.milestone_id, r.recipient_id, r.due_on, r.occurrence, r.occurs_on, false
    FROM regular r
    UNION ALL
    SELECT e.milestone_id, e.recipient_id, e.due_on, 'escalation-' || e.escalate_after, e.due_on + e.escalate_after, true
    FROM escalations e
    UNION ALL
    -- 待审核 (68_review.sql): a completion under review review_within working days, to the province,
    -- once per submission.
    -- (review_by: the review_within-th working day after submission, stamped by 68_review.sql.)
    SELECT c.milestone_id, h.holder_id, m.due_on, 'review-' || c.id, c.review_by, false
    FROM reloc.completion_review c
    JOIN reloc.milestone m ON m.id = c.milestone_id
    JOIN holder h ON h.kind = 'province' AND h.id = h.holder_id
    WHERE c.state = 'pending' AND c.review_by <= as_of
$$;
COMMENT ON FUNCTION reloc.reminders_due(date) IS
    'The reminders due as of a date (most recent applicable occurrence per milestone and recipient), whether or not the ledger has them.';

------------------------------------------------------------------------------------------------
-- A run's staging, for the transaction: pg_temp.remind_taken, the reminders it composes (new ones,
-- already naming their message, and planned ones, moved to it: planned = true), and
-- pg_temp.remind_box, each recipient's message id, allocated before its reminders are written
-- (0035: the reminder row names its message, written once).
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.remind_stage() RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    CREATE TEMPORARY TABLE remind_taken (
        id bigint NOT NULL, milestone_id bigint NOT NULL, recipient_id bigint NOT NULL, due_on date NOT NULL,
        escalation boolean NOT NULL, planned boolean NOT NULL
    ) ON COMMIT DROP;
    CREATE TEMPORARY TABLE remind_box (recipient_id bigint PRIMARY KEY, message_id bigint NOT NULL) ON COMMIT DROP;
END $$;

-- The planned reminders (folded back from a superseded digest, or left by remind_plan), locked:
-- a second run composing at the same time waits, then finds them composed and leaves them.
CREATE OR REPLACE FUNCTION reloc.remind_take_planned() RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    WITH planned AS (
        SELECT r.id, r.milestone_id, r.recipient_id, r.due_on, r.escalation FROM reloc.reminder r
        WHERE r.state = 'planned'
        FOR UPDATE
    )
    INSERT INTO pg_temp.remind_taken (id, milestone_id, recipient_id, due_on, escalation, planned)
    SELECT p.id, p.milestone_id, p.recipient_id, p.due_on, p.escalation, true FROM planned p;
END $$;

------------------------------------------------------------------------------------------------
-- The reminders a run composes: pg_temp.remind_taken, created by the caller (remind_compose,
-- remind_run) for the transaction. Superseding (0010's first step of remind_compose): a
-- recipient's messages not delivered anywhere that are of an earlier day, of this day when the
-- recipient has new reminders (planned, or taken by this run), gone stale (a milestone done or
-- moved), or no-contact with a contact now; their reminders still open become 'planned' again
-- (the caller takes them), the others 'withdrawn'. Returns the superseded messages' ids.
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.remind_supersede(run_on date) RETURNS bigint[]
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    stale_ids bigint[];
BEGIN
    WITH stale AS (
        UPDATE reloc.reminder_message m SET state = 'superseded', superseded_at = now()
        WHERE m.delivered_to = '{}'
          AND ((m.state IN ('pending', 'retrying')
                AND (m.as_of < run_on
                     OR EXISTS (SELECT FROM reloc.reminder r WHERE r.state = 'planned' AND r.recipient_id = m.recipient_id)
                     OR EXISTS (SELECT FROM pg_temp.remind_taken t WHERE t.recipient_id = m.recipient_id)
                     -- A same-day digest gone stale: one of its milestones is done, or its due
                     -- date moved, since it was composed (nothing done or moved is reminded).
                     OR EXISTS (SELECT FROM reloc.reminder r
                                JOIN reloc.milestone ms ON ms.id = r.milestone_id
                                WHERE r.message_id = m.id
                                  AND ((ms.done_on IS NOT NULL AND ms.done_on <= run_on) OR ms.due_on <> r.due_on))))
               -- Recorded no-contact, and the recipient has a contact now: its items still open
               -- go to that contact in this run's fresh digest.
               OR (m.state = 'no-contact'
                   AND EXISTS (SELECT FROM reloc.reminder_contact c WHERE c.org_id = m.recipient_id)))
        RETURNING m.id
    )
    SELECT coalesce(array_agg(stale.id), '{}') INTO stale_ids FROM stale;

    -- Driven from the superseded messages' reminders (0010 started from every 'composed'
    -- reminder: in remind_run, tens of thousands just inserted, each probed for an item). A
    -- withdrawn reminder keeps the superseded message; a planned one moves to the fresh digest
    -- (remind_compose_taken).
    IF cardinality(stale_ids) > 0 THEN
        UPDATE reloc.reminder r
        SET state = CASE WHEN (ms.done_on IS NULL OR ms.done_on > run_on) AND ms.due_on = r.due_on
                         THEN 'planned' ELSE 'withdrawn' END
        FROM reloc.milestone ms
        WHERE r.message_id = ANY (stale_ids) AND ms.id = r.milestone_id AND r.state = 'composed';
    END IF;
    RETURN stale_ids;
END $$;

------------------------------------------------------------------------------------------------
-- The digests of pg_temp.remind_taken (0010's last step of remind_compose): one message per
-- recipient listing at most max_items items (the longest overdue first) and counting the rest in
-- "omitted", with the id pg_temp.remind_box allocated for the recipient (0035: a new reminder
-- names it already; a planned one is moved to it here); the superseded messages point to their
-- recipient's new one. Returns the number of messages.
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.remind_compose_taken(run_on date, cap integer, stale_ids bigint[]) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    composed bigint;
BEGIN
    -- A message id for each recipient that has none yet (only planned reminders: folded back
    -- from a superseded digest, or left by remind_plan).
    INSERT INTO pg_temp.remind_box (recipient_id, message_id)
    SELECT x.recipient_id, nextval('reloc.reminder_message_id_seq')
    FROM (SELECT DISTINCT t.recipient_id FROM pg_temp.remind_taken t
          WHERE t.recipient_id NOT IN (SELECT b.recipient_id FROM pg_temp.remind_box b)) x;
    -- Analysed: the statement below is planned for the rows there are (hash joins over tens of
    -- thousands), not for a guess.
    ANALYZE pg_temp.remind_taken;
    WITH item AS (
        -- One item per milestone in a digest: the owner's own reminder wins over an escalation.
        SELECT DISTINCT ON (t.recipient_id, t.milestone_id)
               t.recipient_id, t.milestone_id, t.due_on, t.escalation, t.due_on - run_on AS days_left
        FROM pg_temp.remind_taken t
        ORDER BY t.recipient_id, t.milestone_id, t.escalation
    ),
    ranked AS MATERIALIZED (
        SELECT i.*, row_number() OVER (PARTITION BY i.recipient_id ORDER BY i.days_left, i.milestone_id) AS position
        FROM item i
    ),
    -- What a digest lists (the first max_items of each recipient's): only these need their content.
    listed AS (
        SELECT i.recipient_id, i.milestone_id,
               jsonb_build_object(
                   'milestone_id', m.id, 'kind', m.kind, 'title', m.title,
                   'belongs_to', CASE
                       WHEN m.plan_id IS NOT NULL THEN jsonb_build_object('type', 'plan', 'code', p.code, 'name', p.name)
                       WHEN m.enterprise_id IS NOT NULL THEN jsonb_build_object('type', 'enterprise', 'code', NULL, 'name', e.name)
                       WHEN m.task_id IS NOT NULL THEN jsonb_build_object('type', 'task', 'code', k.number::text, 'name', k.title)
                       WHEN m.site_id IS NOT NULL THEN jsonb_build_object('type', 'site', 'code', m.site_id::text, 'name', s.name)
                       -- Attached to something a later migration adds.
                       ELSE jsonb_build_object('type', 'other', 'code', NULL, 'name', m.title) END,
                   'due_on', i.due_on, 'days_left', i.days_left, 'escalation', i.escalation,
                   -- 待审核: its completion waits for the province's review (68_review.sql).
                   'awaiting_review', EXISTS (SELECT FROM reloc.completion_review cr
                                              WHERE cr.milestone_id = m.id AND cr.state = 'pending'),
                   'owner', jsonb_build_object('code', owner.code, 'name', owner.name_zh),
                   'latest_progress', CASE WHEN pr.status IS NOT NULL THEN jsonb_build_object(
                       'percent', pr.percent, 'status', pr.status, 'note', pr.note,
                       'reported_on', reloc.local_date(pr.reported_at)) END) AS item
        FROM ranked i
        JOIN reloc.milestone m ON m.id = i.milestone_id
        JOIN reloc.org_holders(run_on) h ON h.org_id = m.owner_id
        JOIN reloc.organisation owner ON owner.id = h.holder_id
        LEFT JOIN reloc.plan p ON p.id = m.plan_id
        LEFT JOIN reloc.enterprise e ON e.id = m.enterprise_id
        LEFT JOIN reloc.task k ON k.id = m.task_id
        LEFT JOIN reloc.site s ON s.id = m.site_id
        LEFT JOIN LATERAL (
            SELECT x.percent, x.status, x.note, x.reported_at FROM reloc.progress_report x
            WHERE x.milestone_id = m.id OR (m.task_id IS NOT NULL AND x.task_id = m.task_id)
            ORDER BY x.reported_at DESC, x.id DESC LIMIT 1) pr ON true
        WHERE i.position <= cap
    ),
    awaiting AS MATERIALIZED (SELECT a.recipient_id, a.part FROM reloc.acknowledgement_digests(run_on, cap) a),
    digest AS (
        SELECT i.recipient_id,
               jsonb_build_object(
                   'recipient', jsonb_build_object('code', o.code, 'name', o.name_zh), 'as_of', run_on,
                   'items', jsonb_agg(l.item ORDER BY i.days_left, i.milestone_id) FILTER (WHERE i.position <= cap),
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
                      HAVING count(*) > 0), '{}') ELSE '{}' END
               -- 待签收 (0022, 66_acknowledge.sql): what the recipient has not acknowledged in time.
               || coalesce((SELECT a.part FROM awaiting a WHERE a.recipient_id = i.recipient_id), '{}') AS digest
        FROM ranked i
        JOIN reloc.organisation o ON o.id = i.recipient_id
        LEFT JOIN listed l ON l.recipient_id = i.recipient_id AND l.milestone_id = i.milestone_id
        GROUP BY i.recipient_id, o.code, o.name_zh, o.kind
    ),
    message AS (
        INSERT INTO reloc.reminder_message (id, recipient_id, as_of, digest) OVERRIDING SYSTEM VALUE
        SELECT b.message_id, d.recipient_id, run_on, d.digest
        FROM digest d JOIN pg_temp.remind_box b ON b.recipient_id = d.recipient_id
        ORDER BY d.recipient_id
        RETURNING id, recipient_id
    )
    SELECT count(*) INTO composed FROM message;

    -- The planned reminders move into their recipient's message (the new ones name it already).
    -- Driven from their ids (an index scan of the ledger): a join with pg_temp.remind_taken was
    -- planned as a nested loop over every taken row when the ledger's statistics said it was
    -- empty (3.5 s at 100,000 milestones; docs/performance-remind.md).
    UPDATE reloc.reminder r SET state = 'composed', message_id = b.message_id
    FROM pg_temp.remind_box b
    WHERE r.id = ANY (ARRAY(SELECT t.id FROM pg_temp.remind_taken t WHERE t.planned))
      AND b.recipient_id = r.recipient_id;

    -- 待签收 only (0022, 66_acknowledge.sql): an organisation with items not acknowledged in time
    -- and no digest of this day gets one listing them, once a day, until it acknowledges.
    WITH ack_only AS (
        INSERT INTO reloc.reminder_message (recipient_id, as_of, digest)
        SELECT a.recipient_id, run_on,
               jsonb_build_object('recipient', jsonb_build_object('code', o.code, 'name', o.name_zh), 'as_of', run_on,
                                  'items', '[]'::jsonb, 'omitted', 0) || a.part
        FROM reloc.acknowledgement_digests(run_on, cap) a
        JOIN reloc.organisation o ON o.id = a.recipient_id
        WHERE NOT EXISTS (SELECT FROM reloc.reminder_message x
                          WHERE x.recipient_id = a.recipient_id AND x.as_of = run_on AND x.state <> 'superseded')
        ORDER BY a.recipient_id
        RETURNING 1
    )
    SELECT composed + count(*) INTO composed FROM ack_only;

    UPDATE reloc.reminder_message s SET superseded_by = n.id
    FROM reloc.reminder_message n
    WHERE s.id = ANY (stale_ids) AND n.recipient_id = s.recipient_id AND n.created_at = now() AND n.id <> s.id;
    RETURN composed;
END $$;

------------------------------------------------------------------------------------------------
-- The job's run: plan and compose with each new reminder written once
------------------------------------------------------------------------------------------------
-- What remind_plan then remind_compose do, in one call: the new reminders are inserted as
-- 'composed' (ON CONFLICT DO NOTHING on reminder_once: exactly once however often the job runs)
-- and staged for composing; reminders 'planned' (folded back from a superseded message, or left
-- by a remind_plan committed alone) are taken too. Returns (planned, messages, superseded).
CREATE OR REPLACE FUNCTION reloc.remind_run(as_of date, max_items integer DEFAULT 200)
RETURNS TABLE (planned bigint, messages bigint, superseded bigint)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off
AS $$
DECLARE
    new_count bigint;
    stale_ids bigint[];
    composed bigint;
BEGIN
    PERFORM reloc.remind_stage();
    -- Each new reminder is written once, naming its message (0035): an id is allocated for each
    -- recipient first, the message itself is composed below from the reminders actually
    -- inserted (ON CONFLICT DO NOTHING: a reminder another run planned is not composed again),
    -- and the key (message, recipient) is checked once the messages exist.
    SET CONSTRAINTS reloc.reminder_message_fkey DEFERRED;
    WITH due AS MATERIALIZED (
        SELECT d.milestone_id, d.recipient_id, d.due_on, d.occurrence, d.occurs_on, d.escalation
        FROM reloc.reminders_due(as_of) d
    ),
    box AS (
        INSERT INTO pg_temp.remind_box (recipient_id, message_id)
        SELECT x.recipient_id, nextval('reloc.reminder_message_id_seq') FROM (SELECT DISTINCT d.recipient_id FROM due d) x
        RETURNING recipient_id, message_id
    ),
    inserted AS (
        INSERT INTO reloc.reminder (milestone_id, recipient_id, due_on, occurrence, occurs_on, escalation, planned_on, state,
                                    message_id)
        SELECT d.milestone_id, d.recipient_id, d.due_on, d.occurrence, d.occurs_on, d.escalation, as_of, 'composed',
               b.message_id
        FROM due d JOIN box b ON b.recipient_id = d.recipient_id
        ORDER BY 1, 2, 4
        ON CONFLICT ON CONSTRAINT reminder_once DO NOTHING
        RETURNING id, milestone_id, recipient_id, due_on, escalation
    )
    INSERT INTO pg_temp.remind_taken (id, milestone_id, recipient_id, due_on, escalation, planned)
    SELECT i.id, i.milestone_id, i.recipient_id, i.due_on, i.escalation, false FROM inserted i;
    GET DIAGNOSTICS new_count = ROW_COUNT;

    stale_ids := reloc.remind_supersede(as_of);
    PERFORM reloc.remind_take_planned();
    composed := reloc.remind_compose_taken(as_of, max_items, stale_ids);
    -- Every reminder written names a message of its own recipient: checked here, not at commit.
    SET CONSTRAINTS reloc.reminder_message_fkey IMMEDIATE;
    DROP TABLE pg_temp.remind_taken, pg_temp.remind_box;
    RETURN QUERY SELECT new_count, composed, cardinality(stale_ids)::bigint;
END $$;
COMMENT ON FUNCTION reloc.remind_run(date, integer) IS
    'Plans the reminders due as of a date and composes them with the undelivered ones into one digest per recipient (remind_plan then remind_compose, each new reminder written once, naming its message); returns (planned, messages, superseded).';

REVOKE ALL ON FUNCTION reloc.reminders_due(date), reloc.remind_supersede(date), reloc.remind_compose_taken(date, integer, bigint[]),
    reloc.remind_run(date, integer), reloc.remind_stage(), reloc.remind_take_planned() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.reminders_due(date), reloc.remind_supersede(date), reloc.remind_compose_taken(date, integer, bigint[]),
    reloc.remind_run(date, integer), reloc.remind_stage(), reloc.remind_take_planned() TO reloc_reminder;

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
--
------------------------------------------------------------------------------------------------
-- The reminder job reminds a department of a task's milestones only while it holds the task
-- (0006's remind_plan, redefined; since 0013 the rows come from reloc.reminders_due, above).
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.remind_plan(as_of date) RETURNS bigint
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp SET jit = off
AS $$
    WITH inserted AS (
        INSERT INTO reloc.reminder (milestone_id, recipient_id, due_on, occurrence, occurs_on, escalation, planned_on)
        SELECT d.milestone_id, d.recipient_id, d.due_on, d.occurrence, d.occurs_on, d.escalation, as_of
        FROM reloc.reminders_due(as_of) d
        ORDER BY 1, 2, 4
        ON CONFLICT ON CONSTRAINT reminder_once DO NOTHING
        RETURNING 1
    )
    SELECT count(*) FROM inserted
$$;
COMMENT ON FUNCTION reloc.remind_plan(date) IS
    'Plans the reminders due as of a date (most recent applicable occurrence per milestone and recipient); returns how many are new.';
REVOKE ALL ON FUNCTION reloc.remind_plan(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.remind_plan(date) TO reloc_reminder;
