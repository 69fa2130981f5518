import LedgerDomain

/// The stored form of the state a new contact's events fold to from none, written straight
/// from the events (`SharedContactState.init?(creating:)`): the same bytes as folding them
/// (`ContactState.fold`, `EventMeta.unplaced`) and encoding the state, without making its
/// tables. A bulk import creates millions of contacts and reads almost none of those states
/// back: folding them was a seventh of its CPU.
///
/// It covers what an upsert decides for a new contact: a `contact.created` (channel, consents,
/// identifiers, fields), then segments joined and consents granted or withdrawn. Anything else,
/// or two identifiers of one kind, is left to the fold (nil).
struct CreationImage {
    var email: String?
    var phone: String?
    var externalId: String?
    /// The head's flags: a created contact has its entry channel.
    let flags = ContactState.Flag.channel
    /// The stored bytes after the head: all of them when there is no consent, else those
    /// before the consents.
    var tail: [UInt8] = []
    /// The stored bytes after the consents (used when there are consents).
    var tailAfterConsents: [UInt8] = []
    /// The consents, unplaced, in stored order.
    var consents: [(scope: ConsentScope, record: ConsentRecord)] = []

    init?(_ events: [ContactEvent]) {
        guard case .contactCreated(let created) = events.first else { return nil }
        let meta = EventMeta.unplaced(0)
        var standard = [(field: StandardField, value: FieldValue)]()
        var custom = [(name: String, value: FieldValue)]()
        var segments = [String]()
        // The creation alone: its consents, as the fold reads them.
        for consent in created.consents {
            Self.update(&consents, consent.scope) { ConsentRecord.granting($0, consent.grant, meta: meta) }
        }
        // Then each identifier it carries, as an `identifier-added` that starts its list.
        for identifier in created.identifiers {
            guard let value = identifier.value.value else { continue }
            switch identifier.kind {
            case .email:
                guard email == nil || email == value else { return nil }
                email = value
            case .phone:
                guard phone == nil || phone == value else { return nil }
                phone = value
            case .externalId:
                guard externalId == nil || externalId == value else { return nil }
                externalId = value
            }
        }
        // Then its fields, as one `fields-changed`: a later change of a field replaces it, and
        // an unset (or erased) value removes it.
        for change in created.fields {
            let value = change.new.value ?? nil
            switch change.field {
            case .standard(let field):
                standard.removeAll { $0.field == field }
                if let value { standard.append((field, value)) }
            case .custom(let name):
                custom.removeAll { $0.name == name }
                if let value { custom.append((name, value)) }
            }
        }
        for index in events.indices.dropFirst() {
            let meta = EventMeta.unplaced(index)
            switch events[index] {
            case .segmentMemberAdded(let membership):
                if !segments.contains(membership.segment) { segments.append(membership.segment) }
            case .consentGranted(let granted):
                Self.update(&consents, granted.scope) { ConsentRecord.granting($0, granted, meta: meta) }
            case .consentWithdrawn(let withdrawn):
                Self.update(&consents, withdrawn.scope) { ConsentRecord.withdrawing($0, withdrawn, meta: meta) }
            default:
                return nil
            }
        }
        // As `ContactState`'s encoder writes them: tables in key order.
        standard.sort { $0.field.stateCode < $1.field.stateCode }
        custom.sort { $0.name < $1.name }
        consents.sort { ContactState.precedes($0.scope, $1.scope) }
        segments.sort()
        var writer = BinaryWriter(capacity: 160)
        writer.writeCode(state: created.channel)
        // No survivor, nothing absorbed.
        writer.writeVarint(0)
        // Each list is the one identifier of its kind, or empty.
        func writeList(_ value: String?) {
            writer.writeVarint(value == nil ? 0 : 1)
            if let value { writer.writeString(value) }
        }
        writeList(email)
        writeList(phone)
        writeList(externalId)
        writer.writeVarint(UInt64(standard.count))
        for (field, value) in standard {
            writer.writeCode(state: field)
            writer.writeFieldValue(value)
        }
        writer.writeVarint(UInt64(custom.count))
        for (name, value) in custom {
            writer.writeString(name)
            writer.writeFieldValue(value)
        }
        var after = BinaryWriter(capacity: 16)
        after.writeVarint(UInt64(segments.count))
        for segment in segments { after.writeString(segment) }
        if consents.isEmpty {
            // No consents: the count, then the rest, in one tail.
            writer.writeVarint(0)
            writer.writeRaw(after.bytes)
        } else {
            tailAfterConsents = after.bytes
        }
        tail = writer.bytes
    }

    /// Sets the record of `scope` from what it was, as the fold's table does.
    private static func update(_ consents: inout [(scope: ConsentScope, record: ConsentRecord)], _ scope: ConsentScope, _ transition: (ConsentRecord?) -> ConsentRecord) {
        if let index = consents.firstIndex(where: { $0.scope == scope }) {
            consents[index].record = transition(consents[index].record)
        } else {
            consents.append((scope, transition(nil)))
        }
    }
}
