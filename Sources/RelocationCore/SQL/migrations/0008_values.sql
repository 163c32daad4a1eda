-- 0008 values nobody meant: capacities that parse as what was written, clean and bounded text,
-- land amounts kept exactly in the unit they were given (ha or mu), one four-decimal rule for every
-- area, no duplicate enterprises, and a way out of a wrong entry (withdrawal). Issue 11, "Values
-- nobody meant are stored". Same contract as 0002: a broken rule raises 23514 with CONSTRAINT = the
-- rule's name and the words of reloc.rule.
-- After review (before release): finite numbers in every numeric column, no invisible format
-- characters in one-line text, a site's and a plan's area bounded in places, land hectares for mu
-- not floored, mu areas refused unless 0.0001 ha holds them, and withdrawal serialised with what rests on
-- the enterprise (a guard row, so REPEATABLE READ fails with 40001) including open milestones.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('enterprise_capacity_unit_shape', 'enterprise', '四(二)',
 'a capacity''s unit starts with a letter or a character (e.g. 万吨/年, t/a), never with a digit, a sign or punctuation, and is at most 40 characters',
 'give the capacity as "N UNIT", e.g. "30000 吨/日" or "30,000 吨/日"'),
('enterprise_site_area_places', 'enterprise', NULL,
 'an area is kept to 0.0001 ha: more than four decimal places are refused, never rounded', 'give at most four decimal places'),
('land_amount_places', 'land_quota', '五(四)',
 'a land amount is kept exactly in the unit it was given, ha (公顷) or mu (亩), to four decimal places: more are refused, never rounded',
 'give at most four decimal places, e.g. --ha 0.0667 or --mu 1'),
('land_amount_unit', 'land_quota', '五(四)', 'a land amount is in ha (公顷) or mu (亩)', 'give --ha N or --mu N'),
('enterprise_plan_name_key', 'enterprise', '四(二)',
 'an enterprise is registered once in a plan: two enterprises of one plan do not have the same name (spaces and full-width forms aside)',
 'see reloc enterprise list --plan CODE; withdraw a wrong entry with reloc enterprise withdraw ID --reason TEXT'),
('enterprise_withdrawal', 'enterprise', NULL,
 'an enterprise registered by mistake is withdrawn with a reason, by its city or district government or the province, only while no land allocation (live or released: it stays on record), vacated site or open milestone rests on it; a withdrawn enterprise no longer changes and takes no allocation, site, open milestone or progress',
 'an enterprise with land allocations (even released ones) or sites stays registered: correct it with reloc enterprise edit; close its open milestones (reloc milestone done ID) or ask the province to remove them');

------------------------------------------------------------------------------------------------
-- 1. Capacities (§四(二) 等量或减量置换): the unit is a unit, not the rest of a number
------------------------------------------------------------------------------------------------
-- "30,000 吨/日" once stored 30 with the unit ",000 吨/日"; "1e3 万吨/年" 1 with "e3 万吨/年". A unit
-- starts with a letter or an ideograph, not with a digit, a sign, punctuation or a space.
CREATE FUNCTION reloc.capacity_unit_ok(unit text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN unit IS NULL OR (char_length(unit) <= 40
    AND unit !~ '^[0-9[:punct:][:space:]，。、；：？！（）《》〈〉【】「」『』“”‘’·…—－～]');

-- "30 万吨/年", "３０万吨/年", "30,000 吨/日", "1.5 million t/a" → (amount, unit); NULL when the text is
-- not a decimal number and a unit. A thousands separator is accepted only in groups of three
-- (30,000 but not 30,00); a unit right after the digits must not start with a Latin letter (1e3,
-- 0x10 are not numbers with a unit); the unit must pass reloc.capacity_unit_ok.
CREATE FUNCTION reloc.parse_capacity(value text, OUT amount numeric, OUT unit text)
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

ALTER TABLE reloc.enterprise
    ADD CONSTRAINT enterprise_capacity_unit_shape
        CHECK (reloc.capacity_unit_ok(capacity_old_unit) AND reloc.capacity_unit_ok(capacity_new_unit));
-- The number's bounds are reloc.parse_capacity's (at most 20 digits before the point and 10 after),
-- so a raw UPDATE cannot store what no parser reads (1e100000 padded every listing to 100,001 columns).
INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('enterprise_capacity_digits', 'enterprise', '四(二)',
 'a capacity has at most 20 digits before the decimal point and 10 after it',
 'give the capacity as "N UNIT", e.g. "30000 吨/日"');
ALTER TABLE reloc.enterprise
    ADD CONSTRAINT enterprise_capacity_digits
        CHECK ((capacity_old IS NULL OR (abs(capacity_old) < 1e20 AND scale(capacity_old) <= 10))
           AND (capacity_new IS NULL OR (abs(capacity_new) < 1e20 AND scale(capacity_new) <= 10)));

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
CREATE FUNCTION reloc.is_clean_text(value text, max_len integer, multiline boolean DEFAULT false) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN value IS NULL OR (char_length(value) <= max_len
    AND CASE WHEN multiline THEN value !~ '[\x01-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]'
             ELSE value !~ '[\x01-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U0001d173\U0001d174\U0001d175\U0001d176\U0001d177\U0001d178\U0001d179\U0001d17a\U000e0000-\U000e0fff]' END);
COMMENT ON FUNCTION reloc.is_clean_text(text, integer, boolean) IS
    'At most max_len characters, no C0/C1 control character (LF and TAB allowed when multiline) and no invisible character in one-line text (format and default-ignorable code points, U+2028/U+2029, U+2800; multiline: the bidi controls and U+FEFF); true for NULL.';

-- A number that is a number: NaN beat every comparison (NaN <= 5 is false, but a CHECK (x <= y)
-- with NaN on both sides passed: NaN = NaN) and Infinity passed "less than the old capacity" checks
-- for nothing. Every numeric column of reloc carries this (reloc.add_clean_text_checks adds it).
CREATE FUNCTION reloc.is_finite(value numeric) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN value IS NULL OR (value <> 'NaN'::numeric AND value <> 'Infinity'::numeric AND value <> '-Infinity'::numeric);

CREATE FUNCTION reloc.is_clean_text(value text[], max_len integer, multiline boolean DEFAULT false) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN value IS NULL OR coalesce(cardinality(value) <= 100
    AND (SELECT bool_and(reloc.is_clean_text(v, max_len, multiline)) FROM unnest(value) v), true);

-- How long and how many lines each text column may be. Narratives (the plan's seven sections,
-- §四(一)) are long; notes and progress narratives have lines; everything else is one line.
CREATE FUNCTION reloc.text_column_limit(table_name text, column_name text, OUT max_len integer, OUT multiline boolean)
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
CREATE FUNCTION reloc.add_clean_text_checks() RETURNS integer
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
-- 3, 4. Areas: four decimal places at most, refused rather than rounded; land amounts exact in
--       the unit given
------------------------------------------------------------------------------------------------
-- numeric(12, 4) rounded 1.123456789 to 1.1235 before any rule saw it: plain numeric, and a check.
ALTER TABLE reloc.enterprise ALTER COLUMN site_area_ha TYPE numeric,
    ADD CONSTRAINT enterprise_site_area_places CHECK (site_area_ha = round(site_area_ha, 4));

-- A site's area (0005's numeric(12, 4) rounded 1.123456789 to 1.1235 before any rule saw it, in
-- raw SQL): plain numeric, four decimal places at most, the one rule for every area.
ALTER TABLE reloc.site ALTER COLUMN area_ha TYPE numeric,
    ADD CONSTRAINT site_area_places CHECK (area_ha = round(area_ha, 4));
-- A plan's area (§四(一)): km² to 0.0001 (100 m²), below 200,000 km² (Jilin is 187,400 km²).
ALTER TABLE reloc.plan ADD CONSTRAINT plan_area_km2_bounds
    CHECK (area_km2 = round(area_km2, 4) AND area_km2 < 200000);
INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('site_area_places', 'site', NULL,
 'a site''s area is kept to 0.0001 ha: more than four decimal places are refused, never rounded', 'give at most four decimal places'),
('plan_area_km2_bounds', 'plan', '四(一)',
 'a plan''s area is in km² to four decimal places (0.0001 km² = 100 m²) and below 200,000 km² (Jilin is 187,400 km²)',
 'give the area in km², e.g. --area-km2 12.5');

-- Mu to hectares, for display and for an enterprise's site area in mu (the register keeps that in
-- ha to 0.0001): the one place mu become hectares. Land amounts are not converted: they stay exact.
CREATE OR REPLACE FUNCTION reloc.ha_from_mu(mu numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN round(mu / 15, 4);

-- Land amounts (§五(四)): 1 公顷 = 15 亩. The exact common measure is 0.0001 mu = 1/150000 ha, so an
-- integer count of it holds every four-decimal ha amount (×150000) and every four-decimal mu amount
-- (×10000): quotas and allocations are compared as integers, never rounded.
CREATE FUNCTION reloc.land_units(amount numeric, unit text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (amount * CASE unit WHEN 'mu' THEN 10000 WHEN 'ha' THEN 150000 END)::bigint;

-- "2.5000 ha (37.5000 mu)" (0005's reloc.ha_mu), or "1.0000 mu (≈0.0667 ha)" when the hectares are
-- not exact at 0.0001 ha: an amount of land units, in mu always exactly.
CREATE FUNCTION reloc.land_units_text(units bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN units % 15 = 0
            THEN format('%s ha (%s mu)', round(units / 150000.0, 4), round(units / 10000.0, 4))
            ELSE format('%s mu (≈%s ha)', round(units / 10000.0, 4), round(units / 150000.0, 4)) END;

-- The amount as it was given: "1 mu", "2.5 ha".
CREATE FUNCTION reloc.land_amount_text(amount numeric, unit text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN trim_scale(amount) || ' ' || unit;

ALTER TABLE reloc.land_quota ALTER COLUMN hectares TYPE numeric,
    ADD COLUMN amount numeric,
    ADD COLUMN unit text NOT NULL DEFAULT 'ha' CONSTRAINT land_amount_unit CHECK (unit IN ('ha', 'mu'));
ALTER TABLE reloc.land_allocation ALTER COLUMN hectares TYPE numeric,
    ADD COLUMN amount numeric,
    ADD COLUMN unit text NOT NULL DEFAULT 'ha' CONSTRAINT land_amount_unit CHECK (unit IN ('ha', 'mu'));
UPDATE reloc.land_quota SET amount = hectares;
UPDATE reloc.land_allocation SET amount = hectares;
ALTER TABLE reloc.land_quota ALTER COLUMN amount SET NOT NULL,
    ADD CONSTRAINT land_amount_places CHECK (amount = round(amount, 4)),
    ADD COLUMN area_units bigint GENERATED ALWAYS AS (reloc.land_units(amount, unit)) STORED;
ALTER TABLE reloc.land_allocation ALTER COLUMN amount SET NOT NULL,
    ADD CONSTRAINT land_amount_places CHECK (amount = round(amount, 4)),
    ADD COLUMN area_units bigint GENERATED ALWAYS AS (reloc.land_units(amount, unit)) STORED;
COMMENT ON COLUMN reloc.land_quota.amount IS 'The amount as issued, exactly, in unit (ha or mu).';
COMMENT ON COLUMN reloc.land_quota.hectares IS 'The amount in ha (derived from amount and unit): exact when unit is ha, to 10 decimal places for mu; never summed.';
COMMENT ON COLUMN reloc.land_quota.area_units IS 'The amount in 0.0001 mu (= 1/150000 ha): exact for both units; what the balance counts.';
COMMENT ON COLUMN reloc.land_allocation.amount IS 'The amount as allocated, exactly, in unit (ha or mu).';
COMMENT ON COLUMN reloc.land_allocation.hectares IS 'The amount in ha (derived from amount and unit): exact when unit is ha, to 10 decimal places for mu; never summed.';
COMMENT ON COLUMN reloc.land_allocation.area_units IS 'The amount in 0.0001 mu (= 1/150000 ha): exact for both units; what the balance counts.';

-- Before every other row trigger (triggers fire in name order): the amount as given decides. A
-- writer that names only hectares (raw SQL of old) gives an amount in ha; hectares is then derived.
CREATE FUNCTION reloc.land_amount_normalise() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.amount IS NULL THEN
            NEW.amount := NEW.hectares;
            NEW.unit := 'ha';
        END IF;
    ELSIF NEW.hectares IS DISTINCT FROM OLD.hectares AND NEW.amount IS NOT DISTINCT FROM OLD.amount
          AND NEW.unit IS NOT DISTINCT FROM OLD.unit THEN
        NEW.amount := NEW.hectares;
        NEW.unit := 'ha';
    END IF;
    IF NEW.unit IS NULL OR NEW.unit NOT IN ('ha', 'mu') THEN
        PERFORM reloc.raise_rule('land_amount_unit', format('"%s" is not a unit of land', NEW.unit));
    END IF;
    IF NEW.amount IS DISTINCT FROM round(NEW.amount, 4) THEN
        PERFORM reloc.raise_rule('land_amount_places', format('%s %s', NEW.amount, NEW.unit));
    END IF;
    -- Exact for ha; for mu to 10 decimal places (mu / 15 has no exact decimal): 0.0005 mu is
    -- 0.0000333333 ha, not 0.0001 ha (three times its size, as a floor of 0.0001 made it), and
    -- 1499999999.9999 mu stays below 100,000,000 ha as it is. Derived, for readers only: never
    -- summed (the balance counts area_units) and never shown (lists show area_units as ha and mu).
    NEW.hectares := CASE NEW.unit WHEN 'ha' THEN round(NEW.amount, 4) ELSE round(NEW.amount / 15, 10) END;
    RETURN NEW;
END $$;

CREATE TRIGGER land_amount_normalise BEFORE INSERT OR UPDATE ON reloc.land_quota
    FOR EACH ROW EXECUTE FUNCTION reloc.land_amount_normalise();
CREATE TRIGGER land_amount_normalise BEFORE INSERT OR UPDATE ON reloc.land_allocation
    FOR EACH ROW EXECUTE FUNCTION reloc.land_amount_normalise();

-- The balance counts land units. Its ha columns stay for readers (derived, to 0.0001 ha).
ALTER TABLE reloc.land_quota_balance DROP CONSTRAINT land_allocation_within_quota,
    ADD COLUMN quota_units bigint NOT NULL DEFAULT 0,
    ADD COLUMN allocated_units bigint NOT NULL DEFAULT 0;
UPDATE reloc.land_quota_balance b
SET quota_units = coalesce((SELECT sum(q.area_units) FROM reloc.land_quota q
                            WHERE q.year = b.year AND reloc.land_holder_key(q.holder_city_id, q.holder_park_id) = b.holder_key), 0),
    allocated_units = coalesce((SELECT sum(a.area_units) FROM reloc.land_allocation a
                                WHERE a.released_on IS NULL AND a.year = b.year
                                  AND reloc.land_holder_key(a.holder_city_id, a.holder_park_id) = b.holder_key), 0);
ALTER TABLE reloc.land_quota_balance DROP COLUMN quota_ha, DROP COLUMN allocated_ha,
    ADD COLUMN quota_ha numeric GENERATED ALWAYS AS (round(quota_units / 150000.0, 4)) STORED,
    ADD COLUMN allocated_ha numeric GENERATED ALWAYS AS (round(allocated_units / 150000.0, 4)) STORED,
    ADD CONSTRAINT land_allocation_within_quota CHECK (allocated_units >= 0 AND allocated_units <= quota_units);

DROP FUNCTION reloc.land_balance_adjust(integer, bigint, bigint, numeric, numeric, text);

-- Adds to a holder-year balance under its row lock, after checking the result, in land units.
-- SECURITY DEFINER: the balance is the owner's; callers only read it. The lock is 0005's: every
-- allocation from one holder-year queues on this row, so the sum never exceeds the quota.
CREATE FUNCTION reloc.land_balance_adjust(the_year integer, city_id bigint, park_id bigint,
                                          quota_delta bigint, allocated_delta bigint, asked text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    key constant text := reloc.land_holder_key(city_id, park_id);
    b reloc.land_quota_balance;
BEGIN
    IF quota_delta > 0 THEN
        INSERT INTO reloc.land_quota_balance (year, holder_key, holder_city_id, holder_park_id)
        VALUES (the_year, key, city_id, park_id)
        ON CONFLICT (year, holder_key) DO NOTHING;
    END IF;
    SELECT * INTO b FROM reloc.land_quota_balance WHERE year = the_year AND holder_key = key FOR UPDATE;
    IF NOT FOUND THEN
        b.quota_units := 0;
        b.allocated_units := 0;
    END IF;
    IF b.allocated_units + allocated_delta > b.quota_units + quota_delta THEN
        IF allocated_delta > 0 THEN
            PERFORM reloc.raise_rule('land_allocation_within_quota',
                format('%s, %s: quota %s, allocated %s, remaining %s; asked for %s', reloc.land_holder_label(city_id, park_id),
                       the_year, reloc.land_units_text(b.quota_units), reloc.land_units_text(b.allocated_units),
                       reloc.land_units_text(b.quota_units - b.allocated_units),
                       coalesce(asked, reloc.land_units_text(allocated_delta))));
        ELSE
            PERFORM reloc.raise_rule('land_quota_covers_allocations',
                format('%s, %s: quota would be %s, but %s is allocated', reloc.land_holder_label(city_id, park_id),
                       the_year, reloc.land_units_text(b.quota_units + quota_delta),
                       reloc.land_units_text(b.allocated_units)));
        END IF;
    END IF;
    UPDATE reloc.land_quota_balance
    SET quota_units = quota_units + quota_delta, allocated_units = allocated_units + allocated_delta
    WHERE year = the_year AND holder_key = key;
END $$;
REVOKE ALL ON FUNCTION reloc.land_balance_adjust(integer, bigint, bigint, bigint, bigint, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION reloc.land_quota_after_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.year = OLD.year AND NEW.holder_city_id IS NOT DISTINCT FROM OLD.holder_city_id
       AND NEW.holder_park_id IS NOT DISTINCT FROM OLD.holder_park_id THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id,
                                          NEW.area_units - OLD.area_units, 0::bigint);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM reloc.land_balance_adjust(OLD.year, OLD.holder_city_id, OLD.holder_park_id, -OLD.area_units, 0::bigint);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id, NEW.area_units, 0::bigint);
    END IF;
    RETURN NULL;
END $$;

-- Amounts only (the allocation's other rules are 0005's and later migrations'): counts land units.
CREATE OR REPLACE FUNCTION reloc.land_allocation_after_write() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id, 0::bigint, NEW.area_units,
                                          reloc.land_amount_text(NEW.amount, NEW.unit));
    ELSIF TG_OP = 'UPDATE' AND OLD.released_on IS NULL AND NEW.released_on IS NOT NULL THEN
        PERFORM reloc.land_balance_adjust(NEW.year, NEW.holder_city_id, NEW.holder_park_id, 0::bigint, -NEW.area_units);
    ELSIF TG_OP = 'DELETE' AND OLD.released_on IS NULL THEN
        PERFORM reloc.land_balance_adjust(OLD.year, OLD.holder_city_id, OLD.holder_park_id, 0::bigint, -OLD.area_units);
    END IF;
    RETURN NULL;
END $$;

REVOKE ALL ON FUNCTION reloc.land_amount_normalise(), reloc.add_clean_text_checks() FROM PUBLIC;

------------------------------------------------------------------------------------------------
-- 5. One enterprise once: unique by USCC when given and by (plan, name); withdrawal of a wrong entry
------------------------------------------------------------------------------------------------
-- The name as compared: full-width forms to ASCII, no spaces of any width, case folded
-- ("长春轨道 客车装备" and "长春轨道客车装备" are one enterprise).
CREATE FUNCTION reloc.enterprise_name_key(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN lower(regexp_replace(reloc.halfwidth(name), '[\s\u00a0\u3000\ufeff]+', '', 'g'));

-- Withdrawn, not deleted (never a raw DELETE): the row stays with its reason, date and login, so
-- the audit trail and anything that once pointed at it still make sense; it is hidden from lists
-- and frees its name and USCC for the right entry.
ALTER TABLE reloc.enterprise
    ADD COLUMN withdrawn_on date,
    ADD COLUMN withdrawn_reason text CONSTRAINT enterprise_withdrawn_reason_text
        CHECK (reloc.is_clean_text(withdrawn_reason, 4000, true)),
    ADD COLUMN withdrawn_by_login text CONSTRAINT enterprise_withdrawn_by_login_text
        CHECK (reloc.is_clean_text(withdrawn_by_login, 200, false)),
    ADD CONSTRAINT enterprise_withdrawal CHECK (
        (withdrawn_on IS NULL) = (withdrawn_reason IS NULL) AND (withdrawn_on IS NULL) = (withdrawn_by_login IS NULL));
INSERT INTO reloc.rule (name, table_name, section, message, hint)
SELECT n, 'enterprise', NULL, 'a withdrawal''s reason is at most 4000 characters without control characters', NULL
FROM unnest(ARRAY['enterprise_withdrawn_reason_text', 'enterprise_withdrawn_by_login_text']) n;

ALTER TABLE reloc.enterprise DROP CONSTRAINT enterprise_uscc_key;
CREATE UNIQUE INDEX enterprise_uscc_key ON reloc.enterprise (uscc) WHERE withdrawn_on IS NULL;
CREATE UNIQUE INDEX enterprise_plan_name_key ON reloc.enterprise (plan_id, reloc.enterprise_name_key(name))
    WHERE withdrawn_on IS NULL;

-- One transaction at a time changes what rests on an enterprise (allocations, sites, milestones)
-- or withdraws it. 0005's advisory lock did not do it under REPEATABLE READ: the second transaction
-- waited, then read its old snapshot and missed the first's allocation or withdrawal, and both
-- committed. Both now write the enterprise's guard row (an upsert): under READ COMMITTED the second
-- waits and then reads fresh rows (so it is refused by the rule); under REPEATABLE READ or
-- SERIALIZABLE the row changed after its snapshot, so PostgreSQL refuses it (40001, try again).
-- Redefines 0005's reloc.lock_enterprise_land, so park, mode and taken-back changes gain it too.
CREATE TABLE reloc.enterprise_land_guard (
    enterprise_id bigint PRIMARY KEY,
    turns bigint NOT NULL DEFAULT 1
);
REVOKE ALL ON reloc.enterprise_land_guard FROM PUBLIC;
COMMENT ON TABLE reloc.enterprise_land_guard IS
    'One row per enterprise, written by reloc.lock_enterprise_land only: what serialises a withdrawal with what rests on the enterprise.';

CREATE OR REPLACE FUNCTION reloc.lock_enterprise_land(enterprise_ref bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO reloc.enterprise_land_guard AS g (enterprise_id) VALUES (enterprise_ref)
    ON CONFLICT (enterprise_id) DO UPDATE SET turns = g.turns + 1
$$;

-- Runs after enterprise_before_write (name order) has normalised: spaces inside a name collapse to
-- one; a withdrawn enterprise changes no more; a withdrawal records who
-- and when itself and waits for, then respects, land allocations and sites resting on it.
CREATE FUNCTION reloc.enterprise_once() RETURNS trigger
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
        NEW.withdrawn_by_login := session_user;
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

CREATE TRIGGER enterprise_once BEFORE INSERT OR UPDATE ON reloc.enterprise
    FOR EACH ROW EXECUTE FUNCTION reloc.enterprise_once();

-- Nothing new rests on a withdrawn enterprise: an allocation or a site for it is refused. Takes
-- the enterprise's land lock first, so a withdrawal and an allocation or a site never both pass.
CREATE FUNCTION reloc.not_on_withdrawn_enterprise() RETURNS trigger
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

CREATE TRIGGER a_not_on_withdrawn_enterprise BEFORE INSERT ON reloc.land_allocation
    FOR EACH ROW EXECUTE FUNCTION reloc.not_on_withdrawn_enterprise();
CREATE TRIGGER a_not_on_withdrawn_enterprise BEFORE INSERT OR UPDATE OF enterprise_id ON reloc.site
    FOR EACH ROW EXECUTE FUNCTION reloc.not_on_withdrawn_enterprise();

-- Nor a milestone, open or reopened, nor a progress report on one of its milestones (issue 11: a
-- withdrawn enterprise's milestones were reminded and took progress). Done milestones stay on record.
CREATE FUNCTION reloc.milestone_not_on_withdrawn_enterprise() RETURNS trigger
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

CREATE TRIGGER a_not_on_withdrawn_enterprise BEFORE INSERT OR UPDATE OF enterprise_id, done_on ON reloc.milestone
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_not_on_withdrawn_enterprise();
CREATE TRIGGER a_not_on_withdrawn_enterprise BEFORE INSERT ON reloc.progress_report
    FOR EACH ROW EXECUTE FUNCTION reloc.milestone_not_on_withdrawn_enterprise();


------------------------------------------------------------------------------------------------
-- The CSV import (0002's, redefined): capacities through reloc.parse_capacity, four decimal places
-- for site_ha, clean names, and duplicates by (plan, name) within the file and against the
-- register reported as bad lines (all or nothing, as before).
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.import_enterprises() RETURNS TABLE (line_no integer, reason text)
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
               reloc.parse_capacity(capacity_text) AS cap_old,
               reloc.parse_capacity(new_capacity_text) AS cap_new,
               reloc.enterprise_name_key(src.name) AS name_key,
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
    -- One enterprise once in a plan (enterprise_plan_name_key): within the file and against the register.
    same_names AS (
        SELECT plan_id, name_key, array_agg(line ORDER BY line) AS lines FROM parsed
        WHERE plan_id IS NOT NULL AND name_key IS NOT NULL GROUP BY plan_id, name_key HAVING count(*) > 1
    ),
    checked AS (
        SELECT r.*,
               array_to_string(ARRAY[
                   CASE WHEN r.plan_code IS NULL THEN 'plan is empty'
                        WHEN r.plan_id IS NULL THEN format('unknown plan %s', r.plan_code)
                        WHEN NOT province AND NOT (r.plan_city = ANY (acting) OR coalesce(r.plan_district = ANY (acting), false))
                        THEN format('permission: plan %s is not in your city', r.plan_code) END,
                   CASE WHEN r.name IS NULL THEN 'name is empty'
                        WHEN NOT reloc.is_clean_text(r.name, 200)
                        THEN format('name "%s" is longer than 200 characters or holds control or invisible format characters (enterprise_name_text)',
                                    CASE WHEN char_length(r.name) > 60 THEN left(r.name, 60) || '…' ELSE r.name END) END,
                   CASE WHEN NOT reloc.is_clean_text(r.industry, 200)
                        THEN format('industry "%s" is longer than 200 characters or holds control or invisible format characters (enterprise_industry_text)',
                                    CASE WHEN char_length(r.industry) > 60 THEN left(r.industry, 60) || '…' ELSE r.industry END) END,
                   CASE WHEN n.lines IS NOT NULL
                        THEN format('%s appears on lines %s of the file for plan %s (enterprise_plan_name_key)', r.name, array_to_string(n.lines, ', '), r.plan_code) END,
                   CASE WHEN r.plan_id IS NOT NULL AND r.name_key IS NOT NULL
                        THEN (SELECT format('%s is already registered in plan %s as enterprise %s (enterprise_plan_name_key)', r.name, r.plan_code, e.id)
                              FROM reloc.enterprise e
                              WHERE e.plan_id = r.plan_id AND e.withdrawn_on IS NULL AND reloc.enterprise_name_key(e.name) = r.name_key
                              ORDER BY e.id LIMIT 1) END,
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
                   CASE WHEN EXISTS (SELECT FROM reloc.enterprise e WHERE e.uscc = r.uscc AND e.withdrawn_on IS NULL)
                        THEN format('USCC %s is already registered (enterprise_uscc_key)', r.uscc) END,
                   CASE WHEN r.site_ha_text IS NOT NULL AND r.site_ha IS NULL THEN format('site_ha is not a number: "%s"', r.site_ha_text) END,
                   CASE WHEN r.site_mu_text IS NOT NULL AND r.site_mu IS NULL THEN format('site_mu is not a number: "%s"', r.site_mu_text) END,
                   CASE WHEN r.site_ha_text IS NOT NULL AND r.site_mu_text IS NOT NULL THEN 'give site_ha or site_mu, not both' END,
                   CASE WHEN r.site_ha <> round(r.site_ha, 4)
                        THEN format('site_ha %s has more than four decimal places: areas are kept to 0.0001 ha (enterprise_site_area_places)', r.site_ha_text) END,
                   CASE WHEN r.site_mu <> round(r.site_mu, 4)
                        THEN format('site_mu %s has more than four decimal places (enterprise_site_area_places)', r.site_mu_text)
                        -- Kept in ha to 0.0001: only a multiple of 0.0015 mu converts exactly (as the CLI).
                        WHEN r.site_mu * 10000 % 15 <> 0
                        THEN format('site_mu %s is %s… ha, more than four decimal places of ha: give site_ha, or mu in steps of 0.0015 (enterprise_site_area_places)',
                                    r.site_mu_text, round(r.site_mu / 15, 8)) END,
                   CASE WHEN r.site_ha < 0 OR r.site_mu < 0 THEN 'a site area is not negative (enterprise_site_area_nonnegative)'
                        WHEN r.site_ha >= 100000000 OR r.site_mu >= 1500000000 THEN 'the site area is too large (enterprise_site_area_nonnegative)' END,
                   CASE WHEN r.employees_text IS NOT NULL AND r.employees IS NULL THEN format('employees is not a whole number: "%s"', r.employees_text) END,
                   CASE WHEN r.surplus_text IS NOT NULL AND r.surplus_workers IS NULL THEN format('surplus_workers is not a whole number: "%s"', r.surplus_text) END,
                   CASE WHEN r.employees < 0 OR r.surplus_workers < 0 THEN 'employees and surplus workers are not negative (enterprise_workers)'
                        WHEN r.surplus_workers > r.employees
                        THEN format('surplus_workers %s exceeds employees %s (enterprise_workers)', r.surplus_workers, r.employees) END,
                   CASE WHEN r.capacity_text IS NOT NULL AND (r.cap_old).amount IS NULL
                        THEN format('capacity is not a number and a unit (e.g. "30 万吨/年"): "%s"', r.capacity_text) END,
                   CASE WHEN r.new_capacity_text IS NOT NULL AND (r.cap_new).amount IS NULL
                        THEN format('new_capacity is not a number and a unit (e.g. "25 万吨/年"): "%s"', r.new_capacity_text) END,
                   CASE WHEN r.new_capacity_text IS NOT NULL AND r.capacity_text IS NULL
                        THEN 'a new capacity needs the old capacity to compare with (enterprise_capacity_not_increased, §四(二))'
                        WHEN (r.cap_old).unit <> (r.cap_new).unit
                        THEN format('capacity units differ ("%s" vs "%s"): give both in the same unit', (r.cap_old).unit, (r.cap_new).unit)
                        WHEN (r.cap_new).amount > (r.cap_old).amount
                        THEN format('new capacity %s exceeds the old %s %s (等量或减量置换, enterprise_capacity_not_increased, §四(二))',
                                    (r.cap_new).amount, (r.cap_old).amount, (r.cap_old).unit) END,
                   CASE WHEN r.listed_text IS NOT NULL AND r.listed_in_plan IS NULL
                        THEN format('listed_in_plan is not yes/no, true/false, 是/否 or 1/0: "%s"', r.listed_text) END
               ], '; ') AS reasons
        FROM parsed r
        LEFT JOIN duplicates d ON d.uscc = r.uscc
        LEFT JOIN same_names n ON n.plan_id = r.plan_id AND n.name_key = r.name_key
    ),
    bad AS (
        SELECT c.line, c.reasons FROM checked c WHERE c.reasons <> ''
    ),
    inserted AS (
        INSERT INTO reloc.enterprise (plan_id, name, mode, park_id, industry, high_risk, uscc, site_area_ha,
                                      employees, surplus_workers, capacity_old, capacity_old_unit, capacity_new,
                                      capacity_new_unit, listed_in_plan)
        SELECT c.plan_id, c.name, c.mode, c.park_id, c.industry, c.high_risk, c.uscc,
               coalesce(c.site_ha, reloc.ha_from_mu(c.site_mu)),
               c.employees, c.surplus_workers, (c.cap_old).amount, (c.cap_old).unit,
               (c.cap_new).amount, (c.cap_new).unit, c.listed_in_plan
        FROM checked c
        WHERE NOT EXISTS (SELECT FROM bad)
        ORDER BY c.line
        RETURNING 1
    )
    SELECT b.line, b.reasons FROM bad b ORDER BY b.line;
END $$;
COMMENT ON FUNCTION reloc.import_enterprises() IS
    'Checks pg_temp.enterprise_import set-based as the acting organisation; returns (line_no, reason) for every bad line, or inserts all lines and returns nothing.';


-- Last: every text column, including those added above, has its check.
SELECT reloc.add_clean_text_checks();

RESET ROLE;
