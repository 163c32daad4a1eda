-- The words of the codes (reloc.term, 0016): the Chinese and English names that human tables show.
--
-- A repeatable definition (docs/migrations.md): the current text of every function, trigger binding and
-- policy of this concern. Edit it in place; `reloc db migrate` applies it again, after every numbered migration.

-- Every role reads the names (they are no organisation's data); only migrations, as the owner,
-- write them: the Swift enums are tested against this table (TermDriftTests).
DROP POLICY IF EXISTS term_read ON reloc.term;
CREATE POLICY term_read ON reloc.term FOR SELECT USING (true);
DROP POLICY IF EXISTS term_owner_write ON reloc.term;
CREATE POLICY term_owner_write ON reloc.term FOR ALL TO reloc_owner USING (true) WITH CHECK (true);
