/// `segment.members-changed` v1: who entered and who left a dynamic segment when a rule's
/// definition or refresh was evaluated over every contact (the event at `cause`: this
/// segment's own, or one of a segment its rule names). Contacts are named by their streams,
/// never by a personal value. A large change is recorded in parts, in one append, right after
/// the projection folded the cause (decision 0018); a change that a contact's own event makes
/// is projection history only.
public struct SegmentMembersChanged: Hashable, Sendable {
    /// The type tag and version.
    public static let type = EventType("segment.members-changed", version: 1)
    /// Most contacts (entered and left together) one event names: larger changes are split.
    public static let maximumStreams = 10_000

    /// The segment's name.
    public var segment: String
    /// Its rule version the contacts were evaluated under.
    public var version: UInt64
    /// The log position of the definition or refresh that caused the change.
    public var cause: UInt64
    /// Which part this is (1, 2, …) of `parts`.
    public var part: UInt64
    /// How many parts record the change.
    public var parts: UInt64
    /// The contacts that entered, ascending.
    public var entered: [StreamID]
    /// The contacts that left, ascending.
    public var left: [StreamID]

    /// Describes one part of a change.
    public init(segment: String, version: UInt64, cause: UInt64, part: UInt64 = 1, parts: UInt64 = 1, entered: [StreamID], left: [StreamID]) {
        self.segment = segment
        self.version = version
        self.cause = cause
        self.part = part
        self.parts = parts
        self.entered = entered
        self.left = left
    }

    /// The change split into parts of at most `maximumStreams` contacts (one part, perhaps
    /// empty, when it is small): the entered first, then the left, each ascending.
    public static func parts(segment: String, version: UInt64, cause: UInt64, entered: [StreamID], left: [StreamID], maximum: Int = maximumStreams) -> [SegmentMembersChanged] {
        let limit = max(1, maximum)
        let all = entered.sorted().map { ($0, true) } + left.sorted().map { ($0, false) }
        let count = max(1, (all.count + limit - 1) / limit)
        return (0..<count).map { index in
            let slice = all[min(all.count, index * limit)..<min(all.count, (index + 1) * limit)]
            return SegmentMembersChanged(segment: segment, version: version, cause: cause, part: UInt64(index + 1), parts: UInt64(count),
                                         entered: slice.filter(\.1).map(\.0), left: slice.filter { !$0.1 }.map(\.0))
        }
    }

    /// The payload: segment, version, cause, part, parts, then each list as a count and the
    /// gaps between ascending stream numbers (varints: a few bytes per contact).
    func write(into writer: inout BinaryWriter) {
        writer.writeString(segment)
        writer.writeVarint(version)
        writer.writeVarint(cause)
        writer.writeVarint(part)
        writer.writeVarint(parts)
        for list in [entered, left] {
            writer.writeVarint(UInt64(list.count))
            var previous: UInt64 = 0
            for stream in list {
                writer.writeVarint(stream.rawValue &- previous)
                previous = stream.rawValue
            }
        }
    }

    /// Reads the payload; lists that are not strictly ascending are malformed.
    init(reading data: inout BinaryReader) throws(BinaryFormatError) {
        segment = try data.readString("segment name")
        version = try data.readVarint("rule version")
        cause = try data.readVarint("cause position")
        part = try data.readVarint("part")
        parts = try data.readVarint("parts")
        guard part >= 1, part <= parts else { throw BinaryFormatError(offset: data.offset, what: "part \(part) of \(parts)") }
        var lists = [[StreamID]]()
        for _ in 0..<2 {
            let count = try data.readVarint("stream count")
            guard count <= UInt64(data.remaining) else { throw BinaryFormatError(offset: data.offset, what: "stream count (too many)") }
            var list = [StreamID]()
            list.reserveCapacity(Int(count))
            var previous: UInt64 = 0
            for _ in 0..<count {
                let gap = try data.readVarint("stream gap")
                guard gap > 0, previous <= UInt64.max - gap else { throw BinaryFormatError(offset: data.offset, what: "streams (not ascending)") }
                previous += gap
                list.append(StreamID(previous))
            }
            lists.append(list)
        }
        entered = lists[0]
        left = lists[1]
    }

    /// The canonical JSON of the payload.
    var jsonPayload: JSONValue {
        .object([
            "segment": .string(segment), "version": .number(Double(version)), "cause": .number(Double(cause)),
            "part": .number(Double(part)), "parts": .number(Double(parts)),
            "entered": .array(entered.map { .number(Double($0.rawValue)) }),
            "left": .array(left.map { .number(Double($0.rawValue)) }),
        ])
    }
}
