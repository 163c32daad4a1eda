-- 0017 one source for every word (issue 13, "One source for every word" and "Layers"): the words of
-- policies that Swift used to re-explain in English now live with the other rules, in reloc.rule,
-- and the one conversion of mu to hectares is SQL's.
--
-- * <table>_writers: who may write a table, for PostgreSQL's own refusals (a grant or a row-level
--   security policy: SQLSTATE 42501, no HINT), which name a table but neither what it holds nor who
--   may change it. Who may is what the grants and policies of 0002–0012 say. The CLI reads the
--   words of the table the refusal names (docs/layers.md).
-- * enterprise_register_*: why an organisation may not register an enterprise into a plan
--   (row-level security on reloc.enterprise, 0002): a city into its own city's plans, a district
--   into its own district's plan, a provincial department into none.
-- * milestone_edit_province: the column grants of 0004 (the province alone changes a milestone's
--   title, due date, kind or owner).
-- * reloc.ha_from_mu_exact: an area kept in ha to 0.0001 (an enterprise's site, a vacated site)
--   given in mu, converted by reloc.ha_from_mu when 0.0001 ha holds it exactly, refused otherwise
--   with what it would be (never rounded); Swift no longer divides by 15.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('organisation_writers', 'organisation', NULL,
 'the organisation acted for may not write these organisations (they are written by the province)',
 'act as an organisation that may do this (--as ORG)'),
('park_writers', 'park', NULL,
 'the organisation acted for may not write these receiving parks (they are written by the province)',
 'act as an organisation that may do this (--as ORG)'),
('plan_writers', 'plan', NULL,
 'the organisation acted for may not write these plans (they are written by the province, or the plan''s city or district for its own plan)',
 'act as an organisation that may do this (--as ORG)'),
('plan_status_change_writers', 'plan_status_change', NULL,
 'the organisation acted for may not write these plan status changes (they are written by the province, or the plan''s city or district)',
 'act as an organisation that may do this (--as ORG)'),
('enterprise_writers', 'enterprise', NULL,
 'the organisation acted for may not write these enterprises (they are written by the province, or the enterprise''s city or district)',
 'act as an organisation that may do this (--as ORG)'),
('task_writers', 'task', NULL,
 'the organisation acted for may not write these tasks (they are written by the province)',
 'act as an organisation that may do this (--as ORG)'),
('task_assignment_writers', 'task_assignment', NULL,
 'the organisation acted for may not write these task assignments (they are written by the province)',
 'act as an organisation that may do this (--as ORG)'),
('milestone_writers', 'milestone', NULL,
 'the organisation acted for may not write these milestones (they are written by the province, or the milestone''s owner)',
 'act as an organisation that may do this (--as ORG)'),
('progress_report_writers', 'progress_report', NULL,
 'the organisation acted for may not write these progress reports (they are written by an organisation the task or milestone is assigned to)',
 'act as an organisation that may do this (--as ORG)'),
('land_quota_writers', 'land_quota', NULL,
 'the organisation acted for may not write these land quotas (they are written by the province)',
 'act as an organisation that may do this (--as ORG)'),
('land_quota_balance_writers', 'land_quota_balance', NULL,
 'the organisation acted for may not write these land quota balances (they are written by the database itself, from quotas and allocations)',
 'act as an organisation that may do this (--as ORG)'),
('land_allocation_writers', 'land_allocation', NULL,
 'the organisation acted for may not write these land allocations (they are written by the province, or the holder of the quota)',
 'act as an organisation that may do this (--as ORG)'),
('site_writers', 'site', NULL,
 'the organisation acted for may not write these vacated sites (they are written by the province, or the site''s city or district)',
 'act as an organisation that may do this (--as ORG)'),
('site_env_change_writers', 'site_env_change', NULL,
 'the organisation acted for may not write these sites'' environmental records (they are written by the province, or the site''s city or district)',
 'act as an organisation that may do this (--as ORG)'),
('reminder_rule_writers', 'reminder_rule', NULL,
 'the organisation acted for may not write these reminder rules (they are written by the province)',
 'act as an organisation that may do this (--as ORG)'),
('reminder_contact_writers', 'reminder_contact', NULL,
 'the organisation acted for may not write these reminder contacts (they are written by each organisation for its own contacts)',
 'act as an organisation that may do this (--as ORG)'),
('reminder_message_writers', 'reminder_message', NULL,
 'the organisation acted for may not write these reminder messages (they are written by the reminder job (reloc remind run))',
 'act as an organisation that may do this (--as ORG)'),
('reminder_writers', 'reminder', NULL,
 'the organisation acted for may not write these reminders (they are written by the reminder job (reloc remind run))',
 'act as an organisation that may do this (--as ORG)'),
('reminder_message_item_writers', 'reminder_message_item', NULL,
 'the organisation acted for may not write these reminder messages (they are written by the reminder job (reloc remind run))',
 'act as an organisation that may do this (--as ORG)'),
('audit_writers', 'audit', NULL,
 'the organisation acted for may not write these audit records (they are written by the database itself)',
 'act as an organisation that may do this (--as ORG)'),
('rule_writers', 'rule', NULL,
 'the organisation acted for may not write these rules (they are written by the migrations (reloc db migrate))',
 'act as an organisation that may do this (--as ORG)'),
('enterprise_register_own_city', 'enterprise', NULL,
 'a city government registers enterprises only into the plans of its own city',
 'see the plans with `reloc plan list`'),
('enterprise_register_own_district', 'enterprise', NULL,
 'a district government registers enterprises only into its own district''s plan',
 'see the plans with `reloc plan list`'),
('enterprise_register_department', 'enterprise', NULL,
 'a provincial department registers no enterprises (it reports progress on its tasks)',
 'see the plans with `reloc plan list`'),
('enterprise_register_acting', 'enterprise', NULL,
 'an enterprise is registered by the city or district government its plan belongs to',
 'act as the city or district government the plan belongs to (--as ORG); see the plans with `reloc plan list`'),
('milestone_edit_province', 'milestone', NULL,
 'only the province changes a milestone''s title, due date, kind or owner; the organisations it concerns set its note and close it (reloc milestone done)',
 NULL);

-- reloc.ha_from_mu_exact (the one conversion of mu for an area kept to 0.0001 ha) lives in
-- sql/definitions/40_land.sql.

RESET ROLE;
