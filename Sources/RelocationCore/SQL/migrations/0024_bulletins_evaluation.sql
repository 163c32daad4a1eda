-- 0024 bulletins (通报) and the annual evaluation (年度评估) of the supervision loop (issue 15, 督办).
--
-- A bulletin, once issued, is a public document: its figures are stored as they were computed at
-- the issue (JSON), never recomputed and never changed, by anyone, the owner included; a correction
-- is a new bulletin. The annual evaluation rates each city (and, separately, each provincial
-- department) 好 / 较好 / 一般 / 较差 from weighted figures the province sets; the province may
-- adjust a rating with a reason; once published, a year's ratings are final. The consequences are
-- the 2021 demonstration-zone plan's: 较差 two years running loses the status (§(十五)), the cities
-- that do well are recommended for incentives (§(十四)). The functions are repeatable definitions:
-- sql/definitions/70_board.sql, 71_bulletins.sql, 72_evaluation.sql.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('bulletin_number_format', 'bulletin', NULL,
 'a bulletin''s number (期号) reads 第N期, or with its year 2015年第N期', 'reloc bulletin issue --period 2015-01 --number 第1期'),
('bulletin_number_taken', 'bulletin', NULL,
 'a bulletin''s number (期号) is given once: a correction is a new bulletin with a new number', 'see reloc bulletin list'),
('bulletin_period_format', 'bulletin', NULL,
 'a bulletin''s period is a month (2015-01), a quarter (2015-Q1) or a year (2015), within the programme',
 'reloc bulletin draft --period 2015-Q1'),
('bulletin_issued_final', 'bulletin', NULL,
 'an issued bulletin (通报) is never changed or withdrawn: a correction is a new bulletin', 'reloc bulletin issue --period … --number 第N期'),
('evaluation_setting_range', 'evaluation_setting', '2021 plan §(十四)',
 'evaluation weights are 0 to 100, the rates'' weights together at most 100, and the bands fall: 好 above 较好 above 一般, all within 0 to 100',
 'reloc evaluation weights set --on-time 60 --completion 40 …'),
('evaluation_published_final', 'evaluation_result', '2021 plan §(十五)',
 'a published year''s evaluation is final: it is neither computed again nor adjusted', 'see reloc evaluation list --year Y'),
('evaluation_adjust_reason', 'evaluation_result', NULL,
 'an adjusted rating gives its reason', 'reloc evaluation adjust CITY --year Y --rating 一般 --reason TEXT'),
('evaluation_not_computed', 'evaluation_result', NULL,
 'a year is computed (reloc evaluation compute --year Y) before it is adjusted or published', NULL),
('evaluation_year_range', 'evaluation_result', NULL,
 'an evaluation year lies within the programme (2014 on) and is not in the future', NULL)
ON CONFLICT (name) DO NOTHING;

------------------------------------------------------------------------------------------------
-- Bulletins (通报)
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.bulletin (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- 期号, as printed: 第3期 or 2015年第3期.
    number text NOT NULL CONSTRAINT bulletin_number_key UNIQUE
        CONSTRAINT bulletin_number_format CHECK (number ~ '^([0-9]{4}年)?第[0-9]+期$'),
    -- The period as typed in its canonical form (2015-01, 2015-Q1, 2015) and the days it covers.
    period text NOT NULL CONSTRAINT bulletin_period_format CHECK (period ~ '^[0-9]{4}(-[0-9]{2}|-Q[1-4])?$'),
    period_start date NOT NULL,
    period_end date NOT NULL,
    -- The day the figures are computed for: the issue day unless the province said otherwise.
    as_of date NOT NULL,
    -- The figures as computed when issued (reloc.bulletin_figures): the document, never recomputed.
    figures json NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT now(),
    issued_by text NOT NULL,
    issued_by_login text NOT NULL,
    CONSTRAINT bulletin_period_days CHECK (period_start <= period_end)
);
COMMENT ON TABLE reloc.bulletin IS
    'Issued bulletins (通报): their figures frozen at the issue, never changed or withdrawn (a correction is a new bulletin).';
ALTER TABLE reloc.bulletin ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.bulletin FROM PUBLIC;
-- Read by everyone (a bulletin is circulated to every city and department); written only by
-- reloc.issue_bulletin (SECURITY DEFINER, province only). No role may UPDATE or DELETE a row.
GRANT SELECT ON reloc.bulletin TO reloc_app;

------------------------------------------------------------------------------------------------
-- Annual evaluation (年度评估)
------------------------------------------------------------------------------------------------
-- One row: the province's weights and bands (2021 plan §(十四): 年度评估). The score is
--   on_time_weight × on-time rate + completion_weight × completion rate
--   − overdue_day_weight × overdue working days per milestone due
--   − escalation_weight × escalations − extension_weight × extensions,
-- kept within 0 to 100. An escalation is a milestone due in the year that was, or still is, late by
-- more than escalate_after working days (督办: what the reminder job escalates to the city).
CREATE TABLE reloc.evaluation_setting (
    id boolean PRIMARY KEY DEFAULT true CONSTRAINT evaluation_setting_one_row CHECK (id),
    on_time_weight numeric NOT NULL DEFAULT 60,
    completion_weight numeric NOT NULL DEFAULT 40,
    overdue_day_weight numeric NOT NULL DEFAULT 1,
    escalation_weight numeric NOT NULL DEFAULT 2,
    extension_weight numeric NOT NULL DEFAULT 1,
    escalate_after bigint NOT NULL DEFAULT 10,
    good_from numeric NOT NULL DEFAULT 90,
    fairly_good_from numeric NOT NULL DEFAULT 75,
    fair_from numeric NOT NULL DEFAULT 60,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT evaluation_setting_range CHECK (
        on_time_weight BETWEEN 0 AND 100 AND completion_weight BETWEEN 0 AND 100
        AND on_time_weight + completion_weight <= 100
        AND overdue_day_weight BETWEEN 0 AND 100 AND escalation_weight BETWEEN 0 AND 100
        AND extension_weight BETWEEN 0 AND 100 AND escalate_after BETWEEN 1 AND 250
        AND good_from <= 100 AND good_from > fairly_good_from AND fairly_good_from > fair_from AND fair_from >= 0)
);
COMMENT ON TABLE reloc.evaluation_setting IS
    'The province''s weights and rating bands of the annual evaluation (年度评估, 2021 plan §(十四)).';
INSERT INTO reloc.evaluation_setting DEFAULT VALUES;
ALTER TABLE reloc.evaluation_setting ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.evaluation_setting FROM PUBLIC;
GRANT SELECT ON reloc.evaluation_setting TO reloc_app;
GRANT UPDATE (on_time_weight, completion_weight, overdue_day_weight, escalation_weight, extension_weight,
              escalate_after, good_from, fairly_good_from, fair_from) ON reloc.evaluation_setting TO reloc_province;

-- A year's figures, score and rating for each city and department; written only by the database
-- (reloc.evaluation_compute, reloc.evaluation_adjust), final once the year is published.
CREATE TABLE reloc.evaluation_result (
    year bigint NOT NULL,
    org_id bigint NOT NULL CONSTRAINT evaluation_result_org_id_fkey REFERENCES reloc.organisation (id),
    due bigint NOT NULL,
    done bigint NOT NULL,
    on_time bigint NOT NULL,
    overdue_days bigint NOT NULL,
    escalations bigint NOT NULL,
    extensions bigint NOT NULL,
    on_time_rate numeric,
    completion_rate numeric,
    score numeric NOT NULL,
    computed_rating text NOT NULL
        CONSTRAINT evaluation_computed_rating_check CHECK (computed_rating IN ('good', 'fairly-good', 'fair', 'poor')),
    rating text NOT NULL CONSTRAINT evaluation_rating_check CHECK (rating IN ('good', 'fairly-good', 'fair', 'poor')),
    reason text,
    computed_at timestamptz NOT NULL DEFAULT now(),
    adjusted_at timestamptz,
    adjusted_by text,
    CONSTRAINT evaluation_result_pkey PRIMARY KEY (year, org_id),
    CONSTRAINT evaluation_adjust_reason CHECK (rating = computed_rating OR reason IS NOT NULL)
);
CREATE INDEX evaluation_result_org_id_idx ON reloc.evaluation_result (org_id);
COMMENT ON TABLE reloc.evaluation_result IS
    'The annual evaluation (年度评估): each city''s and department''s figures, score, computed rating and the rating in force (adjusted by the province with a reason).';
ALTER TABLE reloc.evaluation_result ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.evaluation_result FROM PUBLIC;
GRANT SELECT ON reloc.evaluation_result TO reloc_app;

-- A published year: its results are final.
CREATE TABLE reloc.evaluation_publication (
    year bigint PRIMARY KEY,
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by text NOT NULL,
    published_by_login text NOT NULL
);
COMMENT ON TABLE reloc.evaluation_publication IS
    'The years whose evaluation the province has published: final from then on (2021 plan §(十五) counts published years).';
ALTER TABLE reloc.evaluation_publication ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.evaluation_publication FROM PUBLIC;
GRANT SELECT ON reloc.evaluation_publication TO reloc_app;

-- reloc.term's policies are applied after the numbered migrations (0019 says why).
ALTER TABLE reloc.term NO FORCE ROW LEVEL SECURITY;
INSERT INTO reloc.term (domain, code, zh, en) VALUES
('evaluation.rating', 'good', '好', 'good'),
('evaluation.rating', 'fairly-good', '较好', 'fairly good'),
('evaluation.rating', 'fair', '一般', 'fair'),
('evaluation.rating', 'poor', '较差', 'poor');
ALTER TABLE reloc.term FORCE ROW LEVEL SECURITY;

SELECT reloc.audit_table('reloc.bulletin'::regclass, ARRAY['number'], ARRAY['figures']);
SELECT reloc.audit_table('reloc.evaluation_setting'::regclass, ARRAY['id']);
SELECT reloc.audit_table('reloc.evaluation_result'::regclass, ARRAY['year', 'org_id']);
SELECT reloc.audit_table('reloc.evaluation_publication'::regclass, ARRAY['year']);
SELECT reloc.add_clean_text_checks();
