import LedgerDomain

// The stored form of a contact state, for projection tables and snapshots.
//
// Format 1 (integers in varints, signed ones zigzag; strings are varint length + UTF-8):
//
//     format u8 = 1 | flags u8 (1 erased, 2 entry channel, 4 merged into)
//     | id | createdAt | updatedAt | entry channel code (flag 2) | survivor stream (flag 4)
//     | absorbed: count, streams
//     | emails, phones, external ids: each count, strings (oldest first)
//     | standard fields: count, then field code, value
//     | custom fields: count, then name, value (sorted by name)
//     | consents: count, then per scope (sorted by channel code, purpose): channel code,
//       purpose, status code, since, method code, optional wording version, position,
//       evidence (0, or 1 then optional IP address, optional user agent),
//       pending (0, or 1 then token id, requestedAt)
//     | segments: count, names (sorted)
//
// A value is its field type code, then text: string, number: canonical string, date: days
// since 1970-01-01, bool: 0 or 1. Optional strings are a presence byte, then the string.
// Sorting the unordered parts makes equal states encode to equal bytes.
//
// The state holds personal data, so the bytes must be stored where the contact's personal
// data may be (and dropped or rewritten when the contact is erased).

extension ContactState {
    /// The current format byte; a new layout gets a new number and the reader keeps the old.
    public static let binaryFormat: UInt8 = 1

    enum Flag {
        static let erased: UInt8 = 1
        static let channel: UInt8 = 2
        static let mergedInto: UInt8 = 4
        static let all: UInt8 = erased | channel | mergedInto
    }

    /// The state's stored bytes (format 1).
    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 128)
        encode(into: &writer)
        return writer.bytes
    }

    /// Appends the state's stored bytes to `writer` (a rebuild keeps many states in one buffer).
    public func encode(into writer: inout BinaryWriter) {
        encode(id: id, createdAt: createdAt, updatedAt: updatedAt, into: &writer)
    }

    /// Appends the stored bytes of `placed(stream:recordedAt:firstPosition:)` to `writer`,
    /// without making that copy of the state (a retain of each of its tables, and a release
    /// when dropped).
    public func encode(placedIn stream: StreamID, recordedAt: Int64, firstPosition: UInt64 = 0, into writer: inout BinaryWriter) {
        Self.writeHead(flags: flags, id: stream, createdAt: recordedAt, updatedAt: recordedAt, into: &writer)
        encodeTailBeforeConsents(into: &writer)
        encodeConsents(placing: (recordedAt, firstPosition), into: &writer)
        encodeTailAfterConsents(into: &writer)
    }

    private func encode(id: StreamID, createdAt: Int64, updatedAt: Int64, into writer: inout BinaryWriter) {
        Self.writeHead(flags: flags, id: id, createdAt: createdAt, updatedAt: updatedAt, into: &writer)
        encodeTail(into: &writer)
    }

    /// The stored bytes after the head (format, flags, id and times): what placing a state
    /// at its stream and time (`placed`) leaves as it is when it holds no consent, so a thread
    /// that folds a new contact ahead can encode them there (`SharedContactState`).
    public func encodedTail() -> [UInt8] {
        var writer = BinaryWriter(capacity: 128)
        encodeTail(into: &writer)
        return writer.bytes
    }

    /// The tail in the two parts placing leaves as they are, around the consents (whose
    /// positions and unstated times placing sets): what a state with consents shares ahead.
    public func encodedTailAroundConsents() -> (before: [UInt8], after: [UInt8]) {
        var before = BinaryWriter(capacity: 128)
        encodeTailBeforeConsents(into: &before)
        var after = BinaryWriter(capacity: 16)
        encodeTailAfterConsents(into: &after)
        return (before.bytes, after.bytes)
    }

    /// Appends the stored consents of this state placed at `recordedAt` and `firstPosition`
    /// (`ConsentRecord.placed`).
    public func encodeConsents(placedAt recordedAt: Int64, firstPosition: UInt64, into writer: inout BinaryWriter) {
        encodeConsents(placing: (recordedAt, firstPosition), into: &writer)
    }

    /// The flags byte of the head.
    public var flags: UInt8 {
        var flags: UInt8 = 0
        if erased { flags |= Flag.erased }
        if channel != nil { flags |= Flag.channel }
        if mergedInto != nil { flags |= Flag.mergedInto }
        return flags
    }

    /// Appends a state's head: format, `flags`, id and times.
    public static func writeHead(flags: UInt8, id: StreamID, createdAt: Int64, updatedAt: Int64, into writer: inout BinaryWriter) {
        writer.write(binaryFormat)
        writer.write(flags)
        writer.writeVarint(id.rawValue)
        writer.writeSigned(createdAt)
        writer.writeSigned(updatedAt)
    }

    private func encodeTail(into writer: inout BinaryWriter) {
        encodeTailBeforeConsents(into: &writer)
        encodeConsents(placing: nil, into: &writer)
        encodeTailAfterConsents(into: &writer)
    }

    private func encodeTailBeforeConsents(into writer: inout BinaryWriter) {
        if let channel { writer.writeCode(state: channel) }
        if let mergedInto { writer.writeVarint(mergedInto.rawValue) }
        writer.writeVarint(UInt64(absorbed.count))
        for stream in absorbed { writer.writeVarint(stream.rawValue) }
        // One list at a time: an array of the three lists cost an allocation per state.
        Self.writeIdentifiers(emails, into: &writer)
        Self.writeIdentifiers(phones, into: &writer)
        Self.writeIdentifiers(externalIds, into: &writer)
        // Tables are written in a fixed order so equal states have equal bytes.
        writer.writeVarint(UInt64(standardFields.count))
        Self.forEachSorted(standardFields, by: { $0.stateCode < $1.stateCode }) { field, value in
            writer.writeCode(state: field)
            writer.writeFieldValue(value)
        }
        writer.writeVarint(UInt64(fields.count))
        Self.forEachSorted(fields, by: <) { name, value in
            writer.writeString(name)
            writer.writeFieldValue(value)
        }
    }

    /// The consents, placed at a time and first position when `placing` says so.
    private func encodeConsents(placing: (recordedAt: Int64, firstPosition: UInt64)?, into writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(consents.count))
        Self.forEachSorted(consents, by: Self.precedes) { scope, record in
            if let placing {
                Self.write(scope, record.placed(recordedAt: placing.recordedAt, firstPosition: placing.firstPosition), into: &writer)
            } else {
                Self.write(scope, record, into: &writer)
            }
        }
    }

    private func encodeTailAfterConsents(into writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(segments.count))
        if !segments.isEmpty {
            for segment in segments.sorted() { writer.writeString(segment) }
        }
    }

    private static func writeIdentifiers(_ list: [String], into writer: inout BinaryWriter) {
        writer.writeVarint(UInt64(list.count))
        for value in list { writer.writeString(value) }
    }

    /// Calls `body` with each entry of `table` in key order (`precedes`, strict: keys are
    /// distinct). A table of a few entries (a contact's usual fields) has its positions sorted
    /// on the stack, by insertion: a sorted copy copied every entry into a new array (a retain
    /// per value) for each state written, and picking the next key by a walk over the whole
    /// table for each entry read every key again and again.
    private static func forEachSorted<Key, Value>(_ table: [Key: Value], by precedes: (Key, Key) -> Bool, _ body: (Key, Value) -> Void) {
        let count = table.count
        if count <= 1 {
            if let (key, value) = table.first { body(key, value) }
            return
        }
        guard count <= 8 else {
            for (key, value) in table.sorted(by: { precedes($0.key, $1.key) }) { body(key, value) }
            return
        }
        withUnsafeTemporaryAllocation(of: Dictionary<Key, Value>.Index.self, capacity: count) { order in
            var sorted = 0
            var index = table.startIndex
            while index != table.endIndex {
                let key = table.keys[index]
                order.initializeElement(at: sorted, to: index)
                var place = sorted
                while place > 0 && precedes(key, table.keys[order[place - 1]]) {
                    order.swapAt(place, place - 1)
                    place -= 1
                }
                sorted += 1
                index = table.index(after: index)
            }
            for position in 0..<sorted {
                let entry = table[order[position]]
                body(entry.key, entry.value)
            }
            _ = UnsafeMutableBufferPointer(rebasing: order[..<sorted]).deinitialize()
        }
    }

    /// Reads stored bytes; a short, inconsistent or unknown-format buffer is an error, never a crash.
    public init(decoding bytes: UnsafeRawBufferPointer) throws(BinaryFormatError) {
        var reader = BinaryReader(bytes)
        self = try Self.readHead(&reader)
        let absorbedCount = try reader.readCount("absorbed count")
        for _ in 0..<absorbedCount {
            let start = reader.offset
            let stream = try reader.readStreamID("absorbed stream")
            guard !absorbed.contains(stream) else { throw BinaryFormatError(offset: start, what: "absorbed stream (repeated)") }
            absorbed.append(stream)
        }
        emails = try Self.readIdentifiers(&reader)
        phones = try Self.readIdentifiers(&reader)
        externalIds = try Self.readIdentifiers(&reader)
        let standardFieldCount = try reader.readCount("standard field count")
        for _ in 0..<standardFieldCount {
            let start = reader.offset
            let field: StandardField = try reader.readCode(state: "standard field")
            guard standardFields[field] == nil else { throw BinaryFormatError(offset: start, what: "standard field (repeated)") }
            standardFields[field] = try reader.readFieldValue("standard field value")
        }
        let customFieldCount = try reader.readCount("custom field count")
        for _ in 0..<customFieldCount {
            let start = reader.offset
            let name = try reader.readString("custom field name")
            guard fields[name] == nil else { throw BinaryFormatError(offset: start, what: "custom field (repeated)") }
            fields[name] = try reader.readFieldValue("custom field value")
        }
        let consentCount = try reader.readCount("consent count")
        for _ in 0..<consentCount {
            let start = reader.offset
            let (scope, record) = try Self.readConsent(&reader)
            guard consents[scope] == nil else { throw BinaryFormatError(offset: start, what: "consent scope (repeated)") }
            consents[scope] = record
        }
        let segmentCount = try reader.readCount("segment count")
        for _ in 0..<segmentCount {
            let start = reader.offset
            guard segments.insert(try reader.readString("segment name")).inserted else {
                throw BinaryFormatError(offset: start, what: "segment (repeated)")
            }
        }
        guard reader.isAtEnd else { throw BinaryFormatError(offset: reader.offset, what: "trailing bytes") }
    }

    /// Reads the head of stored bytes (format, flags, id, times, entry channel, survivor): a
    /// state holding only those, for the full decoder and the partial one
    /// (ContactState+Partial.swift) to read the rest into.
    static func readHead(_ reader: inout BinaryReader) throws(BinaryFormatError) -> ContactState {
        let format = try reader.readUInt8("contact state format")
        guard format == binaryFormat else {
            throw BinaryFormatError(offset: 0, what: "contact state format (unknown format \(format))")
        }
        let flags = try reader.readUInt8("contact state flags")
        guard flags & ~Flag.all == 0 else {
            throw BinaryFormatError(offset: 1, what: "contact state flags (unknown flags \(flags))")
        }
        var state = ContactState(id: StreamID(try reader.readVarint("contact id")), createdAt: try reader.readSigned("created at"))
        state.updatedAt = try reader.readSigned("updated at")
        state.erased = flags & Flag.erased != 0
        if flags & Flag.channel != 0 { state.channel = try reader.readCode(state: "entry channel") }
        if flags & Flag.mergedInto != 0 { state.mergedInto = try reader.readStreamID("survivor stream") }
        return state
    }

    /// Reads stored bytes from an array.
    public init(decoding bytes: [UInt8]) throws(BinaryFormatError) {
        let result: Result<ContactState, BinaryFormatError> = bytes.withUnsafeBytes { raw in
            do throws(BinaryFormatError) {
                return .success(try ContactState(decoding: raw))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// The stored order of consent scopes.
    static func precedes(_ lhs: ConsentScope, _ rhs: ConsentScope) -> Bool {
        (lhs.channel.stateCode, lhs.purpose) < (rhs.channel.stateCode, rhs.purpose)
    }

    static func write(_ scope: ConsentScope, _ record: ConsentRecord, into writer: inout BinaryWriter) {
        writer.writeCode(state: scope.channel)
        writer.writeString(scope.purpose)
        writer.writeCode(state: record.status)
        writer.writeSigned(record.since)
        writer.writeCode(state: record.method)
        writer.writeOptional(record.wordingVersion)
        writer.writeVarint(record.position)
        writer.writeFlag(record.evidence != nil)
        if let evidence = record.evidence {
            writer.writeOptional(evidence.ipAddress)
            writer.writeOptional(evidence.userAgent)
        }
        writer.writeFlag(record.pending != nil)
        if let pending = record.pending {
            writer.writeString(pending.tokenID)
            writer.writeSigned(pending.requestedAt)
        }
    }

    static func readConsent(_ reader: inout BinaryReader) throws(BinaryFormatError) -> (ConsentScope, ConsentRecord) {
        let channel: ConsentChannel = try reader.readCode(state: "consent channel")
        let scope = ConsentScope(channel: channel, purpose: try reader.readString("consent purpose"))
        let status: ConsentStatus = try reader.readCode(state: "consent status")
        let since = try reader.readSigned("consent since")
        let method: ConsentMethod = try reader.readCode(state: "consent method")
        let wording = try reader.readOptional("consent wording version")
        let position = try reader.readVarint("consent position")
        var evidence: ConsentEvidence? = nil
        if try reader.readFlag("consent evidence") {
            let address = try reader.readOptional("IP address")
            evidence = ConsentEvidence(ipAddress: address, userAgent: try reader.readOptional("user agent"))
        }
        var pending: PendingConfirmation? = nil
        if try reader.readFlag("pending confirmation") {
            let token = try reader.readString("token id")
            pending = PendingConfirmation(tokenID: token, requestedAt: try reader.readSigned("requested at"))
        }
        let record = ConsentRecord(
            status: status, since: since, method: method, wordingVersion: wording,
            position: position, evidence: evidence, pending: pending
        )
        return (scope, record)
    }

    private static func readIdentifiers(_ reader: inout BinaryReader) throws(BinaryFormatError) -> [String] {
        let identifierCount = try reader.readCount("identifier count")
        guard identifierCount > 0 else { return [] }
        var values: [String] = []
        values.reserveCapacity(identifierCount)
        // A contact has a few identifiers of a kind, mostly one: comparing with those read is
        // cheaper than a set (an allocation and a hash of each string, per list, per decode).
        var seen: Set<String> = []
        let few = identifierCount <= 8
        for _ in 0..<identifierCount {
            let start = reader.offset
            let value = try reader.readString("identifier")
            let repeated = few ? values.contains(value) : !seen.insert(value).inserted
            guard !repeated else { throw BinaryFormatError(offset: start, what: "identifier (repeated)") }
            values.append(value)
        }
        return values
    }
}
