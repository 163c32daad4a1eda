-- 0013 (issue 13, Speed): the reminder job's planning and composing, set-based in cost as well as
-- in name. Same rules, same ledger, same digests (REMIND.md); what changes is how the work is done
-- (docs/performance-remind.md has the figures):
--   - who holds an organisation's work on the date (renamed bodies) is one recursive query over
--     the organisations (reloc.org_holders), not reloc.org_on once per organisation or per item;
--   - composing stages the reminders it takes in a temporary table and ANALYZEs it, so the
--     digest's joins are planned for the rows there are (the UPDATE … RETURNING CTE was estimated
--     at 670 rows and returned 35,648: nested loops with a function call and a progress probe each);
--   - an item's content (milestone, what it belongs to, owner, latest progress) is built only for
--     the items a digest lists (at most max_items per recipient), not for every reminder;
--   - the job calls reloc.remind_run(as_of, max_items): planning writes each new reminder once, in
--     its final state ('composed'), and composing reads the rows planning staged. remind_plan then
--     remind_compose (the two steps apart, as before) remain and give the same ledger and digests,
--     but pay for the insert-then-update: every row planning inserted rewritten by composing, with
--     its indexes and, for a row of the same transaction, its foreign keys checked again.
-- The shared steps are functions of their own: reloc.reminders_due (what is due), reloc.remind_supersede
-- (the undelivered digests a run replaces) and reloc.remind_compose_taken (the digests).

-- The functions live in sql/definitions/60_remind.sql (remind_plan and remind_compose redefined
-- there; remind_run, reminders_due, remind_supersede, remind_compose_taken and org_holders new).
-- This migration changes no table: applying it makes the runner re-apply the definitions.
SET LOCAL ROLE reloc_owner;
RESET ROLE;
