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
    /// The head's flags: a created contact has its entry channel, and nothing else.
    static let flags = ContactState.Flag.channel
    /// The stored bytes after the head: all of them when there is no consent, else those
    /// before the consents.
    var tail: [UInt8] = []
    /// The stored bytes after the consents (used when there are consents).
    var tailAfterConsents: [UInt8] = Self.noSegments
    /// The consents, unplaced, in stored order.
    var consents: [(scope: ConsentScope, record: ConsentRecord)] = []

    /// The bytes after the consents of a contact in no segment (most new ones), shared.
    private static let noSegments: [UInt8] = [0]

    /// The stored state of `events`, whose first is `created`; `sizeHint` is the length the
    /// bytes are expected to have (the last contact's).
    init?(_ created: ContactCreated, _ events: [ContactEvent], sizeHint: Int = 160) {
        let meta = EventMeta.unplaced(0)
        // The creation alone: its consents, as the fold reads them.
        consents.reserveCapacity(created.consents.count + events.count - 1)
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
        var segments = [String]()
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
        var writer = BinaryWriter(capacity: sizeHint)
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
        Self.writeFields(created.fields, into: &writer)
        if consents.count > 1 { consents.sort { ContactState.precedes($0.scope, $1.scope) } }
        if consents.isEmpty {
            // No consents: the count, then the rest, in one tail.
            writer.writeVarint(0)
            Self.writeSegments(&segments, into: &writer)
        } else if !segments.isEmpty {
            var after = BinaryWriter(capacity: 16)
            Self.writeSegments(&segments, into: &after)
            tailAfterConsents = after.bytes
        }
        tail = writer.bytes
    }

    /// The fields as one `fields-changed` from none leaves them (a later change of a field
    /// replaces it; an unset or erased value removes it), as the encoder writes a state's
    /// tables: the standard fields by code, then the custom ones by name. A creation sets a
    /// handful: their positions are sorted on the stack, not copied into tables.
    private static func writeFields(_ changes: [FieldChange], into writer: inout BinaryWriter) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(changes.count, 1)) { order in
            // The last change of each field, in order of appearance.
            var kept = 0
            for index in changes.indices {
                if let earlier = (0..<kept).first(where: { changes[order[$0]].field == changes[index].field }) {
                    order[earlier] = index
                } else {
                    order[kept] = index
                    kept += 1
                }
            }
            // Unset values leave no entry.
            var set = 0
            for position in 0..<kept where (changes[order[position]].new.value ?? nil) != nil {
                order[set] = order[position]
                set += 1
            }
            // Standard fields first, by code; then custom ones, by name.
            func precedes(_ left: ContactField, _ right: ContactField) -> Bool {
                switch (left, right) {
                case (.standard(let a), .standard(let b)): a.stateCode < b.stateCode
                case (.standard, .custom): true
                case (.custom, .standard): false
                case (.custom(let a), .custom(let b)): a < b
                }
            }
            for position in 1..<max(set, 1) {
                var place = position
                while place > 0 && precedes(changes[order[place]].field, changes[order[place - 1]].field) {
                    order.swapAt(place, place - 1)
                    place -= 1
                }
            }
            let standard = (0..<set).prefix { if case .standard = changes[order[$0]].field { true } else { false } }.count
            writer.writeVarint(UInt64(standard))
            for position in 0..<set {
                if position == standard { writer.writeVarint(UInt64(set - standard)) }
                let change = changes[order[position]]
                guard let value = change.new.value ?? nil else { continue }
                switch change.field {
                case .standard(let field): writer.writeCode(state: field)
                case .custom(let name): writer.writeString(name)
                }
                writer.writeFieldValue(value)
            }
            if standard == set { writer.writeVarint(0) }
        }
    }

    private static func writeSegments(_ segments: inout [String], into writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(segments.count))
        segments.sort()
        for segment in segments { writer.writeString(segment) }
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
