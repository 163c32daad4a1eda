-- 0035 the reminder ledger carries its message (issue 13: the reminder job within reach of the
-- data's floor; docs/performance-remind.md).
--
-- Until now a reminder was linked to its digest by a row of reloc.reminder_message_item: one more
-- row per reminder, with two foreign keys PostgreSQL checks row by row, two indexes, and — in the
-- two-step path — the reminder rewritten after it was inserted. Now the reminder row names its
-- message (message_id), written once when the reminder is inserted. The key names the message
-- together with the recipient, (message_id, recipient_id) → reminder_message (id, recipient_id):
-- one check proves both that the message exists and that it is addressed to the reminder's own
-- recipient (the link table could point a reminder at another organisation's message). It is
-- DEFERRABLE: the job allocates a message id per recipient, inserts the reminders ON CONFLICT DO
-- NOTHING (exactly once, even between two runs racing without the job's lock), then composes the
-- messages from the rows actually inserted, and checks the keys before returning.
--
-- A reminder keeps one message: the one that carries it now. A superseded message's reminders
-- still open move to the fresh digest (their message_id changes); those withdrawn keep the
-- superseded one. reloc.reminder_message_item goes: a message's reminders are those naming it.
SET LOCAL ROLE reloc_owner;

ALTER TABLE reloc.reminder ADD COLUMN message_id bigint;
COMMENT ON COLUMN reloc.reminder.message_id IS
    'The message carrying the reminder (its recipient''s): NULL only while planned; a withdrawn reminder keeps the superseded message.';

-- The newest message a reminder was linked to is the one carrying it now (a superseded message's
-- open reminders were linked to the fresh digest as well).
UPDATE reloc.reminder r SET message_id = l.message_id
FROM (SELECT i.reminder_id, max(i.message_id) AS message_id FROM reloc.reminder_message_item i GROUP BY 1) l
WHERE r.id = l.reminder_id;

-- The target of the ledger's key (a message and its recipient). Built in the migration's own
-- transaction (CONCURRENTLY cannot run there); one row per digest, a few thousand a day.
-- squawk-ignore require-concurrent-index-creation
CREATE UNIQUE INDEX reminder_message_id_recipient ON reloc.reminder_message (id, recipient_id);
-- squawk-ignore disallowed-unique-constraint
ALTER TABLE reloc.reminder_message ADD CONSTRAINT reminder_message_id_recipient
    UNIQUE USING INDEX reminder_message_id_recipient;

-- Validated at once: every reminder linked so far is linked to a message of its own recipient
-- (remind_compose joined them on recipient_id).
-- squawk-ignore constraint-missing-not-valid, adding-foreign-key-constraint
ALTER TABLE reloc.reminder ADD CONSTRAINT reminder_message_fkey FOREIGN KEY (message_id, recipient_id)
    REFERENCES reloc.reminder_message (id, recipient_id) DEFERRABLE INITIALLY IMMEDIATE;
-- A composed (or withdrawn) reminder is in a message; only a planned one waits for its digest.
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE reloc.reminder ADD CONSTRAINT reminder_in_message CHECK (state = 'planned' OR message_id IS NOT NULL);
-- A message's reminders (superseding, a digest gone stale, a person's queries).
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX reminder_message_idx ON reloc.reminder (message_id);

-- squawk-ignore ban-drop-table
DROP TABLE reloc.reminder_message_item;

-- The job moves a superseded message's open reminders to the fresh digest, and composes the
-- reminders a remind_plan left planned. It allocates the messages' ids before it inserts the
-- reminders that name them (reloc.remind_run, 60_remind.sql).
GRANT UPDATE (state, message_id) ON reloc.reminder TO reloc_reminder;
GRANT USAGE ON SEQUENCE reloc.reminder_message_id_seq TO reloc_reminder;

RESET ROLE;
