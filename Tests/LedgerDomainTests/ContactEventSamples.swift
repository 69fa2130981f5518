import LedgerDomain

/// One sample of every event type, shared by the codec, JSON and schema tests. Fictional
/// people, documentation IP addresses (RFC 5737), example.com addresses.
enum ContactEventSamples {
    /// The custom fields the samples use, as `field.defined` would declare them.
    static let customFields: [String: FieldType] = ["loyaltyTier": .text, "lifetimeValue": .number, "firstOrder": .date, "vip": .bool]

    /// Today, for the rules: the samples' birth dates are before it.
    static let today = CalendarDate(year: 2026, month: 11, day: 29)

    static let evidence = ConsentEvidence(ipAddress: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")

    /// The sample of `kind`; the switch makes a new kind fail to compile here until it has one.
    static func sample(_ kind: ContactEventKind) -> ContactEvent {
        let newsletter = ConsentScope(channel: .email, purpose: "newsletter")
        switch kind {
        case .contactCreated:
            return .contactCreated(ContactCreated(
                channel: .import,
                consents: [
                    CreationConsent(scope: ConsentScope(channel: .email, purpose: "marketing"), method: .import, status: .confirmed, wordingVersion: nil),
                    CreationConsent(scope: ConsentScope(channel: .sms, purpose: "marketing"), method: .import, status: .subscribed, wordingVersion: "2026-09"),
                ],
                identifiers: [
                    IdentifierChange(kind: .email, value: "olena@example.com"),
                    IdentifierChange(kind: .phone, value: "+380441234567"),
                ],
                fields: [
                    FieldChange(field: .standard(.firstName), from: nil, to: .text("Олена")),
                    FieldChange(field: .standard(.birthDate), from: nil, to: .date(date(1961, 3, 9))),
                    FieldChange(field: .custom("lifetimeValue"), from: nil, to: .number(number("1250.50"))),
                    FieldChange(field: .custom("vip"), from: nil, to: .bool(true)),
                ]
            ))
        case .contactFieldsChanged:
            return .contactFieldsChanged(ContactFieldsChanged(changes: [
                FieldChange(field: .standard(.firstName), from: nil, to: .text("Олена")),
                FieldChange(field: .standard(.lastName), from: .text("Shevchenko"), to: .text("Ševčenko")),
                FieldChange(field: .standard(.birthDate), from: nil, to: .date(date(1961, 3, 9))),
                FieldChange(field: .standard(.languageCode), from: .text("en"), to: .text("uk")),
                FieldChange(field: .standard(.timeZone), from: nil, to: .text("Europe/Kyiv")),
                FieldChange(field: .custom("loyaltyTier"), from: .text("silver"), to: .text("gold")),
                FieldChange(field: .custom("lifetimeValue"), from: nil, to: .number(number("1250.50"))),
                FieldChange(field: .custom("firstOrder"), from: nil, to: .date(date(1969, 12, 31))),
                FieldChange(field: .custom("vip"), from: .bool(false), to: .bool(true)),
            ]))
        case .identifierAdded:
            return .identifierAdded(IdentifierChange(kind: .email, value: "olena@example.com"))
        case .identifierRemoved:
            return .identifierRemoved(IdentifierChange(kind: .phone, value: "+380441234567"))
        case .consentGranted:
            return .consentGranted(ConsentGranted(
                scope: newsletter, method: .formSingleOptIn, status: .subscribed, wordingVersion: "2026-09", evidence: .known(evidence)))
        case .consentWithdrawn:
            return .consentWithdrawn(ConsentWithdrawn(
                scope: ConsentScope(channel: .sms, purpose: "offers"), method: .operator,
                wordingVersion: nil, reason: "too-frequent", evidence: .known(ConsentEvidence(note: "phone call, ticket 4411"))))
        case .consentConfirmationRequested:
            return .consentConfirmationRequested(ConsentConfirmationRequested(
                scope: newsletter, method: .doubleOptIn, wordingVersion: "2026-09", tokenID: "tok_01J9Z3", evidence: .known(evidence)))
        case .consentConfirmed:
            return .consentConfirmed(ConsentConfirmed(
                scope: newsletter, method: .doubleOptIn, wordingVersion: "2026-09", tokenID: "tok_01J9Z3",
                evidence: .known(ConsentEvidence(ipAddress: "198.51.100.23", userAgent: "Mail/3774 CFNetwork/1410"))))
        case .segmentMemberAdded:
            return .segmentMemberAdded(SegmentMembership(segment: "Kyiv customers"))
        case .segmentMemberRemoved:
            return .segmentMemberRemoved(SegmentMembership(segment: "trial"))
        case .contactMerged:
            return .contactMerged(ContactMerged(absorbed: StreamID(17)))
        case .contactMergedAway:
            return .contactMergedAway(ContactMergedAway(survivor: StreamID(4)))
        case .contactErased:
            return .contactErased(ContactErased(reason: "gdpr-request"))
        case .fieldDefined:
            return .fieldDefined(FieldDefined(name: "loyaltyTier", type: .text))
        }
    }

    /// Every sample, in tag order.
    static var all: [ContactEvent] { ContactEventKind.allCases.map(sample) }

    /// What `event` reads as when its personal data is unavailable.
    static func erased(_ event: ContactEvent) -> ContactEvent {
        switch event {
        case .contactCreated(var created):
            // A value set from unset: the unset before is no personal value, and is not stored.
            created.identifiers = created.identifiers.map { IdentifierChange(kind: $0.kind, value: .erased) }
            created.fields = created.fields.map { FieldChange(field: $0.field, old: .known(nil), new: .erased) }
            return .contactCreated(created)
        case .contactFieldsChanged(var changed):
            changed.changes = changed.changes.map { FieldChange(field: $0.field, old: .erased, new: .erased) }
            return .contactFieldsChanged(changed)
        case .identifierAdded(var identifier):
            identifier.value = .erased
            return .identifierAdded(identifier)
        case .identifierRemoved(var identifier):
            identifier.value = .erased
            return .identifierRemoved(identifier)
        case .consentGranted(var consent):
            consent.evidence = .erased
            return .consentGranted(consent)
        case .consentWithdrawn(var consent):
            consent.evidence = .erased
            return .consentWithdrawn(consent)
        case .consentConfirmationRequested(var consent):
            consent.evidence = .erased
            return .consentConfirmationRequested(consent)
        case .consentConfirmed(var consent):
            consent.evidence = .erased
            return .consentConfirmed(consent)
        case .segmentMemberAdded, .segmentMemberRemoved, .contactMerged, .contactMergedAway,
             .contactErased, .fieldDefined:
            return event
        }
    }

    static func date(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate {
        guard let date = CalendarDate(year: year, month: month, day: day) else { preconditionFailure("bad sample date") }
        return date
    }

    static func number(_ text: String) -> DecimalNumber {
        guard let number = DecimalNumber(text) else { preconditionFailure("bad sample number") }
        return number
    }
}
