-- 0026 (issue 14, last item): an enterprise's mode (§四(二): 就地改造 in-situ, 异地迁建 relocate,
-- 依法关停 close) is unknown (NULL) until someone says which, as listed_in_plan is since 0021: a fact
-- the opinion does not give is unknown, not a guess.
--
-- * reloc.enterprise.mode loses its NOT NULL. The CHECK enterprise_mode_check (mode IN …) already
--   lets NULL through.
-- * enterprise_mode_known: while the mode is unknown, the enterprise may be registered, edited and
--   surveyed for industrial heritage (§四(五): every mode starts there), nothing that depends on the
--   mode: no later step (relocating, closing, renovating …), no receiving park, no land allocation,
--   no relocation milestone (sql/definitions: 30_register, 40_land, 55_deadlines give the words). A
--   mode once known is changed as before (enterprise_status_matches_mode), never made unknown again.
--   The CHECK is the backstop of the trigger's words (e.g. when triggers are off).
-- * The reference data of jilin-2014 recorded mode relocate for the thirteen enterprises of §四(二)
--   because the column could not say "unknown". The opinion gives none of them a mode: it says
--   加快推进…尽快完成搬迁改造 and 重点推动…开展搬迁改造, where 搬迁改造 is the programme's word for all
--   three modes (对城区老工业区企业视情况分别实施就地改造、异地迁建和依法关停等, §四(二)). Those rows go
--   back to unknown — only where the value is still the invented one: mode relocate, no receiving
--   park, no step past the heritage survey, no relocation milestone, and nobody ever set the mode
--   (no audited change of it). sql/seed/jilin-2014/10_register.sql no longer invents it.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('enterprise_mode_known', 'enterprise', '四(二)',
 'an enterprise whose mode (in-situ 就地改造, relocate 异地迁建 or close 依法关停) is unknown may be registered, edited and surveyed for industrial heritage; a step after the survey, a receiving park, land allocated to it and its relocation milestones wait until its mode is set, and a mode once set is not made unknown again (§四(二))',
 'set the mode first: reloc enterprise edit ID --mode in-situ|relocate|close')
ON CONFLICT (name) DO NOTHING;

-- Meant: the column could not say "unknown" (issue 14). The clients of this release give a mode or
-- nothing; every stored row keeps its mode.
-- squawk-ignore ban-drop-not-null
ALTER TABLE reloc.enterprise ALTER COLUMN mode DROP NOT NULL;
COMMENT ON COLUMN reloc.enterprise.mode IS
    '§四(二): in-situ (就地改造), relocate (异地迁建) or close (依法关停); NULL: unknown (not given by the source).';

-- Every stored row has a mode (NOT NULL until the statement above), so the check holds for them
-- without a scan: NOT VALID checks the rows written from now on, the data fix below included.
ALTER TABLE reloc.enterprise ADD CONSTRAINT enterprise_mode_known
    CHECK (mode IS NOT NULL OR (status IN ('registered', 'heritage-surveyed') AND park_id IS NULL)) NOT VALID;

-- The data fix (§四(二) gives none of the thirteen a mode). The enterprise's BEFORE UPDATE trigger
-- of the release before this one refuses a NULL mode; its new text (30_register.sql) is applied
-- after the numbered migrations, so it is off for this one statement (the audit trigger stays on:
-- the change is in reloc.audit). Row-level security is forced on the owner, who has no update
-- policy of its own here.
ALTER TABLE reloc.enterprise DISABLE TRIGGER enterprise_before_write;
ALTER TABLE reloc.enterprise NO FORCE ROW LEVEL SECURITY;
UPDATE reloc.enterprise e SET mode = NULL, updated_at = now()
WHERE e.source_document = '吉政办发〔2014〕29号'
  AND e.name IN ('长春轨道客车装备', '哈达湾冀东水泥', '一汽四平专用车', '辽源百康药业', '通化金马',
                 '长春大成集团', '哈达湾中钢吉铁', '中钢吉炭', '四平昊华化工', '东风机械',
                 '一汽辽源汽车电器公司', '吉化公司辽源总厂', '通化石油化工机械')
  AND e.mode = 'relocate' AND e.park_id IS NULL AND e.status IN ('registered', 'heritage-surveyed')
  -- A withdrawn enterprise no longer changes (enterprise_once, which stays on): its record stays
  -- as it was withdrawn (hostile review: one withdrawn row made the whole migration fail).
  AND e.withdrawn_on IS NULL
  AND NOT EXISTS (SELECT FROM reloc.milestone m
                  WHERE m.enterprise_id = e.id AND m.kind IN ('relocation-started', 'relocation-completed'))
  AND NOT EXISTS (SELECT FROM reloc.audit a
                  WHERE a.table_name = 'enterprise' AND a.row_id = e.id AND a.action = 'update'
                    AND a.new_values ? 'mode');
ALTER TABLE reloc.enterprise FORCE ROW LEVEL SECURITY;
ALTER TABLE reloc.enterprise ENABLE TRIGGER enterprise_before_write;

RESET ROLE;
