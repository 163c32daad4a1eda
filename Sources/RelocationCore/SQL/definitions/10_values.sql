-- Words and values.
-- Parsing what people type (full-width digits, spaces, decimals, capacities), the checks that keep text
-- and numbers clean, and how a broken rule is raised with its words (reloc.rule).
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

-- The documents write numbers in full-width digits (２０１４, １１); input must accept them.
CREATE OR REPLACE FUNCTION reloc.ascii_digits(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN translate(value, '０１２３４５６７８９．－＋', '0123456789.-+');
COMMENT ON FUNCTION reloc.ascii_digits(text) IS 'Full-width digits, point and signs to ASCII (the documents write ２０１４).';

------------------------------------------------------------------------------------------------
-- Text helpers
------------------------------------------------------------------------------------------------

-- Full-width ASCII forms (Ａ１，／ …) and the ideographic and no-break spaces to plain ASCII.
CREATE OR REPLACE FUNCTION reloc.halfwidth(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- Fast paths: plain ASCII, or text without one of the characters folded (CJK names): translate()
-- with this 96-character list costs ~45 µs a CJK name, the regular expression ~3 µs (issue 13, import).
RETURN CASE WHEN octet_length(value) = length(value) OR value !~ '[\u00a0\u3000\uff01-\uff5e]' THEN value
       ELSE translate(value,
    E'！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～' || E'\u3000\u00a0',
    E'!"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~' || '  ') END;
COMMENT ON FUNCTION reloc.halfwidth(text) IS 'Full-width ASCII forms (Ａ１／) and ideographic/no-break spaces to ASCII.';

-- Trims spaces of every width (ASCII, tab, CR/LF, no-break, ideographic, a stray BOM); '' → NULL.
CREATE OR REPLACE FUNCTION reloc.trim_space(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN nullif(btrim(value, E' \t\r\n\u00a0\u3000\ufeff'), '');
COMMENT ON FUNCTION reloc.trim_space(text) IS 'Trims ASCII, no-break and ideographic spaces; empty becomes NULL.';

-- A decimal number (already ASCII) or NULL when the text is not one.
CREATE OR REPLACE FUNCTION reloc.parse_decimal(value text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value ~ '^[+-]?([0-9]{1,20}([.][0-9]{0,10})?|[.][0-9]{1,10})$' THEN value::numeric END;

-- An integer (already ASCII) or NULL when the text is not one (at most nine digits).
CREATE OR REPLACE FUNCTION reloc.parse_integer(value text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN value ~ '^[+-]?[0-9]{1,9}$' THEN value::integer END;

------------------------------------------------------------------------------------------------
-- 统一社会信用代码 (unified social credit code), GB 32100-2015
------------------------------------------------------------------------------------------------
-- 18 characters from 0-9 A-H J-N P-R T-U W-Y (31 characters, no I O S V Z):
--   1 registration authority (1 机构编制, 5 民政, 9 工商, Y 其他, …), 2 kind of body,
--   3-8 the registering authority's division code (GB/T 2260, digits), 9-17 the body's code,
--   18 check character: with the character values c(i) (0-30, position in the alphabet above) and
--   weights w(i) = 3^(i-1) mod 31 = 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28,
--   check = 31 - (Σ c(i)·w(i) mod 31), where 31 becomes 0.
-- Test vectors (computed with the algorithm above; asserted by the checks in sql/REGISTER.md):
--   valid:   91350100M000100Y43  91220300MA0Y123454  91220100123456789Q  91220200A12345678G
--            91220101MA0Y4K7N3D  91220200MA14XQ2B0U  91220500605117802N  12220000013544357P
--   invalid: 91220300MA0Y123455 (check character), 9122030 (length), 91220300MA0Y12345I (I),
--            9122O300MA0Y123454 (letter in the division code)
-- Lower case is accepted here (upper() first); full-width input is the client's to normalise
-- (the enterprise trigger also does it before storing).
CREATE OR REPLACE FUNCTION reloc.uscc_is_valid(code text) RETURNS boolean
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

CREATE OR REPLACE FUNCTION reloc.raise_rule(rule_name text, detail text DEFAULT NULL) RETURNS void
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
-- 1. Capacities (§四(二) 等量或减量置换): the unit is a unit, not the rest of a number
------------------------------------------------------------------------------------------------
-- "30,000 吨/日" once stored 30 with the unit ",000 吨/日"; "1e3 万吨/年" 1 with "e3 万吨/年". A unit
-- starts with a letter or an ideograph, not with a digit, a sign, punctuation or a space.
CREATE OR REPLACE FUNCTION reloc.capacity_unit_ok(unit text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN unit IS NULL OR (char_length(unit) <= 40
    AND unit !~ '^[0-9[:punct:][:space:]，。、；：？！（）《》〈〉【】「」『』“”‘’·…—－～]');

-- "30 万吨/年", "３０万吨/年", "30,000 吨/日", "1.5 million t/a" → (amount, unit); NULL when the text is
-- not a decimal number and a unit. A thousands separator is accepted only in groups of three
-- (30,000 but not 30,00); a unit right after the digits must not start with a Latin letter (1e3,
-- 0x10 are not numbers with a unit); the unit must pass reloc.capacity_unit_ok.
CREATE OR REPLACE FUNCTION reloc.parse_capacity(value text, OUT amount numeric, OUT unit text)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m text[];
BEGIN
    m := regexp_match(reloc.trim_space(reloc.halfwidth(value)),
                      '^([0-9]{1,3}(?:,[0-9]{3})+(?:[.][0-9]{1,10})?|[0-9]{1,20}(?:[.][0-9]{1,10})?)(\s*)(.+)$');
    IF m IS NULL OR (m[2] = '' AND m[3] ~ '^[A-Za-z]') OR NOT reloc.capacity_unit_ok(btrim(m[3])) THEN
        RETURN;
    END IF;
    amount := replace(m[1], ',', '')::numeric;
    unit := btrim(m[3]);
END $$;
COMMENT ON FUNCTION reloc.parse_capacity(text) IS
    'A capacity "N UNIT" (full-width forms and a thousands separator in groups of three accepted) as (amount, unit); NULLs when it is not one.';

------------------------------------------------------------------------------------------------
-- 2. Text: bounded, and no control characters (terminal escapes, CR) but new lines where they mean
--    something (notes, narratives, the plan's sections)
------------------------------------------------------------------------------------------------
-- C0 (U+0000–U+001F) and DEL/C1 (U+007F–U+009F) are refused; a multi-line text keeps LF and TAB.
-- Invisible format characters (Unicode category Cf: soft hyphen U+00AD, zero-width U+200B–U+200F,
-- bidi embeddings and overrides U+202A–U+202E and isolates U+2066–U+2069, word joiner and invisible
-- operators U+2060–U+2064, BOM U+FEFF) made "长春轨道<U+200B>客车装备" a second enterprise that
-- looks like the first, and U+202E turns a listing's text around: refused in one-line text (names,
-- codes); in multi-line narratives the bidi controls and the BOM are refused (ZWJ/ZWNJ join script).
-- One-line text also refuses the rest of what renders as nothing (Unicode's default-ignorable code
-- points: U+034F, U+061C, U+115F/U+1160, U+17B4/U+17B5, U+180B–U+180F, U+2060–U+206F, U+3164,
-- variation selectors U+FE00–U+FE0F, U+FFA0, U+FFF0–U+FFFB, U+1D173–U+1D17A, tags U+E0000–U+E0FFF),
-- the blank U+2800, and the line and paragraph separators U+2028/U+2029 (a name is one line).
CREATE OR REPLACE FUNCTION reloc.is_clean_text(value text, max_len integer, multiline boolean DEFAULT false) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN value IS NULL OR (char_length(value) <= max_len
    AND CASE WHEN multiline THEN value !~ '[\x01-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]'
             ELSE value !~ '[\x01-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U0001d173\U0001d174\U0001d175\U0001d176\U0001d177\U0001d178\U0001d179\U0001d17a\U000e0000-\U000e0fff]' END);
COMMENT ON FUNCTION reloc.is_clean_text(text, integer, boolean) IS
    'At most max_len characters, no C0/C1 control character (LF and TAB allowed when multiline) and no invisible character in one-line text (format and default-ignorable code points, U+2028/U+2029, U+2800; multiline: the bidi controls and U+FEFF); true for NULL.';

-- A number that is a number: NaN beat every comparison (NaN <= 5 is false, but a CHECK (x <= y)
-- with NaN on both sides passed: NaN = NaN) and Infinity passed "less than the old capacity" checks
-- for nothing. Every numeric column of reloc carries this (reloc.add_clean_text_checks adds it).
CREATE OR REPLACE FUNCTION reloc.is_finite(value numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN value IS NULL OR (value <> 'NaN'::numeric AND value <> 'Infinity'::numeric AND value <> '-Infinity'::numeric);

-- A loop, not SQL: a SQL function with a subquery is never inlined, and ran its aggregate as a
-- query of its own for every row (37 µs a progress report's evidence, twice: the import's check
-- and the CHECK constraint; issue 13, docs/performance-import.md). The same answer: at most 100
-- elements, each clean (a NULL element is), an empty array clean.
CREATE OR REPLACE FUNCTION reloc.is_clean_text(value text[], max_len integer, multiline boolean DEFAULT false) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    element text;
BEGIN
    IF value IS NULL THEN
        RETURN true;
    END IF;
    IF cardinality(value) > 100 THEN
        RETURN false;
    END IF;
    FOREACH element IN ARRAY value LOOP
        IF NOT reloc.is_clean_text(element, max_len, multiline) THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END $$;

-- How long and how many lines each text column may be. Narratives (the plan's seven sections,
-- §四(一)) are long; notes and progress narratives have lines; everything else is one line.
CREATE OR REPLACE FUNCTION reloc.text_column_limit(table_name text, column_name text, OUT max_len integer, OUT multiline boolean)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN column_name IN ('scope_targets', 'functional_layout', 'main_tasks', 'key_projects',
                                     'organisation_mode', 'schedule', 'safeguards') THEN 20000
                WHEN column_name IN ('note', 'release_note', 'last_error') THEN 4000
                WHEN column_name IN ('message', 'hint') THEN 2000
                ELSE 200 END,
           column_name IN ('scope_targets', 'functional_layout', 'main_tasks', 'key_projects', 'organisation_mode',
                           'schedule', 'safeguards', 'note', 'release_note', 'last_error');
END;

-- Adds the check "<table>_<column>_text" (and its rule words) to every text column of a reloc table
-- that has none yet. Idempotent: a later migration that adds text columns calls it again (the
-- catalog test in TextLimitTests fails until it does). Not the audit trail: its rows are copies of
-- checked rows and the names of roles, written only by the audit trigger.
CREATE OR REPLACE FUNCTION reloc.add_clean_text_checks() RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    c record;
    lim record;
    added integer := 0;
BEGIN
    FOR c IN
        SELECT t.relname AS table_name, a.attname AS column_name, t.oid AS table_oid
        FROM pg_attribute a
        JOIN pg_class t ON t.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'reloc' AND t.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
          AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'text[]'::regtype, 'varchar[]'::regtype)
          AND t.relname <> 'audit'
          AND NOT EXISTS (SELECT FROM pg_constraint k
                          WHERE k.conrelid = t.oid AND k.conname = left(t.relname || '_' || a.attname || '_text', 63))
        ORDER BY t.relname, a.attnum
    LOOP
        lim := reloc.text_column_limit(c.table_name, c.column_name);
        EXECUTE format('ALTER TABLE reloc.%I ADD CONSTRAINT %I CHECK (reloc.is_clean_text(%I, %s, %L))',
                       c.table_name, left(c.table_name || '_' || c.column_name || '_text', 63), c.column_name,
                       lim.max_len, lim.multiline);
        INSERT INTO reloc.rule (name, table_name, section, message, hint)
        VALUES (left(c.table_name || '_' || c.column_name || '_text', 63), c.table_name, NULL,
                format('text in %s.%s is at most %s characters, with no control characters (terminal escapes, CR)%s',
                       c.table_name, c.column_name, lim.max_len,
                       CASE WHEN lim.multiline THEN '; new lines are kept' ELSE ' and on one line' END),
                'shorten the text and remove control characters')
        ON CONFLICT (name) DO NOTHING;
        added := added + 1;
    END LOOP;
    -- Numbers: finite (no NaN, no ±Infinity) in every numeric column, the audit trail's copies aside.
    FOR c IN
        SELECT t.relname AS table_name, a.attname AS column_name
        FROM pg_attribute a
        JOIN pg_class t ON t.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'reloc' AND t.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
          AND a.atttypid IN ('numeric'::regtype, 'float4'::regtype, 'float8'::regtype)
          AND t.relname <> 'audit'
          AND NOT EXISTS (SELECT FROM pg_constraint k
                          WHERE k.conrelid = t.oid AND k.conname = left(t.relname || '_' || a.attname || '_finite', 63))
        ORDER BY t.relname, a.attnum
    LOOP
        EXECUTE format('ALTER TABLE reloc.%I ADD CONSTRAINT %I CHECK (reloc.is_finite(%I::numeric))',
                       c.table_name, left(c.table_name || '_' || c.column_name || '_finite', 63), c.column_name);
        INSERT INTO reloc.rule (name, table_name, section, message, hint)
        VALUES (left(c.table_name || '_' || c.column_name || '_finite', 63), c.table_name, NULL,
                format('%s.%s is a finite number: NaN and Infinity are not amounts', c.table_name, c.column_name),
                'give a number, e.g. 30 or 0.5')
        ON CONFLICT (name) DO NOTHING;
        added := added + 1;
    END LOOP;
    RETURN added;
END $$;
REVOKE ALL ON FUNCTION reloc.add_clean_text_checks() FROM PUBLIC;

------------------------------------------------------------------------------------------------
-- 5. One enterprise once: unique by USCC when given and by (plan, name); withdrawal of a wrong entry
------------------------------------------------------------------------------------------------
-- The name as compared: full-width forms to ASCII, no spaces of any width, case folded
-- ("长春轨道 客车装备" and "长春轨道客车装备" are one enterprise).
CREATE OR REPLACE FUNCTION reloc.enterprise_name_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(regexp_replace(reloc.halfwidth(name), '[\s\u00a0\u3000\ufeff]+', '', 'g'));

-- The address as the audit trail records it: credentials in a webhook URL (user:password@) are
-- masked, for the audit rows are read by the city and the province (the address itself is left
-- out of the record, like the secret, below).
-- A webhook's credential may also stand in its query string (钉钉 access_token=…, 企业微信 key=…):
-- the query is masked too. One function for the record, the lists and the history.
CREATE OR REPLACE FUNCTION reloc.url_shown(text text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN regexp_replace(regexp_replace(text, '(https?://)[^/?#\s]*@', '\1***@', 'gi'),
                      '(https?://[^\s?#]*)\?[^\s#]*', '\1?***', 'gi');
COMMENT ON FUNCTION reloc.url_shown(text) IS
    'Text with every http(s) URL''s credentials (user:password@ → ***@) and query (?… → ?***) masked.';
