import LedgerDomain

/// Which actors an audit asks about: `kind:name` for one actor, or a bare name for that name
/// under any kind.
public struct ActorPattern: Hashable, Sendable, CustomStringConvertible {
    /// The kind the actor must have; nil for any.
    public var kind: Actor.Kind?
    /// The name the actor must have.
    public var name: String

    /// Reads `kind:name` (kind one of `api-key`, `user`, `form`, `system`) or a bare name.
    public init(parsing text: String) {
        if let colon = text.firstIndex(of: ":"), let kind = Actor.Kind(label: String(text[..<colon])) {
            self.kind = kind
            name = String(text[text.index(after: colon)...])
        } else {
            kind = nil
            name = text
        }
    }

    /// Whether `actor` is one the pattern names.
    public func matches(_ actor: Actor) -> Bool {
        actor.name == name && (kind.map { $0 == actor.kind } ?? true)
    }

    /// The pattern as it would be written.
    public var description: String {
        kind.map { "\($0.label):\(name)" } ?? name
    }
}
