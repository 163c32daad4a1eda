-- 0001 foundation: the roles and the schema every later migration builds on.
--
-- Roles are cluster-wide, so each is created only when missing (several databases of one
-- cluster, e.g. the test databases, share them).
--   reloc_owner       owns every object; nobody logs in as it (no LOGIN).
--   reloc_app         what every organisation role inherits: schema usage, reading the register.
--   reloc_province / reloc_department / reloc_city / reloc_district
--                     one group per kind of organisation; each organisation's own role is a member.
--   reloc_reminder    the batch reminder job's role (least privilege, granted by its migration).
CREATE FUNCTION pg_temp.ensure_role(role_name text, options text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
        EXECUTE format('CREATE ROLE %I %s', role_name, options);
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL; -- another database of this cluster created it at the same moment
END $$;

SELECT pg_temp.ensure_role('reloc_owner', 'NOLOGIN CREATEROLE');
SELECT pg_temp.ensure_role('reloc_app', 'NOLOGIN');
SELECT pg_temp.ensure_role('reloc_province', 'NOLOGIN IN ROLE reloc_app');
SELECT pg_temp.ensure_role('reloc_department', 'NOLOGIN IN ROLE reloc_app');
SELECT pg_temp.ensure_role('reloc_city', 'NOLOGIN IN ROLE reloc_app');
SELECT pg_temp.ensure_role('reloc_district', 'NOLOGIN IN ROLE reloc_app');
SELECT pg_temp.ensure_role('reloc_reminder', 'NOLOGIN');

CREATE SCHEMA reloc AUTHORIZATION reloc_owner;
COMMENT ON SCHEMA reloc IS 'reloc: the relocation programme of urban old-industrial districts (城区老工业区搬迁改造)';
GRANT USAGE ON SCHEMA reloc TO reloc_app, reloc_reminder;
-- Nobody but the owner creates objects in our schema or in public (a view or function of one's
-- own would be a way around row-level security).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

SET LOCAL ROLE reloc_owner;

-- The documents write numbers in full-width digits (２０１４, １１); input must accept them.
CREATE FUNCTION reloc.ascii_digits(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN translate(value, '０１２３４５６７８９．－＋', '0123456789.-+');
COMMENT ON FUNCTION reloc.ascii_digits(text) IS 'Full-width digits, point and signs to ASCII (the documents write ２０１４).';

RESET ROLE;
