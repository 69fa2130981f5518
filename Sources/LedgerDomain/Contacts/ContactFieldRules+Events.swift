/// The rules for a whole event about to be recorded: its field values, identifiers and texts.
extension ContactFieldRules {
    /// Checks everything a writer controls in `event`; personal values must be known.
    /// A creation carrying identifiers and fields (decision 0026) is checked as the events it
    /// stands for (`ContactEvent.facts`).
    public func validate(_ event: ContactEvent) throws(FieldRuleViolation) {
        // An event that is its only fact is checked as it is: `facts` copies it (a retain per
        // value) to hand it back, for every consent event of every imported row.
        guard case .contactCreated(let created) = event, created.carriesValues else { return try validate(fact: event) }
        for fact in event.facts { try validate(fact: fact) }
    }

    private func validate(fact event: ContactEvent) throws(FieldRuleViolation) {
        switch event {
        case .contactCreated(let created):
            for consent in created.grants {
                try checkConsent(consent.scope, consent.wordingVersion, consent.evidence, occurredAt: consent.occurredAt)
            }
        case .contactFieldsChanged(let changed):
            try validate(changed.changes)
        case .identifierAdded(let identifier), .identifierRemoved(let identifier):
            guard case .known(let value) = identifier.value else {
                throw FieldRuleViolation(.erasedValue, "\(identifier.kind.label) identifier", "the value is erased")
            }
            try validate(identifier: value, kind: identifier.kind)
        case .consentGranted(let consent):
            try checkConsent(consent.scope, consent.wordingVersion, consent.evidence, occurredAt: consent.occurredAt)
        case .consentWithdrawn(let consent):
            try checkConsent(consent.scope, consent.wordingVersion, consent.evidence, occurredAt: consent.occurredAt)
            if let reason = consent.reason { try Self.checkLine(reason, "withdrawal reason", maxLength: Self.maxLabelLength) }
        case .consentConfirmationRequested(let consent):
            try checkConsent(consent.scope, consent.wordingVersion, consent.evidence, occurredAt: consent.occurredAt)
            try Self.checkToken(consent.tokenID)
        case .consentConfirmed(let consent):
            try checkConsent(consent.scope, consent.wordingVersion, consent.evidence, occurredAt: consent.occurredAt)
            try Self.checkToken(consent.tokenID)
        case .segmentMemberAdded(let membership), .segmentMemberRemoved(let membership):
            try Self.checkLine(membership.segment, "segment name", maxLength: Self.maxLabelLength)
        case .contactMerged, .contactMergedAway:
            // Stream 0 cannot be written (StreamID numbers start at 1 and decoding refuses 0);
            // whether the other stream exists is the store's question.
            break
        case .contactErased(let erased):
            try Self.checkLine(erased.reason, "erasure reason", maxLength: Self.maxLabelLength)
        case .fieldDefined(let definition):
            try validate(definition: definition)
        }
    }

    /// Checks that an identifier is in its normalised form: an e-mail address lowercased with
    /// one `@`, a phone number in E.164, an external id as one line.
    public func validate(identifier value: String, kind: IdentifierKind) throws(FieldRuleViolation) {
        let subject = "\(kind.label) identifier"
        switch kind {
        case .email:
            let parts = value.split(separator: "@", omittingEmptySubsequences: false)
            guard value.unicodeScalars.count <= 254 else {
                throw FieldRuleViolation(.tooLong, subject, "at most 254 characters")
            }
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
                  !parts[1].hasSuffix("."), !value.unicodeScalars.contains(where: { $0.properties.isWhitespace })
            else {
                throw FieldRuleViolation(.invalidFormat, subject, "not an address like name@example.com")
            }
            guard value == value.lowercased() else {
                throw FieldRuleViolation(.invalidFormat, subject, "not lowercased")
            }
        case .phone:
            let scalars = Array(value.unicodeScalars)
            guard scalars.count >= 3, scalars.count <= 16, scalars[0] == "+", scalars[1] != "0",
                  scalars.dropFirst().allSatisfy(\.isASCIIDigit)
            else {
                throw FieldRuleViolation(.invalidFormat, subject, "not in E.164 form (+ and up to 15 digits)")
            }
        case .externalId:
            try Self.checkLine(value, subject, maxLength: Self.maxExternalIDLength)
        }
    }

    private func checkConsent(
        _ scope: ConsentScope,
        _ wordingVersion: String?,
        _ evidence: Personal<ConsentEvidence>,
        occurredAt: Int64?
    ) throws(FieldRuleViolation) {
        // A consent cannot have happened after today (when the rules know today).
        if let occurredAt, let today, CalendarDate(utcDayOf: occurredAt) > today {
            throw FieldRuleViolation(.outOfRange, "consent time", "in the future")
        }
        try Self.checkConsentTerms(scope, wordingVersion, evidence)
    }

    private static func checkConsentTerms(
        _ scope: ConsentScope,
        _ wordingVersion: String?,
        _ evidence: Personal<ConsentEvidence>
    ) throws(FieldRuleViolation) {
        try checkLine(scope.purpose, "consent purpose", maxLength: maxLabelLength)
        if let wordingVersion { try checkLine(wordingVersion, "consent wording version", maxLength: maxLabelLength) }
        guard case .known(let known) = evidence else {
            throw FieldRuleViolation(.erasedValue, "consent evidence", "the evidence is erased")
        }
        if let address = known.ipAddress {
            guard !address.isEmpty, address.unicodeScalars.count <= 45,
                  address.unicodeScalars.allSatisfy({ $0.isASCIIDigit || "abcdefABCDEF.:".unicodeScalars.contains($0) }),
                  address.contains(".") || address.contains(":")
            else {
                throw FieldRuleViolation(.invalidFormat, "IP address", "not an IPv4 or IPv6 address")
            }
        }
        if let agent = known.userAgent { try checkLine(agent, "user agent", maxLength: maxTextLength) }
        if let note = known.note { try checkLine(note, "evidence note", maxLength: maxTextLength) }
    }

    private static func checkToken(_ token: String) throws(FieldRuleViolation) {
        try checkLine(token, "token id", maxLength: maxLabelLength)
        guard !token.unicodeScalars.contains(where: { $0.properties.isWhitespace }) else {
            throw FieldRuleViolation(.invalidCharacters, "token id", "contains whitespace")
        }
    }
}
