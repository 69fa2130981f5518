import LedgerDomain

/// The token fold. Rules:
/// - a token's first event (`token.migrated` or `token.subscribed`) makes its state; any other
///   event of a stream without state, or a second first event, changes nothing;
/// - `token.refreshed` takes the new subscription's facts and endpoint, and counts the refresh;
///   a refresh is a live subscription, so it clears an earlier revocation;
/// - `token.revoked` records the push service's status; `token.linked` / `token.unlinked` set
///   and clear the contact; `token.erased` drops the endpoint hash and the contact for good,
///   and nothing after it changes the token;
/// - `vapid.key-added` is not a token's event (the projection keeps it in its own table).
extension TokenState {
    /// The state after `event`; `endpointHash` is the SHA-256 of the endpoint the event
    /// carries, when it carries one that could be read.
    public static func fold(_ state: TokenState?, _ event: TokenEvent, endpointHash: [UInt8]?, meta: TokenEventMeta) -> TokenState? {
        guard var state else {
            switch event {
            case .migrated(let migrated):
                return TokenState(stream: meta.stream, subscription: migrated.subscription, provider: migrated.provider, endpointHash: endpointHash, meta: meta)
            case .subscribed(let subscribed):
                return TokenState(stream: meta.stream, subscription: subscribed.subscription, provider: nil, endpointHash: endpointHash, meta: meta)
            case .refreshed, .revoked, .linked, .unlinked, .erased, .vapidKeyAdded:
                return nil
            }
        }
        if state.erased { return state }
        switch event {
        case .migrated, .subscribed, .vapidKeyAdded:
            return state
        case .refreshed(let refreshed):
            let subscription = refreshed.subscription
            state.kind = subscription.kind
            state.origin = subscription.origin
            state.appID = subscription.appID
            state.pushService = subscription.pushService
            state.subscribedAt = subscription.subscribedAt ?? state.subscribedAt
            state.expiresAt = subscription.expiresAt
            state.vapidKey = subscription.vapidKey
            state.problems = subscription.problems
            state.flags = subscription.flags
            state.endpointHash = endpointHash
            state.revokedStatus = nil
            state.refreshes += 1
        case .revoked(let revoked):
            state.revokedStatus = revoked.status
        case .linked(let link):
            state.contact = link.contact
        case .unlinked(let link):
            if state.contact == link.contact { state.contact = nil }
        case .erased:
            state.erased = true
            state.endpointHash = nil
            state.contact = nil
        }
        state.lastPosition = meta.position
        return state
    }
}
