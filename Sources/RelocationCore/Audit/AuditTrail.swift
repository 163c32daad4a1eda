import LibPQClient

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The audit trail: every insert, update and delete on the programme's tables, written by the
/// database's triggers into `reloc.audit` (migration 0003) and never changed. What a session
/// reads is decided by row-level security: the province reads every change, any other
/// organisation the changes made while acting for it.
public struct AuditTrail {
    /// Which changes to list; nil means any.
    public struct Filter: Sendable {
        /// A table of schema reloc, with or without the `reloc.` prefix (`enterprise`, `plan` …).
        public var table: String?
        /// The row: its code (plans, parks, organisations) or its id.
        public var key: String?
        /// The organisation the change was made for (its code).
        public var organisation: String?
        /// Changes on or after the start of this day in Asia/Shanghai (or `reloc.timezone`).
        public var since: CalendarDate?
        /// The latest `limit` changes (nil: all), printed oldest first.
        public var limit: Int?

        public init(
            table: String? = nil, key: String? = nil, organisation: String? = nil, since: CalendarDate? = nil,
            limit: Int? = nil
        ) {
            self.table = table
            self.key = key
            self.organisation = organisation
            self.since = since
            self.limit = limit
        }
    }

    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// The tables whose changes are recorded (those with the audit triggers).
    public func auditedTables() throws -> [String] {
        try db.query(
            """
            SELECT DISTINCT c.relname::text FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'reloc' AND t.tgname = 'audit_row' ORDER BY 1
            """
        ).decode(String.self)
    }

    /// One line per change for people: local time, login, organisation (or the role, when the
    /// change was made for none), table, key, action and what changed (`column: old→new` for
    /// updates; the row's name for inserts and deletes).
    public func summary(_ filter: Filter) throws -> PGResult {
        try db.query(
            """
            SELECT to_char(a.at AT TIME ZONE \(unsafeRaw: Self.timeZone), 'YYYY-MM-DD HH24:MI:SS') AS time,
                   a.login, coalesce(a.acting_org_code, a.acting_role) AS org, a.table_name AS "table",
                   a.row_key AS key, a.action,
                   CASE a.action
                   WHEN 'update' THEN coalesce(
                       (SELECT string_agg(format('%s: %s→%s', n.key, \(unsafeRaw: Self.short("a.old_values -> n.key")),
                                                 \(unsafeRaw: Self.short("n.value"))), '; ' ORDER BY n.key)
                        FROM jsonb_each(a.new_values) n WHERE n.key <> 'updated_at'), '')
                   ELSE concat_ws(' ', \(unsafeRaw: Self.label("coalesce(a.new_values, a.old_values)")))
                   END AS changes
            FROM \(try selected(filter)) a
            ORDER BY a.id
            """)
    }

    /// Every change in full: `old` and `new` are whole rows (for an update, `new` is the old row
    /// with the changed columns applied), `changed` the columns an update changed.
    public func entries(_ filter: Filter) throws -> PGResult {
        try entryRows(filter).result()
    }

    /// The same changes, their rows to be read as they arrive (`reloc audit --limit 0` exports
    /// the whole trail: issue 17, bounded memory).
    public func entryRows(_ filter: Filter) throws -> PGRowSource {
        PGRowSource(
            db,
            """
            SELECT a.id, a.at, a.login, a.acting_role, a.acting_org_code AS org, a.table_name AS "table",
                   a.row_key AS key, a.row_id, a.action,
                   CASE WHEN a.action = 'update'
                        THEN (SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') FROM jsonb_object_keys(a.new_values) k) END
                       AS changed,
                   a.old_values AS old,
                   CASE WHEN a.action = 'update' THEN a.old_values || a.new_values ELSE a.new_values END AS new,
                   a.transaction_id
            FROM \(try selected(filter)) a
            ORDER BY a.id
            """)
    }

    /// The latest rows that pass the filter, as a subquery.
    func selected(_ filter: Filter) throws -> SQLQuery {
        let table = try filter.table.map(requireAudited)
        let organisation = filter.organisation?.uppercased()
        try Organisations(db).requireExists(organisation)
        return """
            (SELECT * FROM reloc.audit a
             WHERE (\(table)::text IS NULL OR a.table_name = \(table))
               AND (\(filter.key)::text IS NULL OR a.row_key IN (\(filter.key), upper(\(filter.key)))
                    OR a.row_id::text = \(filter.key))
               AND (\(organisation)::text IS NULL OR a.acting_org_code = \(organisation))
               AND (\(filter.since)::date IS NULL OR a.at >= (\(filter.since)::date::timestamp AT TIME ZONE \(unsafeRaw: Self.timeZone)))
             ORDER BY a.id DESC
             LIMIT \(filter.limit))
            """
    }

    func requireAudited(_ name: String) throws -> String {
        let lower = name.lowercased()
        let table = lower.hasPrefix("reloc.") ? String(lower.dropFirst("reloc.".count)) : lower
        let audited = try auditedTables()
        guard audited.contains(table) else {
            throw RelocError.invalidInput(
                "no audited table \(name); the audited tables are \(audited.joined(separator: ", "))")
        }
        return table
    }

    /// The programme's calendar is Asia/Shanghai's (DOMAIN.md), unless the session says otherwise.
    static let timeZone = "coalesce(nullif(current_setting('reloc.timezone', true), ''), 'Asia/Shanghai')"

    /// A jsonb value as short text: strings unquoted, NULL as "∅", cut at 30 characters.
    static func short(_ value: String) -> String {
        """
        CASE WHEN \(value) IS NULL OR jsonb_typeof(\(value)) = 'null' THEN '∅'
             WHEN length(\(value) #>> '{}') > 30 THEN left(\(value) #>> '{}', 29) || '…'
             ELSE \(value) #>> '{}' END
        """
    }

    /// What names a row in one line: its name (or title; for land, its hectares and document)
    /// and, for a status step, the step.
    static func label(_ row: String) -> String {
        """
        coalesce(\(row) ->> 'name_zh', \(row) ->> 'name', \(row) ->> 'title',
                 CASE WHEN \(row) ? 'hectares' THEN concat_ws(' ', (\(row) ->> 'hectares') || ' ha', \(row) ->> 'doc') END),
        CASE WHEN \(row) ? 'to_status' THEN format('%s→%s', \(row) ->> 'from_status', \(row) ->> 'to_status') END,
        left(\(row) ->> 'note', 30)
        """
    }
}
