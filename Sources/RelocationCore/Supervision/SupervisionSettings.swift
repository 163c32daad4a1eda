import LibPQClient

/// The province's settings of the supervision loop (督办, issue 15), each in working days: one row
/// of `reloc.supervision_setting` (0020). Everyone reads them; the province sets them.
public struct SupervisionSettings {
    let db: PGConnection

    public init(_ db: PGConnection) { self.db = db }

    /// What `supervision settings` changes; nil leaves a setting as it is.
    public struct Change: Sendable, Equatable {
        /// 签收: acknowledge within this many working days of the assignment.
        public var acknowledgeWithin: Int?
        /// 延期申请: working days after the due date a request is still taken (0: before it).
        public var extensionGrace: Int?
        /// 办结审核: a completion under review this many working days goes into the province's digest.
        public var reviewWithin: Int?
        /// 黄灯: an open milestone due within this many working days is yellow.
        public var dueSoonWithin: Int?

        public init(
            acknowledgeWithin: Int? = nil, extensionGrace: Int? = nil, reviewWithin: Int? = nil,
            dueSoonWithin: Int? = nil
        ) {
            self.acknowledgeWithin = acknowledgeWithin
            self.extensionGrace = extensionGrace
            self.reviewWithin = reviewWithin
            self.dueSoonWithin = dueSoonWithin
        }

        public var isEmpty: Bool { self == Change() }
    }

    /// The one row: acknowledge_within, extension_grace, review_within, due_soon_within, updated_at.
    public func show() throws -> PGResult {
        try db.query(
            """
            SELECT s.acknowledge_within, s.extension_grace, s.review_within, s.due_soon_within, s.updated_at
            FROM reloc.supervision_setting s
            """)
    }

    /// Sets what the change gives; province only (42501 otherwise, rule supervision_setting_writers
    /// or row-level security). A value out of range: rule supervision_setting_range.
    public func set(_ change: Change) throws {
        let updated = try db.execute(
            """
            UPDATE reloc.supervision_setting SET
                acknowledge_within = coalesce(\(change.acknowledgeWithin)::bigint, acknowledge_within),
                extension_grace = coalesce(\(change.extensionGrace)::bigint, extension_grace),
                review_within = coalesce(\(change.reviewWithin)::bigint, review_within),
                due_soon_within = coalesce(\(change.dueSoonWithin)::bigint, due_soon_within)
            """)
        if updated == 0 {
            // Row-level security hides the row from an UPDATE by anyone but the province.
            throw PermissionRefusal(
                rule: "supervision_setting_writers", detail: "the supervision settings are the province's")
        }
    }
}
