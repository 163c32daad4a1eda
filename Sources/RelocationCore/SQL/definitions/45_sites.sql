-- Sites: the environmental record of old sites.
-- Each old site's survey, remediation and release (§四(五)), and the milestones that mirror its record.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

CREATE OR REPLACE FUNCTION reloc.site_before_write() RETURNS trigger
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
REVOKE ALL ON FUNCTION reloc.site_before_write() FROM PUBLIC;

CREATE OR REPLACE TRIGGER site_before_write BEFORE INSERT OR UPDATE ON reloc.site
    FOR EACH ROW EXECUTE FUNCTION reloc.site_before_write();

-- A released site stays released and its environmental record is closed: any UPDATE that names
-- those columns is refused, even with the same values (a second release is a mistake to report).
-- Named to fire before site_before_write (BEFORE triggers run in name order).
CREATE OR REPLACE FUNCTION reloc.site_released_is_final() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('site_released_is_final',
        format('site %s (%s) was released on %s (%s)', OLD.id, OLD.name, OLD.released_on, OLD.release_doc));
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.site_released_is_final() FROM PUBLIC;

CREATE OR REPLACE TRIGGER site_after_release_frozen BEFORE UPDATE OF env_state, released_on, release_doc ON reloc.site
    FOR EACH ROW WHEN (OLD.released_on IS NOT NULL)
    EXECUTE FUNCTION reloc.site_released_is_final();

-- `reloc site survey ID [--result clean|contaminated]`: the survey, and with a result the risk
-- assessment and its conclusion, each recorded as its own step on the same date.
CREATE OR REPLACE FUNCTION reloc.survey_site(site_id bigint, result text DEFAULT NULL, doc text DEFAULT NULL,
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
REVOKE ALL ON FUNCTION reloc.survey_site(bigint,text,text,date,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.survey_site(bigint,text,text,date,text) TO reloc_app;

DROP POLICY IF EXISTS site_read ON reloc.site;
CREATE POLICY site_read ON reloc.site FOR SELECT TO reloc_app, reloc_owner USING (true);

-- Sites: like enterprises — the province; a city for the plans of its city; a district for its
-- own plan. Only the province deletes.
DROP POLICY IF EXISTS site_province_insert ON reloc.site;
CREATE POLICY site_province_insert ON reloc.site FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS site_province_update ON reloc.site;
CREATE POLICY site_province_update ON reloc.site FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS site_province_delete ON reloc.site;
CREATE POLICY site_province_delete ON reloc.site FOR DELETE TO reloc_app
    USING ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS site_local_insert ON reloc.site;
CREATE POLICY site_local_insert ON reloc.site FOR INSERT TO reloc_app
    WITH CHECK (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
                OR EXISTS (SELECT FROM reloc.plan p
                           WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])));

DROP POLICY IF EXISTS site_local_update ON reloc.site;
CREATE POLICY site_local_update ON reloc.site FOR UPDATE TO reloc_app
    USING (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
           OR EXISTS (SELECT FROM reloc.plan p
                      WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])))
    WITH CHECK (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
                OR EXISTS (SELECT FROM reloc.plan p
                           WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])));

-- Does the site concern one of orgs: its city, or the district of its plan?
CREATE OR REPLACE FUNCTION reloc.site_concerns(site_ref bigint, orgs bigint[]) RETURNS boolean
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
CREATE OR REPLACE FUNCTION reloc.milestone_site_owner() RETURNS trigger
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
REVOKE ALL ON FUNCTION reloc.milestone_site_owner() FROM PUBLIC;

CREATE OR REPLACE TRIGGER milestone_attach_site_owner BEFORE INSERT OR UPDATE ON reloc.milestone
    FOR EACH ROW WHEN (NEW.site_id IS NOT NULL)
    EXECUTE FUNCTION reloc.milestone_site_owner();

-- A site's milestones mirror its record: added after the fact they start done; nobody marks them
-- done (or open) against it.
CREATE OR REPLACE FUNCTION reloc.milestone_follows_site_record() RETURNS trigger
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
REVOKE ALL ON FUNCTION reloc.milestone_follows_site_record() FROM PUBLIC;

CREATE OR REPLACE TRIGGER milestone_follows_site_record BEFORE INSERT OR UPDATE ON reloc.milestone
    FOR EACH ROW WHEN (NEW.site_id IS NOT NULL)
    EXECUTE FUNCTION reloc.milestone_follows_site_record();

-- The site's record closes its milestones, as whoever took the step (who may change the site may
-- close its milestones: the same city, district or province).
CREATE OR REPLACE FUNCTION reloc.site_closes_milestones() RETURNS trigger
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
REVOKE ALL ON FUNCTION reloc.site_closes_milestones() FROM PUBLIC;

-- Named to fire after site_record_env_change (AFTER triggers run in name order): the step's date
-- is read from the history that trigger writes.
CREATE OR REPLACE TRIGGER site_then_closes_milestones AFTER UPDATE OF env_state, released_on ON reloc.site
    FOR EACH ROW EXECUTE FUNCTION reloc.site_closes_milestones();

-- One step of a site's environmental record, with its document, date and note.
-- Errors: P0002 no such site; 42501 not yours; 23514 site_env_state_order, site_released_is_final.
--
-- A step on a site that is not the caller's is "not yours" (42501) before any rule is said.
CREATE OR REPLACE FUNCTION reloc.advance_site(site_id bigint, to_state text, doc text DEFAULT NULL,
                                              on_date date DEFAULT NULL, note text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed integer;
BEGIN
    IF NOT EXISTS (SELECT FROM reloc.site s WHERE s.id = site_id) THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = format('no site %s', site_id), HINT = 'see reloc site list';
    END IF;
    IF NOT (reloc.acting_is_province() OR reloc.site_concerns(site_id, reloc.acting_org_ids())) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('site %s is not yours to change', site_id),
            HINT = 'a city government records the sites of its own city; the province any site';
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
REVOKE ALL ON FUNCTION reloc.advance_site(bigint,text,text,date,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.advance_site(bigint,text,text,date,text) TO reloc_app;
