import LedgerDomain
import LedgerProjections
import LedgerStore

/// The write side of push tokens: every door (the import, the CLI, the HTTP API) records
/// token events through it, so sealing, checks and the projection are done once.
///
/// Each token has a stream of its own (category `token`) and a data key of its own, drawn when
/// the token is first recorded; every event's personal part (endpoint, keys, user agent) is
/// sealed under it (docs/decisions/0019). Erasing the token, or the contact it is linked to,
/// destroys that key.
public final class TokenBook: Sendable {
    /// The ledger written to.
    public let ledger: Ledger
    /// The token projection's runner.
    public let runner: ProjectionRunner<TokenProjection>
    /// The projection's open store.
    public let store: ProjectionStore

    /// Opens the token projection of `ledger`.
    public init(ledger: Ledger) throws {
        self.ledger = ledger
        runner = ProjectionRunner(ledger: ledger, projection: TokenProjection())
        store = try runner.openStore()
    }

    /// Closes the projection store (the ledger stays open).
    public func close() {
        store.close()
    }

    /// The projection caught up with the log.
    public func directory() throws -> TokenDirectory {
        try runner.catchUp(store: store)
        return TokenDirectory(store: store)
    }

    /// The token's state, caught up; a `TokenError.notFound` when there is none.
    public func token(_ stream: StreamID) throws -> TokenState {
        guard stream.category == .token, let state = try directory().token(stream) else {
            throw TokenError(.notFound, "no token is numbered \(stream.numberInCategory)")
        }
        return state
    }

    /// The request that records a new token: its first event, and `token.linked` when it
    /// belongs to a contact, sealed under a fresh data key and encoded ahead for the log.
    /// `ids` gives the events' ids (a derived id makes a re-import record nothing twice);
    /// `cipher` is the calling thread's own (a bulk writer seals with one context per thread).
    public static func newTokenRequest(
        _ first: TokenEvent, contact: StreamID?, actor: Actor, source: Source, ids: (Int) -> EventID, cipher: PayloadCipher = PayloadCipher()
    ) throws -> AppendRequest {
        var scratch = EncodingScratch()
        return try newTokenRequest(first, contact: contact, actor: actor, source: source, ids: ids, cipher: cipher, scratch: &scratch)
    }

    /// `newTokenRequest(_:contact:actor:source:ids:cipher:)` encoding through the caller's
    /// `scratch` (a bulk writer's, reused for every token): no `NewEvent` or payload arrays,
    /// the payload sealed straight into the request's one buffer.
    public static func newTokenRequest(
        _ first: TokenEvent, contact: StreamID?, actor: Actor, source: Source, ids: (Int) -> EventID, cipher: PayloadCipher,
        scratch: inout EncodingScratch
    ) throws -> AppendRequest {
        let key = DataKey.random(using: cipher)
        var encoded = EncodedEvents()
        encoded.reserveCapacity(events: contact == nil ? 1 : 2, bytes: scratch.sizeHint)
        try encodeNewToken(first, contact: contact, actor: actor, source: source, ids: ids, key: key, cipher: cipher, scratch: &scratch, into: &encoded)
        return AppendRequest(target: .newIn(.token), expected: .noStream, events: [], dataKey: key, encoded: encoded)
    }

    /// Adds to `requests` what `newTokenRequest(_:contact:actor:source:ids:cipher:scratch:)`
    /// returns: a bulk writer's chunk of new tokens in one buffer, no request per token.
    public static func appendNewToken(
        _ first: TokenEvent, contact: StreamID?, actor: Actor, source: Source, ids: (Int) -> EventID, cipher: PayloadCipher,
        scratch: inout EncodingScratch, into requests: inout NewStreamRequests
    ) throws {
        let key = DataKey.random(using: cipher)
        try requests.append(newIn: .token, dataKey: key) { encoded in
            try encodeNewToken(first, contact: contact, actor: actor, source: source, ids: ids, key: key, cipher: cipher, scratch: &scratch, into: &encoded)
        }
    }

    /// Encodes a new token's first event, and `token.linked` when it belongs to a contact,
    /// sealed under `key`, after `encoded`'s events.
    private static func encodeNewToken(
        _ first: TokenEvent, contact: StreamID?, actor: Actor, source: Source, ids: (Int) -> EventID, key: DataKey, cipher: PayloadCipher,
        scratch: inout EncodingScratch, into encoded: inout EncodedEvents
    ) throws {
        let start = encoded.bytes.count
        let id = ids(0)
        try encoded.append(first, id: id, actor: actor, source: source, causation: nil, sealingWith: key, cipher: cipher, scratch: &scratch)
        if let contact {
            let linked = TokenEvent.linked(TokenLink(contact: contact, channel: channel(of: first)))
            try encoded.append(linked, id: ids(1), actor: actor, source: source, causation: id, sealingWith: key, cipher: cipher, scratch: &scratch)
        }
        // The next token's events are about as long: room for them and a little more.
        scratch.sizeHint = max(scratch.sizeHint, encoded.bytes.count - start + 64)
    }

    /// Records a fresh subscription from our own service worker or app; returns its stream.
    @discardableResult
    public func subscribe(_ subscription: TokenSubscription, contact: StreamID? = nil, actor: Actor, source: Source) throws -> StreamID {
        if let contact { try checkContact(contact) }
        let request = try Self.newTokenRequest(.subscribed(TokenSubscribed(subscription: subscription)), contact: contact, actor: actor, source: source) { _ in .timeOrdered() }
        let result = try ledger.append(request)
        try runner.catchUp(store: store)
        return result.stream
    }

    /// Records that the token's endpoint or keys rotated: the chain goes on in its stream.
    public func refresh(_ token: StreamID, to subscription: TokenSubscription, reason: String, actor: Actor, source: Source) throws {
        let state = try writable(token)
        guard let key = try ledger.dataKey(for: token) else {
            throw TokenError(.erased, "token \(state.stream.numberInCategory) has no data key (it was erased); nothing can be recorded about it")
        }
        let event = try Self.sealed(TokenEvent.refreshed(TokenRefreshed(subscription: subscription, reason: reason)).newEvent(actor: actor, source: source), key: key)
        try append(AppendRequest(target: .existing(token), events: [event]))
    }

    /// Records that the push service answered 404 or 410 for the token.
    public func revoke(_ token: StreamID, status: UInt16, actor: Actor, source: Source) throws {
        guard status == 404 || status == 410 else {
            throw TokenError(.invalidValue, "a push service revokes a subscription with HTTP 404 or 410, not \(status)")
        }
        try writable(token)
        let reason = status == 410 ? "gone" : "not-found"
        try append(AppendRequest(target: .existing(token), events: [TokenEvent.revoked(TokenRevoked(status: status, reason: reason)).newEvent(actor: actor, source: source)]))
    }

    /// Attaches the token to a contact as its push channel.
    public func link(_ token: StreamID, to contact: StreamID, actor: Actor, source: Source) throws {
        let state = try writable(token)
        try checkContact(contact)
        guard state.contact != contact else { return }
        let channel = state.kind == .web ? "webpush" : "mobilepush"
        var events = [NewEvent]()
        if let previous = state.contact {
            events.append(TokenEvent.unlinked(TokenLink(contact: previous, channel: channel)).newEvent(actor: actor, source: source))
        }
        events.append(TokenEvent.linked(TokenLink(contact: contact, channel: channel)).newEvent(actor: actor, source: source))
        try append(AppendRequest(target: .existing(token), events: events))
    }

    /// Detaches the token from its contact, if it has one.
    public func unlink(_ token: StreamID, actor: Actor, source: Source) throws {
        let state = try writable(token)
        guard let contact = state.contact else { return }
        let channel = state.kind == .web ? "webpush" : "mobilepush"
        try append(AppendRequest(target: .existing(token), events: [TokenEvent.unlinked(TokenLink(contact: contact, channel: channel)).newEvent(actor: actor, source: source)]))
    }

    /// The contact's channel a token's first event makes it.
    static func channel(of event: TokenEvent) -> String {
        let kind: TokenKind? = switch event {
        case .migrated(let migrated): migrated.subscription.kind
        case .subscribed(let subscribed): subscribed.subscription.kind
        default: nil
        }
        return kind == .web || kind == nil ? "webpush" : "mobilepush"
    }

    /// The event with its personal part sealed under `key`, the event id as authenticated data.
    static func sealed(_ event: NewEvent, key: DataKey) throws -> NewEvent {
        guard !event.personalData.isEmpty else { return event }
        var event = event
        event.personalData = try key.seal(event.personalData, for: event.id)
        event.personalDataSealed = true
        return event
    }

    /// The token's state when something may still be recorded about it.
    @discardableResult
    func writable(_ token: StreamID) throws -> TokenState {
        let state = try self.token(token)
        guard !state.erased else {
            throw TokenError(.erased, "token \(token.numberInCategory) was erased; nothing can be recorded about it any more")
        }
        return state
    }

    private func checkContact(_ contact: StreamID) throws {
        guard contact.category == .contact, try ledger.version(of: contact) > 0 else {
            throw TokenError(.notFound, "no contact is numbered \(contact.rawValue)")
        }
    }

    func append(_ request: AppendRequest) throws {
        _ = try ledger.append(request)
        try runner.catchUp(store: store)
    }
}
