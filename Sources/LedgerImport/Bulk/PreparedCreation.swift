import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// A new contact's events, decided, encoded and sealed before its batch is recorded, on
/// another thread than the one recording it (a bulk import's preparer), with the state they
/// fold to: what an import's plan records and projects when the request creates a contact.
///
/// The plan takes them (through `ImportPlanAid`, decision 0025) only when the request does
/// create a contact and its rules would decide exactly these events (`holds(under:)`);
/// otherwise it decides the request as usual and the preparation is dropped. The plain upsert
/// path (`ContactBook.upsert`, `ContactService`) never takes one. Deciding, encoding, sealing and folding the events is a third of a
/// bulk import's CPU, and the thread that records batches is its critical path
/// (docs/benchmarks.md, import).
///
/// A class, immutable: a batch hands it from the preparer to its plan, request and projection by
/// reference, instead of copying its state's dictionaries and arrays (a retain each) every time.
public final class PreparedCreation: PreparedContact {
    /// The events, as `ContactBook.changes` decides them for a new contact, encoded for the
    /// log with their personal data sealed under `dataKey`.
    package let encoded: EncodedEvents
    /// How many events `encoded` holds.
    package var eventCount: Int { encoded.count }
    /// The state the events fold to, unplaced (`EventMeta.unplaced`, `ContactState.placed`), shared:
    /// the batch's projection records it from here instead of copying it out.
    package let shared: SharedContactState
    /// The new contact's data key.
    package let dataKey: DataKey
    /// What the events do on each consent channel.
    package let consent: ConsentTally.Row
    /// Each custom field the request sets, with the type it was declared with when checked.
    let customFieldTypes: [(name: String, type: FieldType)]
    /// The date birth dates were checked against (nil: not checked against one).
    let today: CalendarDate?
    /// Who the events name as making the change, and how the contact came in.
    let actor: Actor
    let channel: EntryChannel
    /// The identity claims of the new contact's identifiers (digests are made here, on the
    /// preparing thread, not on the one that commits).
    package let claims: [IdentityClaim]

    init(encoded: EncodedEvents, shared: SharedContactState, dataKey: DataKey, consent: ConsentTally.Row, customFieldTypes: [(name: String, type: FieldType)], today: CalendarDate?, actor: Actor, channel: EntryChannel, claims: [IdentityClaim]) {
        self.encoded = encoded
        self.consent = consent
        self.claims = claims
        self.shared = shared
        self.dataKey = dataKey
        self.customFieldTypes = customFieldTypes
        self.today = today
        self.actor = actor
        self.channel = channel
    }

    /// Whether `rules` decide a new contact from the same request exactly as these events, with
    /// the same actor and channel: every custom field declared with the same type (so none is
    /// declared now, and values are checked against the same types), and a date no earlier than
    /// the one checked against. Nothing else the decision reads can differ: a new contact has
    /// no state, and empty values set nothing whether or not they may overwrite.
    func holds(under rules: ContactFieldRules, actor: Actor, channel: EntryChannel) -> Bool {
        guard actor == self.actor, channel == self.channel else { return false }
        if let ruling = rules.today {
            guard let today, ruling >= today else { return false }
        }
        return customFieldTypes.allSatisfy { rules.customFields[$0.name] == $0.type }
    }
}

extension ContactBook {
    /// Decides, encodes and seals the events of `item` as a new contact, checked with `rules`,
    /// for `upsert` to take if the request does create one; nil when there is nothing to
    /// prepare: the identifiers are not valid, a value breaks a rule, or a custom field is used
    /// for the first time (its declaration goes to the schema stream, which `upsert` decides).
    ///
    /// `rules` learns such a first use, as `upsert`'s do, so that later requests using the
    /// field are prepared. Safe to call from any thread.
    /// `cipher`, the calling thread's own, seals the payloads: a fresh key per contact then
    /// costs a key schedule, not a cipher context made and kept with the prepared contact.
    public func prepareCreation(_ item: UpsertItem, channel: EntryChannel, actor: Actor, rules: inout ContactFieldRules, cipher: PayloadCipher = PayloadCipher()) -> PreparedCreation? {
        var scratch = EncodingScratch()
        return prepareCreation(item, channel: channel, actor: actor, rules: &rules, cipher: cipher, scratch: &scratch)
    }

    /// The same, with the calling thread's own `scratch` to encode payloads in: a bulk
    /// writer's preparer keeps one for the whole import, so that no event allocates its own.
    public func prepareCreation(_ item: UpsertItem, channel: EntryChannel, actor: Actor, rules: inout ContactFieldRules, cipher: PayloadCipher, scratch: inout EncodingScratch) -> PreparedCreation? {
        // The caller's buffers are moved in and out, not copied, so they stay uniquely held.
        var creation = CreationScratch(encoding: EncodingScratch())
        swap(&creation.encoding, &scratch)
        defer { swap(&creation.encoding, &scratch) }
        return prepareCreation(item.input, identifiers: item.identifiers ?? normalize(item.input), source: item.source, ids: item.ids, channel: channel, actor: actor, rules: &rules, cipher: cipher, scratch: &creation)
    }

    /// The same, from the parts of the request before it is made: a bulk writer's preparer
    /// then makes the request once, with its preparation, instead of copying it to set that
    /// (a retain per value, for every row).
    public func prepareCreation(
        _ input: ContactInput, identifiers: Result<ContactIdentifiers, ContactError>, source: Source, ids: (Int) -> EventID,
        channel: EntryChannel, actor: Actor, rules: inout ContactFieldRules, cipher: PayloadCipher, scratch: inout CreationScratch
    ) -> PreparedCreation? {
        guard case .success(let identifiers) = identifiers else { return nil }
        // Decided in the scratch's array, emptied again before returning: the events are
        // encoded here and their state written, and only those are kept.
        defer { scratch.events.removeAll(keepingCapacity: true) }
        guard (try? changes(input, identifiers: identifiers, state: nil, channel: channel, rules: &rules, options: UpsertOptions(), into: &scratch.events)) != nil,
              !scratch.events.contains(where: { $0.kind == .fieldDefined }),
              let customFieldTypes = scratch.customFieldTypes(of: input, rules: rules)
        else { return nil }
        let key = DataKey.random(using: cipher)
        var encoded = EncodedEvents()
        // The last contact's size is a good guess for this one's: one allocation, not a few.
        encoded.reserveCapacity(events: scratch.events.count, bytes: scratch.encoding.sizeHint)
        for index in scratch.events.indices {
            guard (try? encoded.append(scratch.events[index], id: ids(index), actor: actor, source: source, sealingWith: key, cipher: cipher, scratch: &scratch.encoding)) != nil else { return nil }
        }
        scratch.encoding.sizeHint = encoded.bytes.count + encoded.bytes.count / 8
        // The state's stored form, written here on the preparing thread but for the head, and
        // without making the state (what the projection records); folded only when the events
        // are not a plain creation.
        guard let shared = SharedContactState(creating: scratch.events) ?? Self.folded(scratch.events) else { return nil }
        var claims = [IdentityClaim]()
        claims.reserveCapacity(3)
        for kind in IdentifierKind.allCases {
            if let value = identifiers[kind] { claims.append(claim(HeldIdentifier(kind: kind, value: value))) }
        }
        let consent = input.consent == nil ? ConsentTally.Row() : ConsentTally.Row(scratch.events)
        return PreparedCreation(encoded: encoded, shared: shared, dataKey: key, consent: consent, customFieldTypes: customFieldTypes, today: rules.today, actor: actor, channel: channel, claims: claims)
    }

    /// The state `events` fold to from none, each at its place among the contact's (`placed`
    /// adds the first position), shared with its tail encoded.
    private static func folded(_ events: [ContactEvent]) -> SharedContactState? {
        var state: ContactState?
        for index in events.indices { ContactState.fold(into: &state, events[index], meta: .unplaced(index)) }
        guard let state = state.take() else { return nil }
        return SharedContactState(consume state, encodingTail: true)
    }
}
