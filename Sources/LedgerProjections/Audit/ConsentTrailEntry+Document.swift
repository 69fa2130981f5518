import LedgerDomain

extension ConsentTrailEntry {
    /// The IP address as printed: the address, nil when none was recorded, `[erased]` when sealed.
    public var ipAddressText: String? {
        switch evidence {
        case .known(let known): known.ipAddress
        case .erased: "[erased]"
        }
    }

    /// The user agent as printed: the agent, nil when none was recorded, `[erased]` when sealed.
    public var userAgentText: String? {
        switch evidence {
        case .known(let known): known.userAgent
        case .erased: "[erased]"
        }
    }

    /// The evidence note as printed: the note, nil when none was recorded, `[erased]` when sealed.
    public var evidenceNoteText: String? {
        switch evidence {
        case .known(let known): known.note
        case .erased: "[erased]"
        }
    }

    /// When it happened as printed: the time the event states, or `-` when it happened when
    /// it was recorded.
    public var occurredAtText: String {
        occurredAt.map { Timestamp.iso8601(microseconds: $0) } ?? "-"
    }

    /// The action as printed: a grant with the status it gave, e.g. `granted (confirmed)`.
    public var actionText: String {
        grantedStatus.map { "\(action.rawValue) (\($0.label))" } ?? action.rawValue
    }

    /// The entry as JSON for `ledger consent KEY --history --json` and the subject export.
    public var document: ConsentTrailDocument {
        ConsentTrailDocument(
            position: position, stream: stream.rawValue, recordedAt: Timestamp.iso8601(microseconds: recordedAt),
            occurredAt: occurredAt.map { Timestamp.iso8601(microseconds: $0) },
            action: action.rawValue, status: grantedStatus?.label, channel: scope.channel.label, purpose: scope.purpose,
            method: method.label, wordingVersion: wordingVersion, reason: reason, tokenId: tokenID, ipAddress: ipAddressText,
            userAgent: userAgentText, evidenceNote: evidenceNoteText, actor: actor.description, source: AuditSourceDocument(source)
        )
    }
}

/// A consent trail entry as plain JSON; nil members are omitted.
public struct ConsentTrailDocument: Codable, Hashable, Sendable {
    public var position: UInt64
    public var stream: UInt64
    public var recordedAt: String
    /// When it happened, when the event says so (a migrated consent); nil: when recorded.
    public var occurredAt: String?
    /// `granted`, `withdrawn`, `confirmation-requested` or `confirmed`.
    public var action: String
    /// For grants: `subscribed` or `confirmed`.
    public var status: String?
    public var channel: String
    public var purpose: String
    public var method: String
    public var wordingVersion: String?
    public var reason: String?
    public var tokenId: String?
    public var ipAddress: String?
    public var userAgent: String?
    public var evidenceNote: String?
    /// `kind:name`.
    public var actor: String
    public var source: AuditSourceDocument
}
