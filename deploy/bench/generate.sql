-- National-scale data for the reminder benchmark (make bench), on top of the jilin-2014 seed
-- (the province, its departments and the annex's tasks). psql variables: cities, plans,
-- enterprises, milestones, as_of. Milestones are spread evenly over 2014–2026; those due more
-- than 30 days before as_of are mostly done (2% left open), the recent ones a third open, the
-- future ones all open. 5% on plans, 5% on tasks, the rest on enterprises. Deterministic.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

INSERT INTO reloc.organisation (code, name_zh, kind, division_code)
SELECT 'BN' || lpad(i::text, 3, '0'), '基准市' || i, 'city', (500000 + i)::text
FROM generate_series(1, :cities) AS i
ON CONFLICT (code) DO NOTHING;

-- One district per plan (a city has one plan per district, 0009).
INSERT INTO reloc.organisation (code, name_zh, kind, parent_id, division_code)
SELECT 'BN-D' || lpad(i::text, 4, '0'), '基准区' || i, 'district', c.id, left(c.division_code, 4) || '01'
FROM generate_series(1, :plans) AS i
JOIN reloc.organisation c ON c.code = 'BN' || lpad((1 + i % :cities)::text, 3, '0')
ON CONFLICT (code) DO NOTHING;

INSERT INTO reloc.plan (code, name, city_id, district_id)
SELECT 'BN-P' || lpad(i::text, 4, '0'), '基准老工业区' || i, d.parent_id, d.id
FROM generate_series(1, :plans) AS i
JOIN reloc.organisation d ON d.code = 'BN-D' || lpad(i::text, 4, '0');

WITH plans AS (SELECT array_agg(id ORDER BY id) AS ids FROM reloc.plan WHERE code LIKE 'BN-P%')
INSERT INTO reloc.enterprise (plan_id, name, mode)
SELECT plans.ids[1 + i % cardinality(plans.ids)], '基准企业' || i, 'close'
FROM generate_series(1, :enterprises) AS i, plans;

-- The milestones are the million rows: written without the per-row triggers (session_replication_role
-- = replica, which needs a superuser: the bench's own cluster), 10-20x faster (a million took over
-- an hour through the triggers on a loaded machine), with the values those triggers would give
-- them — a task's milestone is owned by the task's lead (reloc.milestone_before_write) — and then
-- audited in one statement as reloc.audit_insert would. The rows are the same as through the triggers
-- (compared column by column on 3,000 milestones); only the lock rows of enterprise_land_guard,
-- made on first use, are not made. A column a trigger keeps must be filled here too.
SET session_replication_role = replica;
WITH plans AS (SELECT array_agg(id ORDER BY id) AS ids FROM reloc.plan WHERE code LIKE 'BN-P%'),
enterprises AS (SELECT array_agg(id ORDER BY id) AS ids FROM reloc.enterprise WHERE name LIKE '基准企业%'),
tasks AS (SELECT array_agg(id ORDER BY id) AS ids FROM reloc.task),
kinds AS (SELECT ARRAY['plan-compiled', 'risk-assessed', 'approved', 'relocation-started', 'relocation-completed',
                       'heritage-surveyed', 'site-assessed', 'site-released', 'basic-completion', 'custom'] AS names),
spec AS (
    SELECT i, DATE '2014-01-01' + ((i::bigint * 7919) % 4748)::int AS due_on,
           CASE i % 20 WHEN 0 THEN 'plan' WHEN 1 THEN 'task' ELSE 'enterprise' END AS attach
    FROM generate_series(1, :milestones) AS i
)
INSERT INTO reloc.milestone (kind, title, due_on, plan_id, enterprise_id, task_id, owner_id, done_on)
SELECT kinds.names[1 + s.i % 10], '基准节点' || s.i, s.due_on,
       p.id, e.id, CASE WHEN s.attach = 'task' THEN tasks.ids[1 + s.i % cardinality(tasks.ids)] END,
       coalesce(p.city_id, e.city_id,
                (SELECT reloc.current_org(a.org_id) FROM reloc.task_assignment a
                 WHERE a.task_id = tasks.ids[1 + s.i % cardinality(tasks.ids)] AND a.lead)),
       CASE WHEN s.due_on < DATE :'as_of' - 30 AND s.i % 50 <> 0 THEN s.due_on
            WHEN s.due_on < DATE :'as_of' AND s.due_on >= DATE :'as_of' - 30 AND s.i % 3 <> 0 THEN s.due_on END
FROM spec s CROSS JOIN plans CROSS JOIN enterprises CROSS JOIN tasks CROSS JOIN kinds
LEFT JOIN reloc.plan p ON s.attach = 'plan' AND p.id = plans.ids[1 + s.i % cardinality(plans.ids)]
LEFT JOIN reloc.enterprise e ON s.attach = 'enterprise' AND e.id = enterprises.ids[1 + s.i % cardinality(enterprises.ids)];

INSERT INTO reloc.audit (table_name, row_id, row_key, action, old_values, new_values, login, acting_role,
                         acting_org_id, acting_org_code, transaction_id, at)
WITH actor AS MATERIALIZED (SELECT reloc.acting_login() AS login, (reloc.audit_actor()).acting_role AS acting_role)
SELECT 'milestone', m.id, m.id::text, 'insert', NULL, to_jsonb(m), actor.login,
       actor.acting_role, NULL, NULL, pg_current_xact_id()::text::bigint, now()
FROM reloc.milestone m CROSS JOIN actor WHERE m.title LIKE '基准节点%';
RESET session_replication_role;
