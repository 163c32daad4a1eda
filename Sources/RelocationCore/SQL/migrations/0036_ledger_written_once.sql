-- 0036 the reminder ledger is written once (issue 13's review, after 0035).
--
-- 0035 made a reminder name its message, "written once", but the job's role holds UPDATE on
-- (state, message_id) for its own statements, and nothing stopped it from setting a delivered
-- reminder back to planned or pointing it at another of its recipient's messages: the milestone
-- was reminded again and the first delivery vanished from the ledger, with no audit (the ledger
-- is not audited: it is the job's own record). Nor was the province's hand-retry held to what
-- `reloc remind retry` says: its raw UPDATE could put a sent message back in the queue, so it was
-- delivered twice and its sent_at overwritten. The rules' words; the triggers that enforce them
-- are in sql/definitions/60_remind.sql.
SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('reminder_written_once', 'reminder', NULL,
 'the reminder ledger is written once: a reminder names its message when it is composed, and leaves it only when that digest is superseded before it was sent; nothing else of a reminder changes',
 'the job writes the ledger (reloc remind run); a message that failed is retried whole: reloc remind retry ID'),
('reminder_message_retry_only', 'reminder_message', NULL,
 'by hand, only a dead or retrying message is put back in the queue (pending, attempts from 0), its delivery record kept; the job alone moves a message otherwise',
 'reloc remind retry ID; see reloc remind history');
