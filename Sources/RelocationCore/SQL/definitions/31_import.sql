-- The enterprise CSV import.
-- All or nothing: staged rows checked at once, every bad line reported with its reasons.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

------------------------------------------------------------------------------------------------
-- CSV import: `reloc enterprise import FILE.csv`, all or nothing
------------------------------------------------------------------------------------------------
-- The client, in one transaction:
--   SELECT reloc.create_enterprise_import_staging();
--   COPY pg_temp.enterprise_import (line_no, <the CSV's header columns>) FROM STDIN;
--   SELECT line_no, reason FROM reloc.import_enterprises() ORDER BY line_no;
--   no rows: every line was inserted → COMMIT; rows: nothing was inserted → ROLLBACK and report.
CREATE OR REPLACE FUNCTION reloc.create_enterprise_import_staging() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF to_regclass('pg_temp.enterprise_import') IS NOT NULL THEN
        DROP TABLE pg_temp.enterprise_import;
    END IF;
    CREATE TEMPORARY TABLE enterprise_import (
        line_no integer NOT NULL,  -- the CSV line the record starts on (the header is line 1)
        plan text, name text, mode text, park text, industry text, high_risk text, uscc text,
        site_ha text, site_mu text, employees text, surplus_workers text, capacity text,
        new_capacity text, listed_in_plan text, priority text
    ) ON COMMIT DROP;
END $$;
COMMENT ON FUNCTION reloc.create_enterprise_import_staging() IS
    'Creates pg_temp.enterprise_import (all text, dropped at commit) for COPY; call inside a transaction.';
REVOKE ALL ON FUNCTION reloc.create_enterprise_import_staging() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.create_enterprise_import_staging() TO reloc_app;

-- Checks every staged row at once, as the acting organisation (SECURITY INVOKER: its row-level
-- security applies), and returns each bad line with all its reasons joined by '; '. When no
-- line is bad, inserts all of them in one statement and returns no rows.
--
------------------------------------------------------------------------------------------------
-- The CSV import (0002's, redefined): capacities through reloc.parse_capacity, four decimal places
-- for site_ha, clean names, and duplicates by (plan, name) within the file and against the
-- register reported as bad lines (all or nothing, as before).
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.import_enterprises() RETURNS TABLE (line_no integer, reason text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    province constant boolean := reloc.acting_is_province();
    acting constant bigint[] := reloc.acting_org_ids();
BEGIN
    RETURN QUERY
    -- MATERIALIZED: each cleaned value computed once a line (issue 13, import speed). Inlined into
    -- `parsed`, a cleaned text was computed again for every use of it in the functions it is passed
    -- to (reloc.parse_integer names its argument twice): ≈ 15 % of the checks' time.
    WITH src AS MATERIALIZED (
        SELECT s.line_no AS line,
               upper(reloc.trim_space(reloc.halfwidth(s.plan))) AS plan_code,
               reloc.trim_space(s.name) AS name,
               lower(reloc.trim_space(reloc.halfwidth(s.mode))) AS mode_text,
               upper(reloc.trim_space(reloc.halfwidth(s.park))) AS park_code,
               reloc.trim_space(s.industry) AS industry,
               lower(reloc.trim_space(reloc.halfwidth(s.high_risk))) AS high_risk_text,
               reloc.trim_space(upper(regexp_replace(reloc.halfwidth(s.uscc), '\s', '', 'g'))) AS uscc,
               reloc.trim_space(reloc.halfwidth(s.site_ha)) AS site_ha_text,
               reloc.trim_space(reloc.halfwidth(s.site_mu)) AS site_mu_text,
               reloc.trim_space(reloc.halfwidth(s.employees)) AS employees_text,
               reloc.trim_space(reloc.halfwidth(s.surplus_workers)) AS surplus_text,
               reloc.trim_space(reloc.halfwidth(s.capacity)) AS capacity_text,
               reloc.trim_space(reloc.halfwidth(s.new_capacity)) AS new_capacity_text,
               lower(reloc.trim_space(reloc.halfwidth(s.listed_in_plan))) AS listed_text,
               lower(reloc.trim_space(reloc.halfwidth(s.priority))) AS priority_text
        FROM pg_temp.enterprise_import s
    ),
    parsed AS (
        SELECT src.*,
               CASE mode_text WHEN 'in-situ' THEN 'in-situ' WHEN '就地改造' THEN 'in-situ'
                              WHEN 'relocate' THEN 'relocate' WHEN '异地迁建' THEN 'relocate'
                              WHEN 'close' THEN 'close' WHEN '依法关停' THEN 'close' END AS mode,
               CASE high_risk_text WHEN 'metallurgy' THEN 'metallurgy' WHEN '冶金' THEN 'metallurgy'
                                   WHEN 'chemicals' THEN 'chemicals' WHEN '化工' THEN 'chemicals'
                                   WHEN 'paper' THEN 'paper' WHEN '造纸' THEN 'paper'
                                   WHEN 'hazardous' THEN 'hazardous' WHEN '危险品' THEN 'hazardous' END AS high_risk,
               reloc.parse_decimal(site_ha_text) AS site_ha,
               reloc.parse_decimal(site_mu_text) AS site_mu,
               reloc.parse_integer(employees_text) AS employees,
               reloc.parse_integer(surplus_text) AS surplus_workers,
               -- A PL/pgSQL call only for a capacity given (most rows give none).
               CASE WHEN capacity_text IS NOT NULL THEN (reloc.parse_capacity(capacity_text)).amount END AS cap_old_amount,
               CASE WHEN capacity_text IS NOT NULL THEN (reloc.parse_capacity(capacity_text)).unit END AS cap_old_unit,
               CASE WHEN new_capacity_text IS NOT NULL THEN (reloc.parse_capacity(new_capacity_text)).amount END AS cap_new_amount,
               CASE WHEN new_capacity_text IS NOT NULL THEN (reloc.parse_capacity(new_capacity_text)).unit END AS cap_new_unit,
               reloc.enterprise_name_key(src.name) AS name_key,
               -- Not given: unknown, not "no" (issue 14).
               CASE WHEN listed_text IN ('true', 'yes', '是', '1') THEN true
                    WHEN listed_text IN ('false', 'no', '否', '0') THEN false END AS listed_in_plan,
               -- §四(二)'s groups (reloc.term enterprise.priority): the code or its Chinese name.
               -- Looked up only when given: a subquery a row otherwise (most rows give none).
               CASE WHEN priority_text IS NOT NULL
                    THEN (SELECT t.code FROM reloc.term t
                          WHERE t.domain = 'enterprise.priority' AND priority_text IN (t.code, t.zh)) END AS priority,
               p.id AS plan_id, p.city_id AS plan_city, p.district_id AS plan_district,
               k.id AS park_id, k.high_risk_eligible AS park_eligible
        FROM src
        LEFT JOIN reloc.plan p ON p.code = src.plan_code
        LEFT JOIN reloc.park k ON k.code = src.park_code
    ),
    duplicates AS (
        SELECT uscc, array_agg(line ORDER BY line) AS lines FROM parsed
        WHERE uscc IS NOT NULL GROUP BY uscc HAVING count(*) > 1
    ),
    -- One enterprise once in a plan (enterprise_plan_name_key): within the file and against the register.
    -- The lines gathered only for a name that repeats: an ordered array_agg for every name (a sort
    -- a group, 100,000 groups) cost ≈ 10 % of the checks (issue 13).
    same_names AS (
        SELECT plan_id, name_key, array_agg(line ORDER BY line) AS lines FROM parsed
        WHERE (plan_id, name_key) IN (SELECT plan_id, name_key FROM parsed
                                      WHERE plan_id IS NOT NULL AND name_key IS NOT NULL
                                      GROUP BY plan_id, name_key HAVING count(*) > 1)
        GROUP BY plan_id, name_key
    ),
    -- The register's enterprises in the file's plans, keyed as enterprise_plan_name_key: one hash
    -- join, not an index probe a line.
    registered AS (
        SELECT e.plan_id, reloc.enterprise_name_key(e.name) AS name_key, min(e.id) AS id
        FROM reloc.enterprise e
        WHERE e.withdrawn_on IS NULL AND e.plan_id IN (SELECT plan_id FROM parsed)
        GROUP BY 1, 2
    ),
    checked AS (
        SELECT r.*,
               array_to_string(ARRAY[
                   CASE WHEN r.plan_code IS NULL THEN 'plan is empty'
                        WHEN r.plan_id IS NULL THEN format('unknown plan %s', r.plan_code)
                        WHEN NOT province AND NOT (r.plan_city = ANY (acting) OR coalesce(r.plan_district = ANY (acting), false))
                        THEN format('permission: plan %s is not in your city', r.plan_code) END,
                   CASE WHEN r.name IS NULL THEN 'name is empty'
                        WHEN NOT reloc.is_clean_text(r.name, 200)
                        THEN format('name "%s" is longer than 200 characters or holds control or invisible format characters (enterprise_name_text)',
                                    CASE WHEN char_length(r.name) > 60 THEN left(r.name, 60) || '…' ELSE r.name END) END,
                   CASE WHEN NOT reloc.is_clean_text(r.industry, 200)
                        THEN format('industry "%s" is longer than 200 characters or holds control or invisible format characters (enterprise_industry_text)',
                                    CASE WHEN char_length(r.industry) > 60 THEN left(r.industry, 60) || '…' ELSE r.industry END) END,
                   CASE WHEN n.lines IS NOT NULL
                        THEN format('%s appears on lines %s of the file for plan %s (enterprise_plan_name_key)', r.name, array_to_string(n.lines, ', '), r.plan_code) END,
                   CASE WHEN g.id IS NOT NULL
                        THEN format('%s is already registered in plan %s as enterprise %s (enterprise_plan_name_key)', r.name, r.plan_code, g.id) END,
                   -- An empty mode is unknown (0026, issue 14), not a mistake.
                   CASE WHEN r.mode_text IS NOT NULL AND r.mode IS NULL
                        THEN format('unknown mode "%s" (in-situ, relocate or close)', r.mode_text) END,
                   CASE WHEN r.park_code IS NOT NULL AND r.park_id IS NULL THEN format('unknown park %s', r.park_code) END,
                   CASE WHEN r.mode = 'relocate' AND r.park_code IS NULL
                        THEN 'relocation needs a receiving park (enterprise_relocation_needs_park, §四(三))'
                        WHEN r.mode IN ('in-situ', 'close') AND r.park_code IS NOT NULL
                        THEN format('mode %s takes no receiving park (enterprise_relocation_needs_park)', r.mode)
                        WHEN r.mode_text IS NULL AND r.park_code IS NOT NULL
                        THEN 'the mode is empty (unknown): a receiving park waits for mode relocate (enterprise_mode_known, §四(二))' END,
                   CASE WHEN r.high_risk_text IS NOT NULL AND r.high_risk IS NULL
                        THEN format('unknown high-risk class "%s" (metallurgy, chemicals, paper or hazardous)', r.high_risk_text) END,
                   CASE WHEN r.high_risk IS NOT NULL AND r.mode = 'relocate' AND r.park_id IS NOT NULL AND NOT r.park_eligible
                        THEN format('a %s enterprise may only move to a park that is legally established, has complete environmental infrastructure and passed planning EIA; park %s is not shown to be (enterprise_high_risk_park, §四(三))',
                                    r.high_risk, r.park_code) END,
                   CASE WHEN r.uscc IS NOT NULL AND NOT reloc.uscc_is_valid(r.uscc)
                        THEN format('USCC %s fails the GB 32100-2015 check (enterprise_uscc_checksum)', r.uscc) END,
                   CASE WHEN d.lines IS NOT NULL
                        THEN format('USCC %s appears on lines %s of the file (enterprise_uscc_key)', r.uscc, array_to_string(d.lines, ', ')) END,
                   CASE WHEN r.uscc IS NOT NULL AND EXISTS (SELECT FROM reloc.enterprise e WHERE e.uscc = r.uscc AND e.withdrawn_on IS NULL)
                        THEN format('USCC %s is already registered (enterprise_uscc_key)', r.uscc) END,
                   CASE WHEN r.site_ha_text IS NOT NULL AND r.site_ha IS NULL THEN format('site_ha is not a number: "%s"', r.site_ha_text) END,
                   CASE WHEN r.site_mu_text IS NOT NULL AND r.site_mu IS NULL THEN format('site_mu is not a number: "%s"', r.site_mu_text) END,
                   CASE WHEN r.site_ha_text IS NOT NULL AND r.site_mu_text IS NOT NULL THEN 'give site_ha or site_mu, not both' END,
                   CASE WHEN r.site_ha <> round(r.site_ha, 4)
                        THEN format('site_ha %s has more than four decimal places: areas are kept to 0.0001 ha (enterprise_site_area_places)', r.site_ha_text) END,
                   CASE WHEN r.site_mu <> round(r.site_mu, 4)
                        THEN format('site_mu %s has more than four decimal places (enterprise_site_area_places)', r.site_mu_text)
                        -- Kept in ha to 0.0001: only a multiple of 0.0015 mu converts exactly (as the CLI).
                        WHEN r.site_mu * 10000 % 15 <> 0
                        THEN format('site_mu %s is %s… ha, more than four decimal places of ha: give site_ha, or mu in steps of 0.0015 (enterprise_site_area_places)',
                                    r.site_mu_text, round(r.site_mu / 15, 8)) END,
                   CASE WHEN r.site_ha < 0 OR r.site_mu < 0 THEN 'a site area is not negative (enterprise_site_area_nonnegative)'
                        WHEN r.site_ha >= 100000000 OR r.site_mu >= 1500000000 THEN 'the site area is too large (enterprise_site_area_nonnegative)' END,
                   CASE WHEN r.employees_text IS NOT NULL AND r.employees IS NULL THEN format('employees is not a whole number: "%s"', r.employees_text) END,
                   CASE WHEN r.surplus_text IS NOT NULL AND r.surplus_workers IS NULL THEN format('surplus_workers is not a whole number: "%s"', r.surplus_text) END,
                   CASE WHEN r.employees < 0 OR r.surplus_workers < 0 THEN 'employees and surplus workers are not negative (enterprise_workers)'
                        WHEN r.surplus_workers > r.employees
                        THEN format('surplus_workers %s exceeds employees %s (enterprise_workers)', r.surplus_workers, r.employees) END,
                   CASE WHEN r.capacity_text IS NOT NULL AND r.cap_old_amount IS NULL
                        THEN format('capacity is not a number and a unit (e.g. "30 万吨/年"): "%s"', r.capacity_text) END,
                   CASE WHEN r.new_capacity_text IS NOT NULL AND r.cap_new_amount IS NULL
                        THEN format('new_capacity is not a number and a unit (e.g. "25 万吨/年"): "%s"', r.new_capacity_text) END,
                   CASE WHEN r.new_capacity_text IS NOT NULL AND r.capacity_text IS NULL
                        THEN 'a new capacity needs the old capacity to compare with (enterprise_capacity_not_increased, §四(二))'
                        WHEN r.cap_old_unit <> r.cap_new_unit
                        THEN format('capacity units differ ("%s" vs "%s"): give both in the same unit', r.cap_old_unit, r.cap_new_unit)
                        WHEN r.cap_new_amount > r.cap_old_amount
                        THEN format('new capacity %s exceeds the old %s %s (等量或减量置换, enterprise_capacity_not_increased, §四(二))',
                                    r.cap_new_amount, r.cap_old_amount, r.cap_old_unit) END,
                   CASE WHEN r.listed_text IS NOT NULL AND r.listed_in_plan IS NULL
                        THEN format('listed_in_plan is not yes/no, true/false, 是/否 or 1/0: "%s"', r.listed_text) END,
                   CASE WHEN r.priority_text IS NOT NULL AND r.priority IS NULL
                        THEN format('unknown priority "%s" (finish-soon or push-start, enterprise_priority_check, §四(二))', r.priority_text) END
               ], '; ') AS reasons
        FROM parsed r
        LEFT JOIN duplicates d ON d.uscc = r.uscc
        LEFT JOIN same_names n ON n.plan_id = r.plan_id AND n.name_key = r.name_key
        LEFT JOIN registered g ON g.plan_id = r.plan_id AND g.name_key = r.name_key
    ),
    bad AS (
        SELECT c.line, c.reasons FROM checked c WHERE c.reasons <> ''
    ),
    inserted AS (
        -- city_id is the plan's (the foreign key enterprise_plan_fkey holds it to the plan), and the
        -- name as enterprise_once keeps it: a row so given needs no per-row trigger (0014).
        INSERT INTO reloc.enterprise (plan_id, city_id, name, mode, park_id, industry, high_risk, uscc, site_area_ha,
                                      employees, surplus_workers, capacity_old, capacity_old_unit, capacity_new,
                                      capacity_new_unit, listed_in_plan, priority)
        SELECT c.plan_id, c.plan_city, regexp_replace(c.name, '[ \u00a0\u3000]+', ' ', 'g'), c.mode, c.park_id,
               c.industry, c.high_risk, c.uscc,
               coalesce(c.site_ha, reloc.ha_from_mu(c.site_mu)),
               c.employees, c.surplus_workers, c.cap_old_amount, c.cap_old_unit,
               c.cap_new_amount, c.cap_new_unit, c.listed_in_plan, c.priority
        FROM checked c
        WHERE NOT EXISTS (SELECT FROM bad)
        ORDER BY c.line
        RETURNING 1
    )
    SELECT b.line, b.reasons FROM bad b ORDER BY b.line;
END $$;
COMMENT ON FUNCTION reloc.import_enterprises() IS
    'Checks pg_temp.enterprise_import set-based as the acting organisation; returns (line_no, reason) for every bad line, or inserts all lines and returns nothing.';
REVOKE ALL ON FUNCTION reloc.import_enterprises() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.import_enterprises() TO reloc_app;

------------------------------------------------------------------------------------------------
-- Progress reports in bulk: `reloc task progress-import FILE.csv`, all or nothing
------------------------------------------------------------------------------------------------
-- The client, in one transaction (as with the enterprises, 0002):
--   SELECT reloc.create_progress_import_staging();
--   COPY pg_temp.progress_import (line_no, <the CSV's header columns>) FROM STDIN;
--   SELECT line_no, reason FROM reloc.import_progress_reports() ORDER BY line_no;
--   no rows: every line was recorded → COMMIT; rows: nothing was recorded → ROLLBACK and report.
-- Each line is a report on a key task, as `reloc task progress N`: task (its number), percent,
-- status (default on-track, done at 100), note, evidence (文号, separated by ; or ；).
CREATE OR REPLACE FUNCTION reloc.create_progress_import_staging() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF to_regclass('pg_temp.progress_import') IS NOT NULL THEN
        DROP TABLE pg_temp.progress_import;
    END IF;
    CREATE TEMPORARY TABLE progress_import (
        line_no integer NOT NULL,  -- the CSV line the record starts on (the header is line 1)
        task text, percent text, status text, note text, evidence text
    ) ON COMMIT DROP;
END $$;
COMMENT ON FUNCTION reloc.create_progress_import_staging() IS
    'Creates pg_temp.progress_import (all text, dropped at commit) for COPY; call inside a transaction.';

-- Checks every staged line at once, as the acting organisation (SECURITY INVOKER: its row-level
-- security applies, and progress_report_before_insert still stamps and checks each report), and
-- returns each bad line with all its reasons joined by '; '. When no line is bad, records all of
-- them in one statement (one audit statement) and returns no rows. Whether a task is the
-- reporter's is reloc.task_concerns, asked once per task of the file, not once per line.
-- The reports name their reporter (org_id, computed once here), so the row trigger does not look
-- the acting organisations up for each; progress_report_reporter_check checks that org_id and
-- every task once for the statement (docs/performance-import.md).
CREATE OR REPLACE FUNCTION reloc.import_progress_reports() RETURNS TABLE (line_no integer, reason text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    province constant boolean := reloc.acting_is_province();
    acting constant bigint[] := reloc.acting_org_ids();
    reporter constant bigint := reloc.reporting_org_id(acting, province);
BEGIN
    RETURN QUERY
    -- MATERIALIZED: each cleaned value computed once a line, as in reloc.import_enterprises.
    WITH src AS MATERIALIZED (
        SELECT s.line_no AS line,
               reloc.trim_space(reloc.halfwidth(s.task)) AS task_text,
               reloc.trim_space(reloc.halfwidth(s.percent)) AS percent_text,
               lower(reloc.trim_space(reloc.halfwidth(s.status))) AS status_text,
               reloc.trim_space(s.note) AS note,
               -- The document numbers, split at ; or ；, trimmed, empty ones left out. One number
               -- (the usual line) without the split: the subquery a line was ≈ 30 µs (issue 13).
               CASE WHEN reloc.trim_space(s.evidence) IS NULL THEN '{}'::text[]
                    WHEN s.evidence !~ '[;；]' THEN ARRAY[reloc.trim_space(s.evidence)]
                    ELSE ARRAY(SELECT reloc.trim_space(x) FROM regexp_split_to_table(s.evidence, '[;；]') AS x
                               WHERE reloc.trim_space(x) IS NOT NULL) END AS evidence
        FROM pg_temp.progress_import s
    ),
    parsed AS (
        SELECT src.*,
               reloc.parse_integer(task_text) AS task_number,
               reloc.parse_decimal(percent_text) AS given_percent,
               CASE status_text WHEN 'on-track' THEN 'on-track' WHEN '正常推进' THEN 'on-track' WHEN '正常' THEN 'on-track'
                                WHEN 'at-risk' THEN 'at-risk' WHEN '存在风险' THEN 'at-risk'
                                WHEN 'blocked' THEN 'blocked' WHEN '受阻' THEN 'blocked'
                                WHEN 'done' THEN 'done' WHEN '已完成' THEN 'done' END AS given_status
        FROM src
    ),
    tasks AS (
        SELECT t.id, t.number, province OR reloc.task_concerns(t.id, acting) AS mine
        FROM reloc.task t WHERE t.number IN (SELECT task_number FROM parsed)
    ),
    reports AS (
        -- Without a percent, done means 100 (as the command line); without a status, 100 is done.
        SELECT r.*, k.id AS task_id, k.mine,
               coalesce(r.given_percent, CASE WHEN r.percent_text IS NULL AND r.given_status = 'done' THEN 100 END) AS pct,
               coalesce(r.given_status, CASE WHEN r.status_text IS NULL
                                             THEN CASE WHEN coalesce(r.given_percent, -1) = 100 THEN 'done' ELSE 'on-track' END END) AS status
        FROM parsed r
        LEFT JOIN tasks k ON k.number = r.task_number
    ),
    checked AS (
        SELECT r.*,
               array_to_string(ARRAY[
                   CASE WHEN r.task_text IS NULL THEN 'task is empty (a task number)'
                        WHEN r.task_number IS NULL THEN format('task is not a task number: "%s"', r.task_text)
                        WHEN r.task_id IS NULL THEN format('unknown task %s (see reloc task list)', r.task_number)
                        WHEN NOT r.mine
                        THEN format('permission: task %s is not yours to report on: a department reports on tasks assigned to it (see reloc task list --mine)', r.task_number) END,
                   CASE WHEN r.percent_text IS NULL AND r.pct IS NULL THEN 'percent is empty: give 0 to 100, or status done'
                        WHEN r.percent_text IS NOT NULL AND r.given_percent IS NULL THEN format('percent is not a number: "%s"', r.percent_text)
                        WHEN r.pct < 0 OR r.pct > 100 THEN format('percent %s is not from 0 to 100 (progress_percent_range)', r.percent_text)
                        WHEN r.pct <> round(r.pct, 2) THEN format('percent %s has more than two decimal places (progress_percent_precision)', r.percent_text) END,
                   CASE WHEN r.status_text IS NOT NULL AND r.given_status IS NULL
                        THEN format('unknown status "%s" (on-track, at-risk, blocked or done; 正常推进, 存在风险, 受阻, 已完成) (progress_status_check)', r.status_text)
                        WHEN r.pct BETWEEN 0 AND 100 AND (r.status = 'done') <> (r.pct = 100)
                        THEN format('status %s with %s percent: done is 100 percent, and 100 percent is done (progress_done_is_complete)', r.status, r.pct) END,
                   CASE WHEN r.note IS NULL THEN 'note is empty: say what happened (progress_note_not_blank)'
                        WHEN NOT reloc.is_clean_text(r.note, 4000, true)
                        THEN 'note is longer than 4000 characters or holds control characters (progress_report_note_text)' END,
                   -- One number: the text's own check, not the array's (a PL/pgSQL call, ≈ 15 µs).
                   CASE WHEN NOT CASE WHEN cardinality(r.evidence) <= 1 THEN reloc.is_clean_text(r.evidence[1], 200)
                                      ELSE reloc.is_clean_text(r.evidence, 200) END
                        THEN 'evidence: at most 100 document numbers of at most 200 characters each, without control or invisible characters (progress_report_evidence_text)' END
               ], '; ') AS reasons
        FROM reports r
    ),
    bad AS (
        SELECT c.line, c.reasons FROM checked c WHERE c.reasons <> ''
    ),
    inserted AS (
        INSERT INTO reloc.progress_report (task_id, org_id, percent, status, note, evidence)
        -- In the form progress_report_before_insert keeps (two places), so its WHEN skips it.
        SELECT c.task_id, reporter, round(c.pct, 2), c.status, c.note, c.evidence
        FROM checked c
        WHERE NOT EXISTS (SELECT FROM bad)
        ORDER BY c.line
        RETURNING 1
    )
    SELECT b.line, b.reasons FROM bad b ORDER BY b.line;
END $$;
COMMENT ON FUNCTION reloc.import_progress_reports() IS
    'Checks pg_temp.progress_import set-based as the acting organisation; returns (line_no, reason) for every bad line, or records all lines and returns nothing.';
REVOKE ALL ON FUNCTION reloc.create_progress_import_staging(), reloc.import_progress_reports() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.create_progress_import_staging(), reloc.import_progress_reports() TO reloc_app;
