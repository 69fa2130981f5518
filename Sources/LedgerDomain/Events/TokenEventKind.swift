/// The push-token family's event types, by their stable tag (independent of Swift names).
public enum TokenEventKind: String, CaseIterable, Hashable, Sendable {
    /// `token.migrated`: brought over from a previous provider's export.
    case migrated = "token.migrated"
    /// `token.subscribed`: a fresh subscription from our own service worker or app.
    case subscribed = "token.subscribed"
    /// `token.refreshed`: endpoint or keys rotated; the chain goes on.
    case refreshed = "token.refreshed"
    /// `token.revoked`: the push service answered 404 or 410.
    case revoked = "token.revoked"
    /// `token.linked`: attached to a contact as a channel.
    case linked = "token.linked"
    /// `token.unlinked`: detached from the contact.
    case unlinked = "token.unlinked"
    /// `token.erased`: its values were erased.
    case erased = "token.erased"
    /// `vapid.key-added`: a VAPID key pair we can sign with.
    case vapidKeyAdded = "vapid.key-added"

    /// The tag name, e.g. `token.migrated`.
    public var name: String { rawValue }

    /// The payload version writers write now.
    public var currentVersion: UInt16 { 1 }

    /// The tag and current version.
    public var currentType: EventType { EventType(name, version: currentVersion) }

    /// Whether the payload has a personal part (sealed under the stream's data key).
    public var carriesPersonalData: Bool {
        switch self {
        case .migrated, .subscribed, .refreshed, .vapidKeyAdded: true
        case .revoked, .linked, .unlinked, .erased: false
        }
    }
}
