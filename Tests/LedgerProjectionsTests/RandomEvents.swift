import LedgerDomain


/// Random contact events from small vocabularies, so that adds meet removes, grants meet
/// withdrawals and values collide; about one in ten personal values reads as erased.
struct RandomEvents {
    var generator: SeededGenerator

    init(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
    }

    mutating func events(count: Int) -> [ContactEvent] {
        (0..<count).map { _ in event() }
    }

    mutating func event() -> ContactEvent {
        // Merged-away and erased end a fold, so they are rare enough for most runs to go on.
        switch Int.random(in: 0..<100, using: &generator) {
        case 0..<2: return .contactCreated(ContactCreated(channel: pick(EntryChannel.allCases)))
        case 2..<4: return .contactCreated(carryingCreation())
        case 4..<20: return .contactFieldsChanged(ContactFieldsChanged(changes: (0..<Int.random(in: 1...3, using: &generator)).map { _ in change() }))
        case 20..<34: return .identifierAdded(identifier())
        case 34..<42: return .identifierRemoved(identifier())
        case 42..<52: return .consentGranted(ConsentGranted(scope: scope(), method: pick(ConsentMethod.allCases), status: pick(ConsentGrantStatus.allCases), wordingVersion: maybe("w1"), evidence: evidence()))
        case 52..<60: return .consentWithdrawn(ConsentWithdrawn(scope: scope(), method: pick(ConsentMethod.allCases), wordingVersion: maybe("w1"), reason: maybe("too-frequent"), evidence: evidence()))
        case 60..<68: return .consentConfirmationRequested(ConsentConfirmationRequested(scope: scope(), method: .doubleOptIn, wordingVersion: maybe("w2"), tokenID: pick(["t1", "t2"]), evidence: evidence()))
        case 68..<76: return .consentConfirmed(ConsentConfirmed(scope: scope(), method: .doubleOptIn, wordingVersion: maybe("w2"), tokenID: pick(["t1", "t2"]), evidence: evidence()))
        case 76..<84: return .segmentMemberAdded(SegmentMembership(segment: pick(["kyiv", "trial", "vip"])))
        case 84..<90: return .segmentMemberRemoved(SegmentMembership(segment: pick(["kyiv", "trial", "vip"])))
        case 90..<94: return .contactMerged(ContactMerged(absorbed: StreamID(UInt64.random(in: 1...5, using: &generator))))
        case 94..<97: return .fieldDefined(FieldDefined(name: "tier", type: .text))
        case 97..<99: return .contactMergedAway(ContactMergedAway(survivor: StreamID(7)))
        default: return .contactErased(ContactErased(reason: "gdpr-request"))
        }
    }

    private mutating func pick<T>(_ options: [T]) -> T {
        options[Int.random(in: 0..<options.count, using: &generator)]
    }

    private mutating func maybe(_ value: String) -> String? {
        Bool.random(using: &generator) ? value : nil
    }

    private mutating func personal<T>(_ value: T) -> Personal<T> {
        Int.random(in: 0..<10, using: &generator) == 0 ? .erased : .known(value)
    }

    private mutating func identifier() -> IdentifierChange {
        switch pick(IdentifierKind.allCases) {
        case .email: IdentifierChange(kind: .email, value: personal(pick(["a@example.com", "b@example.com", "c@example.com"])))
        case .phone: IdentifierChange(kind: .phone, value: personal(pick(["+380441234567", "+14155550100"])))
        case .externalId: IdentifierChange(kind: .externalId, value: personal(pick(["crm-1", "crm-2"])))
        }
    }

    private mutating func value() -> FieldValue? {
        switch Int.random(in: 0..<5, using: &generator) {
        case 0: nil
        case 1: .text(pick(["Олена", "Ann", "", "gold"]))
        case 2: DecimalNumber(pick(["0", "12", "1250.5", "-3.25", "12345678901234567890.5"])).map(FieldValue.number)
        case 3: CalendarDate(daysSinceEpoch: Int64.random(in: -30_000...30_000, using: &generator)).map(FieldValue.date)
        default: .bool(Bool.random(using: &generator))
        }
    }

    private mutating func change() -> FieldChange {
        let field: ContactField = Bool.random(using: &generator)
            ? .standard(pick(StandardField.allCases))
            : .custom(pick(["tier", "ltv", "firstOrder", "vip"]))
        return FieldChange(field: field, old: personal(value()), new: personal(value()))
    }

    /// A creation carrying identifiers and fields (decision 0026), some of them erased.
    private mutating func carryingCreation() -> ContactCreated {
        let identifiers = (0..<Int.random(in: 0...3, using: &generator)).map { _ in identifier() }
        let fields = (0..<Int.random(in: 0...3, using: &generator)).map { _ in
            let change = change()
            return FieldChange(field: change.field, old: .known(nil), new: change.new)
        }
        return ContactCreated(channel: pick(EntryChannel.allCases), identifiers: identifiers, fields: fields)
    }

    private mutating func scope() -> ConsentScope {
        ConsentScope(channel: pick(ConsentChannel.allCases), purpose: pick(["newsletter", "offers"]))
    }

    private mutating func evidence() -> Personal<ConsentEvidence> {
        personal(pick([ConsentEvidence.none, ConsentEvidence(ipAddress: "203.0.113.7"), ConsentEvidence(ipAddress: "2001:db8::1", userAgent: "Firefox/140.0")]))
    }
}
