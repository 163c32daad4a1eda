-- 0015 repeatable definitions: where `reloc db migrate` records the files of sql/definitions it
-- has applied (docs/migrations.md). Functions, trigger bindings and policies live there, one
-- concern per file, and are applied again, all of them in file order in one transaction, after
-- every numbered migration whenever a file's checksum differs from the one recorded here or a
-- migration was applied since (a migration may drop what a file defines).
--
-- Beside public.reloc_schema_migration, the runner's own history: both belong to the login that
-- migrates (the database administrator), not to reloc_owner, and no application role reads them.
CREATE TABLE IF NOT EXISTS public.reloc_schema_definition (
    file_name   text PRIMARY KEY CHECK (file_name ~ '^[0-9]{2}_[a-z0-9_]+[.]sql$'),
    checksum    text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    applied_at  timestamptz NOT NULL DEFAULT now(),
    applied_by  text NOT NULL DEFAULT session_user,
    duration_ms bigint NOT NULL CHECK (duration_ms >= 0)
);
COMMENT ON TABLE public.reloc_schema_definition IS
    'The files of sql/definitions as `reloc db migrate` last applied them (SHA-256 of each file); see docs/migrations.md.';
REVOKE ALL ON public.reloc_schema_definition FROM PUBLIC;
