-- 0037 a progress report is on a milestone still open (hostile review after stop 21).
--
-- A report (进展) says how far the work of an open milestone has come; once the milestone is done
-- (closed by hand, closed by its step, or struck off after the province's review, 销号) its record
-- is closed, and a later "40 %, at risk" on it contradicted the record: the board, the digest and
-- `milestone show` read the latest report. Work that came undone is recorded by reopening the
-- milestone first (a completion returned, 退办, leaves it open: reports are taken again). The
-- rule's words; the trigger that enforces it is in sql/definitions/50_tasks.sql.
SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('progress_on_open_milestone', 'progress_report', NULL,
 'a progress report is on a milestone still open: none on a milestone that is done (closed, closed by its step, or struck off after review); if its work came undone, the milestone is reopened first',
 'see reloc milestone show ID; reloc milestone reopen ID (the province, for a milestone it struck off), then report');
