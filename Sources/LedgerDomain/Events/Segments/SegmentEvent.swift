/// Every fact the segments family records: a dynamic segment's rule, each re-evaluation of its
/// time-relative conditions, and who entered and left because of either. Written in segment
/// streams (`StreamCategory.segment`), one stream per dynamic segment. Who is a member follows
/// from the rules and the contacts' own events, and is kept by the segment projection; the
/// changes a definition or refresh made are recorded after it (decision 0018).
public enum SegmentEvent: Sendable, Hashable {
    /// `segment.rule-defined` v1.
    case ruleDefined(SegmentRuleDefined)
    /// `segment.refreshed` v1.
    case refreshed(SegmentRefreshed)
    /// `segment.members-changed` v1.
    case membersChanged(SegmentMembersChanged)

    /// The type tag and version this event is written with.
    public var type: EventType {
        switch self {
        case .ruleDefined: SegmentRuleDefined.type
        case .refreshed: SegmentRefreshed.type
        case .membersChanged: SegmentMembersChanged.type
        }
    }

    /// The segment the event is about.
    public var segment: String {
        switch self {
        case .ruleDefined(let defined): defined.segment
        case .refreshed(let refreshed): refreshed.segment
        case .membersChanged(let changed): changed.segment
        }
    }

    /// Decodes a recorded event of the family; an unknown type or version, or a malformed
    /// payload, is an error naming the position.
    public init(decoding event: RecordedEvent) throws(DomainEventError) {
        let type = event.type
        func fail(_ code: DomainEventError.Code, _ message: String) -> DomainEventError {
            DomainEventError(code: code, type: type, position: event.position, message: message)
        }
        let result: Result<SegmentEvent, DomainEventError> = event.data.withUnsafeBytes { bytes in
            var data = BinaryReader(bytes)
            do {
                let decoded: SegmentEvent
                switch (type.name, type.version) {
                case (SegmentRuleDefined.type.name, 1):
                    decoded = .ruleDefined(SegmentRuleDefined(
                        segment: try data.readString("segment name"),
                        version: try data.readVarint("rule version"),
                        rule: try data.readString("rule")))
                case (SegmentRefreshed.type.name, 1):
                    decoded = .refreshed(SegmentRefreshed(segment: try data.readString("segment name"), version: try data.readVarint("rule version")))
                case (SegmentMembersChanged.type.name, 1):
                    decoded = .membersChanged(try SegmentMembersChanged(reading: &data))
                default:
                    return .failure(fail(.unknownType, "not an event type of the segments family"))
                }
                guard data.isAtEnd else { return .failure(fail(.malformedData, "trailing bytes at offset \(data.offset)")) }
                return .success(decoded)
            } catch {
                return .failure(fail(.malformedData, "\(error)"))
            }
        }
        self = try result.get()
    }

    /// The non-personal payload (the family holds no personal data).
    public var encodedData: [UInt8] {
        var writer = BinaryWriter()
        switch self {
        case .ruleDefined(let defined):
            writer.writeString(defined.segment)
            writer.writeVarint(defined.version)
            writer.writeString(defined.rule)
        case .refreshed(let refreshed):
            writer.writeString(refreshed.segment)
            writer.writeVarint(refreshed.version)
        case .membersChanged(let changed):
            changed.write(into: &writer)
        }
        return writer.bytes
    }

    /// The event ready to append.
    public func newEvent(id: EventID = .timeOrdered(), actor: Actor, source: Source) -> NewEvent {
        NewEvent(id: id, type: type, actor: actor, source: source, data: encodedData)
    }

    /// The canonical JSON of the payload.
    public var jsonPayload: JSONValue {
        switch self {
        case .ruleDefined(let defined):
            .object(["segment": .string(defined.segment), "version": .number(Double(defined.version)), "rule": .string(defined.rule)])
        case .refreshed(let refreshed):
            .object(["segment": .string(refreshed.segment), "version": .number(Double(refreshed.version))])
        case .membersChanged(let changed):
            changed.jsonPayload
        }
    }
}

/// `segment.rule-defined` v1: a dynamic segment's rule, as a new version (1 for the first).
public struct SegmentRuleDefined: Hashable, Sendable {
    /// The type tag and version.
    public static let type = EventType("segment.rule-defined", version: 1)
    /// The segment's name; not personal.
    public var segment: String
    /// The rule's version: 1, 2, … in the segment's stream.
    public var version: UInt64
    /// The rule document, as canonical JSON (keys sorted, no spaces).
    public var rule: String

    /// Describes a definition.
    public init(segment: String, version: UInt64, rule: String) {
        self.segment = segment
        self.version = version
        self.rule = rule
    }
}

/// `segment.refreshed` v1: the segment's time-relative conditions (the last N days,
/// birthdays, ages) were evaluated again for every contact at the event's time.
public struct SegmentRefreshed: Hashable, Sendable {
    /// The type tag and version.
    public static let type = EventType("segment.refreshed", version: 1)
    /// The segment's name.
    public var segment: String
    /// The rule version evaluated.
    public var version: UInt64

    /// Describes a refresh.
    public init(segment: String, version: UInt64) {
        self.segment = segment
        self.version = version
    }
}
