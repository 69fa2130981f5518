import LedgerDomain

extension ContactState {
    /// Applies one event of a contact's stream: the contact projection's pure fold.
    ///
    /// Total and deterministic: every event gives a state, and the same events in the same
    /// order always give the same one.
    ///
    /// - An event other than `contact.created` on a stream with no state yet starts a minimal
    ///   contact (id and times, no entry channel) and applies to it, rather than losing the
    ///   fact; a log that lost or reordered its first event still folds to what it says.
    /// - A second `contact.created` keeps the first creation time and only fills a missing
    ///   entry channel.
    /// - Personal values that read as erased (sealed, key destroyed) count as absent: an
    ///   erased new field value unsets the field; an erased identifier adds or removes nothing.
    /// - After `contact.merged-away` the stream's fold has ended (decision 0005): later events
    ///   are ignored, except `contact.erased`.
    /// - After `contact.erased` the contact keeps only its id, times, erased flag and
    ///   `mergedInto` (not personal, and needed to follow the contact), and later events are
    ///   ignored: their personal values could not be read, and a forgotten person gains no
    ///   new facts.
    /// - `field.defined` belongs to the schema stream and leaves the state as it is.
    /// - A `contact.created` carrying identifiers and field values (v3) folds as the creation,
    ///   each identifier added, then the fields changed (`ContactEvent.facts`).
    public static func fold(_ state: ContactState?, _ event: ContactEvent, meta: EventMeta) -> ContactState? {
        var folded = state
        fold(into: &folded, event, meta: meta)
        return folded
    }

    /// The same fold, in place: a state held uniquely (a dictionary's value passed as
    /// `&states[stream]`) is changed without copying its identifier lists and field tables.
    public static func fold(into state: inout ContactState?, _ event: ContactEvent, meta: EventMeta) {
        if case .fieldDefined = event { return }
        var contact = state.take() ?? ContactState(id: meta.stream, createdAt: meta.recordedAt)
        defer { state = contact }
        if contact.erased { return }
        if contact.mergedInto != nil {
            guard case .contactErased = event else { return }
        }
        // A creation carrying identifiers and fields folds as the events it stands for; every
        // other event is its only fact and is applied as it is (a rebuild folds millions: no
        // copy of each through `facts`).
        if case .contactCreated(let created) = event, created.carriesValues {
            for fact in event.facts { contact.apply(fact, meta: meta) }
        } else {
            contact.apply(event, meta: meta)
        }
        contact.updatedAt = max(contact.updatedAt, meta.recordedAt)
    }

    /// A new contact's state folded ahead of its append (`EventMeta.unplaced`), as it is once
    /// its events are recorded in `stream` at `recordedAt` (one transaction: one time), the
    /// first of them at `firstPosition`.
    ///
    /// The same state the fold gives from the recorded events when they only create the contact
    /// and add identifiers, fields, segments and consents (what an upsert records for a new
    /// contact): those read the event's place only for the contact's id and times, and a
    /// consent's position and, when the event does not say when it happened, its time.
    public func placed(stream: StreamID, recordedAt: Int64, firstPosition: UInt64 = 0) -> ContactState {
        var placed = self
        placed.id = stream
        placed.createdAt = recordedAt
        placed.updatedAt = recordedAt
        if !consents.isEmpty {
            for (scope, record) in consents { placed.consents[scope] = record.placed(recordedAt: recordedAt, firstPosition: firstPosition) }
        }
        return placed
    }

    /// The switch every new event type must extend; the compiler checks it is exhaustive.
    private mutating func apply(_ event: ContactEvent, meta: EventMeta) {
        switch event {
        case .contactCreated(let created):
            if channel == nil { channel = created.channel }
            // The consent it was created with reads as the grants it is (decision 0022). A new
            // contact's table is made at its size: growing it one grant at a time allocated and
            // rehashed it once per grant.
            if consents.isEmpty && created.consents.count > 1 { consents = Dictionary(minimumCapacity: created.consents.count) }
            for consent in created.consents {
                Self.update(&consents[consent.scope]) { ConsentRecord.granting($0, consent.grant, meta: meta) }
            }
        case .contactFieldsChanged(let changed):
            // A new contact's fields come in one event: one allocation per table, not a few as
            // it grows. (Storage order is unspecified either way: hashing is seeded per
            // process, and the stored form sorts.)
            if standardFields.isEmpty && fields.isEmpty { reserveTables(for: changed.changes) }
            for change in changed.changes { setField(change.field, to: change.new.value ?? nil) }
        case .identifierAdded(let identifier):
            if let value = identifier.value.value { addIdentifier(identifier.kind, value) }
        case .identifierRemoved(let identifier):
            if let value = identifier.value.value { removeIdentifier(identifier.kind, value) }
        case .consentGranted(let granted):
            Self.update(&consents[granted.scope]) { ConsentRecord.granting($0, granted, meta: meta) }
        case .consentWithdrawn(let withdrawn):
            Self.update(&consents[withdrawn.scope]) { ConsentRecord.withdrawing($0, withdrawn, meta: meta) }
        case .consentConfirmationRequested(let requested):
            Self.update(&consents[requested.scope]) { ConsentRecord.requesting($0, requested, meta: meta) }
        case .consentConfirmed(let confirmed):
            Self.update(&consents[confirmed.scope]) { ConsentRecord.confirming($0, confirmed, meta: meta) }
        case .segmentMemberAdded(let membership):
            segments.insert(membership.segment)
        case .segmentMemberRemoved(let membership):
            segments.remove(membership.segment)
        case .contactMerged(let merged):
            if !absorbed.contains(merged.absorbed) { absorbed.append(merged.absorbed) }
        case .contactMergedAway(let mergedAway):
            mergedInto = mergedAway.survivor
        case .contactErased:
            self = ContactState(erasing: self)
        case .fieldDefined:
            // Handled before any state is made, so a schema event never starts a contact.
            break
        }
    }

    /// What an erased contact keeps: nothing personal, nothing that could single it out
    /// beyond its stream.
    private init(erasing contact: ContactState) {
        self.init(id: contact.id, createdAt: contact.createdAt)
        updatedAt = contact.updatedAt
        mergedInto = contact.mergedInto
        // Stream numbers only: an erasure re-run after a crash follows them to finish the job.
        absorbed = contact.absorbed
        erased = true
    }

    /// Sets a table's entry from what it was, through the table's in-place accessor: the scope
    /// is hashed and looked up once, where reading it and then assigning it did that twice.
    private static func update(_ record: inout ConsentRecord?, _ transition: (ConsentRecord?) -> ConsentRecord) {
        record = transition(record)
    }

    private mutating func reserveTables(for changes: [FieldChange]) {
        var standard = 0
        for change in changes {
            if case .standard = change.field { standard += 1 }
        }
        // Made anew rather than `reserveCapacity` on the empty tables: that went through an
        // unspecialised resize that looked up generic metadata at run time, each time.
        if standard > 0 { standardFields = Dictionary(minimumCapacity: standard) }
        if changes.count > standard { fields = Dictionary(minimumCapacity: changes.count - standard) }
    }

    private mutating func setField(_ field: ContactField, to value: FieldValue?) {
        switch field {
        case .standard(let standard): standardFields[standard] = value
        case .custom(let name): fields[name] = value
        }
    }

    private mutating func addIdentifier(_ kind: IdentifierKind, _ value: String) {
        switch kind {
        case .email: Self.moveToEnd(value, in: &emails)
        case .phone: Self.moveToEnd(value, in: &phones)
        case .externalId: Self.moveToEnd(value, in: &externalIds)
        }
    }

    private mutating func removeIdentifier(_ kind: IdentifierKind, _ value: String) {
        switch kind {
        case .email: emails.removeAll { $0 == value }
        case .phone: phones.removeAll { $0 == value }
        case .externalId: externalIds.removeAll { $0 == value }
        }
    }

    /// Re-adding an identifier makes it the latest added, hence the primary one.
    private static func moveToEnd(_ value: String, in list: inout [String]) {
        // A new contact's first identifier of a kind: nothing to look for.
        if !list.isEmpty { list.removeAll { $0 == value } }
        list.append(value)
    }
}
