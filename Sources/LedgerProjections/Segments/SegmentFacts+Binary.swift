import LedgerDomain

extension SegmentFacts {
    /// The stored form in `segment-facts`: a presence byte per part, times as Int64.
    func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 64)
        if let createdBy {
            writer.write(UInt8(1))
            writer.write(createdBy.kind.rawValue)
            writer.writeString(createdBy.name)
        } else {
            writer.write(UInt8(0))
        }
        if let lastImportAt {
            writer.write(UInt8(1))
            writer.write(lastImportAt)
            writer.writeString(lastImportFile ?? "")
        } else {
            writer.write(UInt8(0))
        }
        writer.write(lastChangeSource ?? 0)
        writer.writeVarint(UInt64(fieldChangedAt.count))
        for (field, at) in fieldChangedAt.sorted(by: { $0.key.name < $1.key.name || ($0.key.name == $1.key.name && $0.key.description < $1.key.description) }) {
            switch field {
            case .standard(let standard):
                writer.write(UInt8(1))
                writer.writeString(standard.rawValue)
            case .custom(let name):
                writer.write(UInt8(2))
                writer.writeString(name)
            }
            writer.write(at)
        }
        writer.writeVarint(UInt64(consentWithdrawnAt.count))
        for (channel, at) in consentWithdrawnAt.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            writer.writeString(channel.rawValue)
            writer.write(at)
        }
        return writer.bytes
    }

    /// Reads the stored form; without `fieldTimes` the times of field changes are stepped over
    /// (left empty), for a pass whose rules do not read them.
    init(decoding bytes: UnsafeRawBufferPointer, fieldTimes: Bool = true) throws(BinaryFormatError) {
        var reader = BinaryReader(bytes)
        self.init()
        if try reader.readUInt8("creator") == 1 {
            let kind = try reader.readUInt8("creator kind")
            createdBy = Actor(Actor.Kind(rawValue: kind), try reader.readString("creator name"))
        }
        if try reader.readUInt8("import") == 1 {
            lastImportAt = try reader.readInt64("import time")
            lastImportFile = try reader.readString("import file")
        }
        let source = try reader.readUInt8("source kind")
        lastChangeSource = source == 0 ? nil : source
        for _ in 0..<(try reader.readVarint("field count")) {
            let tag = try reader.readUInt8("field tag")
            guard fieldTimes else {
                _ = try reader.readBytesRange("field name")
                _ = try reader.readInt64("field time")
                continue
            }
            let name = try reader.readString("field name")
            let field: ContactField
            if tag == 1, let standard = StandardField(rawValue: name) {
                field = .standard(standard)
            } else if tag == 2 {
                field = .custom(name)
            } else {
                throw BinaryFormatError(offset: reader.offset, what: "field tag \(tag)")
            }
            fieldChangedAt[field] = try reader.readInt64("field time")
        }
        for _ in 0..<(try reader.readVarint("channel count")) {
            let name = try reader.readString("channel")
            guard let channel = ConsentChannel(rawValue: name) else { throw BinaryFormatError(offset: reader.offset, what: "channel") }
            consentWithdrawnAt[channel] = try reader.readInt64("withdrawal time")
        }
        guard reader.isAtEnd else { throw BinaryFormatError(offset: reader.offset, what: "trailing bytes") }
    }
}
