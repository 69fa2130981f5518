import LedgerDomain
import Synchronization

/// A contact state held by reference, so that the thread that folds it ahead (a bulk
/// import's preparer) can hand it to the one that plans and projects its batch without
/// copying it: a copy of a state retains each of its tables and lists, and releases them
/// again when it is dropped.
///
/// A new contact's state is usually made without folding (`init?(creating:)`): its stored
/// bytes are written straight from the events that create it, and the events are folded only
/// when something asks for the state (the same contact again in one batch, or in the next):
/// the projection records a new contact from its identifiers and bytes alone.
public final class SharedContactState: Sendable {
    /// The state when it was folded, not written (`init(_:encodingTail:)`).
    private let folded: ContactState?
    /// The identifiers by kind (`BatchPlan.slot` order) when the state was written, not folded.
    private let written: (email: String?, phone: String?, externalId: String?)
    /// The consents when written, unplaced, in stored order.
    private let writtenConsents: [(scope: ConsentScope, record: ConsentRecord)]
    /// The events the state was written from: the creation, then the rest (usually none).
    private let creation: (created: ContactCreated, rest: [ContactEvent])?
    /// The written state, folded from `creation` once asked for.
    private let foldedLater = Mutex<ContactState?>(nil)
    /// Its stored bytes after the head, when encoded ahead (`ContactState.encodedTail`): a new
    /// contact's state is placed at its stream and time, which only the head holds, so the
    /// projection then writes the head and these bytes instead of encoding the state. For a
    /// state with consents (whose positions and unstated times placing sets too), the bytes
    /// before the consents, and `tailAfterConsents` the bytes after them.
    public let tail: [UInt8]?
    /// The stored bytes after the consents, when the state has consents and was encoded ahead.
    public let tailAfterConsents: [UInt8]?

    /// Shares `state`; with `encodingTail`, its tail is encoded now, on the calling thread.
    public init(_ state: consuming ContactState, encodingTail: Bool = false) {
        if !encodingTail {
            tail = nil
            tailAfterConsents = nil
        } else if state.consents.isEmpty {
            tail = state.encodedTail()
            tailAfterConsents = nil
        } else {
            let parts = state.encodedTailAroundConsents()
            tail = parts.before
            tailAfterConsents = parts.after
        }
        written = (nil, nil, nil)
        writtenConsents = []
        creation = nil
        folded = state
    }

    /// The state `events` fold to from none (`EventMeta.unplaced`), written as stored bytes
    /// without being made: nil unless the events are what a new contact's upsert decides (a
    /// `contact.created`, then segments joined and consents granted or withdrawn) with at
    /// most one identifier of each kind; the caller then folds them.
    public init?(creating events: [ContactEvent]) {
        guard case .contactCreated(let created) = events.first, let image = CreationImage(created, events) else { return nil }
        // Kept for the fold (a retain of the creation's lists): a single event leaves no rest
        // to allocate.
        creation = (created, events.count == 1 ? [] : Array(events.dropFirst()))
        folded = nil
        written = (image.email, image.phone, image.externalId)
        writtenConsents = image.consents
        tail = image.tail
        tailAfterConsents = image.consents.isEmpty ? nil : image.tailAfterConsents
    }

    /// The state, unplaced as folded ahead (`EventMeta.unplaced`).
    public var state: ContactState {
        if let folded { return folded }
        return foldedLater.withLock { cached in
            if let cached { return cached }
            var state: ContactState?
            if let creation {
                ContactState.fold(into: &state, .contactCreated(creation.created), meta: .unplaced(0))
                for (index, event) in creation.rest.enumerated() { ContactState.fold(into: &state, event, meta: .unplaced(index + 1)) }
            }
            // A `contact.created` always gives a state.
            let made = state ?? ContactState(id: EventMeta.unplaced(0).stream, createdAt: EventMeta.unplacedTime)
            cached = made
            return made
        }
    }

    /// Calls `body` with each identifier of `kind` the state holds, oldest first, without
    /// making the state.
    public func forEachIdentifier(_ kind: IdentifierKind, _ body: (String) throws -> Void) rethrows {
        if let folded {
            for value in folded.identifiers(kind) { try body(value) }
            return
        }
        let value: String? = switch kind {
        case .email: written.email
        case .phone: written.phone
        case .externalId: written.externalId
        }
        if let value { try body(value) }
    }

    /// Whether the state is in the identifier indexes (neither erased nor merged away).
    public var isIndexed: Bool {
        guard let folded else { return true }
        return !folded.erased && folded.mergedInto == nil
    }

    /// Appends the stored bytes of the state placed at `stream` and `recordedAt`, its first
    /// event at `firstPosition` (`ContactState.placed`).
    public func encode(placedIn stream: StreamID, recordedAt: Int64, firstPosition: UInt64, into writer: inout BinaryWriter) {
        guard let folded else {
            ContactState.writeHead(flags: CreationImage.flags, id: stream, createdAt: recordedAt, updatedAt: recordedAt, into: &writer)
            writePlaced(recordedAt: recordedAt, firstPosition: firstPosition, into: &writer)
            return
        }
        guard let tail else {
            folded.encode(placedIn: stream, recordedAt: recordedAt, firstPosition: firstPosition, into: &writer)
            return
        }
        ContactState.writeHead(flags: folded.flags, id: stream, createdAt: recordedAt, updatedAt: recordedAt, into: &writer)
        writer.writeRaw(tail)
        if let tailAfterConsents {
            folded.encodeConsents(placedAt: recordedAt, firstPosition: firstPosition, into: &writer)
            writer.writeRaw(tailAfterConsents)
        }
    }

    /// The written state's bytes after the head, placed (`ContactState.placed`).
    private func writePlaced(recordedAt: Int64, firstPosition: UInt64, into writer: inout BinaryWriter) {
        writer.writeRaw(tail ?? [])
        guard !writtenConsents.isEmpty else { return }
        writer.writeVarint(UInt64(writtenConsents.count))
        for (scope, record) in writtenConsents {
            ContactState.write(scope, record.placed(recordedAt: recordedAt, firstPosition: firstPosition), into: &writer)
        }
        writer.writeRaw(tailAfterConsents ?? [])
    }
}
