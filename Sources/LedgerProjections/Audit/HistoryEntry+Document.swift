import LedgerDomain

extension HistoryEntry {
    /// The entry as JSON for `ledger history --json`; encode it with sorted keys.
    public var document: HistoryEntryDocument {
        HistoryEntryDocument(
            position: position,
            stream: stream.rawValue,
            version: version,
            recordedAt: Timestamp.iso8601(microseconds: recordedAt),
            type: type.name,
            typeVersion: type.version,
            actor: actor.description,
            source: AuditSourceDocument(source),
            changes: changes.map { change in
                HistoryEntryDocument.Change(
                    kind: change.kind.rawValue, subject: change.subject,
                    old: change.old?.json, new: change.new?.json, summary: change.summary
                )
            }
        )
    }
}

/// A history entry as plain JSON; nil members are omitted.
public struct HistoryEntryDocument: Codable, Hashable, Sendable {
    /// One change: `old` and `new` are present for fields and identifiers (null when unset).
    public struct Change: Codable, Hashable, Sendable {
        public var kind: String
        public var subject: String?
        public var old: JSONValue?
        public var new: JSONValue?
        public var summary: String
    }

    public var position: UInt64
    public var stream: UInt64
    public var version: UInt64
    public var recordedAt: String
    public var type: String
    public var typeVersion: UInt16
    /// `kind:name`.
    public var actor: String
    public var source: AuditSourceDocument
    public var changes: [Change]
}
