-- 0019 the words of a milestone's state (issue 13, "Tables a person reads"): `milestone list`
-- computes it (done, overdue, due today, open; Milestones.swift), so no CHECK lists it, but a human
-- table labels it like every other code, from the same single source: these rows and the Swift
-- enum MilestoneState (Words/), compared by TermDriftTests. JSON and CSV keep the codes.

SET LOCAL ROLE reloc_owner;

-- reloc.term's policies are a repeatable definition (12_terms.sql), applied after the numbered
-- migrations: on a fresh database they do not exist yet, so the owner lifts FORCE for its insert.
ALTER TABLE reloc.term NO FORCE ROW LEVEL SECURITY;

INSERT INTO reloc.term (domain, code, zh, en) VALUES
('milestone.state', 'open', '未到期', 'open'),
('milestone.state', 'due-today', '今日到期', 'due today'),
('milestone.state', 'overdue', '已逾期', 'overdue'),
('milestone.state', 'done', '已完成', 'done');

ALTER TABLE reloc.term FORCE ROW LEVEL SECURITY;
