import LedgerDomain
import LedgerProjections
import LedgerStore

extension TokenBook {
    /// What an erasure did.
    public struct Erasure: Sendable {
        /// The tokens erased (or whose erasure was finished).
        public var tokens: [StreamID] = []
        /// How many data keys were destroyed.
        public var keysDestroyed = 0
    }

    /// Erases a token: appends `token.erased`, then destroys its data key, so its endpoint and
    /// keys read as `[erased]` everywhere from now on. Running it again on an erased token
    /// finishes an erasure that stopped between the two steps.
    @discardableResult
    public func erase(_ token: StreamID, reason: String, actor: Actor, source: Source) throws -> Erasure {
        let state = try self.token(token)
        if !state.erased {
            try append(AppendRequest(target: .existing(token), events: [TokenEvent.erased(TokenErased(reason: reason)).newEvent(actor: actor, source: source)]))
        }
        var erasure = Erasure(tokens: [token])
        if try ledger.shred(token) { erasure.keysDestroyed += 1 }
        return erasure
    }

    /// Erases every token linked to any of `contacts` (an erased contact and those merged
    /// into it): `erase` of a contact removes its tokens.
    public func eraseTokens(ofContacts contacts: [StreamID], actor: Actor, source: Source) throws -> Erasure {
        let directory = try directory()
        var erasure = Erasure()
        for contact in contacts {
            for token in try directory.tokens(ofContact: contact) {
                let one = try erase(token, reason: "contact-erased", actor: actor, source: source)
                erasure.tokens += one.tokens
                erasure.keysDestroyed += one.keysDestroyed
            }
        }
        return erasure
    }
}
