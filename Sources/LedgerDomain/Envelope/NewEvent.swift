/// An event a writer wants to append; the store adds its position, version, time and hash.
public struct NewEvent: Sendable {
    /// The event's id; retried appends of the same id are recorded once.
    public var id: EventID
    /// The event's type tag and payload version.
    public var type: EventType
    /// Who made the change.
    public var actor: Actor
    /// Where the change came from.
    public var source: Source
    /// The event that started the chain of work this one belongs to, if any.
    public var correlationID: EventID?
    /// The event that directly caused this one, if any.
    public var causationID: EventID?
    /// The payload fields that are not personal data, in the event type's encoding.
    public var data: [UInt8]
    /// The personal payload fields, kept apart so they can be sealed with the contact's key.
    public var personalData: [UInt8]
    /// Whether `personalData` is sealed (encrypted) rather than plain.
    public var personalDataSealed: Bool

    /// Describes an event to append.
    public init(
        id: EventID = .timeOrdered(),
        type: EventType,
        actor: Actor,
        source: Source,
        correlationID: EventID? = nil,
        causationID: EventID? = nil,
        data: [UInt8] = [],
        personalData: [UInt8] = [],
        personalDataSealed: Bool = false
    ) {
        self.id = id
        self.type = type
        self.actor = actor
        self.source = source
        self.correlationID = correlationID
        self.causationID = causationID
        self.data = data
        self.personalData = personalData
        self.personalDataSealed = personalDataSealed
    }
}
