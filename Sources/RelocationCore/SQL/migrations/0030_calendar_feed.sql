-- 0030 calendar feeds (issue 17, "each organisation has a secret, revocable feed URL for the same
-- calendar"): reloc-web serves `GET /calendar/<token>.ics` without a session, the calendar of
-- `reloc milestone ical --org CODE` for the feed's organisation. The token is the key: only its
-- SHA-256 is kept here (a copy of this table opens no feed), it is shown once when made
-- (`reloc milestone ical-feed create`), and a revoked feed answers 404 for ever.
-- Functions, triggers and policies: sql/definitions/76_calendar_feed.sql.

SET LOCAL ROLE reloc_owner;

INSERT INTO reloc.rule (name, table_name, section, message, hint) VALUES
('calendar_feed_writers', 'calendar_feed', NULL,
 'the organisation acted for may not make or revoke this calendar feed (an organisation makes and revokes its own feeds; the province any organisation''s)',
 'act as the feed''s organisation or as the province (--as ORG); reloc milestone ical-feed list'),
('calendar_feed_revoke_only', 'calendar_feed', NULL,
 'a calendar feed is only ever revoked, once; make a new one for a new address',
 'reloc milestone ical-feed revoke ID; reloc milestone ical-feed create')
ON CONFLICT (name) DO NOTHING;

CREATE TABLE reloc.calendar_feed (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id bigint NOT NULL CONSTRAINT calendar_feed_org_id_fkey REFERENCES reloc.organisation (id),
    token_hash bytea NOT NULL CONSTRAINT calendar_feed_token_hash_key UNIQUE,
    -- What the feed is for (whose calendar program), so that the right one can be revoked.
    label text,
    -- Stamped by the database (76_calendar_feed.sql), never by the writer.
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL DEFAULT session_user,
    revoked_at timestamptz,
    revoked_by text,
    CONSTRAINT calendar_feed_token_hash_length CHECK (octet_length(token_hash) = 32),
    CONSTRAINT calendar_feed_revoked CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
COMMENT ON TABLE reloc.calendar_feed IS
    'Secret calendar feed addresses of organisations (reloc-web /calendar/<token>.ics): the token''s SHA-256 only, who made it, and when and by whom revoked.';
CREATE INDEX calendar_feed_org ON reloc.calendar_feed (org_id);
ALTER TABLE reloc.calendar_feed ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
REVOKE ALL ON reloc.calendar_feed FROM PUBLIC;
-- The hash is not for reading back: nothing needs it but the lookup (reloc.calendar_feed_find).
GRANT SELECT (id, org_id, label, created_at, created_by, revoked_at, revoked_by) ON reloc.calendar_feed TO reloc_app;
GRANT INSERT (org_id, token_hash, label) ON reloc.calendar_feed TO reloc_app;
GRANT UPDATE (revoked_at) ON reloc.calendar_feed TO reloc_app;

SELECT reloc.audit_table('reloc.calendar_feed'::regclass, ARRAY['id'], ARRAY['token_hash']);

RESET ROLE;

SELECT reloc.add_clean_text_checks();
