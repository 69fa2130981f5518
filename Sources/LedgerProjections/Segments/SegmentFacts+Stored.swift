import LedgerDomain

extension SegmentFacts {
    /// The stored form of no facts: `segment-facts` holds no entry for it.
    static let emptyEncoding = SegmentFacts().encoded()

    /// Folds one event into facts held in their stored form (`encoded`), leaving exactly the
    /// bytes that decoding them, `record` and `encoded` would; returns whether they changed.
    ///
    /// A contact's events after its first mostly move a time that is stored already (a field
    /// changed again, another import of the same file) and the latest source's kind: those
    /// are written over in place, without building the facts' tables (a table per contact
    /// per event for a follower). Anything else (the first event, a field or channel not
    /// there yet, an import from another file, an erasure) takes the plain way. A test
    /// compares the two over random event sequences.
    static func record(_ event: ContactEvent, envelope: FactEnvelope, stored: inout [UInt8]) throws -> Bool {
        var changed = false
        if try overwrite(event, envelope: envelope, stored: &stored, changed: &changed) { return changed }
        var facts = try stored.withUnsafeBytes { try SegmentFacts(decoding: $0) }
        facts.record(event, envelope: envelope)
        let encoded = facts.encoded()
        if encoded != stored {
            stored = encoded
            changed = true
        }
        return changed
    }

    /// Writes over the stored parts `event` moves when each is there already; false (having
    /// written nothing) when the event needs the plain fold.
    private static func overwrite(_ event: ContactEvent, envelope: FactEnvelope, stored bytes: inout [UInt8], changed: inout Bool) throws -> Bool {
        switch event {
        case .fieldDefined: return true
        case .contactErased: return false
        default: break
        }
        let layout = try bytes.withUnsafeBytes { try StoredFactsLayout($0) }
        // Without a creator the event is the contact's first: it sets one.
        guard layout.hasCreator else { return false }
        // Where the event's time goes.
        var times = [Int]()
        if let file = envelope.file {
            guard let time = layout.importTime, bytes[layout.importFile].elementsEqual(file.utf8) else { return false }
            times.append(time)
        }
        // A creation carrying fields (decision 0026) moves their times as its fields-changed would.
        for fact in event.facts {
            guard case .contactFieldsChanged(let changes) = fact else { continue }
            for change in changes.changes {
                guard let time = bytes.withUnsafeBytes({ layout.fieldTime(change.field, in: $0) }) else { return false }
                times.append(time)
            }
        }
        switch event {
        case .consentWithdrawn(let withdrawn):
            guard let time = bytes.withUnsafeBytes({ layout.withdrawalTime(withdrawn.scope.channel, in: $0) }) else { return false }
            times.append(time)
        default:
            break
        }
        if bytes[layout.source] != envelope.sourceKind {
            bytes[layout.source] = envelope.sourceKind
            changed = true
        }
        for offset in times {
            withUnsafeBytes(of: UInt64(bitPattern: envelope.recordedAt).bigEndian) { time in
                if !bytes[offset..<(offset + 8)].elementsEqual(time) {
                    bytes.replaceSubrange(offset..<(offset + 8), with: time)
                    changed = true
                }
            }
        }
        return true
    }
}

/// Where the parts of stored facts are (SegmentFacts+Binary.swift's layout), found by one walk
/// that builds nothing.
struct StoredFactsLayout {
    /// Whether the creator is there.
    let hasCreator: Bool
    /// The last import's time, when there is one, and its file name's bytes.
    let importTime: Int?
    let importFile: Range<Int>
    /// The latest source's kind.
    let source: Int
    /// The field times' count, and the first's start.
    let fields: Int
    let fieldsStart: Int
    /// The withdrawal times' count, and the first's start.
    let channels: Int
    let channelsStart: Int

    init(_ bytes: UnsafeRawBufferPointer) throws(BinaryFormatError) {
        var reader = BinaryReader(bytes)
        hasCreator = try reader.readUInt8("creator") == 1
        if hasCreator {
            _ = try reader.readUInt8("creator kind")
            _ = try reader.readBytesRange("creator name")
        }
        if try reader.readUInt8("import") == 1 {
            importTime = reader.offset
            _ = try reader.readInt64("import time")
            importFile = try reader.readBytesRange("import file")
        } else {
            importTime = nil
            importFile = 0..<0
        }
        source = reader.offset
        _ = try reader.readUInt8("source kind")
        fields = Int(try reader.readVarint("field count"))
        fieldsStart = reader.offset
        for _ in 0..<fields {
            _ = try reader.readUInt8("field tag")
            _ = try reader.readBytesRange("field name")
            _ = try reader.readInt64("field time")
        }
        channels = Int(try reader.readVarint("channel count"))
        channelsStart = reader.offset
        for _ in 0..<channels {
            _ = try reader.readBytesRange("channel")
            _ = try reader.readInt64("withdrawal time")
        }
        guard reader.isAtEnd else { throw BinaryFormatError(offset: reader.offset, what: "trailing bytes") }
    }

    /// Where `field`'s time is, when it is there. The walk in `init` checked the shape.
    func fieldTime(_ field: ContactField, in bytes: UnsafeRawBufferPointer) -> Int? {
        let (tag, name): (UInt8, String) = switch field {
        case .standard(let standard): (1, standard.rawValue)
        case .custom(let name): (2, name)
        }
        var reader = BinaryReader(bytes, offset: fieldsStart)
        do {
            for _ in 0..<fields {
                let stored = try reader.readUInt8("field tag")
                let range = try reader.readBytesRange("field name")
                if stored == tag && name.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[range])) { return reader.offset }
                _ = try reader.readInt64("field time")
            }
        } catch {}
        return nil
    }

    /// Where the time of `channel`'s last withdrawal is, when it is there.
    func withdrawalTime(_ channel: ConsentChannel, in bytes: UnsafeRawBufferPointer) -> Int? {
        var reader = BinaryReader(bytes, offset: channelsStart)
        do {
            for _ in 0..<channels {
                let range = try reader.readBytesRange("channel")
                if channel.rawValue.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[range])) { return reader.offset }
                _ = try reader.readInt64("withdrawal time")
            }
        } catch {}
        return nil
    }
}
