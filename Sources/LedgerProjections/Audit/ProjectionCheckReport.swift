/// What `ContactProjectionCheck` found.
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

    /// Whether the projection equals the fresh fold.
    public var isValid: Bool { differences.isEmpty }
}
