-- 0033 indexes for reloc-web's 总览 under load (issue 16, make bench: 50 clients, a million
-- milestones): the milestones a listing by due date keeps are picked through indexes before any
-- is lighted (Sources/RelocationCore/Programme/MilestoneCandidates.swift).
SET LOCAL ROLE reloc_owner;

-- The province's overdue list, the earliest due first: the first hundred open milestones in the
-- listing's order (due date, then id), read in order and no further. 0004's index of open due
-- dates gave them unordered by id: every open milestone due before the day (20,000 of a million)
-- was fetched and sorted for a hundred.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX milestone_open_due_id_idx ON reloc.milestone (due_on, id) WHERE done_on IS NULL;

-- What happened to a milestone after a day (its light that day differs from its own row): a
-- completion decided, a due date moved, an extension decided after the day. Read by instant,
-- these histories grow with the programme and were read whole for every listing.
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX completion_review_decided_idx ON reloc.completion_review (decided_at);
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX milestone_due_change_changed_idx ON reloc.milestone_due_change (changed_at);
-- squawk-ignore require-concurrent-index-creation
CREATE INDEX extension_request_decided_idx ON reloc.extension_request (decided_at);

RESET ROLE;
