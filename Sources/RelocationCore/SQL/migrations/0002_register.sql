-- 0002 register: organisations (each with its own database role), district plans (实施方案) with
-- their status history, receiving parks (承接区) and enterprises (企业); the rules of
-- 吉政办发〔2014〕29号 enforced by the database; row-level security deciding who may do what; the
-- all-or-nothing CSV import. Section numbers (§四(二) …) refer to that opinion.
--
-- Runs in one transaction (the runner wraps it) as a superuser; everything after SET LOCAL ROLE is
-- owned by reloc_owner. Roles are cluster-wide and shared by every database of the cluster (the
-- test databases are clones of one template), so roles are only ever created when missing.
--
-- Error contract (see sql/README-register.md): a broken rule raises SQLSTATE 23514
-- (check_violation) with CONSTRAINT set to the rule's name; the words are in reloc.rule. A write
-- the acting organisation may not make raises 42501 (insufficient_privilege, including "new row
-- violates row-level security policy"); a row it may not change is invisible to its UPDATE
-- (0 rows).

-- PostgreSQL 16 changed CREATEROLE: the creator may grant only roles it holds with ADMIN OPTION.
-- reloc_owner grants the kind groups to each organisation's role, so give it that (without
-- inheriting their privileges). PostgreSQL 15 needs nothing: CREATEROLE grants any
-- non-superuser role. (Not exercised on 15, which the project targets.)
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 160000 THEN
        EXECUTE 'GRANT reloc_province, reloc_department, reloc_city, reloc_district TO reloc_owner '
             || 'WITH ADMIN OPTION, INHERIT FALSE, SET FALSE';
    END IF;
EXCEPTION WHEN unique_violation OR duplicate_object THEN
    NULL; -- another database of this cluster granted it at the same moment
END $$;

SET LOCAL ROLE reloc_owner;

------------------------------------------------------------------------------------------------
-- Text helpers
------------------------------------------------------------------------------------------------

-- Full-width ASCII forms (Ａ１，／ …) and the ideographic and no-break spaces to plain ASCII.
CREATE FUNCTION reloc.halfwidth(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN octet_length(value) = length(value) THEN value  -- plain ASCII: nothing to do (fast path)
       ELSE translate(value,
    E'！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～' || E'\u3000\u00a0',
    E'!"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~' || '  ') END;
COMMENT ON FUNCTION reloc.halfwidth(text) IS 'Full-width ASCII forms (Ａ１／) and ideographic/no-break spaces to ASCII.';

-- Trims spaces of every width (ASCII, tab, CR/LF, no-break, ideographic, a stray BOM); '' → NULL.
CREATE FUNCTION reloc.trim_space(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN nullif(btrim(value, E' \t\r\n\u00a0\u3000\ufeff'), '');
COMMENT ON FUNCTION reloc.trim_space(text) IS 'Trims ASCII, no-break and ideographic spaces; empty becomes NULL.';

-- A decimal number (already ASCII) or NULL when the text is not one.
CREATE FUNCTION reloc.parse_decimal(value text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value ~ '^[+-]?([0-9]{1,20}([.][0-9]{0,10})?|[.][0-9]{1,10})$' THEN value::numeric END;

-- An integer (already ASCII) or NULL when the text is not one (at most nine digits).
CREATE FUNCTION reloc.parse_integer(value text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value ~ '^[+-]?[0-9]{1,9}$' THEN value::integer END;

------------------------------------------------------------------------------------------------
-- Dates: the programme keeps China Standard Time
------------------------------------------------------------------------------------------------

-- The calendar date of an instant in the programme's zone: Asia/Shanghai, unless the session
-- setting reloc.timezone (set by the CLI from RELOC_TIMEZONE, or ALTER DATABASE … SET) names another.
-- Defined here, not with the tasks (0004): who acts for a renamed body and how a plan's steps are
-- dated depend on the day.
CREATE FUNCTION reloc.local_date(at timestamptz) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
RETURN (at AT TIME ZONE coalesce(nullif(current_setting('reloc.timezone', true), ''), 'Asia/Shanghai'))::date;
COMMENT ON FUNCTION reloc.local_date(timestamptz) IS
    'The date of an instant in Asia/Shanghai, or in the zone of the setting reloc.timezone.';

CREATE FUNCTION reloc.today() RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
RETURN reloc.local_date(now());
COMMENT ON FUNCTION reloc.today() IS 'Today in Asia/Shanghai (or in the zone of the setting reloc.timezone).';

------------------------------------------------------------------------------------------------
-- 统一社会信用代码 (unified social credit code), GB 32100-2015
------------------------------------------------------------------------------------------------
-- 18 characters from 0-9 A-H J-N P-R T-U W-Y (31 characters, no I O S V Z):
--   1 registration authority (1 机构编制, 5 民政, 9 工商, Y 其他, …), 2 kind of body,
--   3-8 the registering authority's division code (GB/T 2260, digits), 9-17 the body's code,
--   18 check character: with the character values c(i) (0-30, position in the alphabet above) and
--   weights w(i) = 3^(i-1) mod 31 = 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28,
--   check = 31 - (Σ c(i)·w(i) mod 31), where 31 becomes 0.
-- Test vectors (computed with the algorithm above; asserted by the checks in sql/README-register.md):
--   valid:   91350100M000100Y43  91220300MA0Y123454  91220100123456789Q  91220200A12345678G
--            91220101MA0Y4K7N3D  91220200MA14XQ2B0U  91220500605117802N  12220000013544357P
--   invalid: 91220300MA0Y123455 (check character), 9122030 (length), 91220300MA0Y12345I (I),
--            9122O300MA0Y123454 (letter in the division code)
-- Lower case is accepted here (upper() first); full-width input is the client's to normalise
-- (the enterprise trigger also does it before storing).
CREATE FUNCTION reloc.uscc_is_valid(code text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN upper(code) ~ '^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$'
   AND (31 - ((  (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 1, 1)) - 1) * 1
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 2, 1)) - 1) * 3
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 3, 1)) - 1) * 9
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 4, 1)) - 1) * 27
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 5, 1)) - 1) * 19
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 6, 1)) - 1) * 26
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 7, 1)) - 1) * 16
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 8, 1)) - 1) * 17
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 9, 1)) - 1) * 20
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 10, 1)) - 1) * 29
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 11, 1)) - 1) * 25
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 12, 1)) - 1) * 13
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 13, 1)) - 1) * 8
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 14, 1)) - 1) * 24
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 15, 1)) - 1) * 10
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 16, 1)) - 1) * 30
               + (strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 17, 1)) - 1) * 28
              ) % 31)) % 31
       = strpos('0123456789ABCDEFGHJKLMNPQRTUWXY', substr(upper(code), 18, 1)) - 1;
COMMENT ON FUNCTION reloc.uscc_is_valid(text) IS
    'True if the text is a well-formed 统一社会信用代码 with a correct check character (GB 32100-2015); NULL for NULL.';

------------------------------------------------------------------------------------------------
-- The rules: one row per rule name, the words every refusal carries
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.rule (
    name text PRIMARY KEY,           -- the CONSTRAINT name an error carries
    table_name text NOT NULL,
    section text,                    -- where in 吉政办发〔2014〕29号 the rule comes from, if it does
    message text NOT NULL,
    hint text
);
COMMENT ON TABLE reloc.rule IS 'Every rule the register enforces: the constraint name a refusal (SQLSTATE 23514) carries, and its words.';

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('organisation_code_format', 'organisation', NULL,
 'an organisation code is upper-case letters, digits and hyphens, starting with a letter, at most 40 characters',
 'e.g. SP, CC-KC, JL-ZRT'),
('organisation_name_not_blank', 'organisation', NULL,
 'an organisation needs a Chinese name', NULL),
('organisation_code_key', 'organisation', NULL, 'an organisation code is used once (SQLSTATE 23505)', 'see reloc org list'),
('organisation_kind_check', 'organisation', NULL,
 'an organisation''s kind is province, department, city or district', NULL),
('organisation_parent', 'organisation', NULL,
 'a district government''s parent is a city (市/州) government; the province, departments and cities have no parent',
 'give a district its city with --parent; give other kinds none'),
('organisation_division_code_format', 'organisation', NULL,
 'a division code (GB/T 2260) is six digits', 'e.g. 220303 for 四平市铁东区'),
('organisation_succession', 'organisation', NULL,
 'an organisation is succeeded once, on a date, by an organisation of the same kind, and a succession never runs in a circle',
 'record a rename with reloc org rename'),
('organisation_identity', 'organisation', NULL,
 'an organisation''s code and kind never change: its database role and its history hang on them',
 'a renamed body is a successor: reloc org rename OLD --to NEW --name … --on DATE'),
('plan_code_format', 'plan', NULL,
 'a plan code is upper-case letters, digits and hyphens, starting with a letter, at most 40 characters', 'e.g. SP-TD'),
('plan_name_not_blank', 'plan', NULL, 'a plan needs a name', NULL),
('plan_code_key', 'plan', NULL, 'a plan code is used once (SQLSTATE 23505)', 'see reloc plan list'),
('plan_district_key', 'plan', NULL,
 'a district has one plan (SQLSTATE 23505)', 'see reloc plan list; edit the district''s plan instead'),
('plan_status_check', 'plan', '四(一)',
 'a plan''s status is one of drafting, consultation, risk-assessed, approved, implementing, basically-complete, complete', NULL),
('organisation_division_code_in_parent', 'organisation', NULL,
 'a district''s division code (GB/T 2260) lies in its city''s: it begins with the city''s first four digits',
 'e.g. 220303 铁东区 in 220300 四平市; check the code and the --parent'),
('plan_division_code_in_city', 'plan', NULL,
 'a plan''s district division code (GB/T 2260) lies in its city''s: it begins with the city''s first four digits',
 'e.g. 220303 for a plan of 四平市 (220300); check --district-code and --city'),
('plan_division_code_format', 'plan', NULL,
 'a division code (GB/T 2260) is six digits', 'e.g. 220303 for 四平市铁东区'),
('plan_area_positive', 'plan', NULL, 'a plan''s area (km²) is greater than zero', NULL),
('plan_city_district', 'plan', '四(一)',
 'a plan belongs to a city (市/州) government, and its district, if any, is a district of that city', NULL),
('plan_status_order', 'plan', '四(一)',
 'a plan moves one step forward at a time: drafting → consultation → risk-assessed (社会稳定风险评估) → approved → implementing → basically-complete → complete; it may not skip a step (notably the social-stability risk assessment) or go back (§四(一))',
 'advance the plan to its next status; a new plan starts as drafting'),
('plan_status_dates', 'plan', '四(一)',
 'each step of a plan''s status is dated on or after the step before it, and not after today (Asia/Shanghai)',
 'give --on a date from the last step (reloc plan show CODE) up to today, or leave it out for today'),
('plan_approval_needs_doc', 'plan', NULL,
 'an approved plan records the number of its approval document (文号)',
 'give the document number, e.g. reloc plan advance CODE --to approved --doc 文号'),
('plan_approval_at_approval', 'plan', '四(一)',
 'a plan''s approval document and date are recorded when it is approved, not before (§四(一))',
 'approve it with reloc plan advance CODE --to approved --doc 文号 [--on DATE]'),
('park_code_format', 'park', NULL,
 'a park code is upper-case letters, digits and hyphens, starting with a letter, at most 40 characters', NULL),
('park_name_not_blank', 'park', NULL, 'a park needs a name', NULL),
('park_code_key', 'park', NULL, 'a park code is used once (SQLSTATE 23505)', 'see reloc park list'),
('park_kind_check', 'park', '四(三)',
 'a receiving park is an econ-tech-zone (经济技术开发区), high-tech-zone (高新技术产业开发区), industrial-cluster (工业集中区) or themed-park (特色园区) (§四(三))', NULL),
('park_city', 'park', NULL, 'a receiving park belongs to a city (市/州)', NULL),
('enterprise_name_not_blank', 'enterprise', NULL, 'an enterprise needs a name', NULL),
('enterprise_mode_check', 'enterprise', '四(二)',
 'an enterprise''s mode is in-situ (就地改造), relocate (异地迁建) or close (依法关停) (§四(二))', NULL),
('enterprise_status_check', 'enterprise', NULL,
 'an enterprise''s status is one of registered, heritage-surveyed, relocating, relocated, closing, closed, renovating, renovated', NULL),
('enterprise_high_risk_check', 'enterprise', '四(三)',
 'a high-risk class is metallurgy (冶金), chemicals (化工), paper (造纸) or hazardous (危险品生产和储运) (§四(三))', NULL),
('enterprise_relocation_needs_park', 'enterprise', '四(二),四(三)',
 'an enterprise that relocates (异地迁建) moves to a receiving park; closure and in-situ renovation take no park (§四(二), §四(三))',
 'name the receiving park (--park CODE) for mode relocate, or leave it out for close and in-situ'),
('enterprise_high_risk_park', 'enterprise', '四(三)',
 'a metallurgy, chemicals, paper or hazardous-goods enterprise may only move into a park that is legally established, has complete environmental infrastructure and has passed planning EIA (规划环评) (§四(三))',
 'choose a park whose three facts are all recorded as yes (reloc park show CODE), or have the province record them'),
('enterprise_capacity_not_increased', 'enterprise', '四(二)',
 'backward capacity is replaced at equal or reduced capacity (等量或减量置换): the new capacity may not exceed the old, and a new capacity needs the old one to compare with (§四(二))',
 'give the old capacity, and a new capacity at most equal to it, in the same unit'),
('enterprise_capacity_unit', 'enterprise', '四(二)',
 'a capacity has a unit (e.g. 万吨/年), one for both the old and the new capacity', 'give the capacity as "N UNIT", e.g. "30 万吨/年"'),
('enterprise_capacity_same_unit', 'enterprise', '四(二)',
 'the old and the new capacity are in one unit so that they can be compared (等量或减量置换, §四(二)): a capacity in another unit than the other''s is refused, never re-labelled',
 'give both capacities in one unit, e.g. reloc enterprise edit ID --capacity "30 万吨/年" --new-capacity "25 万吨/年"'),
('enterprise_capacity_nonnegative', 'enterprise', NULL, 'a capacity is not negative', NULL),
('enterprise_status_order', 'enterprise', '四(五)',
 'an enterprise''s status moves forward: registered → heritage-surveyed → relocating → relocated (mode relocate), closing → closed (mode close) or renovating → renovated (mode in-situ); relocation may not start before the industrial-heritage survey (§四(五))',
 'advance the enterprise to its next status; a new enterprise starts as registered'),
('enterprise_status_matches_mode', 'enterprise', '四(二)',
 'relocating/relocated belong to mode relocate, closing/closed to close, renovating/renovated to in-situ: the mode cannot change once that work has started', NULL),
('enterprise_uscc_checksum', 'enterprise', NULL,
 'a unified social credit code (统一社会信用代码) is 18 characters from 0-9 and A-Y without I, O, S, V, Z, with digits in places 3-8, and a correct check character (GB 32100-2015)',
 'check the code on the business licence; leave it out if unknown'),
('enterprise_uscc_key', 'enterprise', NULL,
 'a unified social credit code is registered once (SQLSTATE 23505)', 'the enterprise is already in the register: reloc enterprise list'),
('enterprise_site_area_nonnegative', 'enterprise', NULL,
 'a site area is not negative and below 100,000,000 ha', NULL),
('enterprise_workers', 'enterprise', '四(二)',
 'employees and surplus workers are not negative, and the surplus workers to resettle are at most the employees', NULL);

CREATE FUNCTION reloc.raise_rule(rule_name text, detail text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r record;
BEGIN
    SELECT * INTO r FROM reloc.rule WHERE name = rule_name;
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = rule_name,
        SCHEMA = 'reloc',
        TABLE = coalesce(r.table_name, ''),
        MESSAGE = coalesce(r.message, rule_name),
        DETAIL = coalesce(detail, ''),
        HINT = coalesce(r.hint, '');
END $$;
COMMENT ON FUNCTION reloc.raise_rule(text, text) IS 'Raises SQLSTATE 23514 with CONSTRAINT rule_name and the words of reloc.rule.';

------------------------------------------------------------------------------------------------
-- Organisations
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.organisation (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL
        CONSTRAINT organisation_code_key UNIQUE
        CONSTRAINT organisation_code_format CHECK (code ~ '^[A-Z][A-Z0-9-]*$' AND length(code) <= 40),
    name_zh text NOT NULL CONSTRAINT organisation_name_not_blank CHECK (btrim(name_zh) <> ''),
    name_en text,
    kind text NOT NULL
        CONSTRAINT organisation_kind_check CHECK (kind IN ('province', 'department', 'city', 'district')),
    parent_id bigint CONSTRAINT organisation_parent_id_fkey REFERENCES reloc.organisation (id),
    division_code text CONSTRAINT organisation_division_code_format CHECK (division_code ~ '^[0-9]{6}$'),
    -- The organisation's own database role (NOLOGIN); people's logins are its members.
    role_name text GENERATED ALWAYS AS ('reloc_org_' || lower(replace(code, '-', '_'))) STORED
        CONSTRAINT organisation_role_name_key UNIQUE,
    successor_id bigint CONSTRAINT organisation_successor_id_fkey REFERENCES reloc.organisation (id),
    succeeded_on date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organisation_parent CHECK ((kind = 'district') = (parent_id IS NOT NULL)),
    CONSTRAINT organisation_succession CHECK ((successor_id IS NULL) = (succeeded_on IS NULL) AND successor_id <> id)
);
CREATE INDEX organisation_parent_id_idx ON reloc.organisation (parent_id);
CREATE INDEX organisation_successor_id_idx ON reloc.organisation (successor_id);
COMMENT ON TABLE reloc.organisation IS
    'The province, its departments (省直部门), city (市/州) and district governments. A renamed body (2018 reform) keeps its row and name; successor_id points to the body that took its work over.';
COMMENT ON COLUMN reloc.organisation.role_name IS 'The organisation''s NOLOGIN database role, created with the row; SET ROLE to it to act for the organisation.';

CREATE FUNCTION reloc.organisation_before_write() RETURNS trigger
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

CREATE TRIGGER organisation_before_write BEFORE INSERT OR UPDATE ON reloc.organisation
    FOR EACH ROW EXECUTE FUNCTION reloc.organisation_before_write();

-- Creates the organisation's role when missing (another database of the cluster may have made
-- it) and makes it a member of its kind's group (reloc_province, reloc_department, reloc_city,
-- reloc_district), from which it gets its table privileges. SECURITY DEFINER: reloc_owner has
-- CREATEROLE, the province acting does not.
CREATE FUNCTION reloc.organisation_create_role() RETURNS trigger
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

CREATE TRIGGER organisation_create_role AFTER INSERT ON reloc.organisation
    FOR EACH ROW EXECUTE FUNCTION reloc.organisation_create_role();

-- The organisations the caller acts for on a day: those whose role it has the privileges of (a
-- login that is a member of 长春's role, or that role itself after SET ROLE — so RESET ROLE gives a
-- person nothing more), excluding bodies whose succession has taken effect by that day, plus,
-- transitively, the predecessors whose succession has (work assigned to 省国土资源厅 is
-- 省自然资源厅's from 2018-10-01; a rename recorded for a later date changes nothing until then).
-- SECURITY DEFINER so policies can call it whatever the caller may read; it cannot see the
-- caller's identity itself, so the argument defaults to current_user, which is evaluated in the
-- caller (policies always call it without an argument).
CREATE FUNCTION reloc.acting_org_ids_on(on_date date, acting_role name DEFAULT current_user) RETURNS bigint[]
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

CREATE FUNCTION reloc.acting_org_ids(acting_role name DEFAULT current_user) RETURNS bigint[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT reloc.acting_org_ids_on(reloc.today(), acting_role)
$$;
COMMENT ON FUNCTION reloc.acting_org_ids(name) IS
    'Ids of the organisations the role acts for today (its own organisation role or the one its login is a member of, and the predecessors it has taken over).';

CREATE FUNCTION reloc.acting_is_province(acting_role name DEFAULT current_user) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = acting_role), false)
        OR EXISTS (SELECT FROM reloc.organisation o
                   WHERE o.kind = 'province' AND o.id = ANY (reloc.acting_org_ids(acting_role)))
$$;
COMMENT ON FUNCTION reloc.acting_is_province(name) IS 'True if the role acts for the province (or is a superuser).';

REVOKE ALL ON FUNCTION reloc.acting_org_ids_on(date, name), reloc.acting_org_ids(name), reloc.acting_is_province(name) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.acting_org_ids_on(date, name), reloc.acting_org_ids(name), reloc.acting_is_province(name) TO reloc_app;

-- `reloc org rename`: the body OLD is succeeded by a new organisation NEW (same kind, parent and
-- division code) from on_date; OLD keeps its row and name for history. Returns the new id.
-- SECURITY INVOKER: row-level security lets only the province write organisations.
CREATE FUNCTION reloc.rename_organisation(old_code text, new_code text, new_name_zh text,
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
REVOKE ALL ON FUNCTION reloc.rename_organisation(text, text, text, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.rename_organisation(text, text, text, text, date) TO reloc_province;

-- `reloc user add`: a person's login, a member of one organisation's role. The password arrives
-- already SCRAM-hashed by the client (PQencryptPasswordConn), so the clear text never reaches the
-- server or its logs. Only the province may call it.
CREATE FUNCTION reloc.create_login(login_name text, org_code text, password_hash text) RETURNS void
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
REVOKE ALL ON FUNCTION reloc.create_login(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.create_login(text, text, text) TO reloc_province;

------------------------------------------------------------------------------------------------
-- Plans (实施方案), one per district
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.plan (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL
        CONSTRAINT plan_code_key UNIQUE
        CONSTRAINT plan_code_format CHECK (code ~ '^[A-Z][A-Z0-9-]*$' AND length(code) <= 40),
    name text NOT NULL CONSTRAINT plan_name_not_blank CHECK (btrim(name) <> ''),
    city_id bigint NOT NULL CONSTRAINT plan_city_id_fkey REFERENCES reloc.organisation (id),
    district_id bigint CONSTRAINT plan_district_id_fkey REFERENCES reloc.organisation (id)
        CONSTRAINT plan_district_key UNIQUE,
    division_code text CONSTRAINT plan_division_code_format CHECK (division_code ~ '^[0-9]{6}$'),
    area_km2 numeric CONSTRAINT plan_area_positive CHECK (area_km2 > 0),
    -- What a plan states (§四(一)): 范围及目标, 功能布局, 主要任务, 重点项目, 组织模式, 实施进度, 保障措施.
    scope_targets text NOT NULL DEFAULT '',
    functional_layout text NOT NULL DEFAULT '',
    main_tasks text NOT NULL DEFAULT '',
    key_projects text NOT NULL DEFAULT '',
    organisation_mode text NOT NULL DEFAULT '',
    schedule text NOT NULL DEFAULT '',
    safeguards text NOT NULL DEFAULT '',
    compile_by date NOT NULL DEFAULT '2014-12-31',          -- §四(一): 2014年年底前编制完成
    basic_completion_by date NOT NULL DEFAULT '2022-12-31', -- §三: 力争到2022年基本完成
    approval_doc text,
    approved_on date,
    status text NOT NULL DEFAULT 'drafting'
        CONSTRAINT plan_status_check CHECK (status IN ('drafting', 'consultation', 'risk-assessed', 'approved',
                                                       'implementing', 'basically-complete', 'complete')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT plan_id_city_key UNIQUE (id, city_id),  -- the target of enterprise_plan_fkey
    CONSTRAINT plan_approval_needs_doc CHECK (
        status IN ('drafting', 'consultation', 'risk-assessed') OR nullif(btrim(approval_doc), '') IS NOT NULL)
);
CREATE INDEX plan_city_id_idx ON reloc.plan (city_id);
COMMENT ON TABLE reloc.plan IS
    'District implementation plans (城区老工业区搬迁改造实施方案); Jilin has 11 (§五(三)). Status moves one step at a time; each move is in plan_status_change.';

CREATE TABLE reloc.plan_status_change (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id bigint NOT NULL CONSTRAINT plan_status_change_plan_id_fkey REFERENCES reloc.plan (id),
    from_status text NOT NULL,
    to_status text NOT NULL,
    on_date date NOT NULL,                              -- the date of the step (default: today in Asia/Shanghai)
    doc text,                                           -- document number (文号), if any
    note text,
    changed_by text NOT NULL DEFAULT current_user,      -- the acting role (an organisation's role, or a login)
    changed_by_login text NOT NULL DEFAULT session_user, -- the login of the session
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_status_change_plan_id_idx ON reloc.plan_status_change (plan_id, changed_at);
COMMENT ON TABLE reloc.plan_status_change IS
    'Every status move of a plan: written only by the plan''s trigger (row-level security refuses direct inserts), never changed.';

CREATE FUNCTION reloc.plan_before_write() RETURNS trigger
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
        IF NEW.status <> OLD.status
           AND array_position(steps, NEW.status) IS DISTINCT FROM array_position(steps, OLD.status) + 1 THEN
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

CREATE TRIGGER plan_before_write BEFORE INSERT OR UPDATE ON reloc.plan
    FOR EACH ROW EXECUTE FUNCTION reloc.plan_before_write();

-- Setting a plan's status to the status it has is no step at all: `plan advance CODE --to` its
-- current status is refused rather than recorded as an empty move (§四(一): one step forward).
CREATE FUNCTION reloc.plan_status_unchanged() RETURNS trigger
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
CREATE TRIGGER plan_status_unchanged BEFORE UPDATE OF status ON reloc.plan
    FOR EACH ROW WHEN (OLD.status = NEW.status) EXECUTE FUNCTION reloc.plan_status_unchanged();

-- Records each status move. advance_plan passes the document, date and note in transaction-local
-- settings; a plain UPDATE of status is recorded too (dated today, without document or note).
-- A step is dated on or after the step before it and not in the future (plan_status_dates): the
-- history reads in order, and nothing is recorded as done before it is.
CREATE FUNCTION reloc.plan_record_status_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    step_on constant date := coalesce(nullif(current_setting('reloc.advance_on', true), '')::date, reloc.today());
    last_on date;
BEGIN
    SELECT c.on_date INTO last_on FROM reloc.plan_status_change c
    WHERE c.plan_id = NEW.id ORDER BY c.changed_at DESC, c.id DESC LIMIT 1;
    IF step_on > reloc.today() THEN
        PERFORM reloc.raise_rule('plan_status_dates',
            format('plan %s: %s → %s dated %s, after today (%s)', NEW.code, OLD.status, NEW.status, step_on, reloc.today()));
    END IF;
    IF step_on < last_on THEN
        PERFORM reloc.raise_rule('plan_status_dates',
            format('plan %s: %s → %s dated %s, before the step before it (%s)', NEW.code, OLD.status, NEW.status,
                   step_on, last_on));
    END IF;
    INSERT INTO reloc.plan_status_change (plan_id, from_status, to_status, on_date, doc, note, changed_by, changed_by_login)
    VALUES (NEW.id, OLD.status, NEW.status, step_on,
            nullif(current_setting('reloc.advance_doc', true), ''),
            nullif(current_setting('reloc.advance_note', true), ''),
            current_user, session_user);
    RETURN NULL;
END $$;

CREATE TRIGGER plan_record_status_change AFTER UPDATE OF status ON reloc.plan
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION reloc.plan_record_status_change();

-- `reloc plan advance CODE --to STATUS [--doc 文号] [--on DATE] [--note TEXT]`. Moving to approved
-- stores the document as approval_doc and the date (default today) as approved_on.
-- Errors: P0002 no such plan; 42501 the plan is not the caller's to change; 23514
-- plan_status_order / plan_approval_needs_doc.
CREATE FUNCTION reloc.advance_plan(plan_code text, to_status text, doc text DEFAULT NULL,
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
REVOKE ALL ON FUNCTION reloc.advance_plan(text, text, text, date, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.advance_plan(text, text, text, date, text) TO reloc_app;

------------------------------------------------------------------------------------------------
-- Receiving parks (承接区), §四(三)
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.park (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL
        CONSTRAINT park_code_key UNIQUE
        CONSTRAINT park_code_format CHECK (code ~ '^[A-Z][A-Z0-9-]*$' AND length(code) <= 40),
    name text NOT NULL CONSTRAINT park_name_not_blank CHECK (btrim(name) <> ''),
    city_id bigint NOT NULL CONSTRAINT park_city_id_fkey REFERENCES reloc.organisation (id),
    -- One of the four kinds §四(三) lists; NULL = not known (the opinion names parks without
    -- their kind, so the seed leaves it open; `reloc park add` asks for it).
    kind text
        CONSTRAINT park_kind_check CHECK (kind IN ('econ-tech-zone', 'high-tech-zone', 'industrial-cluster', 'themed-park')),
    -- The three facts of §四(三); NULL = not known (counts as not proven).
    legally_established boolean,
    env_infrastructure_complete boolean,
    planning_eia_passed boolean,
    high_risk_eligible boolean NOT NULL GENERATED ALWAYS AS (
        coalesce(legally_established AND env_infrastructure_complete AND planning_eia_passed, false)) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX park_city_id_idx ON reloc.park (city_id);
COMMENT ON TABLE reloc.park IS 'Receiving parks (承接区, §四(三)). Crossing administrative boundaries is allowed, so an enterprise may move to a park of another city.';
COMMENT ON COLUMN reloc.park.high_risk_eligible IS
    'All three facts proven: the park may receive metallurgy, chemicals, paper and hazardous-goods enterprises (§四(三)).';

------------------------------------------------------------------------------------------------
-- Enterprises (企业), §四(二)
------------------------------------------------------------------------------------------------
CREATE TABLE reloc.enterprise (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id bigint NOT NULL,
    city_id bigint NOT NULL,  -- always the plan's city (set by the trigger; whatever a client writes is overwritten)
    name text NOT NULL CONSTRAINT enterprise_name_not_blank CHECK (btrim(name) <> ''),
    uscc text
        CONSTRAINT enterprise_uscc_key UNIQUE
        CONSTRAINT enterprise_uscc_checksum CHECK (uscc IS NULL OR reloc.uscc_is_valid(uscc)),
    industry text,
    high_risk text CONSTRAINT enterprise_high_risk_check CHECK (high_risk IN ('metallurgy', 'chemicals', 'paper', 'hazardous')),
    mode text NOT NULL CONSTRAINT enterprise_mode_check CHECK (mode IN ('in-situ', 'relocate', 'close')),
    park_id bigint CONSTRAINT enterprise_park_id_fkey REFERENCES reloc.park (id),
    site_area_ha numeric(12, 4) CONSTRAINT enterprise_site_area_nonnegative CHECK (site_area_ha >= 0),
    employees integer,
    surplus_workers integer,
    -- Each capacity with its own unit, which must be the same (e.g. 万吨/年) so they can be compared
    -- (§四(二)): a capacity given in a new unit never silently re-labels the other one.
    capacity_old numeric,
    capacity_old_unit text,
    capacity_new numeric,
    capacity_new_unit text,
    capacity_unit text GENERATED ALWAYS AS (coalesce(capacity_old_unit, capacity_new_unit)) STORED,
    listed_in_plan boolean NOT NULL DEFAULT false,  -- listed in one of the 11 plans (§五(三) tax treatment)
    status text NOT NULL DEFAULT 'registered'
        CONSTRAINT enterprise_status_check CHECK (status IN ('registered', 'heritage-surveyed', 'relocating', 'relocated',
                                                             'closing', 'closed', 'renovating', 'renovated')),
    source_document text,  -- the document that names the enterprise (reference data; the province's to set)
    registered_by text NOT NULL DEFAULT current_user,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- The city follows the plan, also when the province moves a plan to another city.
    CONSTRAINT enterprise_plan_fkey FOREIGN KEY (plan_id, city_id) REFERENCES reloc.plan (id, city_id) ON UPDATE CASCADE,
    CONSTRAINT enterprise_workers CHECK (employees >= 0 AND surplus_workers >= 0 AND surplus_workers <= employees),
    CONSTRAINT enterprise_capacity_nonnegative CHECK (capacity_old >= 0 AND capacity_new >= 0),
    CONSTRAINT enterprise_capacity_not_increased CHECK (
        capacity_new IS NULL OR (capacity_old IS NOT NULL AND capacity_new <= capacity_old)),
    CONSTRAINT enterprise_capacity_unit CHECK (
        (capacity_old IS NULL OR nullif(btrim(capacity_old_unit), '') IS NOT NULL)
        AND (capacity_new IS NULL OR nullif(btrim(capacity_new_unit), '') IS NOT NULL)),
    CONSTRAINT enterprise_capacity_same_unit CHECK (
        capacity_old IS NULL OR capacity_new IS NULL OR capacity_old_unit = capacity_new_unit),
    -- Reference rows (source_document set, by the province) may lack the park the document does
    -- not name — but nothing starts relocating without one.
    CONSTRAINT enterprise_relocation_needs_park CHECK (CASE WHEN mode = 'relocate'
        THEN park_id IS NOT NULL OR (source_document IS NOT NULL AND status IN ('registered', 'heritage-surveyed'))
        ELSE park_id IS NULL END),
    CONSTRAINT enterprise_status_matches_mode CHECK (
        status IN ('registered', 'heritage-surveyed')
        OR (mode = 'relocate' AND status IN ('relocating', 'relocated'))
        OR (mode = 'close' AND status IN ('closing', 'closed'))
        OR (mode = 'in-situ' AND status IN ('renovating', 'renovated')))
);
CREATE INDEX enterprise_plan_id_idx ON reloc.enterprise (plan_id);
CREATE INDEX enterprise_city_id_idx ON reloc.enterprise (city_id);
CREATE INDEX enterprise_park_id_idx ON reloc.enterprise (park_id);
COMMENT ON TABLE reloc.enterprise IS
    'Enterprises to renovate in place, relocate or close (§四(二)), registered by city governments into their plans.';

-- Normalises, derives the city from the plan, and applies every rule with words that say what was
-- wrong (the CHECK constraints of the same names stay as a backstop, e.g. when triggers are off).
CREATE FUNCTION reloc.enterprise_before_write() RETURNS trigger
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
    IF NEW.mode IS NULL OR NEW.mode NOT IN ('in-situ', 'relocate', 'close') THEN
        PERFORM reloc.raise_rule('enterprise_mode_check', format('"%s" is not a mode', NEW.mode));
    END IF;
    IF NEW.status NOT IN ('registered', 'heritage-surveyed', 'relocating', 'relocated', 'closing', 'closed',
                          'renovating', 'renovated') THEN
        PERFORM reloc.raise_rule('enterprise_status_check', format('"%s" is not an enterprise status', NEW.status));
    END IF;
    IF NEW.high_risk NOT IN ('metallurgy', 'chemicals', 'paper', 'hazardous') THEN
        PERFORM reloc.raise_rule('enterprise_high_risk_check', format('"%s" is not a high-risk class', NEW.high_risk));
    END IF;

    -- Status: forward only, one step, along the mode's branch; the heritage survey first (§四(五)).
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'registered' THEN
            PERFORM reloc.raise_rule('enterprise_status_order',
                format('a new enterprise starts as registered, not %s', NEW.status));
        END IF;
    ELSIF NEW.status <> OLD.status THEN
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
                       NEW.id, NEW.name, NEW.mode, OLD.status, coalesce(allowed, 'none (its work is done)'), NEW.status,
                       CASE WHEN OLD.status = 'registered' AND NEW.status = 'relocating'
                            THEN ' (the industrial-heritage survey comes first, §四(五))' ELSE '' END));
        END IF;
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

CREATE TRIGGER enterprise_before_write BEFORE INSERT OR UPDATE ON reloc.enterprise
    FOR EACH ROW EXECUTE FUNCTION reloc.enterprise_before_write();

-- A park edit may not make its park unfit for the high-risk enterprises still to move there
-- (status other than relocated): refused as enterprise_high_risk_park. Enterprises already
-- relocated keep the record of a move that was allowed when made.
CREATE FUNCTION reloc.park_before_write() RETURNS trigger
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

CREATE TRIGGER park_before_write BEFORE INSERT OR UPDATE ON reloc.park
    FOR EACH ROW EXECUTE FUNCTION reloc.park_before_write();

REVOKE ALL ON FUNCTION reloc.organisation_before_write(), reloc.plan_before_write(), reloc.plan_record_status_change(),
                       reloc.plan_status_unchanged(),
                       reloc.enterprise_before_write(), reloc.park_before_write() FROM PUBLIC;

------------------------------------------------------------------------------------------------
-- CSV import: `reloc enterprise import FILE.csv`, all or nothing
------------------------------------------------------------------------------------------------
-- The client, in one transaction:
--   SELECT reloc.create_enterprise_import_staging();
--   COPY pg_temp.enterprise_import (line_no, <the CSV's header columns>) FROM STDIN;
--   SELECT line_no, reason FROM reloc.import_enterprises() ORDER BY line_no;
--   no rows: every line was inserted → COMMIT; rows: nothing was inserted → ROLLBACK and report.
CREATE FUNCTION reloc.create_enterprise_import_staging() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF to_regclass('pg_temp.enterprise_import') IS NOT NULL THEN
        DROP TABLE pg_temp.enterprise_import;
    END IF;
    CREATE TEMPORARY TABLE enterprise_import (
        line_no integer NOT NULL,  -- the CSV line the record starts on (the header is line 1)
        plan text, name text, mode text, park text, industry text, high_risk text, uscc text,
        site_ha text, site_mu text, employees text, surplus_workers text, capacity text,
        new_capacity text, listed_in_plan text
    ) ON COMMIT DROP;
END $$;
COMMENT ON FUNCTION reloc.create_enterprise_import_staging() IS
    'Creates pg_temp.enterprise_import (all text, dropped at commit) for COPY; call inside a transaction.';

-- Checks every staged row at once, as the acting organisation (SECURITY INVOKER: its row-level
-- security applies), and returns each bad line with all its reasons joined by '; '. When no
-- line is bad, inserts all of them in one statement and returns no rows.
CREATE FUNCTION reloc.import_enterprises() RETURNS TABLE (line_no integer, reason text)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    province constant boolean := reloc.acting_is_province();
    acting constant bigint[] := reloc.acting_org_ids();
BEGIN
    RETURN QUERY
    WITH src AS (
        SELECT s.line_no AS line,
               upper(reloc.trim_space(reloc.halfwidth(s.plan))) AS plan_code,
               reloc.trim_space(s.name) AS name,
               lower(reloc.trim_space(reloc.halfwidth(s.mode))) AS mode_text,
               upper(reloc.trim_space(reloc.halfwidth(s.park))) AS park_code,
               reloc.trim_space(s.industry) AS industry,
               lower(reloc.trim_space(reloc.halfwidth(s.high_risk))) AS high_risk_text,
               reloc.trim_space(upper(regexp_replace(reloc.halfwidth(s.uscc), '\s', '', 'g'))) AS uscc,
               reloc.trim_space(reloc.halfwidth(s.site_ha)) AS site_ha_text,
               reloc.trim_space(reloc.halfwidth(s.site_mu)) AS site_mu_text,
               reloc.trim_space(reloc.halfwidth(s.employees)) AS employees_text,
               reloc.trim_space(reloc.halfwidth(s.surplus_workers)) AS surplus_text,
               reloc.trim_space(reloc.halfwidth(s.capacity)) AS capacity_text,
               reloc.trim_space(reloc.halfwidth(s.new_capacity)) AS new_capacity_text,
               lower(reloc.trim_space(reloc.halfwidth(s.listed_in_plan))) AS listed_text
        FROM pg_temp.enterprise_import s
    ),
    parsed AS (
        SELECT src.*,
               CASE mode_text WHEN 'in-situ' THEN 'in-situ' WHEN '就地改造' THEN 'in-situ'
                              WHEN 'relocate' THEN 'relocate' WHEN '异地迁建' THEN 'relocate'
                              WHEN 'close' THEN 'close' WHEN '依法关停' THEN 'close' END AS mode,
               CASE high_risk_text WHEN 'metallurgy' THEN 'metallurgy' WHEN '冶金' THEN 'metallurgy'
                                   WHEN 'chemicals' THEN 'chemicals' WHEN '化工' THEN 'chemicals'
                                   WHEN 'paper' THEN 'paper' WHEN '造纸' THEN 'paper'
                                   WHEN 'hazardous' THEN 'hazardous' WHEN '危险品' THEN 'hazardous' END AS high_risk,
               reloc.parse_decimal(site_ha_text) AS site_ha,
               reloc.parse_decimal(site_mu_text) AS site_mu,
               reloc.parse_integer(employees_text) AS employees,
               reloc.parse_integer(surplus_text) AS surplus_workers,
               regexp_match(capacity_text, '^([0-9]{1,20}(?:[.][0-9]{1,10})?)\s*([^0-9.\s].*)$') AS cap_old,
               regexp_match(new_capacity_text, '^([0-9]{1,20}(?:[.][0-9]{1,10})?)\s*([^0-9.\s].*)$') AS cap_new,
               CASE WHEN listed_text IS NULL THEN false
                    WHEN listed_text IN ('true', 'yes', '是', '1') THEN true
                    WHEN listed_text IN ('false', 'no', '否', '0') THEN false END AS listed_in_plan,
               p.id AS plan_id, p.city_id AS plan_city, p.district_id AS plan_district,
               k.id AS park_id, k.high_risk_eligible AS park_eligible
        FROM src
        LEFT JOIN reloc.plan p ON p.code = src.plan_code
        LEFT JOIN reloc.park k ON k.code = src.park_code
    ),
    duplicates AS (
        SELECT uscc, array_agg(line ORDER BY line) AS lines FROM parsed
        WHERE uscc IS NOT NULL GROUP BY uscc HAVING count(*) > 1
    ),
    checked AS (
        SELECT r.*,
               array_to_string(ARRAY[
                   CASE WHEN r.plan_code IS NULL THEN 'plan is empty'
                        WHEN r.plan_id IS NULL THEN format('unknown plan %s', r.plan_code)
                        WHEN NOT province AND NOT (r.plan_city = ANY (acting) OR coalesce(r.plan_district = ANY (acting), false))
                        THEN format('permission: plan %s is not in your city', r.plan_code) END,
                   CASE WHEN r.name IS NULL THEN 'name is empty' END,
                   CASE WHEN r.mode_text IS NULL THEN 'mode is empty (in-situ, relocate or close)'
                        WHEN r.mode IS NULL THEN format('unknown mode "%s" (in-situ, relocate or close)', r.mode_text) END,
                   CASE WHEN r.park_code IS NOT NULL AND r.park_id IS NULL THEN format('unknown park %s', r.park_code) END,
                   CASE WHEN r.mode = 'relocate' AND r.park_code IS NULL
                        THEN 'relocation needs a receiving park (enterprise_relocation_needs_park, §四(三))'
                        WHEN r.mode IN ('in-situ', 'close') AND r.park_code IS NOT NULL
                        THEN format('mode %s takes no receiving park (enterprise_relocation_needs_park)', r.mode) END,
                   CASE WHEN r.high_risk_text IS NOT NULL AND r.high_risk IS NULL
                        THEN format('unknown high-risk class "%s" (metallurgy, chemicals, paper or hazardous)', r.high_risk_text) END,
                   CASE WHEN r.high_risk IS NOT NULL AND r.mode = 'relocate' AND r.park_id IS NOT NULL AND NOT r.park_eligible
                        THEN format('a %s enterprise may only move to a park that is legally established, has complete environmental infrastructure and passed planning EIA; park %s is not shown to be (enterprise_high_risk_park, §四(三))',
                                    r.high_risk, r.park_code) END,
                   CASE WHEN r.uscc IS NOT NULL AND NOT reloc.uscc_is_valid(r.uscc)
                        THEN format('USCC %s fails the GB 32100-2015 check (enterprise_uscc_checksum)', r.uscc) END,
                   CASE WHEN d.lines IS NOT NULL
                        THEN format('USCC %s appears on lines %s of the file (enterprise_uscc_key)', r.uscc, array_to_string(d.lines, ', ')) END,
                   CASE WHEN EXISTS (SELECT FROM reloc.enterprise e WHERE e.uscc = r.uscc)
                        THEN format('USCC %s is already registered (enterprise_uscc_key)', r.uscc) END,
                   CASE WHEN r.site_ha_text IS NOT NULL AND r.site_ha IS NULL THEN format('site_ha is not a number: "%s"', r.site_ha_text) END,
                   CASE WHEN r.site_mu_text IS NOT NULL AND r.site_mu IS NULL THEN format('site_mu is not a number: "%s"', r.site_mu_text) END,
                   CASE WHEN r.site_ha_text IS NOT NULL AND r.site_mu_text IS NOT NULL THEN 'give site_ha or site_mu, not both' END,
                   CASE WHEN r.site_ha < 0 OR r.site_mu < 0 THEN 'a site area is not negative (enterprise_site_area_nonnegative)'
                        WHEN r.site_ha >= 100000000 OR r.site_mu >= 1500000000 THEN 'the site area is too large (enterprise_site_area_nonnegative)' END,
                   CASE WHEN r.employees_text IS NOT NULL AND r.employees IS NULL THEN format('employees is not a whole number: "%s"', r.employees_text) END,
                   CASE WHEN r.surplus_text IS NOT NULL AND r.surplus_workers IS NULL THEN format('surplus_workers is not a whole number: "%s"', r.surplus_text) END,
                   CASE WHEN r.employees < 0 OR r.surplus_workers < 0 THEN 'employees and surplus workers are not negative (enterprise_workers)'
                        WHEN r.surplus_workers > r.employees
                        THEN format('surplus_workers %s exceeds employees %s (enterprise_workers)', r.surplus_workers, r.employees) END,
                   CASE WHEN r.capacity_text IS NOT NULL AND r.cap_old IS NULL
                        THEN format('capacity is not a number and a unit (e.g. "30 万吨/年"): "%s"', r.capacity_text) END,
                   CASE WHEN r.new_capacity_text IS NOT NULL AND r.cap_new IS NULL
                        THEN format('new_capacity is not a number and a unit (e.g. "25 万吨/年"): "%s"', r.new_capacity_text) END,
                   CASE WHEN r.new_capacity_text IS NOT NULL AND r.capacity_text IS NULL
                        THEN 'a new capacity needs the old capacity to compare with (enterprise_capacity_not_increased, §四(二))'
                        WHEN btrim(r.cap_old[2]) <> btrim(r.cap_new[2])
                        THEN format('capacity units differ ("%s" vs "%s"): give both in the same unit', btrim(r.cap_old[2]), btrim(r.cap_new[2]))
                        WHEN r.cap_new[1]::numeric > r.cap_old[1]::numeric
                        THEN format('new capacity %s exceeds the old %s %s (等量或减量置换, enterprise_capacity_not_increased, §四(二))',
                                    r.cap_new[1], r.cap_old[1], btrim(r.cap_old[2])) END,
                   CASE WHEN r.listed_text IS NOT NULL AND r.listed_in_plan IS NULL
                        THEN format('listed_in_plan is not yes/no, true/false, 是/否 or 1/0: "%s"', r.listed_text) END
               ], '; ') AS reasons
        FROM parsed r
        LEFT JOIN duplicates d ON d.uscc = r.uscc
    ),
    bad AS (
        SELECT c.line, c.reasons FROM checked c WHERE c.reasons <> ''
    ),
    inserted AS (
        INSERT INTO reloc.enterprise (plan_id, name, mode, park_id, industry, high_risk, uscc, site_area_ha,
                                      employees, surplus_workers, capacity_old, capacity_old_unit, capacity_new,
                                      capacity_new_unit, listed_in_plan)
        SELECT c.plan_id, c.name, c.mode, c.park_id, c.industry, c.high_risk, c.uscc,
               coalesce(c.site_ha, round(c.site_mu / 15, 4)),
               c.employees, c.surplus_workers, c.cap_old[1]::numeric, btrim(c.cap_old[2]),
               c.cap_new[1]::numeric, btrim(c.cap_new[2]), c.listed_in_plan
        FROM checked c
        WHERE NOT EXISTS (SELECT FROM bad)
        ORDER BY c.line
        RETURNING 1
    )
    SELECT b.line, b.reasons FROM bad b ORDER BY b.line;
END $$;
COMMENT ON FUNCTION reloc.import_enterprises() IS
    'Checks pg_temp.enterprise_import set-based as the acting organisation; returns (line_no, reason) for every bad line, or inserts all lines and returns nothing.';

REVOKE ALL ON FUNCTION reloc.create_enterprise_import_staging(), reloc.import_enterprises() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.create_enterprise_import_staging(), reloc.import_enterprises() TO reloc_app;

------------------------------------------------------------------------------------------------
-- Row-level security: on every table, forced, so the owner is bound too (superusers, who run
-- migrations and seeds, bypass it). Policies call the acting functions through a scalar
-- subquery so they are evaluated once per statement, not once per row.
------------------------------------------------------------------------------------------------
ALTER TABLE reloc.rule ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.organisation ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.plan ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.plan_status_change ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.park ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.enterprise ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;

-- The rules' words: everyone reads; later migrations (as reloc_owner) add rules.
CREATE POLICY rule_read ON reloc.rule FOR SELECT USING (true);
CREATE POLICY rule_owner_write ON reloc.rule FOR ALL TO reloc_owner USING (true) WITH CHECK (true);

-- Everyone in the programme reads the whole register. reloc_owner reads too: the SECURITY
-- DEFINER acting functions read organisations as the owner.
CREATE POLICY organisation_read ON reloc.organisation FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY plan_read ON reloc.plan FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY plan_status_change_read ON reloc.plan_status_change FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY park_read ON reloc.park FOR SELECT TO reloc_app, reloc_owner USING (true);
CREATE POLICY enterprise_read ON reloc.enterprise FOR SELECT TO reloc_app, reloc_owner USING (true);

-- Organisations and parks: the province writes (nobody deletes an organisation: history).
CREATE POLICY organisation_province_insert ON reloc.organisation FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY organisation_province_update ON reloc.organisation FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY park_province_insert ON reloc.park FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY park_province_update ON reloc.park FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY park_province_delete ON reloc.park FOR DELETE TO reloc_app
    USING ((SELECT reloc.acting_is_province()));

-- Plans: the province adds, edits and deletes; a city edits the plans of its city, a district
-- government its own plan, and neither can move a plan out of its reach (WITH CHECK).
CREATE POLICY plan_province_insert ON reloc.plan FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY plan_province_update ON reloc.plan FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY plan_province_delete ON reloc.plan FOR DELETE TO reloc_app
    USING ((SELECT reloc.acting_is_province()));
CREATE POLICY plan_local_update ON reloc.plan FOR UPDATE TO reloc_app
    USING (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]) OR district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]))
    WITH CHECK (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]) OR district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[]));

-- Status history: only the plan's trigger writes it (as the acting role); nobody changes it.
CREATE POLICY plan_status_change_by_trigger ON reloc.plan_status_change FOR INSERT TO reloc_app
    WITH CHECK (pg_trigger_depth() > 0 AND changed_by = current_user::text);

-- Enterprises: the province does everything; a city registers and edits enterprises in the plans
-- of its city (city_id is the plan's city), a district government in its own plan. Only the
-- province deletes.
CREATE POLICY enterprise_province_insert ON reloc.enterprise FOR INSERT TO reloc_app
    WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY enterprise_province_update ON reloc.enterprise FOR UPDATE TO reloc_app
    USING ((SELECT reloc.acting_is_province())) WITH CHECK ((SELECT reloc.acting_is_province()));
CREATE POLICY enterprise_province_delete ON reloc.enterprise FOR DELETE TO reloc_app
    USING ((SELECT reloc.acting_is_province()));
CREATE POLICY enterprise_local_insert ON reloc.enterprise FOR INSERT TO reloc_app
    WITH CHECK (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
                OR EXISTS (SELECT FROM reloc.plan p
                           WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])));
CREATE POLICY enterprise_local_update ON reloc.enterprise FOR UPDATE TO reloc_app
    USING (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
           OR EXISTS (SELECT FROM reloc.plan p
                      WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])))
    WITH CHECK (city_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])
                OR EXISTS (SELECT FROM reloc.plan p
                           WHERE p.id = plan_id AND p.district_id = ANY ((SELECT reloc.acting_org_ids())::bigint[])));

------------------------------------------------------------------------------------------------
-- Table privileges (row-level security then narrows them). Departments get UPDATE on plans and
-- enterprises too, so that their attempts see no row (0 rows) rather than an error, like another
-- city's; the policies give them nothing to change.
------------------------------------------------------------------------------------------------
GRANT SELECT ON reloc.rule, reloc.organisation, reloc.plan, reloc.plan_status_change, reloc.park, reloc.enterprise
    TO reloc_app;
GRANT INSERT, UPDATE ON reloc.plan, reloc.enterprise TO reloc_app;
GRANT INSERT ON reloc.plan_status_change TO reloc_app;
GRANT INSERT, UPDATE ON reloc.organisation, reloc.park TO reloc_province;
GRANT DELETE ON reloc.plan, reloc.park, reloc.enterprise TO reloc_province;

RESET ROLE;
