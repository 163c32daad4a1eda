-- 0027 supervision (督办, issue 15): what happens to a request when its milestone is closed, and
-- the words for the refusals that keep two sessions from closing and moving one milestone at once.
--
-- * A pending extension request (延期申请) on a milestone that gets closed has nothing left to
--   move: it lapses (state `lapsed`, 已失效), stamped with who closed the milestone and when, the
--   note saying so. It stays in the milestone's history; it never counts as an extension granted.
-- * A milestone with a completion under review (办结审核) is closed by the province's decision on
--   that completion (销号), not directly: the direct close is refused with words naming it.
-- * Closing a milestone while, in another session, the province is deciding its extension request
--   is refused with words (the decision comes first), instead of a deadlock or of a closed
--   milestone whose due date the decision then moves.
--
-- Functions and triggers: sql/definitions/67_extensions.sql, 68_review.sql.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('milestone_done_under_review', 'milestone', NULL,
 'a milestone with a completion under review (办结审核) is closed by the province accepting it (销号), not directly: the submission is answered, accepted or returned',
 'reloc review accept ID, or reloc review return ID --reason TEXT and then close it: reloc review list'),
('milestone_close_extension_deciding', 'milestone', NULL,
 'a milestone is not closed while the province is deciding its extension request in another session: the decision comes first',
 'close it again once decided: reloc extension list --pending'),
('extension_request_lapsed', 'extension_request', NULL,
 'an extension request lapses (已失效) when its milestone is closed before the decision; only the database sets it',
 'approve or reject a pending request: reloc extension approve ID / reject ID --note TEXT')
ON CONFLICT (name) DO NOTHING;

-- Widened, not weakened: every state the old CHECK took is still taken. Validated at once: the
-- table holds a few requests per milestone, and a list CHECK left NOT VALID would not read as the
-- list of the state's words (TermDriftTests compares it with ExtensionState and reloc.term).
-- squawk-ignore ban-drop-constraint
ALTER TABLE reloc.extension_request DROP CONSTRAINT extension_request_state;
-- squawk-ignore constraint-missing-not-valid
ALTER TABLE reloc.extension_request ADD CONSTRAINT extension_request_state
    CHECK (state IN ('pending', 'approved', 'rejected', 'lapsed'));

-- reloc.term's policies are applied after the numbered migrations (0019 says why).
ALTER TABLE reloc.term NO FORCE ROW LEVEL SECURITY;
INSERT INTO reloc.term (domain, code, zh, en) VALUES
('extension_request.state', 'lapsed', '已失效', 'lapsed');
ALTER TABLE reloc.term FORCE ROW LEVEL SECURITY;
