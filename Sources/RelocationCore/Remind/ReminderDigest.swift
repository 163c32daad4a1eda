import LibPQClient

/// One recipient's reminders of one run (一次提醒的汇总): every milestone the organisation has to
/// hear about, in one message. The JSON form (snake_case keys) is what the database stores for a
/// message, what a webhook receives and what a `jsonl:` channel writes (docs/usage/remind.md).
public struct ReminderDigest: Sendable, Hashable, Codable {
    /// The organisation the digest is for.
    public var recipient: Recipient
    /// The day the run planned for (`--as-of`, else today in Asia/Shanghai).
    public var asOf: CalendarDate
    public var items: [ReminderItem]
    /// Items beyond the digest's limit (`--max-items`): in the ledger, counted here, not listed.
    public var omitted: Int
    /// In the province's digest: messages that died (投递失败), so a person sees what nobody got.
    public var failedDeliveries: [FailedDelivery]

    public init(
        recipient: Recipient, asOf: CalendarDate, items: [ReminderItem], omitted: Int = 0,
        failedDeliveries: [FailedDelivery] = []
    ) {
        self.recipient = recipient
        self.asOf = asOf
        self.items = items
        self.omitted = omitted
        self.failedDeliveries = failedDeliveries
    }

    enum CodingKeys: String, CodingKey {
        case recipient, items, omitted
        case asOf = "as_of"
        case failedDeliveries = "failed_deliveries"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(recipient, forKey: .recipient)
        try c.encode(asOf, forKey: .asOf)
        try c.encode(items, forKey: .items)
        try c.encode(omitted, forKey: .omitted)
        if !failedDeliveries.isEmpty { try c.encode(failedDeliveries, forKey: .failedDeliveries) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        recipient = try c.decode(Recipient.self, forKey: .recipient)
        asOf = try c.decode(CalendarDate.self, forKey: .asOf)
        items = try c.decodeIfPresent([ReminderItem].self, forKey: .items) ?? []
        omitted = try c.decodeIfPresent(Int.self, forKey: .omitted) ?? 0
        failedDeliveries = try c.decodeIfPresent([FailedDelivery].self, forKey: .failedDeliveries) ?? []
    }

    /// The items in reading order: overdue first (the longest overdue first), then due today,
    /// then due soon (the nearest first); ties by title.
    public var orderedItems: [ReminderItem] {
        items.sorted { a, b in
            if a.stage != b.stage { return a.stage < b.stage }
            if a.daysLeft != b.daysLeft { return a.daysLeft < b.daysLeft }
            return (a.title, a.milestoneID) < (b.title, b.milestoneID)
        }
    }
}

/// A message that died, as the province's digest lists it.
public struct FailedDelivery: Sendable, Hashable, Codable {
    public var messageID: Int64
    public var recipient: Recipient
    public var asOf: CalendarDate
    public var attempts: Int
    public var lastError: String

    enum CodingKeys: String, CodingKey {
        case recipient, attempts
        case messageID = "message_id"
        case asOf = "as_of"
        case lastError = "last_error"
    }
}

/// The organisation a digest is addressed to.
public struct Recipient: Sendable, Hashable, Codable {
    public var code: String
    public var name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// One milestone in a digest.
public struct ReminderItem: Sendable, Hashable, Codable {
    public var milestoneID: Int64
    public var kind: String
    public var title: String
    public var belongsTo: Attachment
    public var dueOn: CalendarDate
    /// Days from the run's date to the due date: negative when overdue, 0 on the day.
    public var daysLeft: Int
    /// True when this item is an escalation (督办) to the province or the city, not the owner's
    /// own reminder.
    public var escalation: Bool
    /// The owner of the milestone, named in escalations so the province knows whom to chase.
    public var owner: Recipient?
    public var latestProgress: LatestProgress?
    /// True when its completion waits for the province's review (待审核, issue 15): the item asks
    /// the province to accept or return it, whatever the due date.
    public var awaitingReview = false

    public init(
        milestoneID: Int64, kind: String, title: String, belongsTo: Attachment, dueOn: CalendarDate, daysLeft: Int,
        escalation: Bool = false, owner: Recipient? = nil, latestProgress: LatestProgress? = nil,
        awaitingReview: Bool = false
    ) {
        self.awaitingReview = awaitingReview
        self.milestoneID = milestoneID
        self.kind = kind
        self.title = title
        self.belongsTo = belongsTo
        self.dueOn = dueOn
        self.daysLeft = daysLeft
        self.escalation = escalation
        self.owner = owner
        self.latestProgress = latestProgress
    }

    enum CodingKeys: String, CodingKey {
        case kind, title, escalation, owner
        case milestoneID = "milestone_id"
        case belongsTo = "belongs_to"
        case dueOn = "due_on"
        case daysLeft = "days_left"
        case latestProgress = "latest_progress"
        case stage
        case awaitingReview = "awaiting_review"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        milestoneID = try c.decode(Int64.self, forKey: .milestoneID)
        kind = try c.decode(String.self, forKey: .kind)
        title = try c.decode(String.self, forKey: .title)
        belongsTo = try c.decode(Attachment.self, forKey: .belongsTo)
        dueOn = try c.decode(CalendarDate.self, forKey: .dueOn)
        daysLeft = try c.decode(Int.self, forKey: .daysLeft)
        escalation = try c.decodeIfPresent(Bool.self, forKey: .escalation) ?? false
        owner = try c.decodeIfPresent(Recipient.self, forKey: .owner)
        latestProgress = try c.decodeIfPresent(LatestProgress.self, forKey: .latestProgress)
        awaitingReview = try c.decodeIfPresent(Bool.self, forKey: .awaitingReview) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(milestoneID, forKey: .milestoneID)
        try c.encode(kind, forKey: .kind)
        try c.encode(title, forKey: .title)
        try c.encode(belongsTo, forKey: .belongsTo)
        try c.encode(dueOn, forKey: .dueOn)
        try c.encode(daysLeft, forKey: .daysLeft)
        try c.encode(stage, forKey: .stage)
        try c.encode(escalation, forKey: .escalation)
        try c.encodeIfPresent(owner, forKey: .owner)
        try c.encode(latestProgress, forKey: .latestProgress)
        if awaitingReview { try c.encode(awaitingReview, forKey: .awaitingReview) }
    }

    /// Overdue, due today or due soon, from the days left; awaiting the province's review (待审核).
    public var stage: Stage {
        awaitingReview ? .awaitingReview : daysLeft < 0 ? .overdue : daysLeft == 0 ? .dueToday : .dueSoon
    }

    /// Where an item stands; the order is the digest's reading order.
    public enum Stage: String, Sendable, Codable, Comparable, CaseIterable {
        case overdue
        case dueToday = "due-today"
        case dueSoon = "due-soon"
        case awaitingReview = "awaiting-review"

        public static func < (a: Stage, b: Stage) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }
}

/// What a milestone belongs to: a plan (实施方案), an enterprise (企业), a task of the annex (任务),
/// a vacated site (腾退地块), or something a later part of the schema attaches milestones to (`other`).
public struct Attachment: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case plan, enterprise, task, site, other
    }

    public var type: Kind
    /// The plan's code, the task's number, the site's id; nil for an enterprise.
    public var code: String?
    public var name: String

    public init(type: Kind, code: String?, name: String) {
        self.type = type
        self.code = code
        self.name = name
    }
}

/// The latest progress report on a milestone (or on its task).
public struct LatestProgress: Sendable, Hashable, Codable {
    public var percent: Double?
    /// on-track, at-risk, blocked or done.
    public var status: String
    public var note: String?
    public var reportedOn: CalendarDate

    public init(percent: Double?, status: String, note: String?, reportedOn: CalendarDate) {
        self.percent = percent
        self.status = status
        self.note = note
        self.reportedOn = reportedOn
    }

    enum CodingKeys: String, CodingKey {
        case percent, status, note
        case reportedOn = "reported_on"
    }
}
