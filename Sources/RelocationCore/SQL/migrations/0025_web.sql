-- 0025 the web desk (issue 16): reloc-web serves the same core over HTTP, with the same rules and
-- rights as psql. It connects as its own authenticator role, reloc_web, and runs each request in a
-- transaction with SET LOCAL ROLE to the signed-in person's organisation role, so row-level
-- security decides exactly as for `reloc --as ORG`. The person is recorded as the login through
-- reloc.acting_login() (sql/definitions/80_web.sql), which honours the server's per-request
-- setting only when the session user is reloc_web. Passwords are never stored here: sign-in is
-- checked by PostgreSQL itself (a connection as the person's login). Sessions and failed
-- sign-ins are the server's own bookkeeping.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('web_session_writers', 'web_session', NULL,
 'web sessions are written by the web server (reloc-web); the province may only end one',
 'reloc-web /admin/sessions, as the province'),
('web_signin_failure_writers', 'web_signin_failure', NULL,
 'failed sign-ins are recorded by the web server (reloc-web) only', NULL),
('web_session_end_only', 'web_session', NULL,
 'the province may end a web session, nothing else of it', NULL)
ON CONFLICT (name) DO NOTHING;

RESET ROLE;

-- The authenticator: logs in (a password set by the administrator, or peer authentication), but
-- NOINHERIT, so by itself it has none of the organisations' privileges and acts for nobody
-- (reloc.acting_org_ids asks pg_has_role … USAGE, which NOINHERIT denies). It is made a member of
-- every organisation role (here for those that exist, by a trigger for new ones) only so that it
-- may SET ROLE to one per request. Roles belong to the cluster: created once.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'reloc_web') THEN
        CREATE ROLE reloc_web LOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO reloc_web', current_database());
END $$;
-- /healthz: are the migrations current?
GRANT SELECT ON public.reloc_schema_migration, public.reloc_schema_definition TO reloc_web;

DO $$
DECLARE
    org record;
BEGIN
    FOR org IN SELECT role_name FROM reloc.organisation LOOP
        EXECUTE format('GRANT %I TO reloc_web', org.role_name);
    END LOOP;
END $$;

SET LOCAL ROLE reloc_owner;
GRANT USAGE ON SCHEMA reloc TO reloc_web;
-- The rules' words, read once at start for the error pages.
GRANT SELECT ON reloc.rule TO reloc_web;

-- A signed-in person's session. The cookie holds a random token; only its SHA-256 is stored, so
-- a copy of this table signs nobody in.
CREATE TABLE reloc.web_session (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash bytea NOT NULL CONSTRAINT web_session_token_hash_key UNIQUE,
    login text NOT NULL,
    org_code text NOT NULL,
    address text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz,
    ended_by text,
    CONSTRAINT web_session_token_hash_length CHECK (octet_length(token_hash) = 32),
    CONSTRAINT web_session_ended CHECK ((ended_at IS NULL) = (ended_by IS NULL))
);
COMMENT ON TABLE reloc.web_session IS
    'Sessions of reloc-web: who signed in (the PostgreSQL login and its organisation), from where, when last seen, and when and by whom ended.';
CREATE INDEX web_session_open ON reloc.web_session (login) WHERE ended_at IS NULL;
ALTER TABLE reloc.web_session ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.web_session FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON reloc.web_session TO reloc_web;
-- The province lists and ends sessions; the token's hash is not for it to read.
GRANT SELECT (id, login, org_code, address, created_at, last_seen_at, ended_at, ended_by) ON reloc.web_session
    TO reloc_province;
GRANT UPDATE (ended_at, ended_by) ON reloc.web_session TO reloc_province;

-- Failed sign-ins, per login and per address: sign-in is refused for a while after too many
-- (reloc.web_signin_allowed, 80_web.sql).
CREATE TABLE reloc.web_signin_failure (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login text NOT NULL,
    address text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE reloc.web_signin_failure IS 'Failed sign-ins to reloc-web (no password is kept): the throttle counts them.';
CREATE INDEX web_signin_failure_login ON reloc.web_signin_failure (login, at);
CREATE INDEX web_signin_failure_address ON reloc.web_signin_failure (address, at);
ALTER TABLE reloc.web_signin_failure ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.web_signin_failure FROM PUBLIC;
GRANT SELECT, INSERT, DELETE ON reloc.web_signin_failure TO reloc_web;

SELECT reloc.add_clean_text_checks();
