-- 0009: the register's small holes found in issue 11 ("Smaller, seen on the way").

------------------------------------------------------------------------------------------------
-- One plan per district, also before the district is coded (§五(三): one plan per district,
-- 全省11个实施方案). plan_district_key holds for coded districts only (NULLs are distinct), so a
-- city could register any number of plans "without a district": at most one now, until its
-- district is coded (org add … --kind district --parent CITY; plan add … --district).
------------------------------------------------------------------------------------------------
INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('plan_city_one_without_district', 'plan', '五(三)',
 'a city has one plan per district: at most one of its plans may wait for its district to be coded (SQLSTATE 23505)',
 'code the districts first (reloc org add CODE --kind district --parent CITY) and add each plan with its district (reloc plan add … --district CODE); see reloc plan list --city CITY');

CREATE UNIQUE INDEX plan_city_one_without_district ON reloc.plan (city_id) WHERE district_id IS NULL;

------------------------------------------------------------------------------------------------
-- A city carries overall responsibility for its districts' work (§六: 所在城市政府…负总责), so it
-- reads the audit records of changes its districts made, as well as its own. A district still
-- sees only its own; the province sees all.
------------------------------------------------------------------------------------------------
DROP POLICY audit_read ON reloc.audit;
CREATE POLICY audit_read ON reloc.audit FOR SELECT TO reloc_app
    USING ((SELECT reloc.acting_is_province())
           OR acting_org_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
           OR acting_org_id IN (SELECT d.id FROM reloc.organisation d
                                WHERE d.parent_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])));
