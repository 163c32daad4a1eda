-- Organisations and who acts for them.
-- Each organisation's role and logins, renames and successions, and the acting organisation every policy asks about.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

CREATE OR REPLACE FUNCTION reloc.organisation_before_write() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    parent_kind text;
    parent_division_code text;
    successor_kind text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.code := upper(btrim(NEW.code));
        NEW.created_at := now();
    ELSE
        IF NEW.code IS DISTINCT FROM OLD.code OR NEW.kind IS DISTINCT FROM OLD.kind THEN
            PERFORM reloc.raise_rule('organisation_identity',
                format('%s (%s): code %s → %s, kind %s → %s', OLD.code, OLD.name_zh, OLD.code, NEW.code, OLD.kind, NEW.kind));
        END IF;
        NEW.created_at := OLD.created_at;
    END IF;
    NEW.updated_at := now();
    NEW.name_zh := btrim(NEW.name_zh);
    NEW.name_en := reloc.trim_space(NEW.name_en);
    NEW.division_code := reloc.trim_space(reloc.ascii_digits(NEW.division_code));

    IF NEW.code !~ '^[A-Z][A-Z0-9-]*$' OR length(NEW.code) > 40 THEN
        PERFORM reloc.raise_rule('organisation_code_format', format('"%s"', NEW.code));
    END IF;
    IF NEW.name_zh = '' THEN
        PERFORM reloc.raise_rule('organisation_name_not_blank', format('organisation %s', NEW.code));
    END IF;
    IF NEW.division_code !~ '^[0-9]{6}$' THEN
        PERFORM reloc.raise_rule('organisation_division_code_format', format('"%s"', NEW.division_code));
    END IF;
    IF NEW.kind NOT IN ('province', 'department', 'city', 'district') THEN
        PERFORM reloc.raise_rule('organisation_kind_check', format('"%s" is not a kind of organisation', NEW.kind));
    END IF;
    IF NEW.parent_id IS NOT NULL THEN
        SELECT kind, division_code INTO parent_kind, parent_division_code FROM reloc.organisation WHERE id = NEW.parent_id;
        IF FOUND AND (parent_kind <> 'city' OR NEW.kind <> 'district') THEN
            PERFORM reloc.raise_rule('organisation_parent',
                format('%s is a %s; its parent is a %s', NEW.code, NEW.kind, parent_kind));
        END IF;
        -- GB/T 2260: a district's code begins with its city's first four digits (220303 in 220300).
        IF left(NEW.division_code, 4) <> left(parent_division_code, 4) THEN
            PERFORM reloc.raise_rule('organisation_division_code_in_parent',
                format('%s has division code %s; its city''s is %s', NEW.code, NEW.division_code, parent_division_code));
        END IF;
    ELSIF NEW.kind = 'district' THEN
        PERFORM reloc.raise_rule('organisation_parent', format('district %s has no parent city', NEW.code));
    END IF;
    IF NEW.successor_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.successor_id IS DISTINCT FROM OLD.successor_id) THEN
        SELECT kind INTO successor_kind FROM reloc.organisation WHERE id = NEW.successor_id;
        IF FOUND AND successor_kind <> NEW.kind THEN
            PERFORM reloc.raise_rule('organisation_succession',
                format('%s is a %s; its successor is a %s', NEW.code, NEW.kind, successor_kind));
        END IF;
        IF TG_OP = 'UPDATE' AND EXISTS (
            WITH RECURSIVE chain (id) AS (
                SELECT NEW.successor_id
                UNION
                SELECT o.successor_id FROM reloc.organisation o JOIN chain c ON o.id = c.id
                WHERE o.successor_id IS NOT NULL)
            SELECT FROM chain WHERE chain.id = NEW.id)
        THEN
            PERFORM reloc.raise_rule('organisation_succession', format('%s would succeed itself', NEW.code));
        END IF;
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.organisation_before_write() FROM PUBLIC;

CREATE OR REPLACE TRIGGER organisation_before_write BEFORE INSERT OR UPDATE ON reloc.organisation
    FOR EACH ROW EXECUTE FUNCTION reloc.organisation_before_write();

-- Creates the organisation's role when missing (another database of the cluster may have made
-- it) and makes it a member of its kind's group (reloc_province, reloc_department, reloc_city,
-- reloc_district), from which it gets its table privileges. SECURITY DEFINER: reloc_owner has
-- CREATEROLE, the province acting does not.
CREATE OR REPLACE FUNCTION reloc.organisation_create_role() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    group_role text := 'reloc_' || NEW.kind;
    existing record;
BEGIN
    SELECT rolsuper, rolcanlogin, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls
      INTO existing FROM pg_roles WHERE rolname = NEW.role_name;
    IF NOT FOUND THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN INHERIT', NEW.role_name);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- another database of this cluster created it at the same moment
        END;
    ELSIF existing.rolsuper OR existing.rolcanlogin OR existing.rolcreaterole OR existing.rolcreatedb
          OR existing.rolreplication OR existing.rolbypassrls THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('the role %s exists with attributes an organisation role must not have (LOGIN, SUPERUSER, CREATEROLE, …)', NEW.role_name),
            HINT = 'a database administrator must inspect that role';
    END IF;
    IF NOT EXISTS (
        SELECT FROM pg_auth_members m
        JOIN pg_roles g ON g.oid = m.roleid
        JOIN pg_roles r ON r.oid = m.member
        WHERE g.rolname = group_role AND r.rolname = NEW.role_name)
    THEN
        BEGIN
            EXECUTE format('GRANT %I TO %I', group_role, NEW.role_name);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.organisation_create_role() FROM PUBLIC;

CREATE OR REPLACE TRIGGER organisation_create_role AFTER INSERT ON reloc.organisation
    FOR EACH ROW EXECUTE FUNCTION reloc.organisation_create_role();

-- The organisations the caller acts for on a day: those whose role it has the privileges of (a
-- login that is a member of 长春's role, or that role itself after SET ROLE — so RESET ROLE gives a
-- person nothing more), excluding bodies whose succession has taken effect by that day, plus,
-- transitively, the predecessors whose succession has (work assigned to 省国土资源厅 is
-- 省自然资源厅's from 2018-10-01; a rename recorded for a later date changes nothing until then).
-- SECURITY DEFINER so policies can call it whatever the caller may read; it cannot see the
-- caller's identity itself, so the argument defaults to current_user, which is evaluated in the
-- caller (policies always call it without an argument).
CREATE OR REPLACE FUNCTION reloc.acting_org_ids_on(on_date date, acting_role name DEFAULT current_user) RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE own AS (
        SELECT o.id
        FROM reloc.organisation o
        JOIN pg_catalog.pg_roles r ON r.rolname = o.role_name
        WHERE (o.successor_id IS NULL OR o.succeeded_on > on_date)
          AND pg_catalog.pg_has_role(acting_role, r.oid, 'USAGE')
    ), chain (id) AS (
        SELECT id FROM own
        UNION
        SELECT p.id FROM reloc.organisation p JOIN chain c ON p.successor_id = c.id
        WHERE p.succeeded_on <= on_date
    )
    SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM chain
$$;
COMMENT ON FUNCTION reloc.acting_org_ids_on(date, name) IS
    'Ids of the organisations the role acts for on a day (its own organisation, unless succeeded by then, and the predecessors it has taken over by then).';
REVOKE ALL ON FUNCTION reloc.acting_org_ids_on(date,name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.acting_org_ids_on(date,name) TO reloc_app;

CREATE OR REPLACE FUNCTION reloc.acting_org_ids(acting_role name DEFAULT current_user) RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    -- The programme's date, not the session's (reloc.programme_today): authority is not moved back.
    SELECT reloc.acting_org_ids_on(reloc.programme_today(), acting_role)
$$;
COMMENT ON FUNCTION reloc.acting_org_ids(name) IS
    'Ids of the organisations the role acts for today (its own organisation role or the one its login is a member of, and the predecessors it has taken over).';
REVOKE ALL ON FUNCTION reloc.acting_org_ids(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.acting_org_ids(name) TO reloc_app;

CREATE OR REPLACE FUNCTION reloc.acting_is_province(acting_role name DEFAULT current_user) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = acting_role), false)
        OR EXISTS (SELECT FROM reloc.organisation o
                   WHERE o.kind = 'province' AND o.id = ANY (reloc.acting_org_ids(acting_role)))
$$;
COMMENT ON FUNCTION reloc.acting_is_province(name) IS 'True if the role acts for the province (or is a superuser).';
REVOKE ALL ON FUNCTION reloc.acting_is_province(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.acting_is_province(name) TO reloc_app;

-- `reloc org rename`: the body OLD is succeeded by a new organisation NEW (same kind, parent and
-- division code) from on_date; OLD keeps its row and name for history. Returns the new id.
-- SECURITY INVOKER: row-level security lets only the province write organisations.
CREATE OR REPLACE FUNCTION reloc.rename_organisation(old_code text, new_code text, new_name_zh text,
                                          new_name_en text, on_date date) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    old reloc.organisation;
    new_id bigint;
BEGIN
    SELECT * INTO old FROM reloc.organisation WHERE code = upper(btrim(old_code));
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('no organisation with code %s', upper(btrim(old_code))), HINT = 'see reloc org list';
    END IF;
    IF old.successor_id IS NOT NULL THEN
        PERFORM reloc.raise_rule('organisation_succession',
            format('%s (%s) was already succeeded by %s on %s', old.code, old.name_zh,
                   (SELECT code FROM reloc.organisation WHERE id = old.successor_id), old.succeeded_on));
    END IF;
    IF on_date IS NULL THEN
        PERFORM reloc.raise_rule('organisation_succession', 'the date of the succession is missing');
    END IF;
    INSERT INTO reloc.organisation (code, name_zh, name_en, kind, parent_id, division_code)
    VALUES (new_code, new_name_zh, new_name_en, old.kind, old.parent_id, old.division_code)
    RETURNING id INTO new_id;
    UPDATE reloc.organisation SET successor_id = new_id, succeeded_on = on_date WHERE id = old.id;
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('%s is not yours to rename', old.code);
    END IF;
    RETURN new_id;
END $$;
REVOKE ALL ON FUNCTION reloc.rename_organisation(text,text,text,text,date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.rename_organisation(text,text,text,text,date) TO reloc_province;

-- `reloc user add`: a person's login, a member of one organisation's role. The password arrives
-- already SCRAM-hashed by the client (PQencryptPasswordConn), so the clear text never reaches the
-- server or its logs. Only the province may call it.
CREATE OR REPLACE FUNCTION reloc.create_login(login_name text, org_code text, password_hash text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    org reloc.organisation;
BEGIN
    IF login_name IS NULL OR login_name !~ '^[a-z][a-z0-9_]*$' OR length(login_name) > 63
       OR login_name LIKE 'reloc\_%' OR login_name LIKE 'pg\_%' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('"%s" is not a valid login name', login_name),
            HINT = 'lower-case letters, digits and _, starting with a letter, at most 63 characters, not starting with reloc_ or pg_';
    END IF;
    SELECT * INTO org FROM reloc.organisation WHERE code = upper(btrim(org_code));
    IF NOT FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found',
            MESSAGE = format('no organisation with code %s', upper(btrim(org_code))), HINT = 'see reloc org list';
    END IF;
    IF org.successor_id IS NOT NULL AND org.succeeded_on <= reloc.today() THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'organisation_succession',
            MESSAGE = format('%s (%s) has been succeeded by %s: it no longer acts', org.code, org.name_zh,
                             (SELECT code FROM reloc.organisation WHERE id = org.successor_id)),
            HINT = 'create the login in the successor organisation';
    END IF;
    IF password_hash IS NULL OR password_hash !~ '^SCRAM-SHA-256\$' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = 'the password must arrive SCRAM-SHA-256 hashed by the client',
            HINT = 'hash it with PQencryptPasswordConn(conn, password, user, "scram-sha-256")';
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = login_name) THEN
        RAISE EXCEPTION USING ERRCODE = 'duplicate_object',
            MESSAGE = format('a login or role named %s already exists', login_name),
            HINT = 'choose another login name (logins are shared by every database on the server)';
    END IF;
    EXECUTE format('CREATE ROLE %I LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L IN ROLE %I',
                   login_name, password_hash, org.role_name);
END $$;
REVOKE ALL ON FUNCTION reloc.create_login(text,text,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.create_login(text,text,text) TO reloc_province;

-- The rules' words: everyone reads; later migrations (as reloc_owner) add rules.
DROP POLICY IF EXISTS rule_read ON reloc.rule;
CREATE POLICY rule_read ON reloc.rule FOR SELECT USING (true);

DROP POLICY IF EXISTS rule_owner_write ON reloc.rule;
CREATE POLICY rule_owner_write ON reloc.rule FOR ALL TO reloc_owner USING (true) WITH CHECK (true);

-- Everyone in the programme reads the whole register. reloc_owner reads too: the SECURITY
-- DEFINER acting functions read organisations as the owner.
DROP POLICY IF EXISTS organisation_read ON reloc.organisation;
CREATE POLICY organisation_read ON reloc.organisation FOR SELECT TO reloc_app, reloc_owner USING (true);

-- Organisations and parks: the province writes (nobody deletes an organisation: history).
DROP POLICY IF EXISTS organisation_province_insert ON reloc.organisation;
CREATE POLICY organisation_province_insert ON reloc.organisation FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS organisation_province_update ON reloc.organisation;
CREATE POLICY organisation_province_update ON reloc.organisation FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

-- reloc.today() and reloc.local_date(timestamptz) (the programme's calendar, Asia/Shanghai unless
-- the setting reloc.timezone says otherwise) are defined in 0002: acting for a renamed body
-- depends on the day too.

------------------------------------------------------------------------------------------------
-- Successions: which body holds a renamed department's work
------------------------------------------------------------------------------------------------

-- The body that holds org_id's work on on_date: follows successor_id while the succession has
-- taken effect (succeeded_on <= on_date). Work assigned to 省国土资源厅 is 省自然资源厅's from
-- 2018-10-01 (DOMAIN.md, 2018 reform).
CREATE OR REPLACE FUNCTION reloc.org_on(org_id bigint, on_date date) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE chain (id, depth) AS (
        SELECT org_id, 0
        UNION ALL
        SELECT o.successor_id, c.depth + 1
        FROM reloc.organisation o JOIN chain c ON o.id = c.id
        WHERE o.successor_id IS NOT NULL AND o.succeeded_on <= on_date AND c.depth < 100
    )
    SELECT id FROM chain ORDER BY depth DESC LIMIT 1
$$;
COMMENT ON FUNCTION reloc.org_on(bigint, date) IS
    'The organisation that holds org_id''s work on a date (follows successions that have taken effect).';

CREATE OR REPLACE FUNCTION reloc.current_org(org_id bigint) RETURNS bigint
LANGUAGE sql STABLE
RETURN reloc.org_on(org_id, reloc.today());
COMMENT ON FUNCTION reloc.current_org(bigint) IS 'The organisation that holds org_id''s work today.';

-- The role a step is taken as: the SET ROLE role (--as), else the login (reloc.audit_actor).
CREATE OR REPLACE FUNCTION reloc.acting_role() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN coalesce(nullif(current_setting('role'), 'none'), session_user::text);
REVOKE ALL ON FUNCTION reloc.acting_role() FROM PUBLIC;

------------------------------------------------------------------------------------------------
-- Successions are dated in order
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.organisation_succession_in_order() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    took_over date;
    next_on date;
BEGIN
    IF NEW.succeeded_on IS NULL THEN
        RETURN NEW;
    END IF;
    -- Lock the chain around this body before reading it: two successions changed at once (this
    -- body's predecessor and its successor, each in its own transaction) would each check against
    -- the other's old date and both commit out of order. FOR SHARE waits for the other to commit
    -- and reads its date (READ COMMITTED), or fails with a serialization error (REPEATABLE READ,
    -- SERIALIZABLE); a body renamed while its successor is being renamed waits likewise.
    PERFORM FROM reloc.organisation o WHERE o.successor_id = NEW.id OR o.id = NEW.successor_id
    ORDER BY o.id FOR SHARE;
    -- The day this body took over from its own predecessor(s).
    SELECT max(o.succeeded_on) INTO took_over FROM reloc.organisation o WHERE o.successor_id = NEW.id;
    IF NEW.succeeded_on <= took_over THEN
        PERFORM reloc.raise_rule('organisation_succession_dates',
            format('%s (%s) took over from its predecessor on %s; it cannot be succeeded on %s', NEW.code, NEW.name_zh,
                   took_over, NEW.succeeded_on));
    END IF;
    -- The successor's own succession, if already recorded, comes later.
    SELECT o.succeeded_on INTO next_on FROM reloc.organisation o WHERE o.id = NEW.successor_id;
    IF next_on <= NEW.succeeded_on THEN
        PERFORM reloc.raise_rule('organisation_succession_dates',
            format('%s is succeeded on %s, but its successor is itself succeeded on %s', NEW.code, NEW.succeeded_on, next_on));
    END IF;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.organisation_succession_in_order() FROM PUBLIC;

CREATE OR REPLACE TRIGGER organisation_succession_in_order BEFORE INSERT OR UPDATE OF successor_id, succeeded_on ON reloc.organisation
    FOR EACH ROW EXECUTE FUNCTION reloc.organisation_succession_in_order();
