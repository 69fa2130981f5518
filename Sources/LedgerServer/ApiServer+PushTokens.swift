import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore
import LedgerTokens

extension ApiServer {
    /// Records the push channels of contacts just committed, as tokens linked to them (decision
    /// 0019's token family): a token the ledger does not hold yet is a new token stream
    /// (`token.subscribed`, `token.linked`), all in one commit; one it holds (the same endpoint
    /// or device token) is linked to the contact, moving it from another contact if it was
    /// linked to one. Runs on the contact writer's thread, so token writes do not interleave.
    ///
    /// A web token's origin, when the request named none, is the one origin we serve when
    /// there is exactly one (the origins of our VAPID keys); its VAPID key is the one key we
    /// hold for that origin when there is exactly one. Otherwise the token is recorded
    /// without, and `tokens report` counts it as needing a new subscription.
    @discardableResult
    func recordPushTokens(_ items: [(contact: StreamID, drafts: [PushTokenDraft])], actor: Actor, source: Source) async throws -> [StreamID] {
        let work = items.filter { !$0.drafts.isEmpty }
        guard !work.isEmpty else { return [] }
        let tokens = tokens
        let ledger = ledger
        return try await contacts.service.write { _ in
            let directory = try tokens.directory()
            let defaults = try PushDefaults(directory.vapidKeys())
            let now = Ledger.systemClock()
            var requests = [AppendRequest]()
            var links = [(token: StreamID, contact: StreamID)]()
            var seen = Set<String>()
            for item in work {
                for draft in item.drafts where seen.insert(draft.secret.endpoint).inserted {
                    if let known = try directory.token(endpoint: draft.secret.endpoint) {
                        links.append((known, item.contact))
                        continue
                    }
                    let origin = draft.origin ?? defaults.origin
                    let subscription = draft.subscription(origin: origin, vapidKey: draft.vapidKey ?? defaults.key(for: origin), now: now)
                    requests.append(try TokenBook.newTokenRequest(.subscribed(TokenSubscribed(subscription: subscription)), contact: item.contact, actor: actor, source: source) { _ in .timeOrdered() })
                }
            }
            var recorded = [StreamID]()
            if !requests.isEmpty {
                recorded = try ledger.append(requests).map(\.stream)
                try tokens.runner.catchUp(store: tokens.store)
            }
            for (token, contact) in links {
                try tokens.link(token, to: contact, actor: actor, source: source)
                recorded.append(token)
            }
            return recorded
        }
    }
}

/// The origin and VAPID key a web token from our own service worker gets when the request
/// does not say: the only ones there are, or none.
struct PushDefaults {
    /// The one origin we serve, if there is exactly one.
    let origin: String?
    private let keysByOrigin: [String: [String]]

    init(_ keys: [VapidKeyRecord]) {
        let origins = Set(keys.flatMap(\.origins))
        origin = origins.count == 1 ? origins.first : nil
        var byOrigin = [String: [String]]()
        for key in keys {
            for origin in key.origins { byOrigin[origin, default: []].append(key.fingerprint) }
        }
        keysByOrigin = byOrigin
    }

    /// The fingerprint of the one VAPID key we hold for `origin`, if there is exactly one.
    func key(for origin: String?) -> String? {
        guard let origin, let keys = keysByOrigin[origin], keys.count == 1 else { return nil }
        return keys.first
    }
}
