-- 0005 land and vacated sites: annual new construction-land quotas (年度新增建设用地计划指标) and
-- their allocations, which must never exceed the quota (§五(四)); vacated sites (腾退区域) with their
-- environmental survey, risk assessment and remediation, which must come before a site is released
-- for reuse (§四(六), §四(八); national plan 2013–2022 §九(三)); industrial heritage found on a site
-- (§四(五)). Section numbers are those of 吉政办发〔2014〕29号 unless the national plan is named.
--
-- Same contract as 0002: a broken rule raises SQLSTATE 23514 with CONSTRAINT = the rule's name and
-- the words of reloc.rule; a write the acting organisation may not make raises 42501; row-level
-- security is FORCEd on every table.
--
-- At the end: milestones on sites (0004's milestone table gains site_id) and the audit trail
-- (0003's reloc.audit_table) on quotas, allocations and sites.

SET LOCAL ROLE reloc_owner;

------------------------------------------------------------------------------------------------
-- The rules' words
------------------------------------------------------------------------------------------------
INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('land_quota_holder', 'land_quota', '五(四)',
 'a construction-land quota is held by a city (市/州) government or by a receiving park (承接区)',
 'give the holder as a city code (e.g. CC) or a park code (e.g. CC-ZBZZ)'),
('land_quota_year', 'land_quota', '五(四)',
 'a construction-land quota is for a calendar year between 2000 and 2100', 'e.g. --year 2015'),
('land_quota_hectares_positive', 'land_quota', '五(四)',
 'a construction-land quota is greater than zero and below 100,000,000 ha, to 0.0001 ha (1 ha = 15 mu)', NULL),
('land_quota_needs_doc', 'land_quota', '五(四)',
 'a construction-land quota records the number of the document that issued it (文号)', 'give --doc 文号'),
('land_quota_covers_allocations', 'land_quota', '五(四)',
 'a construction-land quota cannot be reduced or removed below what has already been allocated from it',
 'release allocations first (reloc land release ID), or reduce the quota by less'),
('land_allocation_within_quota', 'land_allocation', '五(四)',
 'the live allocations from a holder''s construction-land quota for a year never exceed that quota (§五(四))',
 'allocate at most the remaining hectares, release an allocation, or have the province add a quota (reloc land usage)'),
('land_allocation_target', 'land_allocation', '五(四)',
 'an allocation goes either to an enterprise''s relocation or to a named project, not both and not neither',
 'give --enterprise ID or --project NAME'),
('land_allocation_holder', 'land_allocation', '四(三),五(四)',
 'land for an enterprise''s relocation (异地迁建) comes from the quota of its receiving park or of that park''s city (§四(三), §五(四))',
 'allocate from the enterprise''s receiving park or its city (reloc enterprise show ID shows the park)'),
('land_allocation_supply_check', 'land_allocation', '五(四)',
 'land is supplied by agreement transfer (agreement, 协议出让), allocation (allocation, 划拨) or public tender (tender, 招拍挂)',
 NULL),
('land_allocation_agreement', 'land_allocation', '五(四)',
 'agreement transfer (协议出让) is only for an enterprise whose original land was taken back (收回原土地使用权) (§五(四))',
 'record that the land was taken back (reloc land take-back ENTERPRISE), or supply by allocation or tender'),
('land_allocation_hectares_positive', 'land_allocation', '五(四)',
 'an allocation is greater than zero and below 100,000,000 ha, to 0.0001 ha (1 ha = 15 mu)', NULL),
('land_allocation_needs_doc', 'land_allocation', '五(四)',
 'an allocation records its document number (文号) and date', 'give --doc 文号 (and --on DATE; default today)'),
('land_allocation_fixed', 'land_allocation', NULL,
 'an allocation never changes once made, except to be released, once, on a date; a released allocation stays on record',
 'release it (reloc land release ID) and allocate anew'),
('enterprise_land_taken_back', 'enterprise', '五(四)',
 'an enterprise whose land was supplied by agreement transfer (协议出让) keeps the record that its original land was taken back',
 'release the agreement allocations first (reloc land release ID)'),
('site_origin', 'site', '四(六)',
 'a vacated site (腾退区域) belongs to a plan, and comes from one of that plan''s enterprises or is a plan-level parcel with a name',
 'give --enterprise ID, or --plan CODE with --name'),
('site_area_positive', 'site', NULL, 'a site''s area is greater than zero and below 100,000,000 ha', 'give --ha N or --mu N'),
('site_reuse_check', 'site', '四(八)',
 'a site''s planned reuse is modern-services (现代服务业), public-facilities (公共设施), housing (住宅), parks-green-space (公园绿地) or industrial-heritage (工业遗产) (§四(八))',
 NULL),
('site_heritage_item', 'site', '四(五)',
 'a site with identified industrial heritage (工业遗产) records the heritage item; a site without heritage records none (§四(五))',
 'give --heritage ITEM, e.g. 吉林哈达湾工业遗产主题公园, 四平铁东铁路遗产保护园区, 通化东昌葡萄酒酒窖, 白城洮北工业历史博物馆; or --no-heritage'),
('site_heritage_reuse', 'site', '四(五)',
 'a site is reused as industrial heritage only if industrial heritage was identified on it (§四(五))',
 'record the heritage item first (--heritage ITEM)'),
('site_env_state_check', 'site', '四(六)',
 'a site''s environmental state is not-surveyed, surveyed, risk-assessed, clean, contaminated, remediation-planned or remediated', NULL),
('site_env_state_order', 'site', '四(六)',
 'a site''s environmental state moves one step forward: not-surveyed → surveyed (环境调查) → risk-assessed (风险评估) → clean, or contaminated → remediation-planned → remediated (治理修复) (§四(六))',
 'take the next step: reloc site survey ID [--result clean|contaminated], reloc site remediate ID --planned|--done'),
('site_release_needs_risk_assessment', 'site', '四(六)',
 'a vacated site is released for reuse only after its environmental survey and risk assessment (§四(六); national plan §九(三))',
 'survey and assess it first: reloc site survey ID --result clean|contaminated'),
('site_release_needs_remediation', 'site', '四(六)',
 'a contaminated site is released for reuse only once remediated: a contaminated site that has not been assessed and made harmless must not be transferred or redeveloped (§四(六); national plan §九(三))',
 'plan and finish the remediation first: reloc site remediate ID --planned, then --done'),
('site_release_needs_doc', 'site', NULL,
 'a released site records the date and the document number (文号) of its release', 'give --on DATE --doc 文号'),
('site_released_is_final', 'site', NULL,
 'a released site stays released, and its environmental record no longer changes', NULL),
('site_dates_in_order', 'site', '四(六)',
 'the steps of a site''s environmental record and its release are dated in the order they happen, and none in the future',
 'give --on the day the step was really taken'),
('site_release_needs_heritage_survey', 'site', '四(五)',
 'a vacated site is released only once it is known whether it holds industrial heritage (工业遗产) (§四(五))',
 'record it first: reloc site edit ID --heritage ITEM, or --no-heritage'),
('site_release_needs_reuse', 'site', '四(八)',
 'a vacated site is released for a planned reuse (§四(八))', 'record it first: reloc site edit ID --reuse KIND'),
('milestone_site_record', 'milestone', '四(六)',
 'a site''s milestones are site-assessed, site-released or custom; site-assessed is done when the risk assessment has its result, site-released when the site is released: the site''s record decides',
 'take the step on the site (reloc site survey / reloc site release) and its milestone closes itself'),
('enterprise_allocations_kept', 'enterprise', '五(四)',
 'an enterprise''s receiving park and mode stay while live construction-land allocations rest on them (§五(四))',
 'release its allocations first (reloc land allocations --enterprise ID, reloc land release ID)'),
('land_allocation_dates', 'land_allocation', NULL,
 'an allocation is released on or after the day it was made, and neither is dated in the future',
 'give --on the day it really happened');

------------------------------------------------------------------------------------------------
-- The enterprise fact agreement transfer depends on (§五(四): 收回原土地使用权后…协议出让)
------------------------------------------------------------------------------------------------
ALTER TABLE reloc.enterprise ADD COLUMN original_land_taken_back boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN reloc.enterprise.original_land_taken_back IS
    'The enterprise''s original land was taken back (收回): only then may its new land be supplied by agreement transfer (协议出让, §五(四)).';

------------------------------------------------------------------------------------------------
-- Quotas, allocations and the per holder-year balance
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.land_quota (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year integer NOT NULL CONSTRAINT land_quota_year CHECK (year BETWEEN 2000 AND 2100),
    holder_city_id bigint CONSTRAINT land_quota_holder_city_id_fkey REFERENCES reloc.organisation (id),
    holder_park_id bigint CONSTRAINT land_quota_holder_park_id_fkey REFERENCES reloc.park (id),
    hectares numeric(12, 4) NOT NULL
        CONSTRAINT land_quota_hectares_positive CHECK (hectares > 0 AND hectares < 100000000),
    doc text NOT NULL CONSTRAINT land_quota_needs_doc CHECK (btrim(doc) <> ''),
    note text,
    issued_by text NOT NULL DEFAULT current_user,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT land_quota_holder CHECK (num_nonnulls(holder_city_id, holder_park_id) = 1)
);
CREATE INDEX land_quota_holder_idx ON reloc.land_quota (year, holder_city_id, holder_park_id);
COMMENT ON TABLE reloc.land_quota IS
    'Annual new construction-land quotas (年度新增建设用地计划指标, §五(四)), issued by the province to a city or a receiving park; several for one holder and year add up.';

CREATE TABLE reloc.land_allocation (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year integer NOT NULL,
    holder_city_id bigint CONSTRAINT land_allocation_holder_city_id_fkey REFERENCES reloc.organisation (id),
    holder_park_id bigint CONSTRAINT land_allocation_holder_park_id_fkey REFERENCES reloc.park (id),
    enterprise_id bigint CONSTRAINT land_allocation_enterprise_id_fkey REFERENCES reloc.enterprise (id),
    project text,
    hectares numeric(12, 4) NOT NULL
        CONSTRAINT land_allocation_hectares_positive CHECK (hectares > 0 AND hectares < 100000000),
    supply text NOT NULL
        CONSTRAINT land_allocation_supply_check CHECK (supply IN ('agreement', 'allocation', 'tender')),
    allocated_on date NOT NULL DEFAULT reloc.today(),
    doc text NOT NULL CONSTRAINT land_allocation_needs_doc CHECK (btrim(doc) <> ''),
    note text,
    released_on date,
    release_note text,
    allocated_by text NOT NULL DEFAULT current_user,
    released_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT land_quota_holder CHECK (num_nonnulls(holder_city_id, holder_park_id) = 1),
    CONSTRAINT land_allocation_target CHECK (num_nonnulls(enterprise_id, nullif(btrim(project), '')) = 1)
);
CREATE INDEX land_allocation_holder_idx ON reloc.land_allocation (year, holder_city_id, holder_park_id);
CREATE INDEX land_allocation_enterprise_id_idx ON reloc.land_allocation (enterprise_id);
COMMENT ON TABLE reloc.land_allocation IS
    'Construction land allocated from a holder''s quota for a year to an enterprise''s relocation or a named project (§五(四)). A released allocation stays, with released_on set, and no longer counts.';

-- One row per holder and year: the sum of its quotas and of its live allocations, kept by the
-- triggers below. Every allocation locks this row (UPDATE/SELECT FOR UPDATE), so concurrent
-- allocations from one holder-year queue here and each sees the others' committed amounts: the
-- sum can never exceed the quota, at any isolation level (REPEATABLE READ/SERIALIZABLE writers
-- get 40001 instead and retry). Nobody writes it but those triggers.
CREATE TABLE reloc.land_quota_balance (
    year integer NOT NULL,
    holder_key text NOT NULL,  -- 'city:<id>' or 'park:<id>'
    holder_city_id bigint CONSTRAINT land_quota_balance_holder_city_id_fkey REFERENCES reloc.organisation (id),
    holder_park_id bigint CONSTRAINT land_quota_balance_holder_park_id_fkey REFERENCES reloc.park (id),
    quota_ha numeric(14, 4) NOT NULL DEFAULT 0,
    allocated_ha numeric(14, 4) NOT NULL DEFAULT 0,
    PRIMARY KEY (year, holder_key),
    CONSTRAINT land_allocation_within_quota CHECK (allocated_ha >= 0 AND allocated_ha <= quota_ha)
);
COMMENT ON TABLE reloc.land_quota_balance IS
    'Per holder and year: total quota and live allocations (kept by triggers; the row every allocation locks).';

CREATE FUNCTION reloc.land_holder_key(city_id bigint, park_id bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN park_id IS NOT NULL THEN 'park:' || park_id ELSE 'city:' || city_id END;

-- "长春市 (CC)" or "长春装备制造产业开发区 (CC-ZBZZ)", for messages.
CREATE FUNCTION reloc.land_holder_label(city_id bigint, park_id bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN coalesce((SELECT format('%s (%s)', name, code) FROM reloc.park WHERE id = park_id),
                (SELECT format('%s (%s)', name_zh, code) FROM reloc.organisation WHERE id = city_id));

-- "2.5000 ha (37.5000 mu)": every amount is shown in both units (1 公顷 = 15 亩).
CREATE FUNCTION reloc.ha_mu(hectares numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN format('%s ha (%s mu)', round(hectares, 4), round(hectares * 15, 4));

-- Mu to hectares (1 公顷 = 15 亩), to the 0.0001 ha the tables keep (numeric: no floating point).
CREATE FUNCTION reloc.ha_from_mu(mu numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN round(mu / 15, 4);

-- May the acting organisation allocate from (and release allocations of) this holder's quota?
-- The province: any; a city: its own and its parks' (§五(四), §六: the city is responsible).
CREATE FUNCTION reloc.land_may_allocate(city_id bigint, park_id bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN reloc.acting_is_province()
    OR coalesce(city_id = ANY (reloc.acting_org_ids()), false)  -- NULL for a park holder: never NULL overall
    OR EXISTS (SELECT FROM reloc.park k WHERE k.id = park_id AND k.city_id = ANY (reloc.acting_org_ids()));

-- Adds to a holder-year balance under its row lock, after checking the result. SECURITY DEFINER:
-- the balance is the owner's; callers only read it.
CREATE FUNCTION reloc.land_balance_adjust(the_year integer, city_id bigint, park_id bigint,
                                          quota_delta numeric, allocated_delta numeric, asked text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key constant text := reloc.land_holder_key(city_id, park_id);
    b reloc.land_quota_balance;
BEGIN
    IF quota_delta > 0 THEN
        INSERT INTO reloc.land_quota_balance (year, holder_key, holder_city_id, holder_park_id)
        VALUES (the_year, key, city_id, park_id)
        ON CONFLICT (year, holder_key) DO NOTHING;
    END IF;
    -- Waits for any other transaction allocating from this holder-year, then reads its result.
    SELECT * INTO b FROM reloc.land_quota_balance WHERE year = the_year AND holder_key = key FOR UPDATE;
    IF NOT FOUND THEN
        b := ROW(the_year, key, city_id, park_id, 0, 0)::reloc.land_quota_balance;
    END IF;
    IF b.allocated_ha + allocated_delta > b.quota_ha + quota_delta THEN
        IF allocated_delta > 0 THEN
            PERFORM reloc.raise_rule('land_allocation_within_quota',
                format('%s, %s: quota %s, allocated %s, remaining %s; asked for %s', reloc.land_holder_label(city_id, park_id),
                       the_year, reloc.ha_mu(b.quota_ha), reloc.ha_mu(b.allocated_ha),
                       reloc.ha_mu(b.quota_ha - b.allocated_ha), coalesce(asked, reloc.ha_mu(allocated_delta))));
        ELSE
            PERFORM reloc.raise_rule('land_quota_covers_allocations',
                format('%s, %s: quota would be %s, but %s is allocated', reloc.land_holder_label(city_id, park_id),
                       the_year, reloc.ha_mu(b.quota_ha + quota_delta), reloc.ha_mu(b.allocated_ha)));
        END IF;
    END IF;
    UPDATE reloc.land_quota_balance
    SET quota_ha = quota_ha + quota_delta, allocated_ha = allocated_ha + allocated_delta
    WHERE year = the_year AND holder_key = key;
END $$;
REVOKE ALL ON FUNCTION reloc.land_balance_adjust(integer, bigint, bigint, numeric, numeric, text) FROM PUBLIC;

-- Quotas: normalise, the province only, rules with words.
CREATE FUNCTION reloc.land_quota_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    city reloc.organisation;
BEGIN
    IF NOT reloc.acting_is_province() THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'only the province issues construction-land quotas (年度新增建设用地计划指标, §五(四))',
            HINT = 'act as the province: --as JL';
    END IF;
    NEW.doc := coalesce(reloc.trim_space(NEW.doc), '');
    NEW.note := reloc.trim_space(NEW.note);
    NEW.updated_at := now();
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
        NEW.issued_by := current_user;
    ELSE
        NEW.created_at := OLD.created_at;
        NEW.issued_by := OLD.issued_by;
    END IF;
    IF num_nonnulls(NEW.holder_city_id, NEW.holder_park_id) <> 1 THEN
        PERFORM reloc.raise_rule('land_quota_holder', 'give a city or a park, one of them');
    END IF;
    IF NEW.holder_city_id IS NOT NULL THEN
        SELECT * INTO city FROM reloc.organisation WHERE id = NEW.holder_city_id;
        IF FOUND AND city.kind <> 'city' THEN
            PERFORM reloc.raise_rule('land_quota_holder', format('%s (%s) is a %s', city.code, city.name_zh, city.kind));
        END IF;
    END IF;
    IF NEW.year NOT BETWEEN 2000 AND 2100 THEN
        PERFORM reloc.raise_rule('land_quota_year', format('year %s', NEW.year));
    END IF;
    IF NOT (NEW.hectares > 0 AND NEW.hectares < 100000000) THEN
        PERFORM reloc.raise_rule('land_quota_hectares_positive', format('%s ha', NEW.hectares));
    END IF;
    IF NEW.doc = '' THEN
        PERFORM reloc.raise_rule('land_quota_needs_doc', 'no document number');
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER land_quota_before_write BEFORE INSERT OR UPDATE ON reloc.land_quota
    FOR EACH ROW EXECUTE FUNCTION reloc.land_quota_before_write();

CREATE FUNCTION reloc.land_quota_before_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT reloc.acting_is_province() THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'only the province issues and withdraws construction-land quotas (§五(四))';
    END IF;
    RETURN OLD;
END $$;

CREATE TRIGGER land_quota_before_delete BEFORE DELETE ON reloc.land_quota
    FOR EACH ROW EXECUTE FUNCTION reloc.land_quota_before_delete();

-- Keeps the balance: a quota removed or reduced first (refused if it no longer covers what is
-- allocated), then the new amount added.
CREATE FUNCTION reloc.land_quota_after_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.year = OLD.year AND NEW.holder_city_id IS NOT DISTINCT FROM OLD.holder_city_id
       AND NEW.holder_park_id IS NOT DISTINCT FROM OLD.holder_park_id THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id, NEW.hectares - OLD.hectares, 0);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM reloc.land_balance_adjust(OLD.year, OLD.holder_city_id, OLD.holder_park_id, -OLD.hectares, 0);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id, NEW.hectares, 0);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER land_quota_after_write AFTER INSERT OR UPDATE OR DELETE ON reloc.land_quota
    FOR EACH ROW EXECUTE FUNCTION reloc.land_quota_after_write();

-- Allocations: the permission and every rule but the quota, which the AFTER trigger checks
-- under the balance row's lock.
-- One transaction at a time changes what an enterprise's land allocations rest on (its park, mode,
-- taken-back record) or allocates to it: a transaction-scoped advisory lock per enterprise.
CREATE FUNCTION reloc.lock_enterprise_land(enterprise_ref bigint) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_advisory_xact_lock(hashtextextended('reloc.enterprise_land', enterprise_ref)) $$;

CREATE FUNCTION reloc.land_allocation_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e reloc.enterprise;
    park reloc.park;
    city reloc.organisation;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.released_on IS NOT NULL
           OR (NEW.year, NEW.holder_city_id, NEW.holder_park_id, NEW.enterprise_id, NEW.project, NEW.hectares,
               NEW.supply, NEW.allocated_on, NEW.doc, NEW.note, NEW.allocated_by, NEW.created_at)
              IS DISTINCT FROM
              (OLD.year, OLD.holder_city_id, OLD.holder_park_id, OLD.enterprise_id, OLD.project, OLD.hectares,
               OLD.supply, OLD.allocated_on, OLD.doc, OLD.note, OLD.allocated_by, OLD.created_at)
           OR NEW.released_on IS NULL THEN
            PERFORM reloc.raise_rule('land_allocation_fixed',
                CASE WHEN OLD.released_on IS NOT NULL
                     THEN format('allocation %s was released on %s', OLD.id, OLD.released_on)
                     ELSE format('allocation %s: only released_on (and release_note) may be set', OLD.id) END);
        END IF;
        IF NOT reloc.land_may_allocate(OLD.holder_city_id, OLD.holder_park_id) THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = format('allocation %s is from the quota of %s: not yours to release', OLD.id,
                                 reloc.land_holder_label(OLD.holder_city_id, OLD.holder_park_id));
        END IF;
        IF NEW.released_on < OLD.allocated_on OR NEW.released_on > reloc.today() THEN
            PERFORM reloc.raise_rule('land_allocation_dates',
                format('allocation %s was made on %s; released on %s; today is %s', OLD.id, OLD.allocated_on,
                       NEW.released_on, reloc.today()));
        END IF;
        NEW.release_note := reloc.trim_space(NEW.release_note);
        NEW.released_by := current_user;
        RETURN NEW;
    END IF;

    NEW.project := reloc.trim_space(NEW.project);
    NEW.doc := coalesce(reloc.trim_space(NEW.doc), '');
    NEW.note := reloc.trim_space(NEW.note);
    NEW.allocated_by := current_user;
    NEW.created_at := now();
    NEW.released_on := NULL;
    NEW.released_by := NULL;
    NEW.release_note := NULL;
    IF num_nonnulls(NEW.holder_city_id, NEW.holder_park_id) <> 1 THEN
        PERFORM reloc.raise_rule('land_quota_holder', 'give a city or a park, one of them');
    END IF;
    -- Said before any rule: another city hears "permission", not the state of 长春's quota.
    IF NOT reloc.land_may_allocate(NEW.holder_city_id, NEW.holder_park_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('the construction-land quota of %s is not yours to allocate from',
                             reloc.land_holder_label(NEW.holder_city_id, NEW.holder_park_id)),
            HINT = 'a city allocates from its own and its parks'' quotas; the province from any';
    END IF;
    IF num_nonnulls(NEW.enterprise_id, NEW.project) <> 1 THEN
        PERFORM reloc.raise_rule('land_allocation_target',
            CASE WHEN NEW.enterprise_id IS NULL THEN 'neither an enterprise nor a project' ELSE 'both an enterprise and a project' END);
    END IF;
    IF NOT (NEW.hectares > 0 AND NEW.hectares < 100000000) THEN
        PERFORM reloc.raise_rule('land_allocation_hectares_positive', format('%s ha', NEW.hectares));
    END IF;
    IF NEW.supply IS NULL OR NEW.supply NOT IN ('agreement', 'allocation', 'tender') THEN
        PERFORM reloc.raise_rule('land_allocation_supply_check', format('"%s" is not a kind of supply', NEW.supply));
    END IF;
    IF NEW.doc = '' OR NEW.allocated_on IS NULL THEN
        PERFORM reloc.raise_rule('land_allocation_needs_doc',
            CASE WHEN NEW.doc = '' THEN 'no document number' ELSE 'no date' END);
    END IF;
    IF NEW.allocated_on > reloc.today() THEN
        PERFORM reloc.raise_rule('land_allocation_dates',
            format('allocated on %s, after today (%s)', NEW.allocated_on, reloc.today()));
    END IF;
    IF NEW.enterprise_id IS NOT NULL THEN
        -- Serialises with changes of the enterprise's park, mode and taken-back record (which
        -- take the same lock), so neither sees the other half-done; the reads below are fresh.
        PERFORM reloc.lock_enterprise_land(NEW.enterprise_id);
        SELECT * INTO e FROM reloc.enterprise WHERE id = NEW.enterprise_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'land_allocation_enterprise_id_fkey',
                MESSAGE = format('no enterprise %s', NEW.enterprise_id), HINT = 'see reloc enterprise list';
        END IF;
        IF e.mode <> 'relocate' OR e.park_id IS NULL THEN
            PERFORM reloc.raise_rule('land_allocation_holder',
                format('enterprise %s (%s) %s', e.id, e.name,
                       CASE WHEN e.mode <> 'relocate' THEN format('does not relocate (mode %s)', e.mode)
                            ELSE 'has no receiving park yet' END));
        END IF;
        SELECT * INTO park FROM reloc.park WHERE id = e.park_id;
        IF NOT (NEW.holder_park_id IS NOT DISTINCT FROM park.id
                OR (NEW.holder_park_id IS NULL AND NEW.holder_city_id = park.city_id)) THEN
            SELECT * INTO city FROM reloc.organisation WHERE id = park.city_id;
            PERFORM reloc.raise_rule('land_allocation_holder',
                format('enterprise %s (%s) moves to %s (%s) in %s (%s); the quota of %s is neither', e.id, e.name,
                       park.name, park.code, city.name_zh, city.code,
                       reloc.land_holder_label(NEW.holder_city_id, NEW.holder_park_id)));
        END IF;
        IF NEW.supply = 'agreement' AND NOT e.original_land_taken_back THEN
            PERFORM reloc.raise_rule('land_allocation_agreement',
                format('enterprise %s (%s): its original land is not recorded as taken back', e.id, e.name));
        END IF;
    ELSIF NEW.supply = 'agreement' THEN
        PERFORM reloc.raise_rule('land_allocation_agreement',
            format('project %s is not an enterprise whose original land was taken back', NEW.project));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER land_allocation_before_write BEFORE INSERT OR UPDATE ON reloc.land_allocation
    FOR EACH ROW EXECUTE FUNCTION reloc.land_allocation_before_write();

CREATE FUNCTION reloc.land_allocation_after_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id, 0, NEW.hectares);
    ELSIF TG_OP = 'UPDATE' AND OLD.released_on IS NULL AND NEW.released_on IS NOT NULL THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id, 0, -NEW.hectares);
    ELSIF TG_OP = 'DELETE' AND OLD.released_on IS NULL THEN
        PERFORM reloc.land_balance_adjust(OLD.year, OLD.holder_city_id, OLD.holder_park_id, 0, -OLD.hectares);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER land_allocation_after_write AFTER INSERT OR UPDATE OR DELETE ON reloc.land_allocation
    FOR EACH ROW EXECUTE FUNCTION reloc.land_allocation_after_write();

-- The record that the original land was taken back stays while agreement allocations rest on it.
CREATE FUNCTION reloc.enterprise_land_taken_back_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids text;
BEGIN
    PERFORM reloc.lock_enterprise_land(NEW.id);
    SELECT string_agg(a.id::text, ', ' ORDER BY a.id) INTO ids FROM reloc.land_allocation a
    WHERE a.enterprise_id = NEW.id AND a.supply = 'agreement' AND a.released_on IS NULL;
    IF ids IS NOT NULL THEN
        PERFORM reloc.raise_rule('enterprise_land_taken_back',
            format('enterprise %s (%s) has live agreement allocations: %s', NEW.id, NEW.name, ids));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER enterprise_land_taken_back_kept BEFORE UPDATE OF original_land_taken_back ON reloc.enterprise
    FOR EACH ROW WHEN (OLD.original_land_taken_back AND NOT NEW.original_land_taken_back)
    EXECUTE FUNCTION reloc.enterprise_land_taken_back_kept();

-- Live allocations were checked against the enterprise's park and mode when made; those stay
-- while the allocations do (land_allocation_holder would otherwise no longer hold).
CREATE FUNCTION reloc.enterprise_allocations_kept() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ids text;
BEGIN
    PERFORM reloc.lock_enterprise_land(NEW.id);
    SELECT string_agg(a.id::text, ', ' ORDER BY a.id) INTO ids FROM reloc.land_allocation a
    WHERE a.enterprise_id = NEW.id AND a.released_on IS NULL;
    IF ids IS NOT NULL THEN
        PERFORM reloc.raise_rule('enterprise_allocations_kept',
            format('enterprise %s (%s) has live allocations: %s', NEW.id, NEW.name, ids));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER enterprise_allocations_kept BEFORE UPDATE OF park_id, mode ON reloc.enterprise
    FOR EACH ROW WHEN (OLD.park_id IS DISTINCT FROM NEW.park_id OR OLD.mode IS DISTINCT FROM NEW.mode)
    EXECUTE FUNCTION reloc.enterprise_allocations_kept();

------------------------------------------------------------------------------------------------
-- Vacated sites (腾退区域), §四(六), §四(八)
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.site (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id bigint NOT NULL,
    city_id bigint NOT NULL,       -- always the plan's city (set by the trigger), for row-level security
    enterprise_id bigint CONSTRAINT site_enterprise_id_fkey REFERENCES reloc.enterprise (id),
    name text NOT NULL CONSTRAINT site_origin CHECK (btrim(name) <> ''),
    area_ha numeric(12, 4) NOT NULL CONSTRAINT site_area_positive CHECK (area_ha > 0 AND area_ha < 100000000),
    planned_reuse text CONSTRAINT site_reuse_check
        CHECK (planned_reuse IN ('modern-services', 'public-facilities', 'housing', 'parks-green-space', 'industrial-heritage')),
    heritage_found boolean,        -- NULL: not known yet
    heritage_item text,
    env_state text NOT NULL DEFAULT 'not-surveyed'
        CONSTRAINT site_env_state_check CHECK (env_state IN ('not-surveyed', 'surveyed', 'risk-assessed', 'clean',
                                                             'contaminated', 'remediation-planned', 'remediated')),
    released_on date,
    release_doc text,
    note text,
    registered_by text NOT NULL DEFAULT current_user,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT site_plan_fkey FOREIGN KEY (plan_id, city_id) REFERENCES reloc.plan (id, city_id) ON UPDATE CASCADE,
    CONSTRAINT site_heritage_item CHECK ((heritage_found IS TRUE) = (nullif(btrim(heritage_item), '') IS NOT NULL)),
    CONSTRAINT site_heritage_reuse CHECK (planned_reuse IS DISTINCT FROM 'industrial-heritage' OR heritage_found),
    CONSTRAINT site_release_needs_doc CHECK ((released_on IS NULL) = (nullif(btrim(release_doc), '') IS NULL)),
    CONSTRAINT site_release_needs_risk_assessment CHECK (
        released_on IS NULL OR env_state IN ('clean', 'contaminated', 'remediation-planned', 'remediated')),
    CONSTRAINT site_release_needs_remediation CHECK (released_on IS NULL OR env_state IN ('clean', 'remediated'))
);
CREATE INDEX site_plan_id_idx ON reloc.site (plan_id);
CREATE INDEX site_city_id_idx ON reloc.site (city_id);
CREATE INDEX site_enterprise_id_idx ON reloc.site (enterprise_id);
COMMENT ON TABLE reloc.site IS
    'Vacated sites (腾退区域): surveyed, risk-assessed and, if contaminated, remediated before release for reuse (§四(六), §四(八); national plan §九(三)).';

CREATE TABLE reloc.site_env_change (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id bigint NOT NULL CONSTRAINT site_env_change_site_id_fkey REFERENCES reloc.site (id),
    from_state text NOT NULL,
    to_state text NOT NULL,
    on_date date NOT NULL,
    doc text,
    note text,
    changed_by text NOT NULL DEFAULT current_user,
    changed_by_login text NOT NULL DEFAULT session_user,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX site_env_change_site_id_idx ON reloc.site_env_change (site_id, id);
COMMENT ON TABLE reloc.site_env_change IS
    'Every step of a site''s environmental record: written only by the site''s trigger, never changed.';

CREATE FUNCTION reloc.site_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e reloc.enterprise;
    plan_city bigint;
    next_states text[];
    missing text;
BEGIN
    NEW.name := coalesce(reloc.trim_space(NEW.name), '');
    NEW.heritage_item := reloc.trim_space(NEW.heritage_item);
    NEW.release_doc := reloc.trim_space(NEW.release_doc);
    NEW.note := reloc.trim_space(NEW.note);
    NEW.updated_at := now();
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
        NEW.registered_by := current_user;
    ELSE
        NEW.created_at := OLD.created_at;
        NEW.registered_by := OLD.registered_by;
    END IF;

    -- A site from an enterprise lies in that enterprise's plan; its name and area default to it.
    IF NEW.enterprise_id IS NOT NULL THEN
        SELECT * INTO e FROM reloc.enterprise WHERE id = NEW.enterprise_id;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'site_enterprise_id_fkey',
                MESSAGE = format('no enterprise %s', NEW.enterprise_id), HINT = 'see reloc enterprise list';
        END IF;
        NEW.plan_id := e.plan_id;
        IF NEW.name = '' THEN
            NEW.name := e.name || ' 原厂址';
        END IF;
        NEW.area_ha := coalesce(NEW.area_ha, e.site_area_ha);
    END IF;
    SELECT city_id INTO plan_city FROM reloc.plan WHERE id = NEW.plan_id;
    IF NOT FOUND THEN
        PERFORM reloc.raise_rule('site_origin',
            CASE WHEN NEW.plan_id IS NULL THEN 'neither an enterprise nor a plan' ELSE format('no plan with id %s', NEW.plan_id) END);
    END IF;
    NEW.city_id := plan_city;
    IF NEW.name = '' THEN
        PERFORM reloc.raise_rule('site_origin', 'a plan-level parcel needs a name');
    END IF;
    IF NEW.area_ha IS NULL OR NOT (NEW.area_ha > 0 AND NEW.area_ha < 100000000) THEN
        PERFORM reloc.raise_rule('site_area_positive',
            format('site %s: %s', NEW.name, coalesce(NEW.area_ha || ' ha', 'no area (the enterprise records no site area either)')));
    END IF;
    IF NEW.planned_reuse NOT IN ('modern-services', 'public-facilities', 'housing', 'parks-green-space', 'industrial-heritage') THEN
        PERFORM reloc.raise_rule('site_reuse_check', format('"%s" is not a planned reuse', NEW.planned_reuse));
    END IF;
    IF (NEW.heritage_found IS TRUE) <> (NEW.heritage_item IS NOT NULL) THEN
        PERFORM reloc.raise_rule('site_heritage_item',
            CASE WHEN NEW.heritage_found THEN format('site %s: heritage found, but no item named', NEW.name)
                 ELSE format('site %s: a heritage item (%s) without heritage found', NEW.name, NEW.heritage_item) END);
    END IF;
    IF NEW.planned_reuse = 'industrial-heritage' AND NEW.heritage_found IS NOT TRUE THEN
        PERFORM reloc.raise_rule('site_heritage_reuse', format('site %s: no industrial heritage recorded', NEW.name));
    END IF;

    -- The environmental record: one step forward at a time (§四(六)).
    IF NEW.env_state NOT IN ('not-surveyed', 'surveyed', 'risk-assessed', 'clean', 'contaminated',
                             'remediation-planned', 'remediated') THEN
        PERFORM reloc.raise_rule('site_env_state_check', format('"%s" is not an environmental state', NEW.env_state));
    END IF;
    IF TG_OP = 'INSERT' AND NEW.env_state <> 'not-surveyed' THEN
        PERFORM reloc.raise_rule('site_env_state_order', format('a new site starts as not-surveyed, not %s', NEW.env_state));
    ELSIF TG_OP = 'UPDATE' AND NEW.env_state <> OLD.env_state THEN
        next_states := CASE OLD.env_state
            WHEN 'not-surveyed' THEN ARRAY['surveyed']
            WHEN 'surveyed' THEN ARRAY['risk-assessed']
            WHEN 'risk-assessed' THEN ARRAY['clean', 'contaminated']
            WHEN 'contaminated' THEN ARRAY['remediation-planned']
            WHEN 'remediation-planned' THEN ARRAY['remediated']
            ELSE ARRAY[]::text[] END;
        IF NOT (NEW.env_state = ANY (next_states)) THEN
            PERFORM reloc.raise_rule('site_env_state_order',
                format('site %s (%s) is %s; its next step is %s, not %s', OLD.id, OLD.name, OLD.env_state,
                       coalesce(nullif(array_to_string(next_states, ' or '), ''), 'none (its environmental record is complete)'),
                       NEW.env_state));
        END IF;
    END IF;

    -- Release: only once assessed and clean or remediated; each refusal names the missing step.
    IF NEW.released_on IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.released_on IS NULL) THEN
        IF NEW.env_state IN ('not-surveyed', 'surveyed', 'risk-assessed') THEN
            missing := CASE NEW.env_state
                WHEN 'not-surveyed' THEN 'the environmental survey (环境调查) and the risk assessment (风险评估) are missing'
                WHEN 'surveyed' THEN 'the risk assessment (风险评估) is missing'
                ELSE 'the risk assessment has no result yet (clean or contaminated)' END;
            PERFORM reloc.raise_rule('site_release_needs_risk_assessment',
                format('site %s (%s) is %s: %s', NEW.id, NEW.name, NEW.env_state, missing));
        ELSIF NEW.env_state IN ('contaminated', 'remediation-planned') THEN
            missing := CASE NEW.env_state
                WHEN 'contaminated' THEN 'the remediation plan and the remediation (治理修复) are missing'
                ELSE 'the remediation (治理修复) is not done' END;
            PERFORM reloc.raise_rule('site_release_needs_remediation',
                format('site %s (%s) is %s: %s', NEW.id, NEW.name, NEW.env_state, missing));
        END IF;
    END IF;
    IF NEW.released_on IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.released_on IS NULL) THEN
        IF NEW.heritage_found IS NULL THEN
            PERFORM reloc.raise_rule('site_release_needs_heritage_survey',
                format('site %s (%s): whether it holds industrial heritage is not recorded', NEW.id, NEW.name));
        END IF;
        IF NEW.planned_reuse IS NULL THEN
            PERFORM reloc.raise_rule('site_release_needs_reuse', format('site %s (%s) has no planned reuse', NEW.id, NEW.name));
        END IF;
        IF NEW.released_on > reloc.today()
           OR NEW.released_on < (SELECT max(c.on_date) FROM reloc.site_env_change c WHERE c.site_id = NEW.id) THEN
            PERFORM reloc.raise_rule('site_dates_in_order',
                format('site %s (%s): released on %s, but its last environmental step was on %s and today is %s',
                       NEW.id, NEW.name, NEW.released_on,
                       (SELECT max(c.on_date) FROM reloc.site_env_change c WHERE c.site_id = NEW.id), reloc.today()));
        END IF;
    END IF;
    IF (NEW.released_on IS NULL) <> (NEW.release_doc IS NULL) THEN
        PERFORM reloc.raise_rule('site_release_needs_doc',
            format('site %s (%s): %s', NEW.id, NEW.name,
                   CASE WHEN NEW.released_on IS NULL THEN 'a document without a release date' ELSE 'no document number' END));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER site_before_write BEFORE INSERT OR UPDATE ON reloc.site
    FOR EACH ROW EXECUTE FUNCTION reloc.site_before_write();

-- A released site stays released and its environmental record is closed: any UPDATE that names
-- those columns is refused, even with the same values (a second release is a mistake to report).
-- Named to fire before site_before_write (BEFORE triggers run in name order).
CREATE FUNCTION reloc.site_released_is_final() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('site_released_is_final',
        format('site %s (%s) was released on %s (%s)', OLD.id, OLD.name, OLD.released_on, OLD.release_doc));
    RETURN NEW;
END $$;

CREATE TRIGGER site_after_release_frozen BEFORE UPDATE OF env_state, released_on, release_doc ON reloc.site
    FOR EACH ROW WHEN (OLD.released_on IS NOT NULL)
    EXECUTE FUNCTION reloc.site_released_is_final();

-- Records each environmental step; reloc.advance_site passes document, date and note in
-- transaction-local settings, a plain UPDATE is recorded dated today.
CREATE FUNCTION reloc.site_record_env_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    step_on date := coalesce(nullif(current_setting('reloc.site_on', true), '')::date, reloc.today());
    last_on date := (SELECT max(c.on_date) FROM reloc.site_env_change c WHERE c.site_id = NEW.id);
BEGIN
    -- A record read on any day must tell the truth of that day: steps in order, none ahead of today.
    IF step_on > reloc.today() OR step_on < last_on THEN
        PERFORM reloc.raise_rule('site_dates_in_order',
            format('site %s (%s): %s on %s, but the previous step was on %s and today is %s', NEW.id, NEW.name,
                   NEW.env_state, step_on, coalesce(last_on::text, '-'), reloc.today()));
    END IF;
    INSERT INTO reloc.site_env_change (site_id, from_state, to_state, on_date, doc, note, changed_by, changed_by_login)
    VALUES (NEW.id, OLD.env_state, NEW.env_state, step_on,
            nullif(current_setting('reloc.site_doc', true), ''),
            nullif(current_setting('reloc.site_note', true), ''),
            current_user, session_user);
    RETURN NULL;
END $$;

CREATE TRIGGER site_record_env_change AFTER UPDATE OF env_state ON reloc.site
    FOR EACH ROW WHEN (OLD.env_state IS DISTINCT FROM NEW.env_state)
    EXECUTE FUNCTION reloc.site_record_env_change();

-- One step of a site's environmental record, with its document, date and note.
-- Errors: P0002 no such site; 42501 not yours; 23514 site_env_state_order, site_released_is_final.
CREATE FUNCTION reloc.advance_site(site_id bigint, to_state text, doc text DEFAULT NULL,
                                   on_date date DEFAULT NULL, note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed integer;
BEGIN
    IF NOT EXISTS (SELECT FROM reloc.site s WHERE s.id = site_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = format('no site %s', site_id), HINT = 'see reloc site list';
    END IF;
    PERFORM set_config('reloc.site_doc', coalesce(reloc.trim_space(doc), ''), true),
            set_config('reloc.site_on', coalesce(to_char(on_date, 'YYYY-MM-DD'), ''), true),
            set_config('reloc.site_note', coalesce(reloc.trim_space(note), ''), true);
    UPDATE reloc.site s SET env_state = to_state WHERE s.id = site_id;
    GET DIAGNOSTICS changed = ROW_COUNT;
    PERFORM set_config('reloc.site_doc', '', true), set_config('reloc.site_on', '', true),
            set_config('reloc.site_note', '', true);
    IF changed = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('site %s is not yours to change', site_id),
            HINT = 'a city government records the sites of its own city; the province any site';
    END IF;
END $$;

-- `reloc site survey ID [--result clean|contaminated]`: the survey, and with a result the risk
-- assessment and its conclusion, each recorded as its own step on the same date.
CREATE FUNCTION reloc.survey_site(site_id bigint, result text DEFAULT NULL, doc text DEFAULT NULL,
                                  on_date date DEFAULT NULL, note text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    state text;
BEGIN
    SELECT s.env_state INTO state FROM reloc.site s WHERE s.id = site_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = format('no site %s', site_id), HINT = 'see reloc site list';
    END IF;
    IF result IS NOT NULL AND result NOT IN ('clean', 'contaminated') THEN
        PERFORM reloc.raise_rule('site_env_state_check', format('"%s" is not a survey result (clean or contaminated)', result));
    END IF;
    IF state = 'not-surveyed' OR result IS NULL THEN
        PERFORM reloc.advance_site(site_id, 'surveyed', doc, on_date, note);
        state := 'surveyed';
    END IF;
    IF result IS NOT NULL THEN
        IF state = 'surveyed' THEN
            PERFORM reloc.advance_site(site_id, 'risk-assessed', doc, on_date, note);
        END IF;
        PERFORM reloc.advance_site(site_id, result, doc, on_date, note);
        state := result;
    END IF;
    RETURN state;
END $$;

REVOKE ALL ON FUNCTION reloc.land_quota_before_write(), reloc.land_quota_before_delete(), reloc.land_quota_after_write(),
                       reloc.land_allocation_before_write(), reloc.land_allocation_after_write(),
                       reloc.enterprise_land_taken_back_kept(), reloc.site_before_write(), reloc.site_record_env_change(),
                       reloc.site_released_is_final()
    FROM PUBLIC;
REVOKE ALL ON FUNCTION reloc.advance_site(bigint, text, text, date, text),
                       reloc.survey_site(bigint, text, text, date, text),
                       reloc.land_may_allocate(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.advance_site(bigint, text, text, date, text),
                          reloc.survey_site(bigint, text, text, date, text),
                          reloc.land_may_allocate(bigint, bigint) TO reloc_app;

------------------------------------------------------------------------------------------------
-- Row-level security, forced (0002's patterns)
------------------------------------------------------------------------------------------------
ALTER TABLE reloc.land_quota ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.land_allocation ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.land_quota_balance ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.site ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.site_env_change ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

-- Everyone in the programme reads land and sites.
CREATE POLICY land_quota_read ON reloc.land_quota FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY land_allocation_read ON reloc.land_allocation FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY land_quota_balance_read ON reloc.land_quota_balance FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY site_read ON reloc.site FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY site_env_change_read ON reloc.site_env_change FOR SELECT TO reloc_app, reloc_owner USING (true);

-- Quotas: the province issues, corrects and withdraws them (§五(四)).
CREATE POLICY land_quota_province_insert ON reloc.land_quota FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY land_quota_province_update ON reloc.land_quota FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY land_quota_province_delete ON reloc.land_quota FOR DELETE TO reloc_app
    USING ((SELECT reloc.acting_is_province()));

-- Allocations: the province from any quota; a city from its own and its parks' quotas. Released,
-- never deleted.
CREATE POLICY land_allocation_insert ON reloc.land_allocation FOR INSERT TO reloc_app
    WITH CHECK (reloc.land_may_allocate(holder_city_id, holder_park_id));
CREATE POLICY land_allocation_update ON reloc.land_allocation FOR UPDATE TO reloc_app
    USING (reloc.land_may_allocate(holder_city_id, holder_park_id))
    WITH CHECK (reloc.land_may_allocate(holder_city_id, holder_park_id));

-- The balance: written only by the quota and allocation triggers (as the owner).
CREATE POLICY land_quota_balance_by_trigger ON reloc.land_quota_balance FOR ALL TO reloc_owner
    USING (pg_trigger_depth() > 0) WITH CHECK (pg_trigger_depth() > 0);

-- Sites: like enterprises — the province; a city for the plans of its city; a district for its
-- own plan. Only the province deletes.
CREATE POLICY site_province_insert ON reloc.site FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY site_province_update ON reloc.site FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY site_province_delete ON reloc.site FOR DELETE TO reloc_app
    USING ((SELECT reloc.acting_is_province()));
CREATE POLICY site_local_insert ON reloc.site FOR INSERT TO reloc_app
    WITH CHECK (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
                OR EXISTS (SELECT FROM reloc.plan p
                           WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])));
CREATE POLICY site_local_update ON reloc.site FOR UPDATE TO reloc_app
    USING (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
           OR EXISTS (SELECT FROM reloc.plan p
                      WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])))
    WITH CHECK (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
                OR EXISTS (SELECT FROM reloc.plan p
                           WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])));

-- Environmental history: only the site's trigger writes it.
CREATE POLICY site_env_change_by_trigger ON reloc.site_env_change FOR INSERT TO reloc_app
    WITH CHECK (pg_trigger_depth() > 0 AND changed_by = current_user::text);

------------------------------------------------------------------------------------------------
-- Table privileges (row-level security and the triggers then narrow them). INSERT on quotas is
-- granted to all so that a city hears the trigger's words ("only the province issues quotas").
------------------------------------------------------------------------------------------------
GRANT SELECT ON reloc.land_quota, reloc.land_allocation, reloc.land_quota_balance, reloc.site, reloc.site_env_change
    TO reloc_app;
GRANT INSERT ON reloc.land_quota, reloc.land_allocation, reloc.site, reloc.site_env_change TO reloc_app;
GRANT UPDATE (released_on, release_note) ON reloc.land_allocation TO reloc_app;
GRANT UPDATE ON reloc.site TO reloc_app;
GRANT UPDATE, DELETE ON reloc.land_quota TO reloc_province;
GRANT DELETE ON reloc.site TO reloc_province;

------------------------------------------------------------------------------------------------
-- Milestones on vacated sites (节点: site assessed, site released). A site's milestones belong to
-- its plan's district government, else its city, like the plan's own; they are closed by the
-- site's record itself: the risk assessment's result closes "site-assessed", the release closes
-- "site-released" (§四(六)).
------------------------------------------------------------------------------------------------
ALTER TABLE reloc.milestone ADD COLUMN site_id bigint CONSTRAINT milestone_site_id_fkey REFERENCES reloc.site (id);
CREATE INDEX milestone_site_id_idx ON reloc.milestone (site_id);
ALTER TABLE reloc.milestone DROP CONSTRAINT milestone_attached_once,
    ADD CONSTRAINT milestone_attached_once CHECK (num_nonnulls(plan_id, enterprise_id, task_id, site_id) = 1);

-- Does the site concern one of orgs: its city, or the district of its plan?
CREATE FUNCTION reloc.site_concerns(site_ref bigint, orgs bigint[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM reloc.site s JOIN reloc.plan p ON p.id = s.plan_id
                   WHERE s.id = site_ref AND (s.city_id = ANY (orgs) OR p.district_id = ANY (orgs)))
$$;

-- The owner of a site milestone, when not given: named so that it fires before
-- milestone_before_write (triggers fire in name order), which then finds the owner set. A given
-- owner must be one the site concerns: its city, its plan's district, or the province
-- (milestone_owner_concerned, as 0004 says for plans, enterprises and tasks) — said only to those
-- who may write the milestone; the others hear row-level security's 42501.
CREATE FUNCTION reloc.milestone_site_owner() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.owner_id IS NULL THEN
        NEW.owner_id := (SELECT coalesce(p.district_id, p.city_id)
                         FROM reloc.site s JOIN reloc.plan p ON p.id = s.plan_id WHERE s.id = NEW.site_id);
    ELSIF (TG_OP = 'INSERT' OR NEW.owner_id IS DISTINCT FROM OLD.owner_id OR NEW.site_id IS DISTINCT FROM OLD.site_id)
          AND NOT EXISTS (SELECT FROM reloc.organisation o WHERE o.id = NEW.owner_id AND o.kind = 'province')
          AND NOT reloc.site_concerns(NEW.site_id, ARRAY[NEW.owner_id])
          AND EXISTS (SELECT FROM reloc.site WHERE id = NEW.site_id)
          AND (reloc.acting_is_province() OR reloc.site_concerns(NEW.site_id, reloc.acting_org_ids())) THEN
        PERFORM reloc.raise_rule('milestone_owner_concerned',
            format('%s is not the city or district government of site %s',
                   (SELECT o.code || ' (' || o.name_zh || ')' FROM reloc.organisation o WHERE o.id = NEW.owner_id),
                   NEW.site_id));
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER milestone_attach_site_owner BEFORE INSERT OR UPDATE ON reloc.milestone
    FOR EACH ROW WHEN (NEW.site_id IS NOT NULL)
    EXECUTE FUNCTION reloc.milestone_site_owner();

-- The site's city and its plan's district add and close the site's milestones, as for plans.
ALTER POLICY milestone_local_insert ON reloc.milestone
    WITH CHECK (reloc.attachment_concerns(plan_id, enterprise_id, task_id, NULL, (SELECT reloc.acting_org_ids()))
                OR (site_id IS NOT NULL AND reloc.site_concerns(site_id, (SELECT reloc.acting_org_ids()))));
ALTER POLICY milestone_local_update ON reloc.milestone
    USING (reloc.attachment_concerns(plan_id, enterprise_id, task_id, owner_id, (SELECT reloc.acting_org_ids()))
           OR (site_id IS NOT NULL AND reloc.site_concerns(site_id, (SELECT reloc.acting_org_ids()))))
    WITH CHECK (reloc.attachment_concerns(plan_id, enterprise_id, task_id, owner_id, (SELECT reloc.acting_org_ids()))
                OR (site_id IS NOT NULL AND reloc.site_concerns(site_id, (SELECT reloc.acting_org_ids()))));

-- A site's milestones mirror its record: added after the fact they start done; nobody marks them
-- done (or open) against it.
CREATE FUNCTION reloc.milestone_follows_site_record() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s reloc.site;
    assessed_on date;
BEGIN
    SELECT * INTO s FROM reloc.site WHERE id = NEW.site_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- the foreign key reports it
    END IF;
    IF NEW.kind NOT IN ('site-assessed', 'site-released', 'custom') THEN
        PERFORM reloc.raise_rule('milestone_site_record', format('site %s (%s): a %s milestone', s.id, s.name, NEW.kind));
    END IF;
    IF NEW.kind = 'site-assessed' THEN
        SELECT min(c.on_date) INTO assessed_on FROM reloc.site_env_change c
        WHERE c.site_id = s.id AND c.to_state IN ('clean', 'contaminated');
        IF TG_OP = 'INSERT' AND NEW.done_on IS NULL THEN
            NEW.done_on := assessed_on;
        ELSIF NEW.done_on IS DISTINCT FROM assessed_on THEN
            PERFORM reloc.raise_rule('milestone_site_record',
                format('site %s (%s) %s', s.id, s.name,
                       CASE WHEN assessed_on IS NULL THEN format('has no risk assessment result (it is %s)', s.env_state)
                            ELSE format('was assessed on %s', assessed_on) END));
        END IF;
    ELSIF NEW.kind = 'site-released' THEN
        IF TG_OP = 'INSERT' AND NEW.done_on IS NULL THEN
            NEW.done_on := s.released_on;
        ELSIF NEW.done_on IS DISTINCT FROM s.released_on THEN
            PERFORM reloc.raise_rule('milestone_site_record',
                format('site %s (%s) %s', s.id, s.name,
                       coalesce('was released on ' || s.released_on, 'is not released')));
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER milestone_follows_site_record BEFORE INSERT OR UPDATE ON reloc.milestone
    FOR EACH ROW WHEN (NEW.site_id IS NOT NULL)
    EXECUTE FUNCTION reloc.milestone_follows_site_record();

-- milestone_concerns (progress reports on milestones) learns sites too.
CREATE OR REPLACE FUNCTION reloc.milestone_concerns(milestone_ref bigint, orgs bigint[]) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (
        SELECT FROM reloc.milestone m
        LEFT JOIN reloc.plan p ON p.id = m.plan_id
        LEFT JOIN reloc.enterprise e ON e.id = m.enterprise_id
        LEFT JOIN reloc.plan ep ON ep.id = e.plan_id
        WHERE m.id = milestone_ref
          AND (m.owner_id = ANY (orgs)
               OR p.city_id = ANY (orgs) OR p.district_id = ANY (orgs)
               OR e.city_id = ANY (orgs) OR ep.district_id = ANY (orgs)
               OR (m.task_id IS NOT NULL AND reloc.task_concerns(m.task_id, orgs))
               OR (m.site_id IS NOT NULL AND reloc.site_concerns(m.site_id, orgs))))
$$;

-- The site's record closes its milestones, as whoever took the step (who may change the site may
-- close its milestones: the same city, district or province).
CREATE FUNCTION reloc.site_closes_milestones() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.env_state IN ('clean', 'contaminated') AND OLD.env_state IS DISTINCT FROM NEW.env_state THEN
        UPDATE reloc.milestone SET done_on = (SELECT min(c.on_date) FROM reloc.site_env_change c
                                              WHERE c.site_id = NEW.id AND c.to_state IN ('clean', 'contaminated'))
        WHERE site_id = NEW.id AND kind = 'site-assessed' AND done_on IS NULL;
    END IF;
    IF NEW.released_on IS NOT NULL AND OLD.released_on IS NULL THEN
        UPDATE reloc.milestone SET done_on = NEW.released_on
        WHERE site_id = NEW.id AND kind = 'site-released' AND done_on IS NULL;
    END IF;
    RETURN NULL;
END $$;
-- Named to fire after site_record_env_change (AFTER triggers run in name order): the step's date
-- is read from the history that trigger writes.
CREATE TRIGGER site_then_closes_milestones AFTER UPDATE OF env_state, released_on ON reloc.site
    FOR EACH ROW EXECUTE FUNCTION reloc.site_closes_milestones();
REVOKE ALL ON FUNCTION reloc.milestone_site_owner(), reloc.site_closes_milestones(), reloc.milestone_follows_site_record(),
    reloc.enterprise_allocations_kept() FROM PUBLIC;

------------------------------------------------------------------------------------------------
-- The audit trail (0003). Not land_quota_balance (derived, kept by triggers) nor site_env_change
-- (itself an append-only history).
------------------------------------------------------------------------------------------------
SELECT reloc.audit_table('reloc.land_quota'::regclass);
SELECT reloc.audit_table('reloc.land_allocation'::regclass);
SELECT reloc.audit_table('reloc.site'::regclass);

RESET ROLE;
