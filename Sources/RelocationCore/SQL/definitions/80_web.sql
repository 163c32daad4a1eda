-- The web desk (reloc-web, issue 16).
-- Who the person behind a web request is (reloc.acting_login), the authenticator's membership of
-- the organisation roles, sessions and the sign-in throttle.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

------------------------------------------------------------------------------------------------
-- Who acted: the login recorded by the audit trail and progress reports
------------------------------------------------------------------------------------------------
-- The login a change is recorded under. For psql and the CLI that is session_user, which nothing
-- a session does can change (SET ROLE changes current_user; SET SESSION AUTHORIZATION needs a
-- superuser). reloc-web connects as reloc_web for everyone and names the signed-in person per
-- request with SET LOCAL reloc.web_login; any role may set any reloc.* setting, so the setting is
-- honoured ONLY when the session user is reloc_web: a person in psql who sets it is still recorded
-- as themself, and reloc_web without it is recorded as reloc_web.
CREATE OR REPLACE FUNCTION reloc.acting_login() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN session_user::text = 'reloc_web'
            THEN coalesce(nullif(current_setting('reloc.web_login', true), ''), session_user::text)
            ELSE session_user::text END;
COMMENT ON FUNCTION reloc.acting_login() IS
    'The login a change is recorded under: session_user, or for reloc-web (session user reloc_web) the signed-in person it names in reloc.web_login.';

------------------------------------------------------------------------------------------------
-- The authenticator may SET ROLE to every organisation's role
------------------------------------------------------------------------------------------------
-- reloc_web is NOINHERIT: membership gives it no privilege until it sets the role for a request.
-- Fires after organisation_create_role (triggers fire in name order), which creates the role.
-- SECURITY DEFINER: reloc_owner has CREATEROLE, the province acting does not.
CREATE OR REPLACE FUNCTION reloc.organisation_web_member() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'reloc_web') THEN
        EXECUTE format('GRANT %I TO reloc_web', NEW.role_name);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.organisation_web_member() FROM PUBLIC;

CREATE OR REPLACE TRIGGER organisation_web_member AFTER INSERT ON reloc.organisation
    FOR EACH ROW EXECUTE FUNCTION reloc.organisation_web_member();

------------------------------------------------------------------------------------------------
-- Signing in
------------------------------------------------------------------------------------------------
-- The organisation a person's login acts for: the one organisation role it is a member of
-- (reloc.create_login), the current body first. Only for logins: no superuser, no organisation
-- role, not reloc_web itself. SECURITY DEFINER: reloc_web reads no organisation by itself.
-- plpgsql, not SQL: a SQL function with a SET clause is planned afresh at every call, and every
-- request of reloc-web calls this one (through web_session_find): planning the two pg_roles views
-- and the joins was most of a kept 总览's database time (make bench, docs/performance-web.md); a
-- plpgsql function's statement keeps its plan for the connection.
CREATE OR REPLACE FUNCTION reloc.web_person(login_name text, OUT org_code text, OUT role_name text, OUT is_province boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT o.code, o.role_name, o.kind = 'province' INTO org_code, role_name, is_province
    FROM pg_catalog.pg_roles login
    JOIN pg_catalog.pg_auth_members m ON m.member = login.oid
    JOIN pg_catalog.pg_roles org_role ON org_role.oid = m.roleid
    -- The name as text in the column's collation: compared in "C" (a name's), the organisation
    -- could not be found by its role_name index (every organisation read, each request).
    JOIN reloc.organisation o ON o.role_name = org_role.rolname::text COLLATE "default"
    WHERE login.rolname = login_name AND login.rolcanlogin AND NOT login.rolsuper AND login.rolname <> 'reloc_web'
      AND (o.successor_id IS NULL OR o.succeeded_on > reloc.programme_today())
    ORDER BY o.id
    LIMIT 1;
END $$;
REVOKE ALL ON FUNCTION reloc.web_person(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.web_person(text) TO reloc_web;

-- A request's session, in one call (reloc-web, before every page: WebSessions.find): the open
-- session of the cookie's token (its SHA-256 is what is stored), touched (last seen now) at most
-- every 30 seconds unless idle, with the person it acts for now (web_person) and its form token
-- (derived from the cookie's token, never stored). Touched at most every 30 s: the idle timeout
-- counts in minutes, and every request writing the session's one row made a person's parallel
-- requests queue on its lock; the UPDATE checks its condition again on the row as locked, so those
-- that waited write nothing. plpgsql for the plans kept per connection (web_person, above).
-- Not SECURITY DEFINER: it runs as reloc_web, the one role granted it, with reloc_web's rights on
-- its sessions.
CREATE OR REPLACE FUNCTION reloc.web_session_find(token text, idle_minutes bigint)
RETURNS TABLE (id bigint, login text, org_code text, role_name text, is_province boolean, idle boolean, csrf text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    SELECT s.id, s.login, s.last_seen_at < now() - idle_minutes * interval '1 minute'
    INTO id, login, idle
    FROM reloc.web_session s
    WHERE s.token_hash = sha256(decode(token, 'hex')) AND s.ended_at IS NULL;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF NOT idle THEN
        UPDATE reloc.web_session s SET last_seen_at = now()
        WHERE s.id = web_session_find.id AND s.ended_at IS NULL AND s.last_seen_at < now() - interval '30 seconds';
    END IF;
    SELECT p.org_code, p.role_name, p.is_province INTO org_code, role_name, is_province
    FROM reloc.web_person(login) p;
    csrf := encode(sha256(convert_to('csrf:' || token, 'UTF8')), 'hex');
    RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION reloc.web_session_find(text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.web_session_find(text, bigint) TO reloc_web;

-- Throttle: after 5 failures for a login, or 20 from an address, within 15 minutes, sign-in is
-- refused until the oldest of them is 15 minutes old (guessing passwords is slowed to a crawl;
-- a person who mistypes waits a quarter of an hour at most).
CREATE OR REPLACE FUNCTION reloc.web_signin_allowed(login_name text, from_address text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT (SELECT count(*) FROM reloc.web_signin_failure f
            WHERE f.login = login_name AND f.at > now() - interval '15 minutes') < 5
       AND (SELECT count(*) FROM reloc.web_signin_failure f
            WHERE f.address = from_address AND f.at > now() - interval '15 minutes') < 20
$$;
REVOKE ALL ON FUNCTION reloc.web_signin_allowed(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.web_signin_allowed(text, text) TO reloc_web;

-- A sign-in attempt is counted before the password is checked, under a lock per login and per
-- address (taken in that order by every attempt): parallel attempts cannot all pass the count
-- before any of them is recorded (hostile review: 40 guesses sent at once were all checked, and
-- the 40th signed in). A success clears the login's attempts (WebSessions.open).
CREATE OR REPLACE FUNCTION reloc.web_signin_attempt(login_name text, from_address text) RETURNS boolean
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('reloc.web_signin login ' || login_name));
    PERFORM pg_advisory_xact_lock(hashtext('reloc.web_signin address ' || from_address));
    IF NOT reloc.web_signin_allowed(login_name, from_address) THEN
        RETURN false;
    END IF;
    INSERT INTO reloc.web_signin_failure (login, address) VALUES (login_name, from_address);
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION reloc.web_signin_attempt(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.web_signin_attempt(text, text) TO reloc_web;

------------------------------------------------------------------------------------------------
-- Sessions
------------------------------------------------------------------------------------------------
-- The province may end a session and nothing else: the end is stamped here (now, and the
-- person ending it), whatever the client wrote. reloc_web (sign-out, idle) writes freely.
CREATE OR REPLACE FUNCTION reloc.web_session_before_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF current_user = 'reloc_web' THEN
        RETURN NEW;
    END IF;
    IF OLD.ended_at IS NOT NULL OR NEW.ended_at IS NULL THEN
        PERFORM reloc.raise_rule('web_session_end_only', format('session %s of %s', OLD.id, OLD.login));
    END IF;
    NEW := OLD;
    NEW.ended_at := now();
    NEW.ended_by := reloc.acting_login();
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.web_session_before_update() FROM PUBLIC;

CREATE OR REPLACE TRIGGER web_session_before_update BEFORE UPDATE ON reloc.web_session
    FOR EACH ROW EXECUTE FUNCTION reloc.web_session_before_update();

DROP POLICY IF EXISTS web_session_server ON reloc.web_session;
CREATE POLICY web_session_server ON reloc.web_session FOR ALL TO reloc_web USING (true) WITH CHECK (true);

DROP POLICY IF EXISTS web_session_province_read ON reloc.web_session;
CREATE POLICY web_session_province_read ON reloc.web_session FOR SELECT TO reloc_province
    USING ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS web_session_province_end ON reloc.web_session;
CREATE POLICY web_session_province_end ON reloc.web_session FOR UPDATE TO reloc_province
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));

DROP POLICY IF EXISTS web_signin_failure_server ON reloc.web_signin_failure;
CREATE POLICY web_signin_failure_server ON reloc.web_signin_failure FOR ALL TO reloc_web USING (true) WITH CHECK (true);
