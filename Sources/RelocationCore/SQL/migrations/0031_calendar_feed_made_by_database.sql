-- 0031 a calendar feed's token is made by the database (issue 16, review of 0030); an index for
-- reloc-web's 总览.
--
-- 0030 let an organisation's role INSERT a feed with a token hash of its own choosing: a role
-- could then set a token it (or someone it told) already knew, or a weak one, and the address
-- would still open the organisation's calendar. The token is now made by the database, in
-- reloc.calendar_feed_create (sql/definitions/76_calendar_feed.sql, SECURITY DEFINER): random
-- from PostgreSQL's strong generator, only its SHA-256 kept, the token returned once. No
-- application role may insert a feed directly any more; revoking (UPDATE of revoked_at) is as
-- before.
SET LOCAL ROLE reloc_owner;

-- 0030 granted the columns; the table-wide REVOKE takes the column grants with it.
REVOKE INSERT (org_id, token_hash, label) ON reloc.calendar_feed FROM reloc_app;
REVOKE INSERT ON reloc.calendar_feed FROM reloc_app;

-- reloc-web's 总览 (issue 16, make bench): the milestones open on a day are those not done, or
-- done after it; and the province's counts of what was done this month. Only the open ones had an
-- index on their due date (0004), so "done after the day" and "done since the 1st" read every
-- milestone (a million in make bench). The plain build reads the table once, as 0028's.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX milestone_done_idx ON reloc.milestone (done_on);

RESET ROLE;
