import LedgerDomain
import LedgerProjections
import LedgerStore

extension ContactBook {
    /// The requests with their events' personal data sealed under each contact's own data key
    /// (crypto-shredding, docs/decisions/0008): a new contact gets a fresh key, stored with its
    /// first events; an existing one is sealed under the key it has. Requests without personal
    /// data pass unchanged.
    ///
    /// A large batch (a bulk import) is sealed on every core: sealing through swift-crypto
    /// costs more than a microsecond per event (docs/benchmarks.md, "AES-GCM here").
    func sealed(_ requests: consuming [AppendRequest], keys: KeyRing) throws -> [AppendRequest] {
        // An import's new contacts come sealed already (PreparedCreation): they stay as they
        // are, and only the others are sealed and put back in place (the array, moved in, is
        // not copied).
        let unsealed = requests.indices.filter { Self.needsSealing(requests[$0]) }
        guard !unsealed.isEmpty else { return requests }
        let sealed = try unsealed.concurrentMap(chunkSize: 256) { [requests] index in try self.sealed(requests[index], keys: keys) }
        var result = consume requests
        for (index, request) in zip(unsealed, sealed) { result[index] = request }
        return result
    }

    private static func needsSealing(_ request: AppendRequest) -> Bool {
        request.events.contains { !$0.personalData.isEmpty && !$0.personalDataSealed }
    }

    private func sealed(_ request: AppendRequest, keys: KeyRing) throws -> AppendRequest {
        guard Self.needsSealing(request) else { return request }
        var request = request
        let key: DataKey
        switch request.target {
        case .new, .newIn:
            key = request.dataKey ?? .random()
            request.dataKey = key
        case .existing(let stream):
            if let existing = try keys.key(for: stream) {
                key = existing
            } else {
                // No key: the contact was erased, or it predates sealing and gets one now.
                if let state = try ContactDirectory(store: store).contact(stream), state.erased {
                    throw ContactError(.notFound, "contact \(stream) was erased; nothing can be recorded about it any more")
                }
                key = .random()
                request.dataKey = key
            }
        }
        for index in request.events.indices where !request.events[index].personalData.isEmpty && !request.events[index].personalDataSealed {
            request.events[index].personalData = try key.seal(request.events[index].personalData, for: request.events[index].id)
            request.events[index].personalDataSealed = true
        }
        return request
    }
}
