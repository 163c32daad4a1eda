-- The register: plans, parks and enterprises.
-- The rules of 吉政办发〔2014〕29号 on district plans (实施方案), receiving parks (承接区) and enterprises, their
-- status steps, and who may write them.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

CREATE OR REPLACE FUNCTION reloc.plan_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    steps constant text[] := ARRAY['drafting', 'consultation', 'risk-assessed', 'approved', 'implementing',
                                   'basically-complete', 'complete'];
    city reloc.organisation;
    district reloc.organisation;
BEGIN
    NEW.code := upper(btrim(NEW.code));
    NEW.name := btrim(NEW.name);
    NEW.division_code := reloc.trim_space(reloc.ascii_digits(NEW.division_code));
    NEW.approval_doc := reloc.trim_space(NEW.approval_doc);
    NEW.updated_at := now();
    IF NEW.code !~ '^[A-Z][A-Z0-9-]*$' OR length(NEW.code) > 40 THEN
        PERFORM reloc.raise_rule('plan_code_format', format('"%s"', NEW.code));
    END IF;
    IF NEW.name = '' THEN
        PERFORM reloc.raise_rule('plan_name_not_blank', format('plan %s', NEW.code));
    END IF;
    IF NEW.division_code !~ '^[0-9]{6}$' THEN
        PERFORM reloc.raise_rule('plan_division_code_format', format('"%s"', NEW.division_code));
    END IF;
    IF NEW.area_km2 <= 0 THEN
        PERFORM reloc.raise_rule('plan_area_positive', format('%s km²', NEW.area_km2));
    END IF;
    IF NOT (NEW.status = ANY (steps)) THEN
        PERFORM reloc.raise_rule('plan_status_check', format('"%s" is not a plan status', NEW.status));
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
        IF NEW.status <> 'drafting' THEN
            PERFORM reloc.raise_rule('plan_status_order',
                format('a new plan starts as drafting, not %s', NEW.status));
        END IF;
    ELSE
        NEW.created_at := OLD.created_at;
        -- Said before the city/district rule below, so a city trying it hears "permission".
        IF NEW.city_id IS DISTINCT FROM OLD.city_id AND NOT reloc.acting_is_province() THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = format('only the province moves a plan to another city (plan %s)', OLD.code);
        END IF;
        -- Forward one step, or back by the province's correction (reloc.correct_plan_step, 35_history).
        IF NEW.status <> OLD.status
           AND array_position(steps, NEW.status) IS DISTINCT FROM array_position(steps, OLD.status) + 1
           AND NOT reloc.status_correcting(OLD.id, NULL, OLD.status, NEW.status) THEN
            PERFORM reloc.raise_rule('plan_status_order',
                format('plan %s is %s; its next status is %s, not %s', OLD.code, OLD.status,
                       coalesce(steps[array_position(steps, OLD.status) + 1], 'none (it is complete)'), NEW.status));
        END IF;
    END IF;

    SELECT * INTO city FROM reloc.organisation WHERE id = NEW.city_id;
    IF FOUND AND city.kind <> 'city' THEN
        PERFORM reloc.raise_rule('plan_city_district', format('%s (%s) is a %s, not a city', city.code, city.name_zh, city.kind));
    END IF;
    -- --district-code alone finds the district of that division code in the plan's city.
    IF NEW.district_id IS NULL AND NEW.division_code IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.division_code IS DISTINCT FROM OLD.division_code) THEN
        SELECT id INTO NEW.district_id FROM reloc.organisation
        WHERE kind = 'district' AND parent_id = NEW.city_id AND division_code = NEW.division_code
              AND successor_id IS NULL
        ORDER BY id LIMIT 1;
    END IF;
    IF NEW.district_id IS NOT NULL THEN
        SELECT * INTO district FROM reloc.organisation WHERE id = NEW.district_id;
        IF FOUND THEN
            IF district.kind <> 'district' OR district.parent_id IS DISTINCT FROM NEW.city_id THEN
                PERFORM reloc.raise_rule('plan_city_district',
                    format('%s (%s) is not a district of %s', district.code, district.name_zh, coalesce(city.code, NEW.city_id::text)));
            END IF;
            NEW.division_code := coalesce(NEW.division_code, district.division_code);
        END IF;
    END IF;
    IF left(NEW.division_code, 4) <> left(city.division_code, 4) THEN
        PERFORM reloc.raise_rule('plan_division_code_in_city',
            format('plan %s has division code %s; %s''s is %s', NEW.code, NEW.division_code, city.code, city.division_code));
    END IF;

    IF array_position(steps, NEW.status) >= 4 AND NEW.approval_doc IS NULL THEN
        PERFORM reloc.raise_rule('plan_approval_needs_doc', format('plan %s has no approval document', NEW.code));
    END IF;
    -- An approval is recorded by the approval step, not ahead of it.
    IF array_position(steps, NEW.status) < 4 AND (NEW.approval_doc IS NOT NULL OR NEW.approved_on IS NOT NULL) THEN
        PERFORM reloc.raise_rule('plan_approval_at_approval',
            format('plan %s is %s, not approved', NEW.code, NEW.status));
    END IF;
    -- The programme's deadlines (compiled by the end of 2014, basically complete by 2022, §三) are
    -- the province's to set or move, not the city's whose plan it is.
    IF TG_OP = 'UPDATE' AND (NEW.compile_by, NEW.basic_completion_by) IS DISTINCT FROM (OLD.compile_by, OLD.basic_completion_by)
       AND NOT reloc.acting_is_province() THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('only the province sets or moves plan %s''s deadlines (compile-by, basic-completion-by, §三)', NEW.code),
            HINT = 'ask the province (reloc plan edit CODE --compile-by DATE --as JL)';
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.plan_before_write() FROM PUBLIC;

CREATE OR REPLACE TRIGGER plan_before_write BEFORE INSERT OR UPDATE ON reloc.plan
    FOR EACH ROW EXECUTE FUNCTION reloc.plan_before_write();

-- Setting a plan's status to the status it has is no step at all: `plan advance CODE --to` its
-- current status is refused rather than recorded as an empty move (§四(一): one step forward).
CREATE OR REPLACE FUNCTION reloc.plan_status_unchanged() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    steps constant text[] := ARRAY['drafting', 'consultation', 'risk-assessed', 'approved', 'implementing',
                                   'basically-complete', 'complete'];
BEGIN
    PERFORM reloc.raise_rule('plan_status_order',
        format('plan %s is already %s; its next status is %s', OLD.code, OLD.status,
               coalesce(steps[array_position(steps, OLD.status) + 1], 'none (it is complete)')));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.plan_status_unchanged() FROM PUBLIC;

CREATE OR REPLACE TRIGGER plan_status_unchanged BEFORE UPDATE OF status ON reloc.plan
    FOR EACH ROW WHEN (OLD.status = NEW.status) EXECUTE FUNCTION reloc.plan_status_unchanged();

-- `reloc plan advance CODE --to STATUS [--doc 文号] [--on DATE] [--note TEXT]`. Moving to approved
-- stores the document as approval_doc and the date (default today) as approved_on.
-- Errors: P0002 no such plan; 42501 the plan is not the caller's to change; 23514
-- plan_status_order / plan_approval_needs_doc.
CREATE OR REPLACE FUNCTION reloc.advance_plan(plan_code text, to_status text, doc text DEFAULT NULL,
                                   on_date date DEFAULT NULL, note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    target bigint;
    changed integer;
BEGIN
    SELECT id INTO target FROM reloc.plan WHERE code = upper(btrim(plan_code));
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('no plan %s', upper(btrim(plan_code))), HINT = 'see reloc plan list';
    END IF;
    PERFORM set_config('reloc.advance_doc', coalesce(reloc.trim_space(doc), ''), true),
            set_config('reloc.advance_on', coalesce(to_char(on_date, 'YYYY-MM-DD'), ''), true),
            set_config('reloc.advance_note', coalesce(reloc.trim_space(note), ''), true);
    UPDATE reloc.plan
    SET status = to_status,
        approval_doc = CASE WHEN to_status = 'approved' THEN coalesce(reloc.trim_space(doc), approval_doc)
                            ELSE approval_doc END,
        approved_on = CASE WHEN to_status = 'approved'
                           THEN coalesce(on_date, reloc.today())
                           ELSE approved_on END
    WHERE id = target;
    GET DIAGNOSTICS changed = ROW_COUNT;
    PERFORM set_config('reloc.advance_doc', '', true),
            set_config('reloc.advance_on', '', true),
            set_config('reloc.advance_note', '', true);
    IF changed = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('plan %s is not yours to advance', upper(btrim(plan_code))),
            HINT = 'a city government advances the plans of its own city; the province any plan';
    END IF;
END $$;
REVOKE ALL ON FUNCTION reloc.advance_plan(text,text,text,date,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.advance_plan(text,text,text,date,text) TO reloc_app;

-- Normalises, derives the city from the plan, and applies every rule with words that say what was
-- wrong (the CHECK constraints of the same names stay as a backstop, e.g. when triggers are off).
CREATE OR REPLACE FUNCTION reloc.enterprise_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    plan_city bigint;
    park reloc.park;
    allowed text;
BEGIN
    NEW.name := coalesce(reloc.trim_space(NEW.name), '');
    NEW.uscc := reloc.trim_space(upper(regexp_replace(reloc.halfwidth(NEW.uscc), '\s', '', 'g')));
    NEW.industry := reloc.trim_space(NEW.industry);
    -- A unit belongs to its capacity: without the capacity it is dropped.
    NEW.capacity_old_unit := CASE WHEN NEW.capacity_old IS NOT NULL THEN reloc.trim_space(reloc.halfwidth(NEW.capacity_old_unit)) END;
    NEW.capacity_new_unit := CASE WHEN NEW.capacity_new IS NOT NULL THEN reloc.trim_space(reloc.halfwidth(NEW.capacity_new_unit)) END;
    NEW.source_document := reloc.trim_space(NEW.source_document);

    SELECT city_id INTO plan_city FROM reloc.plan WHERE id = NEW.plan_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'enterprise_plan_fkey',
            MESSAGE = format('no plan with id %s', NEW.plan_id), HINT = 'see reloc plan list';
    END IF;
    NEW.city_id := plan_city;

    IF TG_OP = 'INSERT' THEN
        NEW.registered_by := current_user;
        NEW.created_at := now();
        IF NEW.source_document IS NOT NULL AND NOT reloc.acting_is_province() THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = 'only the province records the reference document (source_document) of an enterprise';
        END IF;
    ELSE
        NEW.registered_by := OLD.registered_by;
        NEW.created_at := OLD.created_at;
        IF NEW.source_document IS DISTINCT FROM OLD.source_document AND NOT reloc.acting_is_province() THEN
            RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
                MESSAGE = 'only the province records the reference document (source_document) of an enterprise';
        END IF;
    END IF;
    NEW.updated_at := now();

    IF NEW.name = '' THEN
        PERFORM reloc.raise_rule('enterprise_name_not_blank');
    END IF;
    -- NULL: unknown (0026, issue 14), not a guess; a mode once known stays known.
    IF NEW.mode NOT IN ('in-situ', 'relocate', 'close') THEN
        PERFORM reloc.raise_rule('enterprise_mode_check', format('"%s" is not a mode', NEW.mode));
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.mode IS NULL AND OLD.mode IS NOT NULL THEN
        PERFORM reloc.raise_rule('enterprise_mode_known',
            format('enterprise %s (%s) has mode %s: a mode once set is changed, not made unknown again',
                   OLD.id, OLD.name, OLD.mode));
    END IF;
    IF NEW.status NOT IN ('registered', 'heritage-surveyed', 'relocating', 'relocated', 'closing', 'closed',
                          'renovating', 'renovated') THEN
        PERFORM reloc.raise_rule('enterprise_status_check', format('"%s" is not an enterprise status', NEW.status));
    END IF;
    IF NEW.high_risk NOT IN ('metallurgy', 'chemicals', 'paper', 'hazardous') THEN
        PERFORM reloc.raise_rule('enterprise_high_risk_check', format('"%s" is not a high-risk class', NEW.high_risk));
    END IF;

    -- Mode unknown (0026): the heritage survey comes first for every mode (§四(五)); the steps
    -- after it are the mode's (below), and so is a receiving park (§四(二), §四(三)).
    IF NEW.mode IS NULL AND NEW.park_id IS NOT NULL THEN
        PERFORM reloc.raise_rule('enterprise_mode_known',
            format('enterprise %s (%s) cannot take a receiving park while its mode is unknown (only a relocation has one)',
                   coalesce(NEW.id::text, 'new'), NEW.name));
    END IF;

    -- Status: forward only, one step, along the mode's branch; the heritage survey first (§四(五)).
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'registered' THEN
            PERFORM reloc.raise_rule('enterprise_status_order',
                format('a new enterprise starts as registered, not %s', NEW.status));
        END IF;
    -- Back only by the province's correction (reloc.correct_enterprise_step, 35_history).
    ELSIF NEW.status <> OLD.status AND NOT reloc.status_correcting(NULL, OLD.id, OLD.status, NEW.status) THEN
        -- The step after the survey is the mode's: it waits for the mode (a skipped step stays
        -- enterprise_status_order's, whatever the mode).
        IF NEW.mode IS NULL AND OLD.status = 'heritage-surveyed' AND NEW.status NOT IN ('registered', 'heritage-surveyed') THEN
            PERFORM reloc.raise_rule('enterprise_mode_known',
                format('enterprise %s (%s) is heritage-surveyed; it cannot become %s while its mode is unknown',
                       NEW.id, NEW.name, NEW.status));
        END IF;
        allowed := CASE OLD.status
            WHEN 'registered' THEN 'heritage-surveyed'
            WHEN 'heritage-surveyed' THEN CASE NEW.mode WHEN 'relocate' THEN 'relocating'
                                                        WHEN 'close' THEN 'closing'
                                                        WHEN 'in-situ' THEN 'renovating' END
            WHEN 'relocating' THEN 'relocated'
            WHEN 'closing' THEN 'closed'
            WHEN 'renovating' THEN 'renovated'
            END;
        IF NEW.status IS DISTINCT FROM allowed THEN
            PERFORM reloc.raise_rule('enterprise_status_order',
                format('enterprise %s (%s, mode %s) is %s; its next status is %s, not %s%s',
                       NEW.id, NEW.name, coalesce(NEW.mode, 'unknown'), OLD.status,
                       coalesce(allowed, CASE WHEN NEW.mode IS NULL THEN 'its mode''s first step, once the mode is set'
                                              ELSE 'none (its work is done)' END), NEW.status,
                       CASE WHEN OLD.status = 'registered' AND NEW.status = 'relocating'
                            THEN ' (the industrial-heritage survey comes first, §四(五))' ELSE '' END));
        END IF;
    END IF;
    IF NEW.mode IS NULL AND NEW.status NOT IN ('registered', 'heritage-surveyed') THEN
        PERFORM reloc.raise_rule('enterprise_mode_known',
            format('enterprise %s (%s) cannot be %s while its mode is unknown', coalesce(NEW.id::text, 'new'), NEW.name,
                   NEW.status));
    END IF;
    IF NOT (NEW.status IN ('registered', 'heritage-surveyed')
            OR (NEW.mode = 'relocate' AND NEW.status IN ('relocating', 'relocated'))
            OR (NEW.mode = 'close' AND NEW.status IN ('closing', 'closed'))
            OR (NEW.mode = 'in-situ' AND NEW.status IN ('renovating', 'renovated'))) THEN
        PERFORM reloc.raise_rule('enterprise_status_matches_mode',
            format('enterprise %s is %s with mode %s', NEW.id, NEW.status, NEW.mode));
    END IF;

    -- A relocation needs a receiving park; closure and in-situ renovation take none (§四(二), §四(三)).
    IF NEW.mode = 'relocate' AND NEW.park_id IS NULL
       AND NOT (NEW.source_document IS NOT NULL AND NEW.status IN ('registered', 'heritage-surveyed')) THEN
        PERFORM reloc.raise_rule('enterprise_relocation_needs_park',
            CASE WHEN NEW.source_document IS NOT NULL
                 THEN format('enterprise %s (%s) cannot become %s without a receiving park', NEW.id, NEW.name, NEW.status)
                 ELSE format('%s relocates but names no receiving park', NEW.name) END);
    ELSIF NEW.mode <> 'relocate' AND NEW.park_id IS NOT NULL THEN
        PERFORM reloc.raise_rule('enterprise_relocation_needs_park',
            format('%s has mode %s, which takes no receiving park', NEW.name, NEW.mode));
    END IF;

    -- High-risk classes only into proven parks (§四(三)).
    IF NEW.high_risk IS NOT NULL AND NEW.park_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.park_id IS DISTINCT FROM OLD.park_id OR NEW.high_risk IS DISTINCT FROM OLD.high_risk) THEN
        SELECT * INTO park FROM reloc.park WHERE id = NEW.park_id;
        IF FOUND AND NOT park.high_risk_eligible THEN
            PERFORM reloc.raise_rule('enterprise_high_risk_park',
                format('%s (%s) may not move to park %s (%s): legally established %s, environmental infrastructure complete %s, planning EIA passed %s',
                       NEW.name, NEW.high_risk, park.code, park.name,
                       coalesce(park.legally_established::text, 'unknown'),
                       coalesce(park.env_infrastructure_complete::text, 'unknown'),
                       coalesce(park.planning_eia_passed::text, 'unknown')));
        END IF;
    END IF;

    -- Equal or reduced capacity (等量或减量置换, §四(二)).
    IF NEW.capacity_old < 0 OR NEW.capacity_new < 0 THEN
        PERFORM reloc.raise_rule('enterprise_capacity_nonnegative');
    END IF;
    IF (NEW.capacity_old IS NOT NULL AND NEW.capacity_old_unit IS NULL)
       OR (NEW.capacity_new IS NOT NULL AND NEW.capacity_new_unit IS NULL) THEN
        PERFORM reloc.raise_rule('enterprise_capacity_unit', format('%s: a capacity without a unit', NEW.name));
    END IF;
    IF NEW.capacity_new IS NOT NULL AND NEW.capacity_old IS NULL THEN
        PERFORM reloc.raise_rule('enterprise_capacity_not_increased',
            format('%s: new capacity %s %s without an old capacity', NEW.name, NEW.capacity_new, NEW.capacity_new_unit));
    END IF;
    IF NEW.capacity_old_unit <> NEW.capacity_new_unit THEN
        PERFORM reloc.raise_rule('enterprise_capacity_same_unit',
            format('enterprise %s (%s): old capacity %s %s, new capacity %s %s', coalesce(NEW.id::text, 'new'), NEW.name,
                   NEW.capacity_old, NEW.capacity_old_unit, NEW.capacity_new, NEW.capacity_new_unit));
    END IF;
    IF NEW.capacity_new > NEW.capacity_old THEN
        PERFORM reloc.raise_rule('enterprise_capacity_not_increased',
            format('%s: new capacity %s exceeds the old %s (%s)', NEW.name, NEW.capacity_new, NEW.capacity_old,
                   NEW.capacity_old_unit));
    END IF;

    IF NEW.uscc IS NOT NULL AND NOT reloc.uscc_is_valid(NEW.uscc) THEN
        PERFORM reloc.raise_rule('enterprise_uscc_checksum', format('%s is not a valid code', NEW.uscc));
    END IF;
    IF NEW.site_area_ha < 0 OR NEW.site_area_ha >= 100000000 THEN
        PERFORM reloc.raise_rule('enterprise_site_area_nonnegative', format('%s ha', NEW.site_area_ha));
    END IF;
    IF NEW.employees < 0 OR NEW.surplus_workers < 0 OR NEW.surplus_workers > NEW.employees THEN
        PERFORM reloc.raise_rule('enterprise_workers',
            format('employees %s, surplus workers %s', coalesce(NEW.employees::text, '-'), coalesce(NEW.surplus_workers::text, '-')));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.enterprise_before_write() FROM PUBLIC;

-- On INSERT only for a row it would change or refuse (0014, issue 13: import speed).
-- The WHEN conditions below are the negation of "nothing to do" for the INSERT path of each
-- function: every normalisation is the identity on the row, every rule it raises holds, and the
-- stamps are what it would set. Where a check needs a lookup (a high-risk class with a park), the
-- trigger fires. Each trigger keeps its name for UPDATE; the INSERT one sorts right after it, so
-- the order (before_write, then once) stays.
CREATE OR REPLACE TRIGGER enterprise_before_write BEFORE UPDATE ON reloc.enterprise
    FOR EACH ROW EXECUTE FUNCTION reloc.enterprise_before_write();
CREATE OR REPLACE TRIGGER enterprise_before_write_insert BEFORE INSERT ON reloc.enterprise
    FOR EACH ROW WHEN (NOT coalesce(
        -- normalised already
        NEW.name = reloc.trim_space(NEW.name)
        AND NEW.uscc IS NOT DISTINCT FROM reloc.trim_space(upper(regexp_replace(reloc.halfwidth(NEW.uscc), '\s', '', 'g')))
        AND NEW.industry IS NOT DISTINCT FROM reloc.trim_space(NEW.industry)
        AND NEW.capacity_old_unit IS NOT DISTINCT FROM
            (CASE WHEN NEW.capacity_old IS NOT NULL THEN reloc.trim_space(reloc.halfwidth(NEW.capacity_old_unit)) END)
        AND NEW.capacity_new_unit IS NOT DISTINCT FROM
            (CASE WHEN NEW.capacity_new IS NOT NULL THEN reloc.trim_space(reloc.halfwidth(NEW.capacity_new_unit)) END)
        AND NEW.source_document IS NULL
        -- stamped already: the plan's city (enterprise_plan_fkey holds city_id to the plan), who, when
        AND NEW.city_id IS NOT NULL
        AND NEW.registered_by = current_user AND NEW.created_at = now() AND NEW.updated_at = now()
        -- and every rule of the function holds
        AND NEW.mode IN ('in-situ', 'relocate', 'close')
        AND NEW.status = 'registered'
        AND (NEW.high_risk IS NULL OR (NEW.high_risk IN ('metallurgy', 'chemicals', 'paper', 'hazardous') AND NEW.park_id IS NULL))
        AND (NEW.mode = 'relocate') = (NEW.park_id IS NOT NULL)
        AND ((NEW.capacity_old IS NULL AND NEW.capacity_new IS NULL)
             OR (NEW.capacity_old >= 0 AND NEW.capacity_old_unit IS NOT NULL
                 AND (NEW.capacity_new IS NULL
                      OR (NEW.capacity_new >= 0 AND NEW.capacity_new_unit = NEW.capacity_old_unit
                          AND NEW.capacity_new <= NEW.capacity_old))))
        AND (NEW.uscc IS NULL OR reloc.uscc_is_valid(NEW.uscc))
        AND coalesce(NEW.site_area_ha >= 0 AND NEW.site_area_ha < 100000000, true)
        AND coalesce(NEW.employees >= 0, true) AND coalesce(NEW.surplus_workers >= 0, true)
        AND coalesce(NEW.surplus_workers <= NEW.employees, true),
        false))
    EXECUTE FUNCTION reloc.enterprise_before_write();

-- A park edit may not make its park unfit for the high-risk enterprises still to move there
-- (status other than relocated): refused as enterprise_high_risk_park. Enterprises already
-- relocated keep the record of a move that was allowed when made.
CREATE OR REPLACE FUNCTION reloc.park_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    city reloc.organisation;
    affected text;
BEGIN
    NEW.code := upper(btrim(NEW.code));
    NEW.name := btrim(NEW.name);
    NEW.updated_at := now();
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
    ELSE
        NEW.created_at := OLD.created_at;
    END IF;
    IF NEW.code !~ '^[A-Z][A-Z0-9-]*$' OR length(NEW.code) > 40 THEN
        PERFORM reloc.raise_rule('park_code_format', format('"%s"', NEW.code));
    END IF;
    IF NEW.name = '' THEN
        PERFORM reloc.raise_rule('park_name_not_blank', format('park %s', NEW.code));
    END IF;
    IF NEW.kind NOT IN ('econ-tech-zone', 'high-tech-zone', 'industrial-cluster', 'themed-park') THEN
        PERFORM reloc.raise_rule('park_kind_check', format('"%s" is not a kind of park', NEW.kind));
    END IF;
    SELECT * INTO city FROM reloc.organisation WHERE id = NEW.city_id;
    IF FOUND AND city.kind <> 'city' THEN
        PERFORM reloc.raise_rule('park_city', format('%s (%s) is a %s, not a city', city.code, city.name_zh, city.kind));
    END IF;
    IF TG_OP = 'UPDATE'
       AND NOT coalesce(NEW.legally_established AND NEW.env_infrastructure_complete AND NEW.planning_eia_passed, false)
       AND OLD.high_risk_eligible THEN
        SELECT string_agg(format('%s %s (%s, %s)', e.id, e.name, e.high_risk, e.status), ', ' ORDER BY e.id)
          INTO affected
          FROM reloc.enterprise e
         WHERE e.park_id = NEW.id AND e.high_risk IS NOT NULL AND e.status <> 'relocated';
        IF affected IS NOT NULL THEN
            PERFORM reloc.raise_rule('enterprise_high_risk_park',
                format('park %s would no longer be fit for the high-risk enterprises still to move there: %s', NEW.code, affected));
        END IF;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.park_before_write() FROM PUBLIC;

CREATE OR REPLACE TRIGGER park_before_write BEFORE INSERT OR UPDATE ON reloc.park
    FOR EACH ROW EXECUTE FUNCTION reloc.park_before_write();

DROP POLICY IF EXISTS plan_read ON reloc.plan;
CREATE POLICY plan_read ON reloc.plan FOR SELECT TO reloc_app, reloc_owner USING (true);

DROP POLICY IF EXISTS park_read ON reloc.park;
CREATE POLICY park_read ON reloc.park FOR SELECT TO reloc_app, reloc_owner USING (true);

DROP POLICY IF EXISTS enterprise_read ON reloc.enterprise;
CREATE POLICY enterprise_read ON reloc.enterprise FOR SELECT TO reloc_app, reloc_owner USING (true);

DROP POLICY IF EXISTS park_province_insert ON reloc.park;
CREATE POLICY park_province_insert ON reloc.park FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS park_province_update ON reloc.park;
CREATE POLICY park_province_update ON reloc.park FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS park_province_delete ON reloc.park;
CREATE POLICY park_province_delete ON reloc.park FOR DELETE TO reloc_app
    USING ((SELECT reloc.acting_is_province()));

-- Plans: the province adds, edits and deletes; a city edits the plans of its city, a district
-- government its own plan, and neither can move a plan out of its reach (WITH CHECK).
DROP POLICY IF EXISTS plan_province_insert ON reloc.plan;
CREATE POLICY plan_province_insert ON reloc.plan FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS plan_province_update ON reloc.plan;
CREATE POLICY plan_province_update ON reloc.plan FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS plan_province_delete ON reloc.plan;
CREATE POLICY plan_province_delete ON reloc.plan FOR DELETE TO reloc_app
    USING ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS plan_local_update ON reloc.plan;
CREATE POLICY plan_local_update ON reloc.plan FOR UPDATE TO reloc_app
    USING (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]) OR district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]))
    WITH CHECK (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]) OR district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]));

-- Enterprises: the province does everything; a city registers and edits enterprises in the plans
-- of its city (city_id is the plan's city), a district government in its own plan. Only the
-- province deletes.
DROP POLICY IF EXISTS enterprise_province_insert ON reloc.enterprise;
CREATE POLICY enterprise_province_insert ON reloc.enterprise FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS enterprise_province_update ON reloc.enterprise;
CREATE POLICY enterprise_province_update ON reloc.enterprise FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS enterprise_province_delete ON reloc.enterprise;
CREATE POLICY enterprise_province_delete ON reloc.enterprise FOR DELETE TO reloc_app
    USING ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS enterprise_local_insert ON reloc.enterprise;
CREATE POLICY enterprise_local_insert ON reloc.enterprise FOR INSERT TO reloc_app
    WITH CHECK (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
                OR EXISTS (SELECT FROM reloc.plan p
                           WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])));

DROP POLICY IF EXISTS enterprise_local_update ON reloc.enterprise;
CREATE POLICY enterprise_local_update ON reloc.enterprise FOR UPDATE TO reloc_app
    USING (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
           OR EXISTS (SELECT FROM reloc.plan p
                      WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])))
    WITH CHECK (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
                OR EXISTS (SELECT FROM reloc.plan p
                           WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])));

-- Runs after enterprise_before_write (name order) has normalised: spaces inside a name collapse to
-- one; a withdrawn enterprise changes no more; a withdrawal records who
-- and when itself and waits for, then respects, land allocations and sites resting on it.
CREATE OR REPLACE FUNCTION reloc.enterprise_once() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    resting text;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.withdrawn_on IS NOT NULL THEN
        PERFORM reloc.raise_rule('enterprise_withdrawal',
            format('enterprise %s (%s) was withdrawn on %s: %s', OLD.id, OLD.name, OLD.withdrawn_on, OLD.withdrawn_reason));
    END IF;
    -- Runs of spaces (ASCII, no-break, ideographic) become one; control characters stay, for the
    -- check enterprise_name_text to refuse.
    NEW.name := regexp_replace(NEW.name, '[ \u00a0\u3000]+', ' ', 'g');
    -- Four places at most, refused rather than rounded; kept with four, as numeric(12, 4) showed it.
    IF NEW.site_area_ha <> round(NEW.site_area_ha, 4) THEN
        PERFORM reloc.raise_rule('enterprise_site_area_places', format('%s ha', NEW.site_area_ha));
    END IF;
    NEW.site_area_ha := round(NEW.site_area_ha, 4);
    IF TG_OP = 'INSERT' AND (NEW.withdrawn_on IS NOT NULL OR NEW.withdrawn_reason IS NOT NULL) THEN
        PERFORM reloc.raise_rule('enterprise_withdrawal', 'a new enterprise is not withdrawn');
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.withdrawn_reason IS NOT NULL THEN
        NEW.withdrawn_reason := reloc.trim_space(NEW.withdrawn_reason);
        IF NEW.withdrawn_reason IS NULL THEN
            PERFORM reloc.raise_rule('enterprise_withdrawal', 'a withdrawal gives its reason');
        END IF;
        NEW.withdrawn_on := reloc.today();
        NEW.withdrawn_by_login := reloc.acting_login();
        PERFORM reloc.lock_enterprise_land(NEW.id);
        SELECT concat_ws('; ',
                   (SELECT 'land allocations ' || string_agg(a.id::text, ', ' ORDER BY a.id)
                    FROM reloc.land_allocation a WHERE a.enterprise_id = NEW.id),
                   (SELECT 'sites ' || string_agg(s.id::text, ', ' ORDER BY s.id)
                    FROM reloc.site s WHERE s.enterprise_id = NEW.id),
                   -- Open milestones would stay live and be reminded for an enterprise that is not
                   -- one: closed (done) or removed by the province first, like land and sites.
                   (SELECT 'open milestones ' || string_agg(m.id::text, ', ' ORDER BY m.id)
                    FROM reloc.milestone m WHERE m.enterprise_id = NEW.id AND m.done_on IS NULL))
          INTO resting;
        IF resting <> '' THEN
            PERFORM reloc.raise_rule('enterprise_withdrawal',
                format('enterprise %s (%s) has %s', NEW.id, NEW.name, resting));
        END IF;
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' AND (NEW.withdrawn_on IS NOT NULL OR NEW.withdrawn_by_login IS NOT NULL) THEN
        PERFORM reloc.raise_rule('enterprise_withdrawal', 'a withdrawal gives its reason');
    END IF;
    -- A duplicate (plan, name) is refused by the unique index enterprise_plan_name_key (23505, the
    -- rule's words from reloc.rule). Not looked up here: a per-row lookup made a 10,000-row import
    -- take minutes (the planner, believing the table tiny, scanned it for every row).
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.enterprise_once() FROM PUBLIC;

CREATE OR REPLACE TRIGGER enterprise_once BEFORE UPDATE ON reloc.enterprise
    FOR EACH ROW EXECUTE FUNCTION reloc.enterprise_once();
CREATE OR REPLACE TRIGGER enterprise_once_insert BEFORE INSERT ON reloc.enterprise
    FOR EACH ROW WHEN (NOT coalesce(
        NEW.name = regexp_replace(NEW.name, '[ \u00a0\u3000]+', ' ', 'g')
        AND NEW.site_area_ha IS NOT DISTINCT FROM round(NEW.site_area_ha, 4)
        AND NEW.withdrawn_on IS NULL AND NEW.withdrawn_reason IS NULL,
        false))
    EXECUTE FUNCTION reloc.enterprise_once();

-- Nothing new rests on a withdrawn enterprise: an allocation or a site for it is refused. Takes
-- the enterprise's land lock first, so a withdrawal and an allocation or a site never both pass.
CREATE OR REPLACE FUNCTION reloc.not_on_withdrawn_enterprise() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e reloc.enterprise;
BEGIN
    IF NEW.enterprise_id IS NOT NULL THEN
        PERFORM reloc.lock_enterprise_land(NEW.enterprise_id);
        SELECT * INTO e FROM reloc.enterprise WHERE id = NEW.enterprise_id;
        IF FOUND AND e.withdrawn_on IS NOT NULL THEN
            PERFORM reloc.raise_rule('enterprise_withdrawal',
                format('enterprise %s (%s) was withdrawn on %s', e.id, e.name, e.withdrawn_on));
        END IF;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.not_on_withdrawn_enterprise() FROM PUBLIC;

CREATE OR REPLACE TRIGGER a_not_on_withdrawn_enterprise BEFORE INSERT ON reloc.land_allocation
    FOR EACH ROW EXECUTE FUNCTION reloc.not_on_withdrawn_enterprise();

CREATE OR REPLACE TRIGGER a_not_on_withdrawn_enterprise BEFORE INSERT OR UPDATE OF enterprise_id ON reloc.site
    FOR EACH ROW EXECUTE FUNCTION reloc.not_on_withdrawn_enterprise();

-- Nor a milestone, open or reopened, nor a progress report on one of its milestones (issue 11: a
-- withdrawn enterprise's milestones were reminded and took progress). Done milestones stay on record.
CREATE OR REPLACE FUNCTION reloc.milestone_not_on_withdrawn_enterprise() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    e reloc.enterprise;
    target bigint;
BEGIN
    IF TG_TABLE_NAME = 'progress_report' THEN
        SELECT m.enterprise_id INTO target FROM reloc.milestone m WHERE m.id = NEW.milestone_id;
    ELSIF TG_OP = 'INSERT' OR NEW.done_on IS NULL THEN
        target := NEW.enterprise_id;
    END IF;
    IF target IS NOT NULL THEN
        PERFORM reloc.lock_enterprise_land(target);
        SELECT * INTO e FROM reloc.enterprise WHERE id = target;
        IF FOUND AND e.withdrawn_on IS NOT NULL THEN
            PERFORM reloc.raise_rule('enterprise_withdrawal',
                format('enterprise %s (%s) was withdrawn on %s: it takes no open milestone and no progress',
                       e.id, e.name, e.withdrawn_on));
        END IF;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.milestone_not_on_withdrawn_enterprise() FROM PUBLIC;

CREATE OR REPLACE TRIGGER a_not_on_withdrawn_enterprise BEFORE INSERT OR UPDATE OF enterprise_id, done_on ON reloc.milestone
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_not_on_withdrawn_enterprise();

-- A report on a task is on no enterprise: the withdrawn-enterprise check (0008) has nothing to
-- look up for it, so it fires only for a report on a milestone.
CREATE OR REPLACE TRIGGER a_not_on_withdrawn_enterprise BEFORE INSERT ON reloc.progress_report
    FOR EACH ROW WHEN (NEW.milestone_id IS NOT NULL) EXECUTE FUNCTION reloc.milestone_not_on_withdrawn_enterprise();

-- Advancing an enterprise to the status it has is no step (as for plans and sites): refused. Two
-- sessions advancing the same enterprise at once: the second waits for the first's row lock, then
-- sees the status it would set and is refused here, so one step is recorded, not two.
CREATE OR REPLACE FUNCTION reloc.enterprise_status_unchanged() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('enterprise_status_order',
        format('enterprise %s (%s) is already %s: that step was recorded before', OLD.id, OLD.name, OLD.status));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.enterprise_status_unchanged() FROM PUBLIC;

CREATE OR REPLACE TRIGGER enterprise_status_unchanged BEFORE UPDATE OF status ON reloc.enterprise
    FOR EACH ROW WHEN (OLD.status = NEW.status) EXECUTE FUNCTION reloc.enterprise_status_unchanged();

-- `reloc enterprise advance ID --to STATUS [--on DATE] [--doc 文号] [--note]`. Errors: P0002 no such
-- enterprise; 42501 not the caller's; 23514 enterprise_status_order / _dates / _matches_mode.
CREATE OR REPLACE FUNCTION reloc.advance_enterprise(enterprise_ref bigint, to_status text, doc text DEFAULT NULL,
                                         on_date date DEFAULT NULL, note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed integer;
BEGIN
    IF NOT EXISTS (SELECT FROM reloc.enterprise e WHERE e.id = enterprise_ref) THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = format('no enterprise %s', enterprise_ref),
            HINT = 'see reloc enterprise list';
    END IF;
    PERFORM set_config('reloc.enterprise_doc', coalesce(reloc.trim_space(doc), ''), true),
            set_config('reloc.enterprise_on', coalesce(to_char(on_date, 'YYYY-MM-DD'), ''), true),
            set_config('reloc.enterprise_note', coalesce(reloc.trim_space(note), ''), true);
    UPDATE reloc.enterprise e SET status = to_status WHERE e.id = enterprise_ref;
    GET DIAGNOSTICS changed = ROW_COUNT;
    PERFORM set_config('reloc.enterprise_doc', '', true), set_config('reloc.enterprise_on', '', true),
            set_config('reloc.enterprise_note', '', true);
    IF changed = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('enterprise %s is not yours to advance', enterprise_ref),
            HINT = 'a city government advances the enterprises of its own city; the province any enterprise';
    END IF;
END $$;
REVOKE ALL ON FUNCTION reloc.advance_enterprise(bigint,text,text,date,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.advance_enterprise(bigint,text,text,date,text) TO reloc_app;
