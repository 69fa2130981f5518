import LedgerDomain
import LedgerProjections
import LedgerStore

extension TokenBook {
    /// Stores a VAPID key pair with the origins we serve with it, on a stream of its own, the
    /// private key sealed under that stream's data key. The pair was checked when it was made
    /// (`VapidKeyPair`); one already held is refused.
    public func addVapidKey(_ pair: VapidKeyPair, origins: [String], generated: Bool, actor: Actor, source: Source) throws -> VapidKeyRecord {
        let fingerprint = pair.fingerprint
        guard try !directory().vapidKeys().contains(where: { $0.fingerprint == fingerprint }) else {
            throw TokenError(.alreadyExists, "the VAPID key \(fingerprint) is already held")
        }
        var normalised = [String]()
        for origin in origins {
            do {
                normalised.append(try TokenCheck.origin(origin))
            } catch {
                throw TokenError(.invalidValue, "--origin: \(error)")
            }
        }
        let key = DataKey.random()
        let added = VapidKeyAdded(fingerprint: fingerprint, publicKey: pair.publicKey, origins: normalised, generated: generated, privateKey: .known(pair.privateKey))
        let event = try Self.sealed(TokenEvent.vapidKeyAdded(added).newEvent(actor: actor, source: source), key: key)
        let result = try ledger.append(AppendRequest(target: .newIn(.vapidKey), expected: .noStream, events: [event], dataKey: key))
        try runner.catchUp(store: store)
        return VapidKeyRecord(fingerprint: fingerprint, publicKey: pair.publicKey, origins: normalised, stream: result.stream, generated: generated)
    }
}
