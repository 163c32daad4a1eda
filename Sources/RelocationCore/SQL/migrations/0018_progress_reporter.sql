-- Issue 13 ("Speed"): a progress report may name its reporter, so that the bulk import
-- (reloc.import_progress_reports) gives org_id, computed once per file, and the row trigger
-- progress_report_before_insert skips its two per-row computations of the acting organisations.
-- The name is not trusted: progress_report_reporter_check (sql/definitions/50_tasks.sql) refuses
-- a statement unless every new row's org_id is the acting reporter and each task or milestone is
-- the reporter's. login and reported_at stay ungranted and are stamped by the row trigger.
GRANT INSERT (org_id) ON reloc.progress_report TO reloc_app;
