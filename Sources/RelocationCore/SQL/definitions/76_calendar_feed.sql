------------------------------------------------------------------------------------------------
-- Calendar feeds (0030; issue 17): a secret, revocable address per organisation for the calendar
-- of `reloc milestone ical --org CODE`, served by reloc-web at /calendar/<token>.ics without a
-- session. Only the token's SHA-256 is stored. An organisation makes, lists and revokes its own
-- feeds; the province any organisation's. Who made and who revoked are stamped here, as the
-- person (reloc.acting_login, 80_web.sql), never taken from the writer.
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.calendar_feed_before_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.created_at := now();
    NEW.created_by := reloc.acting_login();
    NEW.revoked_at := NULL;
    NEW.revoked_by := NULL;
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.calendar_feed_before_insert() FROM PUBLIC;

CREATE OR REPLACE TRIGGER calendar_feed_before_insert BEFORE INSERT ON reloc.calendar_feed
    FOR EACH ROW EXECUTE FUNCTION reloc.calendar_feed_before_insert();

-- Revoking is the only change, once: a revoked address stays dead (a calendar that still polls
-- it gets 404), and nothing else of a feed is rewritten, not even by a multi-column UPDATE.
CREATE OR REPLACE FUNCTION reloc.calendar_feed_before_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF OLD.revoked_at IS NOT NULL OR NEW.revoked_at IS NULL
       OR NEW.id IS DISTINCT FROM OLD.id OR NEW.org_id IS DISTINCT FROM OLD.org_id
       OR NEW.token_hash IS DISTINCT FROM OLD.token_hash OR NEW.label IS DISTINCT FROM OLD.label
       OR NEW.created_at IS DISTINCT FROM OLD.created_at OR NEW.created_by IS DISTINCT FROM OLD.created_by THEN
        PERFORM reloc.raise_rule('calendar_feed_revoke_only', format('calendar feed %s', OLD.id));
    END IF;
    NEW.revoked_at := now();
    NEW.revoked_by := reloc.acting_login();
    RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION reloc.calendar_feed_before_update() FROM PUBLIC;

CREATE OR REPLACE TRIGGER calendar_feed_before_update BEFORE UPDATE ON reloc.calendar_feed
    FOR EACH ROW EXECUTE FUNCTION reloc.calendar_feed_before_update();

CREATE OR REPLACE FUNCTION reloc.calendar_feed_refuse_delete() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM reloc.raise_rule('calendar_feed_revoke_only', format('calendar feed %s', OLD.id));
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION reloc.calendar_feed_refuse_delete() FROM PUBLIC;

CREATE OR REPLACE TRIGGER calendar_feed_refuse_delete BEFORE DELETE ON reloc.calendar_feed
    FOR EACH ROW EXECUTE FUNCTION reloc.calendar_feed_refuse_delete();

DROP POLICY IF EXISTS calendar_feed_read ON reloc.calendar_feed;
CREATE POLICY calendar_feed_read ON reloc.calendar_feed FOR SELECT TO reloc_app
    USING (org_id = ANY (reloc.acting_org_ids()) OR (SELECT reloc.acting_is_province()));

-- A feed is made only by reloc.calendar_feed_create below (0031 revoked the roles' INSERT): the
-- database makes the token, so no role can choose one it already knows. The function inserts as
-- the owner, after deciding who may as the policy of 0030 did.
DROP POLICY IF EXISTS calendar_feed_make ON reloc.calendar_feed;
DROP POLICY IF EXISTS calendar_feed_owner_make ON reloc.calendar_feed;
CREATE POLICY calendar_feed_owner_make ON reloc.calendar_feed FOR INSERT TO reloc_owner WITH CHECK (true);

DROP POLICY IF EXISTS calendar_feed_revoke ON reloc.calendar_feed;
CREATE POLICY calendar_feed_revoke ON reloc.calendar_feed FOR UPDATE TO reloc_app
    USING (org_id = ANY (reloc.acting_org_ids()) OR (SELECT reloc.acting_is_province()))
    WITH CHECK (org_id = ANY (reloc.acting_org_ids()) OR (SELECT reloc.acting_is_province()));

-- The lookup below runs as the owner, which row-level security (FORCE) binds too.
DROP POLICY IF EXISTS calendar_feed_owner_read ON reloc.calendar_feed;
CREATE POLICY calendar_feed_owner_read ON reloc.calendar_feed FOR SELECT TO reloc_owner USING (true);

-- reloc-web's lookup of a feed by the hash of the token in the address: the authenticator reads
-- nothing by itself (0025), so this answers, as the owner, which organisation's calendar the
-- token opens and the organisation's role to read it as (row-level security then decides, as for
-- `reloc --as ORG`). A revoked feed opens nothing.
CREATE OR REPLACE FUNCTION reloc.calendar_feed_find(hash bytea)
RETURNS TABLE (feed_id bigint, org_code text, role_name text, token_hash bytea)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT f.id, o.code, o.role_name::text, f.token_hash
    FROM reloc.calendar_feed f
    JOIN reloc.organisation o ON o.id = f.org_id
    WHERE f.token_hash = hash AND f.revoked_at IS NULL
$$;
COMMENT ON FUNCTION reloc.calendar_feed_find(bytea) IS
    'The organisation whose calendar a feed token (by its SHA-256) opens, for reloc-web; nothing once revoked.';
REVOKE ALL ON FUNCTION reloc.calendar_feed_find(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.calendar_feed_find(bytea) TO reloc_web;

-- `reloc milestone ical-feed create ORG [--label TEXT]` (and nothing else): a new feed for ORG,
-- its token made here and returned once; only the token's SHA-256 is stored (the lookup above
-- hashes the token's 32 bytes the same way). An organisation makes its own feeds, the province
-- any organisation's, decided on the caller's role (reloc.acting_role: its SET ROLE, or its login),
-- not on the owner this runs as. The 32 bytes are the SHA-256 of two gen_random_uuid() — 244
-- bits from PostgreSQL's strong generator (pg_strong_random, as pgcrypto's gen_random_bytes),
-- built in, so no extension is needed — spread evenly over the token. Errors: P0002 no such
-- organisation; 42501 not the caller's to make (calendar_feed_writers).
CREATE OR REPLACE FUNCTION reloc.calendar_feed_create(org_code text, feed_label text DEFAULT NULL)
RETURNS TABLE (feed_id bigint, token text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    caller name := reloc.acting_role()::name;
    org_ref bigint;
    secret bytea := sha256(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()));
BEGIN
    SELECT o.id INTO org_ref FROM reloc.organisation o WHERE o.code = upper(btrim(org_code));
    IF org_ref IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = format('no organisation %s', org_code),
            HINT = 'see reloc org list';
    END IF;
    IF NOT (org_ref = ANY (reloc.acting_org_ids(caller)) OR reloc.acting_is_province(caller)) THEN
        RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
            MESSAGE = format('permission denied: %s may not make a calendar feed of %s', caller, upper(btrim(org_code))),
            HINT = 'an organisation makes its own feeds, the province any organisation''s (calendar_feed_writers)';
    END IF;
    INSERT INTO reloc.calendar_feed (org_id, token_hash, label)
    VALUES (org_ref, sha256(secret), feed_label)
    RETURNING id INTO feed_id;
    token := encode(secret, 'hex');
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION reloc.calendar_feed_create(text, text) IS
    'Makes a calendar feed for an organisation (its own, or the province any): the token made by the database, returned once; only its SHA-256 stored.';
REVOKE ALL ON FUNCTION reloc.calendar_feed_create(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.calendar_feed_create(text, text) TO reloc_app;
