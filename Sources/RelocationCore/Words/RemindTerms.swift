/// The reminder job's words: where reminders go, and how far a message got.

/// A contact's channel.
public enum ContactChannel: String, Term {
    case email, webhook
    public static let domain = "contact.channel"
    public static let constraint: String? = "reminder_contact_channel_check"
    public var zh: String {
        switch self {
        case .email: "电子邮件"
        case .webhook: "Webhook"
        }
    }
    public var en: String {
        switch self {
        case .email: "e-mail"
        case .webhook: "webhook"
        }
    }
}

/// A reminder message's delivery state (`remind history`).
public enum DeliveryState: String, Term {
    case pending, sending, retrying, sent, dead, noContact = "no-contact", superseded
    public static let domain = "message.state"
    public static let constraint: String? = "reminder_message_state_check"
    public var zh: String {
        switch self {
        case .pending: "待发送"
        case .sending: "发送中"
        case .retrying: "待重试"
        case .sent: "已发送"
        case .dead: "发送失败"
        case .noContact: "无联系方式"
        case .superseded: "已被取代"
        }
    }
    public var en: String {
        switch self {
        case .pending: "pending"
        case .sending: "sending"
        case .retrying: "retrying"
        case .sent: "sent"
        case .dead: "dead"
        case .noContact: "no contact"
        case .superseded: "superseded"
        }
    }
}
