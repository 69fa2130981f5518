/// Every fact the push-token family records (`token.*` and `vapid.*`), one case per type.
///
/// Token streams (category `token`) hold one token's chain from its first event (migrated or
/// subscribed) on; VAPID key streams (category `vapid-key`) hold one key pair each.
public enum TokenEvent: Sendable, Hashable {
    /// `token.migrated` v1.
    case migrated(TokenMigrated)
    /// `token.subscribed` v1.
    case subscribed(TokenSubscribed)
    /// `token.refreshed` v1.
    case refreshed(TokenRefreshed)
    /// `token.revoked` v1.
    case revoked(TokenRevoked)
    /// `token.linked` v1.
    case linked(TokenLink)
    /// `token.unlinked` v1.
    case unlinked(TokenLink)
    /// `token.erased` v1.
    case erased(TokenErased)
    /// `vapid.key-added` v1.
    case vapidKeyAdded(VapidKeyAdded)

    /// The event's type.
    public var kind: TokenEventKind {
        switch self {
        case .migrated: .migrated
        case .subscribed: .subscribed
        case .refreshed: .refreshed
        case .revoked: .revoked
        case .linked: .linked
        case .unlinked: .unlinked
        case .erased: .erased
        case .vapidKeyAdded: .vapidKeyAdded
        }
    }

    /// The type tag and version this event is written with.
    public var type: EventType { kind.currentType }

    var payload: any EventPayload {
        switch self {
        case .migrated(let payload): payload
        case .subscribed(let payload): payload
        case .refreshed(let payload): payload
        case .revoked(let payload): payload
        case .linked(let payload): payload
        case .unlinked(let payload): payload
        case .erased(let payload): payload
        case .vapidKeyAdded(let payload): payload
        }
    }

    /// The canonical JSON of the payload; each type's form is in `Schemas/events`.
    public var jsonPayload: JSONValue { .object(payload.jsonObject) }
}
