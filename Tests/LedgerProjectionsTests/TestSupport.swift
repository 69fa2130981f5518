import LedgerDomain
import LedgerProjections

/// The contact stream the tests fold.
let contactStream = StreamID(42)

/// 2026-11-29T00:00:00Z, the tests' first recording time.
let baseTime: Int64 = 1_795_910_400_000_000

/// The meta of the `index`th event (0-based): position index + 1, one second apart.
func meta(_ index: Int, stream: StreamID = contactStream) -> EventMeta {
    EventMeta(position: UInt64(index + 1), stream: stream, recordedAt: baseTime + Int64(index) * 1_000_000)
}

/// Folds `events` in order, the `i`th with `meta(i + offset)`.
func fold(_ events: [ContactEvent], from state: ContactState? = nil, offset: Int = 0) -> ContactState? {
    var state = state
    for (index, event) in events.enumerated() {
        state = ContactState.fold(state, event, meta: meta(index + offset))
    }
    return state
}

/// Stores `event` as the ledger would (body plus a dummy chain hash) and reads it back.
func recorded(
    _ event: ContactEvent,
    position: UInt64,
    recordedAt: Int64,
    stream: StreamID = contactStream,
    sealed: Bool = false
) throws -> RecordedEvent {
    var new = event.newEvent(actor: Actor(.system, "tests"), source: .system(reason: "tests"))
    if sealed {
        new.personalData = new.personalData.map { $0 ^ 0x5A }
        new.personalDataSealed = true
    }
    var writer = BinaryWriter()
    EventRecord.encodeBody(new, stream: stream, version: position, recordedAt: recordedAt, into: &writer)
    writer.writeRaw([UInt8](repeating: 0xAB, count: EventRecord.hashLength))
    return try writer.bytes.withUnsafeBytes { try RecordedEvent(position: position, record: $0) }
}

/// Shorthands for the events tests write most.
enum Events {
    static let newsletter = ConsentScope(channel: .email, purpose: "newsletter")

    static func created(_ channel: EntryChannel = .import) -> ContactEvent {
        .contactCreated(ContactCreated(channel: channel))
    }

    static func added(_ kind: IdentifierKind, _ value: String) -> ContactEvent {
        .identifierAdded(IdentifierChange(kind: kind, value: value))
    }

    static func removed(_ kind: IdentifierKind, _ value: String) -> ContactEvent {
        .identifierRemoved(IdentifierChange(kind: kind, value: value))
    }

    static func set(_ field: ContactField, _ value: FieldValue?) -> ContactEvent {
        .contactFieldsChanged(ContactFieldsChanged(changes: [FieldChange(field: field, from: nil, to: value)]))
    }

    /// A grant by `method`, with `status`, or the status a v1 grant of that method implied.
    static func granted(
        _ method: ConsentMethod,
        _ scope: ConsentScope = newsletter,
        status: ConsentGrantStatus? = nil,
        evidence: Personal<ConsentEvidence> = .known(.none)
    ) -> ContactEvent {
        .consentGranted(ConsentGranted(scope: scope, method: method, status: status ?? .impliedByV1(method), wordingVersion: "w1", evidence: evidence))
    }

    static func withdrawn(_ scope: ConsentScope = newsletter) -> ContactEvent {
        .consentWithdrawn(ConsentWithdrawn(scope: scope, method: .unsubscribeLink, wordingVersion: nil, reason: "too-frequent"))
    }

    static func requested(_ token: String, _ scope: ConsentScope = newsletter) -> ContactEvent {
        .consentConfirmationRequested(ConsentConfirmationRequested(scope: scope, method: .doubleOptIn, wordingVersion: "w2", tokenID: token))
    }

    static func confirmed(_ token: String, _ scope: ConsentScope = newsletter) -> ContactEvent {
        .consentConfirmed(ConsentConfirmed(scope: scope, method: .doubleOptIn, wordingVersion: "w2", tokenID: token))
    }

    static func date(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate {
        CalendarDate(year: year, month: month, day: day) ?? .earliest
    }

    static func number(_ text: String) -> FieldValue {
        DecimalNumber(text).map(FieldValue.number) ?? .text(text)
    }
}
