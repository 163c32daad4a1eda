-- 0020 the working-day calendar and the supervision settings (issue 15, 督办): the base the
-- supervision loop counts in. Deadlines of the supervision loop (acknowledge within 2 working days,
-- chase a completion under review after 2, a light turns yellow 3 working days before the due date)
-- are counted in working days (工作日), as government supervision rules are: weekends do not count,
-- nor the holidays of the State Council's notice for the year, while a weekend made a working day
-- (调休) does. The calendar is data the province imports (`reloc calendar import`); reloc ships no
-- holiday of its own. The functions over it (reloc.is_working_day, reloc.add_working_days,
-- reloc.working_days_between) are repeatable definitions: sql/definitions/65_calendar.sql.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('calendar_day_kind', 'calendar_day', NULL,
 'a calendar day is a holiday (法定节假日) or a workday (调休上班日)', 'the CSV rows are date,kind,name with kind holiday or workday'),
('calendar_day_name_not_blank', 'calendar_day', NULL,
 'a calendar day names its holiday (e.g. 春节)', 'the CSV rows are date,kind,name'),
('calendar_day_in_programme', 'calendar_day', NULL,
 'a calendar day lies from the programme''s start (2014-01-01) to 2100', NULL),
('calendar_workday_on_weekend', 'calendar_day', NULL,
 'a workday (调休上班日) is a Saturday or Sunday made a working day: Monday to Friday already are',
 'mark a weekday that is no holiday with nothing; a weekend that is worked as workday'),
('supervision_setting_range', 'supervision_setting', NULL,
 'a supervision setting counts working days: from 0 (grace) or 1 up to 30',
 'reloc supervision settings --as JL')
ON CONFLICT (name) DO NOTHING;

CREATE TABLE reloc.calendar_day (
    day date PRIMARY KEY,
    kind text NOT NULL CONSTRAINT calendar_day_kind CHECK (kind IN ('holiday', 'workday')),
    name text NOT NULL CONSTRAINT calendar_day_name_not_blank CHECK (btrim(name) <> ''),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendar_day_in_programme CHECK (day BETWEEN DATE '2014-01-01' AND DATE '2100-12-31'),
    CONSTRAINT calendar_workday_on_weekend CHECK (kind <> 'workday' OR extract(isodow FROM day) IN (6, 7))
);
COMMENT ON TABLE reloc.calendar_day IS
    'The exceptions to "Monday to Friday are working days": the State Council''s holidays and the weekends made working days (调休), as the province imports them.';
ALTER TABLE reloc.calendar_day ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.calendar_day FROM PUBLIC;
GRANT SELECT ON reloc.calendar_day TO reloc_app, reloc_reminder;
GRANT INSERT, UPDATE, DELETE ON reloc.calendar_day TO reloc_province;

-- One row: the province's settings of the supervision loop, each a number of working days.
CREATE TABLE reloc.supervision_setting (
    id boolean PRIMARY KEY DEFAULT true CONSTRAINT supervision_setting_one_row CHECK (id),
    -- 签收: an assignment or owned milestone not acknowledged after this many working days is chased.
    acknowledge_within bigint NOT NULL DEFAULT 2,
    -- 延期申请: how many working days after the due date a request is still taken (0: before it).
    extension_grace bigint NOT NULL DEFAULT 0,
    -- 办结审核: a completion under review this many working days goes into the province's digest.
    review_within bigint NOT NULL DEFAULT 2,
    -- 黄灯: an open milestone due within this many working days is yellow.
    due_soon_within bigint NOT NULL DEFAULT 3,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT supervision_setting_range CHECK (
        acknowledge_within BETWEEN 1 AND 30 AND extension_grace BETWEEN 0 AND 30
        AND review_within BETWEEN 1 AND 30 AND due_soon_within BETWEEN 1 AND 30)
);
COMMENT ON TABLE reloc.supervision_setting IS
    'The province''s settings of the supervision loop (督办), in working days: acknowledgement, extension grace, completion review, due-soon (yellow).';
INSERT INTO reloc.supervision_setting DEFAULT VALUES;
ALTER TABLE reloc.supervision_setting ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.supervision_setting FROM PUBLIC;
GRANT SELECT ON reloc.supervision_setting TO reloc_app, reloc_reminder;
GRANT UPDATE (acknowledge_within, extension_grace, review_within, due_soon_within) ON reloc.supervision_setting TO reloc_province;

-- reloc.term's policies are applied after the numbered migrations (0019 says why).
ALTER TABLE reloc.term NO FORCE ROW LEVEL SECURITY;
INSERT INTO reloc.term (domain, code, zh, en) VALUES
('calendar_day.kind', 'holiday', '节假日', 'holiday'),
('calendar_day.kind', 'workday', '调休上班', 'working weekend');
ALTER TABLE reloc.term FORCE ROW LEVEL SECURITY;

SELECT reloc.audit_table('reloc.calendar_day'::regclass);
SELECT reloc.audit_table('reloc.supervision_setting'::regclass, ARRAY['id']);
SELECT reloc.add_clean_text_checks();
