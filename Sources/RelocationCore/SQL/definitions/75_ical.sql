------------------------------------------------------------------------------------------------
-- Calendars (issue 17, `reloc milestone ical`): a calendar program updates an event it already
-- holds only when the event's SEQUENCE grows (RFC 5545 §3.8.7.4). A milestone's sequence is the
-- number of times its due date was moved, counted in the audit trail: deterministic, the same in
-- every export, and growing with each move whoever moved it (the province, or the database when a
-- plan's deadline moves and its milestones follow, 0011). An organisation's role reads only its
-- own audit records, so the count is read here, as the owner: it reveals nothing a reader of the
-- milestone does not see already (every role reads every milestone and its due date, 50_tasks).
------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION reloc.milestone_due_moves(milestone_ids bigint[])
RETURNS TABLE (milestone_id bigint, due_moves bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT m.id,
           (SELECT count(*) FROM reloc.audit a
            WHERE a.table_name = 'milestone' AND a.row_key = m.id::text AND a.row_id = m.id AND a.action = 'update'
              AND a.new_values ? 'due_on')
    FROM reloc.milestone m
    WHERE m.id = ANY (milestone_ids)
$$;
COMMENT ON FUNCTION reloc.milestone_due_moves(bigint[]) IS
    'How many times each milestone''s due date was moved (its calendar SEQUENCE, reloc milestone ical).';
REVOKE ALL ON FUNCTION reloc.milestone_due_moves(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reloc.milestone_due_moves(bigint[]) TO reloc_app;
