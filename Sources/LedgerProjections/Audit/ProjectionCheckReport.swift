/// What a projection check found (`ContactProjectionCheck`, or `ProjectionRebuildComparison`
/// for projections without a finer check, which counts every table's entries as index entries).
public struct ProjectionCheckReport: Hashable, Sendable {
    /// The projection checked.
    public var projection: String
    /// The log position both sides were folded to.
    public var checkpoint: UInt64
    /// Contact states in the fresh fold.
    public var contacts: Int
    /// Identifier index entries (identifier and holder pairs) in the fresh fold.
    public var indexEntries: Int
    /// Every difference, contacts table first (in stream order), then the indexes, then field declarations.
    public var differences: [ProjectionDifference]

    /// Describes a check's outcome.
    public init(projection: String, checkpoint: UInt64, contacts: Int, indexEntries: Int, differences: [ProjectionDifference]) {
        self.projection = projection
        self.checkpoint = checkpoint
        self.contacts = contacts
        self.indexEntries = indexEntries
        self.differences = differences
    }

    /// Whether the projection equals the fresh fold.
    public var isValid: Bool { differences.isEmpty }
}
