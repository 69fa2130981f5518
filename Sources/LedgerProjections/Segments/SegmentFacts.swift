import LedgerDomain

/// What the log says about a contact that its state does not keep and dynamic segment rules
/// ask about: who created it, when and from which file it was last imported, through which
/// kind of source it last changed, when each field last changed, when consent was last
/// withdrawn per channel. Kept per contact in the segment projection's `segment-facts` table
/// (decision 0018), folded from the change feed.
///
/// Holds no personal value: actor names, file names, field names and times only; an erased
/// contact keeps none.
public struct SegmentFacts: Hashable, Sendable {
    /// The actor of the event that created the contact (its stream's first).
    public var createdBy: Actor?
    /// When an event from an imported file last changed the contact.
    public var lastImportAt: Int64?
    /// That file's name.
    public var lastImportFile: String?
    /// The kind of source (`Source.kindCode`) of the contact's latest event.
    public var lastChangeSource: UInt8?
    /// When each field last changed.
    public var fieldChangedAt: [ContactField: Int64] = [:]
    /// When consent was last withdrawn, per channel.
    public var consentWithdrawnAt: [ConsentChannel: Int64] = [:]

    /// No facts yet.
    public init() {}

    /// Whether nothing is known.
    public var isEmpty: Bool { self == SegmentFacts() }

    /// Folds one event of the contact's stream, with what its envelope says. A creation carrying
    /// fields (decision 0026) sets their times as the fields-changed it stands for would.
    public mutating func record(_ event: ContactEvent, envelope: FactEnvelope) {
        for fact in event.facts {
            switch fact {
            case .fieldDefined:
                return
            case .contactErased:
                // Nothing stays that a rule could single the contact out by.
                self = SegmentFacts()
                return
            case .contactFieldsChanged(let changed):
                for change in changed.changes { fieldChangedAt[change.field] = envelope.recordedAt }
            case .consentWithdrawn(let withdrawn):
                consentWithdrawnAt[withdrawn.scope.channel] = envelope.recordedAt
            case .contactCreated, .identifierAdded, .identifierRemoved, .consentGranted,
                 .consentConfirmationRequested, .consentConfirmed, .segmentMemberAdded,
                 .segmentMemberRemoved, .contactMerged, .contactMergedAway:
                break
            }
        }
        if createdBy == nil { createdBy = envelope.actor }
        if let file = envelope.file {
            lastImportAt = envelope.recordedAt
            lastImportFile = file
        }
        lastChangeSource = envelope.sourceKind
    }
}

/// The parts of an event's envelope the facts keep, read once per event.
public struct FactEnvelope: Sendable {
    /// When the event was recorded.
    public var recordedAt: Int64
    /// Who recorded it.
    public var actor: Actor
    /// Its source's kind (`Source.kindCode`).
    public var sourceKind: UInt8
    /// The imported file's name, when the source is a file's row.
    public var file: String?

    /// Describes an envelope.
    public init(recordedAt: Int64, actor: Actor, sourceKind: UInt8, file: String?) {
        self.recordedAt = recordedAt
        self.actor = actor
        self.sourceKind = sourceKind
        self.file = file
    }

    /// Reads a recorded event's envelope: the source's kind and file name only, not the whole
    /// source (an API request's key and id are two strings per event that nothing here keeps).
    public init(_ event: RecordedEvent) {
        self.init(recordedAt: event.recordedAt, actor: event.actor, sourceKind: event.sourceKindCode, file: event.sourceFileName)
    }
}
