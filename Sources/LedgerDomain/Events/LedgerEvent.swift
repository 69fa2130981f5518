/// A recorded event read by its family: one case per family this build knows, and
/// `unrecognized` for a family it does not (an event a newer build wrote).
///
/// Readers decode once with `LedgerEvent(decoding:)` and take the families they handle; the
/// rest they pass over. A tag that a known family claims but does not define, an unknown
/// version, or malformed bytes are still `DomainEventError`s: a contact event a projector
/// cannot read must stop it, never be skipped.
public enum LedgerEvent: Sendable, Hashable {
    /// An event of the contacts family.
    case contacts(ContactEvent)
    /// An event of the segments family.
    case segments(SegmentEvent)
    /// An event of the push-token family.
    case tokens(TokenEvent)
    /// An event of the API-key family.
    case apiKeys(ApiKeyEvent)
    /// An event of the form family.
    case forms(FormEvent)
    /// An event of the e-mail outbox family.
    case outbox(MailEvent)
    /// An event of a family this build does not know, by its stored type.
    case unrecognized(EventType)

    /// Decodes a recorded event. Plain personal data is read; sealed personal data reads as
    /// erased (use `init(decoding:personalData:)` after unsealing it).
    public init(decoding event: RecordedEvent) throws(DomainEventError) {
        switch Self.family(of: event) {
        case .contacts: self = .contacts(try ContactEvent(decoding: event))
        case .segments: self = .segments(try SegmentEvent(decoding: event))
        case .tokens: self = .tokens(try TokenEvent(decoding: event, personalData: event.personalDataSealed ? nil : Array(event.personalData)))
        case .apiKeys: self = .apiKeys(try ApiKeyEvent(decoding: event))
        case .forms: self = .forms(try FormEvent(decoding: event))
        case .outbox: self = .outbox(try MailEvent(decoding: event))
        case nil: self = .unrecognized(event.type)
        }
    }

    /// Decodes a recorded event with personal data the caller unsealed itself; nil means it is
    /// unavailable, and personal values read as erased.
    ///
    /// The projections' path: a contact event's kind is found once, from the stored name's
    /// bytes, and decoded with it (a fold decodes millions).
    public init(decoding event: RecordedEvent, personalData: [UInt8]?) throws(DomainEventError) {
        if let kind = event.withTypeName(ContactEventKind.init(utf8Name:)) {
            self = .contacts(try ContactEvent.decode(
                kind: kind, version: event.typeVersion, data: event.data, personal: personalData?[...], position: event.position))
            return
        }
        switch event.withTypeName(EventFamily.init(utf8TypeName:)) {
        // Claimed by the family but not defined by this build: an error naming the type.
        case .contacts: self = .contacts(try ContactEvent(decoding: event, personalData: personalData))
        case .segments: self = .segments(try SegmentEvent(decoding: event))
        case .tokens: self = .tokens(try TokenEvent(decoding: event, personalData: personalData))
        case .apiKeys: self = .apiKeys(try ApiKeyEvent(decoding: event, personalData: personalData))
        case .forms: self = .forms(try FormEvent(decoding: event))
        case .outbox: self = .outbox(try MailEvent(decoding: event))
        case nil: self = .unrecognized(event.type)
        }
    }

    /// The family that claims the event's type. A contact event's kind is found from the
    /// stored name's bytes first; only other names go through the prefix dispatch. A tag the
    /// contacts family claims but does not define stays with it, so decoding names it in an
    /// error.
    private static func family(of event: RecordedEvent) -> EventFamily? {
        if event.withTypeName(ContactEventKind.init(utf8Name:)) != nil { return .contacts }
        return event.withTypeName(EventFamily.init(utf8TypeName:))
    }

    /// The family the event belongs to; nil for an unrecognized one.
    public var family: EventFamily? {
        switch self {
        case .contacts: .contacts
        case .segments: .segments
        case .tokens: .tokens
        case .apiKeys: .apiKeys
        case .forms: .forms
        case .outbox: .outbox
        case .unrecognized: nil
        }
    }

    /// The segment event, when it is one.
    public var segmentEvent: SegmentEvent? {
        if case .segments(let event) = self { return event }
        return nil
    }

    /// The contact event, when it is one.
    public var contactEvent: ContactEvent? {
        if case .contacts(let event) = self { return event }
        return nil
    }

    /// The outbox event, when it is one.
    public var mailEvent: MailEvent? {
        if case .outbox(let event) = self { return event }
        return nil
    }

    /// The token event, when it is one.
    public var tokenEvent: TokenEvent? {
        if case .tokens(let event) = self { return event }
        return nil
    }
}

extension LedgerEvent {
    /// The canonical JSON of the payload; nil for an unrecognized event, whose payload this
    /// build cannot read.
    public var jsonPayload: JSONValue? {
        switch self {
        case .contacts(let event): event.jsonPayload
        case .segments(let event): event.jsonPayload
        case .tokens(let event): event.jsonPayload
        case .apiKeys(let event): event.jsonPayload
        case .forms(let event): event.jsonPayload
        case .outbox(let event): event.jsonPayload
        case .unrecognized: nil
        }
    }
}
