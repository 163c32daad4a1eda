-- Land quotas and allocations.
-- Yearly land quotas of each holder (city or park), allocations to enterprises within them, in exact land units.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

CREATE OR REPLACE FUNCTION reloc.land_holder_key(city_id bigint, park_id bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN park_id IS NOT NULL THEN 'park:' || park_id ELSE 'city:' || city_id END;

-- "长春市 (CC)" or "长春装备制造产业开发区 (CC-ZBZZ)", for messages.
CREATE OR REPLACE FUNCTION reloc.land_holder_label(city_id bigint, park_id bigint) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN coalesce((SELECT format('%s (%s)', name, code) FROM reloc.park WHERE id = park_id),
                (SELECT format('%s (%s)', name_zh, code) FROM reloc.organisation WHERE id = city_id));

-- "2.5000 ha (37.5000 mu)": every amount is shown in both units (1 公顷 = 15 亩).
CREATE OR REPLACE FUNCTION reloc.ha_mu(hectares numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN format('%s ha (%s mu)', round(hectares, 4), round(hectares * 15, 4));

-- May the acting organisation allocate from (and release allocations of) this holder's quota?
-- The province: any; a city: its own and its parks' (§五(四), §六: the city is responsible).
CREATE OR REPLACE FUNCTION reloc.land_may_allocate(city_id bigint, park_id bigint) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN reloc.acting_is_province()
    OR coalesce(city_id = ANY (reloc.acting_org_ids()), false)  -- NULL for a park holder: never NULL overall
    OR EXISTS (SELECT FROM reloc.park k WHERE k.id = park_id AND k.city_id = ANY (reloc.acting_org_ids()));
REVOKE ALL ON FUNCTION reloc.land_may_allocate(bigint,bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.land_may_allocate(bigint,bigint) TO reloc_app;

-- Quotas: normalise, the province only, rules with words.
CREATE OR REPLACE FUNCTION reloc.land_quota_before_write() RETURNS trigger
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
REVOKE ALL ON FUNCTION reloc.land_quota_before_write() FROM PUBLIC;

CREATE OR REPLACE TRIGGER land_quota_before_write BEFORE INSERT OR UPDATE ON reloc.land_quota
    FOR EACH ROW EXECUTE FUNCTION reloc.land_quota_before_write();

CREATE OR REPLACE FUNCTION reloc.land_quota_before_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT reloc.acting_is_province() THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = 'only the province issues and withdraws construction-land quotas (§五(四))';
    END IF;
    RETURN OLD;
END $$;
REVOKE ALL ON FUNCTION reloc.land_quota_before_delete() FROM PUBLIC;

CREATE OR REPLACE TRIGGER land_quota_before_delete BEFORE DELETE ON reloc.land_quota
    FOR EACH ROW EXECUTE FUNCTION reloc.land_quota_before_delete();

CREATE OR REPLACE TRIGGER land_quota_after_write AFTER INSERT OR UPDATE OR DELETE ON reloc.land_quota
    FOR EACH ROW EXECUTE FUNCTION reloc.land_quota_after_write();

-- Allocations: the permission and every rule but the quota, which the AFTER trigger checks
-- under the balance row's lock.
CREATE OR REPLACE FUNCTION reloc.land_allocation_before_write() RETURNS trigger
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
        -- Land goes to a relocation: an enterprise of unknown mode (0026) gets none until it has one.
        IF e.mode IS NULL THEN
            PERFORM reloc.raise_rule('enterprise_mode_known',
                format('enterprise %s (%s) takes no land allocation while its mode is unknown', e.id, e.name));
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
REVOKE ALL ON FUNCTION reloc.land_allocation_before_write() FROM PUBLIC;

CREATE OR REPLACE TRIGGER land_allocation_before_write BEFORE INSERT OR UPDATE ON reloc.land_allocation
    FOR EACH ROW EXECUTE FUNCTION reloc.land_allocation_before_write();

CREATE OR REPLACE TRIGGER land_allocation_after_write AFTER INSERT OR UPDATE OR DELETE ON reloc.land_allocation
    FOR EACH ROW EXECUTE FUNCTION reloc.land_allocation_after_write();

-- The record that the original land was taken back stays while agreement allocations rest on it.
CREATE OR REPLACE FUNCTION reloc.enterprise_land_taken_back_kept() RETURNS trigger
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
REVOKE ALL ON FUNCTION reloc.enterprise_land_taken_back_kept() FROM PUBLIC;

CREATE OR REPLACE TRIGGER enterprise_land_taken_back_kept BEFORE UPDATE OF original_land_taken_back ON reloc.enterprise
    FOR EACH ROW WHEN (OLD.original_land_taken_back AND NOT NEW.original_land_taken_back)
    EXECUTE FUNCTION reloc.enterprise_land_taken_back_kept();

-- Live allocations were checked against the enterprise's park and mode when made; those stay
-- while the allocations do (land_allocation_holder would otherwise no longer hold).
CREATE OR REPLACE FUNCTION reloc.enterprise_allocations_kept() RETURNS trigger
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
REVOKE ALL ON FUNCTION reloc.enterprise_allocations_kept() FROM PUBLIC;

CREATE OR REPLACE TRIGGER enterprise_allocations_kept BEFORE UPDATE OF park_id, mode ON reloc.enterprise
    FOR EACH ROW WHEN (OLD.park_id IS DISTINCT FROM NEW.park_id OR OLD.mode IS DISTINCT FROM NEW.mode)
    EXECUTE FUNCTION reloc.enterprise_allocations_kept();

-- Everyone in the programme reads land and sites.
DROP POLICY IF EXISTS land_quota_read ON reloc.land_quota;
CREATE POLICY land_quota_read ON reloc.land_quota FOR SELECT TO reloc_app, reloc_owner USING (true);

DROP POLICY IF EXISTS land_allocation_read ON reloc.land_allocation;
CREATE POLICY land_allocation_read ON reloc.land_allocation FOR SELECT TO reloc_app, reloc_owner USING (true);

DROP POLICY IF EXISTS land_quota_balance_read ON reloc.land_quota_balance;
CREATE POLICY land_quota_balance_read ON reloc.land_quota_balance FOR SELECT TO reloc_app, reloc_owner USING (true);

-- Quotas: the province issues, corrects and withdraws them (§五(四)).
DROP POLICY IF EXISTS land_quota_province_insert ON reloc.land_quota;
CREATE POLICY land_quota_province_insert ON reloc.land_quota FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS land_quota_province_update ON reloc.land_quota;
CREATE POLICY land_quota_province_update ON reloc.land_quota FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS land_quota_province_delete ON reloc.land_quota;
CREATE POLICY land_quota_province_delete ON reloc.land_quota FOR DELETE TO reloc_app
    USING ((SELECT reloc.acting_is_province()));

-- Allocations: the province from any quota; a city from its own and its parks' quotas. Released,
-- never deleted.
DROP POLICY IF EXISTS land_allocation_insert ON reloc.land_allocation;
CREATE POLICY land_allocation_insert ON reloc.land_allocation FOR INSERT TO reloc_app
    WITH CHECK (reloc.land_may_allocate(holder_city_id, holder_park_id));

DROP POLICY IF EXISTS land_allocation_update ON reloc.land_allocation;
CREATE POLICY land_allocation_update ON reloc.land_allocation FOR UPDATE TO reloc_app
    USING (reloc.land_may_allocate(holder_city_id, holder_park_id))
    WITH CHECK (reloc.land_may_allocate(holder_city_id, holder_park_id));

-- The balance: written only by the quota and allocation triggers (as the owner).
DROP POLICY IF EXISTS land_quota_balance_by_trigger ON reloc.land_quota_balance;
CREATE POLICY land_quota_balance_by_trigger ON reloc.land_quota_balance FOR ALL TO reloc_owner
    USING (pg_trigger_depth() > 0) WITH CHECK (pg_trigger_depth() > 0);

------------------------------------------------------------------------------------------------
-- Allocations are dated near their quota's year (§五(四))
------------------------------------------------------------------------------------------------
-- The quota is annual (年度新增建设用地计划指标, §五(四)): land is allocated from it in its year.
-- A year either side is allowed (a quota issued late and used early the next year, or a decision
-- of December recorded against the coming year's quota); anything further is a wrong year or date.
CREATE OR REPLACE FUNCTION reloc.land_allocation_in_quota_year() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.allocated_on < reloc.programme_began()
       OR NEW.allocated_on NOT BETWEEN make_date(NEW.year - 1, 1, 1) AND make_date(NEW.year + 1, 12, 31) THEN
        PERFORM reloc.raise_rule('land_allocation_in_quota_year',
            format('allocated on %s from the quota for %s (allowed: %s to %s, from %s)', NEW.allocated_on, NEW.year,
                   make_date(NEW.year - 1, 1, 1), make_date(NEW.year + 1, 12, 31), reloc.programme_began()));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.land_allocation_in_quota_year() FROM PUBLIC;

-- Named to fire after land_allocation_before_write (permission is said first).
CREATE OR REPLACE TRIGGER land_allocation_in_quota_year BEFORE INSERT ON reloc.land_allocation
    FOR EACH ROW EXECUTE FUNCTION reloc.land_allocation_in_quota_year();

-- Mu to hectares (1 公顷 = 15 亩), to the 0.0001 ha the tables keep (numeric: no floating point).
--
-- Mu to hectares, for display and for an enterprise's site area in mu (the register keeps that in
-- ha to 0.0001): the one place mu become hectares. Land amounts are not converted: they stay exact.
CREATE OR REPLACE FUNCTION reloc.ha_from_mu(mu numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN round(mu / 15, 4);

-- The one conversion of mu for an area kept in hectares to 0.0001 ha: exact, or refused by
-- places_rule with the hectares it would be (15 mu = 1 ha: a multiple of 0.0015 mu fits).
CREATE OR REPLACE FUNCTION reloc.ha_from_mu_exact(mu numeric, places_rule text) RETURNS numeric
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mu IS NOT NULL AND (mu * 10000) % 15 <> 0 THEN
        PERFORM reloc.raise_rule(places_rule, format(
            '%s mu is %s… ha, more than four decimal places of ha: give the area in ha (--ha), or in mu in steps of 0.0015 mu (= 0.0001 ha)',
            mu, round(mu / 15, 8)));
    END IF;
    RETURN reloc.ha_from_mu(mu);
END $$;
COMMENT ON FUNCTION reloc.ha_from_mu_exact(numeric, text) IS
    'Mu to hectares for an area kept to 0.0001 ha: exact, or refused by places_rule (never rounded).';

-- Land amounts (§五(四)): 1 公顷 = 15 亩. The exact common measure is 0.0001 mu = 1/150000 ha, so an
-- integer count of it holds every four-decimal ha amount (×150000) and every four-decimal mu amount
-- (×10000): quotas and allocations are compared as integers, never rounded.
CREATE OR REPLACE FUNCTION reloc.land_units(amount numeric, unit text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (amount * CASE unit WHEN 'mu' THEN 10000 WHEN 'ha' THEN 150000 END)::bigint;

-- "2.5000 ha (37.5000 mu)" (0005's reloc.ha_mu), or "1.0000 mu (≈0.0667 ha)" when the hectares are
-- not exact at 0.0001 ha: an amount of land units, in mu always exactly.
CREATE OR REPLACE FUNCTION reloc.land_units_text(units bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN units % 15 = 0
            THEN format('%s ha (%s mu)', round(units / 150000.0, 4), round(units / 10000.0, 4))
            ELSE format('%s mu (≈%s ha)', round(units / 10000.0, 4), round(units / 150000.0, 4)) END;

-- The amount as it was given: "1 mu", "2.5 ha".
CREATE OR REPLACE FUNCTION reloc.land_amount_text(amount numeric, unit text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN trim_scale(amount) || ' ' || unit;

-- Before every other row trigger (triggers fire in name order): the amount as given decides. A
-- writer that names only hectares (raw SQL of old) gives an amount in ha; hectares is then derived.
CREATE OR REPLACE FUNCTION reloc.land_amount_normalise() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.amount IS NULL THEN
            NEW.amount := NEW.hectares;
            NEW.unit := 'ha';
        END IF;
    ELSIF NEW.hectares IS DISTINCT FROM OLD.hectares AND NEW.amount IS NOT DISTINCT FROM OLD.amount
          AND NEW.unit IS NOT DISTINCT FROM OLD.unit THEN
        NEW.amount := NEW.hectares;
        NEW.unit := 'ha';
    END IF;
    IF NEW.unit IS NULL OR NEW.unit NOT IN ('ha', 'mu') THEN
        PERFORM reloc.raise_rule('land_amount_unit', format('"%s" is not a unit of land', NEW.unit));
    END IF;
    IF NEW.amount IS DISTINCT FROM round(NEW.amount, 4) THEN
        PERFORM reloc.raise_rule('land_amount_places', format('%s %s', NEW.amount, NEW.unit));
    END IF;
    -- Exact for ha; for mu to 10 decimal places (mu / 15 has no exact decimal): 0.0005 mu is
    -- 0.0000333333 ha, not 0.0001 ha (three times its size, as a floor of 0.0001 made it), and
    -- 1499999999.9999 mu stays below 100,000,000 ha as it is. Derived, for readers only: never
    -- summed (the balance counts area_units) and never shown (lists show area_units as ha and mu).
    NEW.hectares := CASE NEW.unit WHEN 'ha' THEN round(NEW.amount, 4) ELSE round(NEW.amount / 15, 10) END;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.land_amount_normalise() FROM PUBLIC;

CREATE OR REPLACE TRIGGER land_amount_normalise BEFORE INSERT OR UPDATE ON reloc.land_quota
    FOR EACH ROW EXECUTE FUNCTION reloc.land_amount_normalise();

CREATE OR REPLACE TRIGGER land_amount_normalise BEFORE INSERT OR UPDATE ON reloc.land_allocation
    FOR EACH ROW EXECUTE FUNCTION reloc.land_amount_normalise();

-- Adds to a holder-year balance under its row lock, after checking the result, in land units.
-- SECURITY DEFINER: the balance is the owner's; callers only read it. The lock is 0005's: every
-- allocation from one holder-year queues on this row, so the sum never exceeds the quota.
CREATE OR REPLACE FUNCTION reloc.land_balance_adjust(the_year integer, city_id bigint, park_id bigint,
                                          quota_delta bigint, allocated_delta bigint, asked text DEFAULT NULL)
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
    SELECT * INTO b FROM reloc.land_quota_balance WHERE year = the_year AND holder_key = key FOR UPDATE;
    IF NOT FOUND THEN
        b.quota_units := 0;
        b.allocated_units := 0;
    END IF;
    IF b.allocated_units + allocated_delta > b.quota_units + quota_delta THEN
        IF allocated_delta > 0 THEN
            PERFORM reloc.raise_rule('land_allocation_within_quota',
                format('%s, %s: quota %s, allocated %s, remaining %s; asked for %s', reloc.land_holder_label(city_id, park_id),
                       the_year, reloc.land_units_text(b.quota_units), reloc.land_units_text(b.allocated_units),
                       reloc.land_units_text(b.quota_units - b.allocated_units),
                       coalesce(asked, reloc.land_units_text(allocated_delta))));
        ELSE
            PERFORM reloc.raise_rule('land_quota_covers_allocations',
                format('%s, %s: quota would be %s, but %s is allocated', reloc.land_holder_label(city_id, park_id),
                       the_year, reloc.land_units_text(b.quota_units + quota_delta),
                       reloc.land_units_text(b.allocated_units)));
        END IF;
    END IF;
    UPDATE reloc.land_quota_balance
    SET quota_units = quota_units + quota_delta, allocated_units = allocated_units + allocated_delta
    WHERE year = the_year AND holder_key = key;
END $$;
REVOKE ALL ON FUNCTION reloc.land_balance_adjust(integer,bigint,bigint,bigint,bigint,text) FROM PUBLIC;

-- Keeps the balance: a quota removed or reduced first (refused if it no longer covers what is
-- allocated), then the new amount added.
CREATE OR REPLACE FUNCTION reloc.land_quota_after_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.year = OLD.year AND NEW.holder_city_id IS NOT DISTINCT FROM OLD.holder_city_id
       AND NEW.holder_park_id IS NOT DISTINCT FROM OLD.holder_park_id THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id,
                                          NEW.area_units - OLD.area_units, 0::bigint);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM reloc.land_balance_adjust(OLD.year, OLD.holder_city_id, OLD.holder_park_id, -OLD.area_units, 0::bigint);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id, NEW.area_units, 0::bigint);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.land_quota_after_write() FROM PUBLIC;

-- Amounts only (the allocation's other rules are 0005's and later migrations'): counts land units.
CREATE OR REPLACE FUNCTION reloc.land_allocation_after_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id, 0::bigint, NEW.area_units,
                                          reloc.land_amount_text(NEW.amount, NEW.unit));
    ELSIF TG_OP = 'UPDATE' AND OLD.released_on IS NULL AND NEW.released_on IS NOT NULL THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id, 0::bigint, -NEW.area_units);
    ELSIF TG_OP = 'DELETE' AND OLD.released_on IS NULL THEN
        PERFORM reloc.land_balance_adjust(OLD.year, OLD.holder_city_id, OLD.holder_park_id, 0::bigint, -OLD.area_units);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.land_allocation_after_write() FROM PUBLIC;

-- One transaction at a time changes what an enterprise's land allocations rest on (its park, mode,
-- taken-back record) or allocates to it: a transaction-scoped advisory lock per enterprise.
-- Only the organisations' roles (whose triggers call it) may execute it, and only for an enterprise
-- that exists: a guard row for an invented id was free to write for any role (review of issue 13).
CREATE OR REPLACE FUNCTION reloc.lock_enterprise_land(enterprise_ref bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO reloc.enterprise_land_guard AS g (enterprise_id)
    SELECT enterprise_ref WHERE EXISTS (SELECT FROM reloc.enterprise e WHERE e.id = enterprise_ref)
    ON CONFLICT (enterprise_id) DO UPDATE SET turns = g.turns + 1
$$;
REVOKE ALL ON FUNCTION reloc.lock_enterprise_land(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.lock_enterprise_land(bigint) TO reloc_app;
