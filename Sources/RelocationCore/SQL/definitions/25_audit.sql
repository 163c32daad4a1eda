-- The audit trail.
-- Who changed what, as whom, when: the audit triggers, reloc.audit_table() that attaches them, and who reads the trail.
-- Which tables are audited is decided by the numbered migrations (SELECT reloc.audit_table(...)).
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

------------------------------------------------------------------------------------------------
-- Who acted
------------------------------------------------------------------------------------------------
-- The trigger function is SECURITY DEFINER (so that no application role needs, or has, INSERT on
-- the audit table), and inside it current_user is reloc_owner. The role the change was made as is
-- still in the `role` setting: what SET ROLE (reloc --as) chose — PostgreSQL lets a session set it
-- only to a role its login is a member of — or 'none', when the session acts as its login.
CREATE OR REPLACE FUNCTION reloc.audit_actor(OUT acting_role text, OUT org_id bigint, OUT org_code text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    acting_role := coalesce(nullif(current_setting('role'), 'none'), session_user::text);
    -- An organisation's own role (--as CODE), or a person's login: a member of exactly one
    -- organisation's role (reloc.create_login). Superusers and reloc_owner act for nobody.
    SELECT o.id, o.code INTO org_id, org_code
    FROM reloc.organisation o WHERE o.role_name = acting_role;
    IF NOT FOUND THEN
        SELECT o.id, o.code INTO org_id, org_code
        FROM pg_catalog.pg_roles login
        JOIN pg_catalog.pg_auth_members m ON m.member = login.oid
        JOIN pg_catalog.pg_roles org_role ON org_role.oid = m.roleid
        -- The name as text in the column's collation: compared in "C" (a name's), the organisation
        -- could not be found by its role_name index (every organisation read, for each audited change).
        JOIN reloc.organisation o ON o.role_name = org_role.rolname::text COLLATE "default"
        WHERE login.rolname = acting_role AND login.rolcanlogin AND NOT login.rolsuper
        ORDER BY o.successor_id IS NULL DESC, o.id
        LIMIT 1;
    END IF;
END $$;
COMMENT ON FUNCTION reloc.audit_actor() IS
    'The role a change is made as (the SET ROLE role, else the login) and the organisation it acts for; called by the audit triggers.';
REVOKE ALL ON FUNCTION reloc.audit_actor() FROM PUBLIC;

------------------------------------------------------------------------------------------------
-- The triggers
------------------------------------------------------------------------------------------------
-- Trigger arguments (set by reloc.audit_table): TG_ARGV[0] the key columns, comma-separated;
-- TG_ARGV[1] the ignored columns, comma-separated (may be empty).
CREATE OR REPLACE FUNCTION reloc.audit_key(row_values jsonb, key_columns text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT string_agg(coalesce(row_values ->> k, ''), ',' ORDER BY n)
        FROM unnest(string_to_array(key_columns, ',')) WITH ORDINALITY AS c (k, n));

CREATE OR REPLACE FUNCTION reloc.audit_row_id(row_values jsonb) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN jsonb_typeof(row_values -> 'id') = 'number' THEN (row_values ->> 'id')::numeric::bigint END;

-- Row trigger for any of insert, update and delete. reloc.audit_table attaches it for updates and
-- deletes only, and records inserts per statement (reloc.audit_insert, below).
CREATE OR REPLACE FUNCTION reloc.audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ignored constant text[] := coalesce(string_to_array(nullif(TG_ARGV[1], ''), ','), '{}');
    old_values jsonb;
    new_values jsonb;
    changes jsonb;
    actor record;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_values := to_jsonb(OLD) - ignored;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_values := to_jsonb(NEW) - ignored;
        changes := new_values;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT coalesce(jsonb_object_agg(n.key, n.value), '{}') INTO changes
        FROM jsonb_each(new_values) n
        WHERE n.value IS DISTINCT FROM old_values -> n.key;
        -- Nothing changed but the database's own stamp (updated_at, set by every table's BEFORE
        -- trigger): no one changed anything, so nothing is recorded. A completion or extension
        -- request writes its milestone's row only so that an older REPEATABLE READ close fails
        -- (67_extensions.sql); that write is no edit of the milestone by the one who asked.
        -- Compared on the whole rows, ignored columns included: a change of one of those (a
        -- contact's address, 0010) is still recorded, as a change whose values are not shown.
        IF to_jsonb(NEW) - 'updated_at' = to_jsonb(OLD) - 'updated_at' THEN
            RETURN NULL;
        END IF;
    END IF;
    actor := reloc.audit_actor();
    INSERT INTO reloc.audit (table_name, row_id, row_key, action, old_values, new_values, login, acting_role,
                             acting_org_id, acting_org_code, transaction_id, at)
    VALUES (TG_TABLE_NAME, reloc.audit_row_id(coalesce(new_values, old_values)),
            reloc.audit_key(coalesce(new_values, old_values), TG_ARGV[0]), lower(TG_OP), old_values, changes,
            reloc.acting_login(), actor.acting_role, actor.org_id, actor.org_code, pg_current_xact_id()::text::bigint, now());
    RETURN NULL;
END $$;
COMMENT ON FUNCTION reloc.audit_row() IS
    'AFTER INSERT, UPDATE or DELETE row trigger: records the change in reloc.audit. Attach with reloc.audit_table().';
REVOKE ALL ON FUNCTION reloc.audit_row() FROM PUBLIC;

-- Statement trigger for inserts: one INSERT … SELECT over the transition table, so that a bulk
-- import (reloc enterprise import, 10,000 rows) pays once for the actor and once for the insert.
CREATE OR REPLACE FUNCTION reloc.audit_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ignored constant text[] := coalesce(string_to_array(nullif(TG_ARGV[1], ''), ','), '{}');
    single_key constant boolean := strpos(TG_ARGV[0], ',') = 0;  -- the usual case, without the general function
    actor record := reloc.audit_actor();
    recorded_login text := reloc.acting_login();  -- the person, also behind reloc-web (80_web.sql); once a statement
BEGIN
    INSERT INTO reloc.audit (table_name, row_id, row_key, action, old_values, new_values, login, acting_role,
                             acting_org_id, acting_org_code, transaction_id, at)
    SELECT TG_TABLE_NAME, reloc.audit_row_id(v.new_values),
           CASE WHEN single_key THEN v.new_values ->> TG_ARGV[0] ELSE reloc.audit_key(v.new_values, TG_ARGV[0]) END,
           'insert',
           NULL, v.new_values, recorded_login, actor.acting_role, actor.org_id, actor.org_code,
           pg_current_xact_id()::text::bigint, now()
    -- OFFSET 0: not pulled up, so to_jsonb runs once a row, not once for each use of new_values.
    FROM (SELECT to_jsonb(r) - ignored AS new_values FROM audit_new_rows r OFFSET 0) v;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION reloc.audit_insert() IS
    'AFTER INSERT statement trigger (transition table audit_new_rows): records the inserted rows in reloc.audit.';
REVOKE ALL ON FUNCTION reloc.audit_insert() FROM PUBLIC;

------------------------------------------------------------------------------------------------
-- Auditing a table
------------------------------------------------------------------------------------------------
-- Attaches the audit triggers to a table of schema reloc; calling it again replaces them (e.g.
-- with other key or ignored columns). The key defaults to the column `code` when the table has
-- one, else its primary key. Run as reloc_owner (the tables' owner), i.e. from a migration.
CREATE OR REPLACE FUNCTION reloc.audit_table(target regclass, key_columns text[] DEFAULT NULL,
                                  ignored_columns text[] DEFAULT '{}') RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    schema_name name;
    table_name name;
    keys text[] := key_columns;
    missing text;
BEGIN
    SELECT n.nspname, c.relname INTO schema_name, table_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = target AND c.relkind = 'r';
    IF NOT FOUND OR schema_name <> 'reloc' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('%s is not a table of schema reloc', target);
    END IF;
    IF table_name = 'audit' THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value', MESSAGE = 'the audit table is not audited';
    END IF;
    IF keys IS NULL THEN
        IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = target AND attname = 'code' AND NOT attisdropped) THEN
            keys := ARRAY['code'];
        ELSE
            SELECT array_agg(a.attname::text ORDER BY k.n) INTO keys
            FROM pg_index i
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k (attnum, n)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = target AND i.indisprimary;
        END IF;
    END IF;
    IF keys IS NULL OR cardinality(keys) = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('%s has no column code and no primary key: give key_columns', target);
    END IF;
    SELECT string_agg(k, ', ') INTO missing
    FROM unnest(keys || coalesce(ignored_columns, '{}')) k
    WHERE NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = target AND attname = k AND attnum > 0 AND NOT attisdropped);
    IF missing IS NOT NULL OR EXISTS (SELECT FROM unnest(keys) k WHERE k = ANY (ignored_columns) OR k ~ ',') THEN
        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',
            MESSAGE = format('%s: no such column(s) %s, or a key column is ignored', target, coalesce(missing, ''));
    END IF;
    EXECUTE format('CREATE OR REPLACE TRIGGER audit_row AFTER UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION reloc.audit_row(%L, %L)',
                   target, array_to_string(keys, ','), array_to_string(coalesce(ignored_columns, '{}'), ','));
    EXECUTE format('CREATE OR REPLACE TRIGGER audit_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS audit_new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION reloc.audit_insert(%L, %L)',
                   target, array_to_string(keys, ','), array_to_string(coalesce(ignored_columns, '{}'), ','));
END $$;
COMMENT ON FUNCTION reloc.audit_table(regclass, text[], text[]) IS
    'Audits a table of schema reloc (idempotent): key_columns default to code, else the primary key; ignored_columns are left out of the recorded values.';
REVOKE ALL ON FUNCTION reloc.audit_table(regclass,text[],text[]) FROM PUBLIC;

DROP POLICY IF EXISTS audit_owner_read ON reloc.audit;
CREATE POLICY audit_owner_read ON reloc.audit FOR SELECT TO reloc_owner USING (true);

DROP POLICY IF EXISTS audit_by_trigger ON reloc.audit;
CREATE POLICY audit_by_trigger ON reloc.audit FOR INSERT TO reloc_owner WITH CHECK (pg_trigger_depth() > 0);

-- Even the owner may not empty it by accident: TRUNCATE bypasses row-level security and row
-- triggers, so a statement trigger refuses it.
CREATE OR REPLACE FUNCTION reloc.audit_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'the audit trail is append-only: it cannot be truncated';
END $$;
REVOKE ALL ON FUNCTION reloc.audit_refuse_truncate() FROM PUBLIC;

CREATE OR REPLACE TRIGGER audit_refuse_truncate BEFORE TRUNCATE ON reloc.audit
    FOR EACH STATEMENT EXECUTE FUNCTION reloc.audit_refuse_truncate();

------------------------------------------------------------------------------------------------
-- A city carries overall responsibility for its districts' work (§六: 所在城市政府…负总责), so it
-- reads the audit records of changes its districts made, as well as its own. A district still
-- sees only its own; the province sees all.
------------------------------------------------------------------------------------------------
DROP POLICY IF EXISTS audit_read ON reloc.audit;
CREATE POLICY audit_read ON reloc.audit FOR SELECT TO reloc_app
    USING ((SELECT reloc.acting_is_province())
           OR acting_org_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
           OR acting_org_id IN (SELECT d.id FROM reloc.organisation d
                                WHERE d.parent_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])));
