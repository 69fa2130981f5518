/// The outbox family (`mail.*`, decision 0021): one e-mail's life on its own stream of the
/// `outbox` category: queued, then sent, failed (and tried again), dropped or re-queued.
/// Read as `LedgerEvent.outbox`.
///
/// No event of the family holds personal data: a queued mail names its contact by stream and
/// its text by a template reference; the address and the words are composed at send time from
/// the contact's current state, and server replies are recorded with addresses blanked. So an
/// erasure has nothing to do here, and the outbox can be listed and audited freely.
public enum MailEvent: Hashable, Sendable {
    /// `mail.queued` v1: a mail is to be sent.
    case queued(MailQueued)
    /// `mail.sent` v1: the SMTP server accepted it.
    case sent(MailSent)
    /// `mail.failed` v1: an attempt failed, for now or for good.
    case failed(MailFailed)
    /// `mail.dropped` v1: it is no longer to be sent (the contact was erased, or the reason for
    /// the mail is gone).
    case dropped(MailDropped)
    /// `mail.requeued` v1: an operator asked for another try after a permanent failure.
    case requeued(MailRequeued)

    /// The type tags of the family, each with the version this build writes.
    public static let queuedType = EventType("mail.queued", version: 1)
    /// See `queuedType`.
    public static let sentType = EventType("mail.sent", version: 1)
    /// See `queuedType`.
    public static let failedType = EventType("mail.failed", version: 1)
    /// See `queuedType`.
    public static let droppedType = EventType("mail.dropped", version: 1)
    /// See `queuedType`.
    public static let requeuedType = EventType("mail.requeued", version: 1)

    /// The type tag and version this build writes.
    public var type: EventType {
        switch self {
        case .queued: Self.queuedType
        case .sent: Self.sentType
        case .failed: Self.failedType
        case .dropped: Self.droppedType
        case .requeued: Self.requeuedType
        }
    }

    /// The event ready to append. Outbox events carry no personal data.
    public func newEvent(id: EventID = .timeOrdered(), actor: Actor, source: Source, correlationID: EventID? = nil, causationID: EventID? = nil) -> NewEvent {
        NewEvent(id: id, type: type, actor: actor, source: source, correlationID: correlationID, causationID: causationID, data: encodedData)
    }

    /// The non-personal payload.
    public var encodedData: [UInt8] {
        var writer = BinaryWriter()
        switch self {
        case .queued(let queued):
            writer.write(queued.contact.rawValue)
            writer.writeString(queued.purpose)
            writer.writeString(queued.reference)
            writer.writeString(queued.template)
            writer.write(queued.notBefore)
        case .sent(let sent):
            writer.writeVarint(sent.attempt)
            writer.writeString(sent.messageID)
            writer.writeString(sent.reply)
        case .failed(let failed):
            writer.writeVarint(failed.attempt)
            writer.write(failed.code)
            writer.writeString(failed.reply)
            writer.write(UInt8(failed.permanent ? 1 : 0))
            writer.write(failed.nextAttempt ?? 0)
        case .dropped(let dropped):
            writer.writeString(dropped.reason)
        case .requeued(let requeued):
            writer.write(requeued.notBefore)
        }
        return writer.bytes
    }

    /// Decodes a recorded event of this family. An unknown tag or version, or bytes of the
    /// wrong shape, are a `DomainEventError` naming the type and position.
    public init(decoding event: RecordedEvent) throws(DomainEventError) {
        let type = event.type
        func fail(_ code: DomainEventError.Code, _ message: String) -> DomainEventError {
            DomainEventError(code: code, type: type, position: event.position, message: message)
        }
        let result: Result<MailEvent, DomainEventError> = event.data.withUnsafeBytes { bytes in
            var data = BinaryReader(bytes)
            do {
                let decoded: MailEvent
                switch (type.name, type.version) {
                case (Self.queuedType.name, 1):
                    decoded = .queued(MailQueued(
                        contact: StreamID(try data.readUInt64("contact stream")),
                        purpose: try data.readString("purpose"),
                        reference: try data.readString("reference"),
                        template: try data.readString("template"),
                        notBefore: try data.readInt64("not before")))
                case (Self.sentType.name, 1):
                    decoded = .sent(MailSent(
                        attempt: try data.readVarint("attempt"),
                        messageID: try data.readString("message id"),
                        reply: try data.readString("reply")))
                case (Self.failedType.name, 1):
                    let attempt = try data.readVarint("attempt")
                    let code = try data.readUInt16("reply code")
                    let reply = try data.readString("reply")
                    let permanent = try data.readUInt8("permanent flag")
                    guard permanent <= 1 else { return .failure(fail(.malformedData, "permanent flag \(permanent) at offset \(data.offset - 1)")) }
                    let next = try data.readInt64("next attempt")
                    decoded = .failed(MailFailed(attempt: attempt, code: code, reply: reply, permanent: permanent == 1, nextAttempt: permanent == 1 ? nil : next))
                case (Self.droppedType.name, 1):
                    decoded = .dropped(MailDropped(reason: try data.readString("reason")))
                case (Self.requeuedType.name, 1):
                    decoded = .requeued(MailRequeued(notBefore: try data.readInt64("not before")))
                default:
                    return .failure(fail(.unknownType, "\(type) is not an outbox event this build reads"))
                }
                guard data.isAtEnd else { return .failure(fail(.malformedData, "trailing bytes at offset \(data.offset)")) }
                return .success(decoded)
            } catch {
                return .failure(fail(.malformedData, "\(error)"))
            }
        }
        self = try result.get()
    }

    /// The canonical JSON of the payload.
    public var jsonPayload: JSONValue {
        switch self {
        case .queued(let queued):
            .object([
                "contact": .number(Double(queued.contact.rawValue)),
                "purpose": .string(queued.purpose),
                "reference": .string(queued.reference),
                "template": .string(queued.template),
                "notBefore": .string(Timestamp.iso8601(microseconds: queued.notBefore)),
            ])
        case .sent(let sent):
            .object(["attempt": .number(Double(sent.attempt)), "messageId": .string(sent.messageID), "reply": .string(sent.reply)])
        case .failed(let failed):
            .object([
                "attempt": .number(Double(failed.attempt)),
                "code": .number(Double(failed.code)),
                "reply": .string(failed.reply),
                "permanent": .bool(failed.permanent),
                "nextAttempt": failed.nextAttempt.map { .string(Timestamp.iso8601(microseconds: $0)) } ?? .null,
            ])
        case .dropped(let dropped):
            .object(["reason": .string(dropped.reason)])
        case .requeued(let requeued):
            .object(["notBefore": .string(Timestamp.iso8601(microseconds: requeued.notBefore))])
        }
    }
}
