import LedgerDomain

// Reading only some parts of a stored state (format 1, ContactState+Binary.swift): the parts
// not asked for are stepped over without building a string, an array or a table. A pass that
// evaluates a segment rule over every contact reads only what the rule reads: building a whole
// state cost several times what evaluating the rule does (docs/benchmarks.md, segments).
//
// This is a reader for evaluation, not a check of the bytes: it does not look for repeated
// identifiers, fields or scopes (the full decoder, which `verify` and every writer use, does).
// A test reads every part of sample states both ways and compares them.

extension ContactState {
    /// The parts of a stored state a partial read builds (`init(decoding:reading:)`). The head
    /// (id, times, erased, entry channel, survivor) is always read.
    public struct Parts: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        /// Parts from their bits.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// E-mail addresses, phone numbers and external ids.
        public static let identifiers = Parts(rawValue: 1)
        /// The standard fields.
        public static let standardFields = Parts(rawValue: 2)
        /// The custom fields.
        public static let customFields = Parts(rawValue: 4)
        /// Consent per scope.
        public static let consents = Parts(rawValue: 8)
        /// Static segment memberships.
        public static let segments = Parts(rawValue: 16)
        /// Everything: the same as the full decoder.
        public static let all: Parts = [.identifiers, .standardFields, .customFields, .consents, .segments]
    }

    /// Reads the head of stored bytes and only `parts` of the rest; what is not asked for is
    /// left empty (absorbed streams are never read). A malformed buffer is an error, never a
    /// crash, as with the full decoder.
    public init(decoding bytes: UnsafeRawBufferPointer, reading parts: Parts) throws(BinaryFormatError) {
        if parts == .all {
            try self.init(decoding: bytes)
            return
        }
        var reader = BinaryReader(bytes)
        self = try Self.readHead(&reader)
        // Every part after the last one asked for is left unread.
        let last: Parts = parts.contains(.segments) ? .segments : parts.contains(.consents) ? .consents
            : parts.contains(.customFields) ? .customFields : parts.contains(.standardFields) ? .standardFields
            : parts.contains(.identifiers) ? .identifiers : []
        guard !last.isEmpty else { return }
        for _ in 0..<(try reader.readCount("absorbed count")) { _ = try reader.readVarint("absorbed stream") }
        if parts.contains(.identifiers) {
            emails = try Self.readIdentifierList(&reader)
            phones = try Self.readIdentifierList(&reader)
            externalIds = try Self.readIdentifierList(&reader)
        } else {
            for _ in 0..<3 {
                for _ in 0..<(try reader.readCount("identifier count")) { _ = try reader.readBytesRange("identifier") }
            }
        }
        guard last != .identifiers else { return }
        let standardFieldCount = try reader.readCount("standard field count")
        for _ in 0..<standardFieldCount {
            if parts.contains(.standardFields) {
                let field: StandardField = try reader.readCode(state: "standard field")
                standardFields[field] = try reader.readFieldValue("standard field value")
            } else {
                _ = try reader.readUInt8("standard field")
                try reader.skipFieldValue("standard field value")
            }
        }
        guard last != .standardFields else { return }
        let customFieldCount = try reader.readCount("custom field count")
        for _ in 0..<customFieldCount {
            if parts.contains(.customFields) {
                let name = try reader.readString("custom field name")
                fields[name] = try reader.readFieldValue("custom field value")
            } else {
                _ = try reader.readBytesRange("custom field name")
                try reader.skipFieldValue("custom field value")
            }
        }
        guard last != .customFields else { return }
        let consentCount = try reader.readCount("consent count")
        for _ in 0..<consentCount {
            if parts.contains(.consents) {
                let (scope, record) = try Self.readConsent(&reader)
                consents[scope] = record
            } else {
                try reader.skipConsent()
            }
        }
        guard last != .consents else { return }
        for _ in 0..<(try reader.readCount("segment count")) {
            segments.insert(try reader.readString("segment name"))
        }
        guard reader.isAtEnd else { throw BinaryFormatError(offset: reader.offset, what: "trailing bytes") }
    }

    /// An identifier list, without the check for repeats.
    private static func readIdentifierList(_ reader: inout BinaryReader) throws(BinaryFormatError) -> [String] {
        let count = try reader.readCount("identifier count")
        guard count > 0 else { return [] }
        var values = [String]()
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try reader.readString("identifier")) }
        return values
    }
}

extension BinaryReader {
    /// Steps over a field value as `BinaryWriter.writeFieldValue` wrote it.
    mutating func skipFieldValue(_ what: StaticString) throws(BinaryFormatError) {
        let type: FieldType = try readCode(state: what)
        switch type {
        case .text, .number: _ = try readBytesRange(what)
        case .date: _ = try readVarint(what)
        case .bool: _ = try readFlag(what)
        }
    }

    /// Steps over one stored consent (scope and record).
    mutating func skipConsent() throws(BinaryFormatError) {
        _ = try readUInt8("consent channel")
        _ = try readBytesRange("consent purpose")
        _ = try readUInt8("consent status")
        try skipConsentAfterStatus()
    }

    /// Steps over the rest of a stored consent once its channel, purpose and status are read.
    mutating func skipConsentAfterStatus() throws(BinaryFormatError) {
        _ = try readVarint("consent since")
        _ = try readUInt8("consent method")
        if try readFlag("consent wording version") { _ = try readBytesRange("consent wording version") }
        _ = try readVarint("consent position")
        if try readFlag("consent evidence") {
            if try readFlag("IP address") { _ = try readBytesRange("IP address") }
            if try readFlag("user agent") { _ = try readBytesRange("user agent") }
        }
        if try readFlag("pending confirmation") {
            _ = try readBytesRange("token id")
            _ = try readVarint("requested at")
        }
    }
}
