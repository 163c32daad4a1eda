#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A digest ready to leave: its idempotency key (the same on every resend of the same message, so
/// a receiver can recognise a repeat after a crash), the ledger's message id, and its text.
public struct ReminderMessage: Sendable, Hashable {
    /// Stable across resends: a UUID the database gave the message when it was composed.
    public var idempotencyKey: String
    /// `reloc.reminder_message.id`, for `reloc remind history` and `retry`.
    public var messageID: Int64
    public var digest: ReminderDigest

    public init(idempotencyKey: String, messageID: Int64, digest: ReminderDigest) {
        self.idempotencyKey = idempotencyKey
        self.messageID = messageID
        self.digest = digest
    }

    public var subject: String { DigestText.subject(digest) }
    public var text: String { DigestText.body(digest) }

    /// The JSON object a webhook receives and a `jsonl:` file stores (one line), documented in
    /// docs/usage/remind.md: idempotency_key, message_id, as_of, recipient, subject, text, items, omitted.
    public func jsonObject() throws -> Data {
        let envelope = Envelope(
            idempotencyKey: idempotencyKey, messageID: messageID, asOf: digest.asOf.description,
            recipient: digest.recipient, subject: subject, text: text, items: digest.orderedItems,
            omitted: digest.omitted, failedDeliveries: digest.failedDeliveries.isEmpty ? nil : digest.failedDeliveries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(envelope)
    }

    struct Envelope: Encodable {
        let idempotencyKey: String
        let messageID: Int64
        let asOf: String
        let recipient: Recipient
        let subject: String
        let text: String
        let items: [ReminderItem]
        let omitted: Int
        /// Only in the province's digest, when messages died.
        let failedDeliveries: [FailedDelivery]?

        enum CodingKeys: String, CodingKey {
            case recipient, subject, text, items, omitted
            case failedDeliveries = "failed_deliveries"
            case idempotencyKey = "idempotency_key"
            case messageID = "message_id"
            case asOf = "as_of"
        }
    }
}
