import LedgerDomain

/// A stored contact state (format 1, ContactState+Binary.swift) read in place: the head is
/// decoded, the rest is found by one walk that builds nothing (no string, array or table), and
/// a value is read only when asked for (`standardFieldValue`, `consentStatus`, ...).
///
/// A pass that evaluates segment rules over every contact reads states this way: building
/// even the parts a rule reads (`ContactState.init(decoding:reading:)`) cost an allocation
/// per list, table and long string, several times what evaluating the rule does. The bytes
/// must outlive the value (it is used inside the closure that lends them). Like the partial
/// reader, it does not look for repeats; a test compares it with the full decoder.
struct StoredContactState {
    /// The stored bytes.
    let bytes: UnsafeRawBufferPointer
    /// The head (id, times, erased, entry channel, survivor), with nothing else.
    let head: ContactState
    /// Per identifier kind (`IdentifierKind.slot`), how many there are and the latest's bytes.
    private var identifierCounts: (Int, Int, Int) = (0, 0, 0)
    private var lastIdentifiers: (Range<Int>, Range<Int>, Range<Int>) = (0..<0, 0..<0, 0..<0)
    /// Where each later part starts (its count).
    private var standardFieldsAt = 0
    private var customFieldsAt = 0
    private var consentsAt = 0
    private var segmentsAt = 0

    /// Walks `bytes`; a short or inconsistent buffer is an error, as with the full decoder.
    init(_ bytes: UnsafeRawBufferPointer) throws(BinaryFormatError) {
        self.bytes = bytes
        var reader = BinaryReader(bytes)
        head = try ContactState.readHead(&reader)
        for _ in 0..<(try reader.readCount("absorbed count")) { _ = try reader.readVarint("absorbed stream") }
        for slot in 0..<3 {
            let count = try reader.readCount("identifier count")
            var last = 0..<0
            for _ in 0..<count { last = try reader.readBytesRange("identifier") }
            switch slot {
            case 0: (identifierCounts.0, lastIdentifiers.0) = (count, last)
            case 1: (identifierCounts.1, lastIdentifiers.1) = (count, last)
            default: (identifierCounts.2, lastIdentifiers.2) = (count, last)
            }
        }
        standardFieldsAt = reader.offset
        for _ in 0..<(try reader.readCount("standard field count")) {
            _ = try reader.readUInt8("standard field")
            try reader.skipFieldValue("standard field value")
        }
        customFieldsAt = reader.offset
        for _ in 0..<(try reader.readCount("custom field count")) {
            _ = try reader.readBytesRange("custom field name")
            try reader.skipFieldValue("custom field value")
        }
        consentsAt = reader.offset
        for _ in 0..<(try reader.readCount("consent count")) { try reader.skipConsent() }
        segmentsAt = reader.offset
        for _ in 0..<(try reader.readCount("segment count")) { _ = try reader.readBytesRange("segment name") }
        guard reader.isAtEnd else { throw BinaryFormatError(offset: reader.offset, what: "trailing bytes") }
    }

    /// How many identifiers of `kind` the contact has.
    func identifierCount(_ kind: IdentifierKind) -> Int {
        switch kind.slot {
        case 0: identifierCounts.0
        case 1: identifierCounts.1
        default: identifierCounts.2
        }
    }

    /// The latest identifier of `kind` (the primary one), when there is one.
    func lastIdentifier(_ kind: IdentifierKind) -> String? {
        guard identifierCount(kind) > 0 else { return nil }
        let range = switch kind.slot {
        case 0: lastIdentifiers.0
        case 1: lastIdentifiers.1
        default: lastIdentifiers.2
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// The standard field's value, when it has one. The walk in `init` checked every value's
    /// shape, so reading one again cannot fail; if it did, the value would read as missing.
    func standardFieldValue(_ field: StandardField) -> FieldValue? {
        var reader = BinaryReader(bytes, offset: standardFieldsAt)
        let code = field.stateCode
        do {
            for _ in 0..<(try reader.readCount("standard field count")) {
                if try reader.readUInt8("standard field") == code { return try reader.readFieldValue("standard field value") }
                try reader.skipFieldValue("standard field value")
            }
        } catch {}
        return nil
    }

    /// The custom field's value, when it has one.
    func customFieldValue(_ name: String) -> FieldValue? {
        var reader = BinaryReader(bytes, offset: customFieldsAt)
        do {
            for _ in 0..<(try reader.readCount("custom field count")) {
                let stored = try reader.readBytesRange("custom field name")
                if name.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[stored])) { return try reader.readFieldValue("custom field value") }
                try reader.skipFieldValue("custom field value")
            }
        } catch {}
        return nil
    }

    /// The consent status for `scope`; nil when no consent event named it.
    func consentStatus(_ scope: ConsentScope) -> ConsentStatus? {
        var found: ConsentStatus?
        forEachConsent { channel, purpose, status in
            guard channel == scope.channel, scope.purpose.utf8.elementsEqual(purpose) else { return true }
            found = status
            return false
        }
        return found
    }

    /// Whether a consent on `channel` (any purpose) has a status `holds` accepts.
    func anyConsent(on channel: ConsentChannel, where holds: (ConsentStatus) -> Bool) -> Bool {
        var found = false
        forEachConsent { stored, _, status in
            if stored == channel && holds(status) { found = true }
            return !found
        }
        return found
    }

    /// Calls `body` with each consent's channel, purpose bytes and status until it returns false.
    private func forEachConsent(_ body: (ConsentChannel, UnsafeRawBufferPointer, ConsentStatus) -> Bool) {
        var reader = BinaryReader(bytes, offset: consentsAt)
        do {
            for _ in 0..<(try reader.readCount("consent count")) {
                let channel: ConsentChannel = try reader.readCode(state: "consent channel")
                let purpose = try reader.readBytesRange("consent purpose")
                let status: ConsentStatus = try reader.readCode(state: "consent status")
                guard body(channel, UnsafeRawBufferPointer(rebasing: bytes[purpose]), status) else { return }
                try reader.skipConsentAfterStatus()
            }
        } catch {}
    }

    /// Whether the contact is in the static segment `name`.
    func inStaticSegment(_ name: String) -> Bool {
        var reader = BinaryReader(bytes, offset: segmentsAt)
        do {
            for _ in 0..<(try reader.readCount("segment count")) {
                let stored = try reader.readBytesRange("segment name")
                if name.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[stored])) { return true }
            }
        } catch {}
        return false
    }
}
