import LibPQClient

/// What the job sent, to whom and how (`reloc remind history`, `reloc remind retry ID`): the way to
/// check that the daily job ran.
public struct ReminderHistory {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// Messages, newest first.
    /// - Parameters:
    ///   - org: only those to this organisation (code).
    ///   - state: only those in this state.
    ///   - since: only those of runs on or after this date.
    ///   - limit: at most this many (nil: all).
    public func list(org: String?, state: String?, since: CalendarDate?, limit: Int? = nil) throws -> PGResult {
        if let state, !DeliveryState.codes.contains(state) {
            throw RelocError.invalidInput(
                "unknown state \"\(state)\": use one of \(DeliveryState.codes.joined(separator: ", "))")
        }
        return try db.query(
            """
            SELECT m.id, m.as_of, o.code AS org,
                   reloc.url_shown(array_to_string(m.delivered_to, ' ')) AS delivered_to,
                   m.state, m.attempts, jsonb_array_length(m.digest -> 'items') AS items, m.created_at, m.sent_at,
                   reloc.url_shown(coalesce(m.last_error, '')) AS last_error,
                   m.superseded_by,
                   m.idempotency_key::text AS idempotency_key
            FROM reloc.reminder_message m JOIN reloc.organisation o ON o.id = m.recipient_id
            WHERE (\(org?.uppercased())::text IS NULL OR o.code = \(org?.uppercased()))
              AND (\(state)::text IS NULL OR m.state = \(state))
              AND (\(since)::date IS NULL OR m.as_of >= \(since))
            ORDER BY m.id DESC
            LIMIT \(limit)
            """)
    }

    /// `reloc remind status`: the counts of what needs a person or waits, the last run of each of
    /// the latest days, and the dead and waiting messages (those the acting organisation sees).
    public func status(days: Int = 14) throws -> (summary: PGResult, runs: PGResult, messages: PGResult) {
        let summary = try db.query(
            """
            SELECT (SELECT max(finished_at) FROM reloc.reminder_run) AS last_run,
                   (SELECT exit_status FROM reloc.reminder_run ORDER BY id DESC LIMIT 1) AS last_exit_status,
                   count(*) FILTER (WHERE state = 'dead') AS dead,
                   count(*) FILTER (WHERE state IN ('pending', 'retrying', 'sending')) AS waiting,
                   count(*) FILTER (WHERE state = 'no-contact') AS no_contact
            FROM reloc.reminder_message
            """)
        let runs = try db.query(
            """
            SELECT * FROM (
                SELECT DISTINCT ON (as_of) as_of, finished_at, planned, sent, retrying, dead, no_contact, held,
                       superseded, waiting, exit_status
                FROM reloc.reminder_run ORDER BY as_of DESC, id DESC) r
            ORDER BY as_of DESC LIMIT \(days)
            """)
        let messages = try db.query(
            """
            SELECT m.id, m.as_of, o.code AS org, m.state, m.attempts, m.next_attempt_at,
                   reloc.url_shown(coalesce(m.last_error, '')) AS last_error
            FROM reloc.reminder_message m JOIN reloc.organisation o ON o.id = m.recipient_id
            WHERE m.state IN ('dead', 'pending', 'retrying', 'sending')
            ORDER BY m.state = 'dead' DESC, m.id DESC
            LIMIT 200
            """)
        return (summary, runs, messages)
    }

    /// Puts a dead (or waiting) message back in the queue for the next run, attempts reset; the
    /// same idempotency key goes with it. Where it goes is decided when it is sent: the
    /// recipient's contacts then (a fixed or new contact; not one already served).
    public func retry(id: Int64) throws {
        let changed = try db.execute(
            """
            UPDATE reloc.reminder_message
            SET state = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL
            WHERE id = \(id) AND state IN ('dead', 'retrying')
            """)
        guard changed == 0 else { return }
        let rows = try db.query("SELECT state FROM reloc.reminder_message WHERE id = \(id)").rows
        guard let state = try rows.first?.decode(String.self, at: 0) else {
            throw RelocError.notFound("no message \(id) you may retry; see `reloc remind history`")
        }
        let why =
            switch state {
            case "no-contact":
                "message \(id) had no contact to go to: add one with `reloc remind contact add`; the next reminders go there"
            case "superseded":
                "message \(id) was superseded by a later digest before it was sent (see its superseded_by): its reminders still open went there"
            default: "message \(id) is \(state): only dead or retrying messages are retried"
            }
        throw RelocError.invalidInput(why)
    }
}
