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
    /// Every event's actor and source are checked first (`ContactFieldRules.validate(actor:source:)`):
    /// this is the door every contact write but an erasure goes through.
    package func sealed(_ requests: consuming [AppendRequest], keys: KeyRing) throws -> [AppendRequest] {
        try Self.checkEnvelopes(requests)
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

    /// Checks the actor and source of every event; a bulk import repeats one actor and one
    /// file name, so each distinct pair is checked once.
    static func checkEnvelopes(_ requests: [AppendRequest]) throws {
        var checked: (actor: Actor, source: Source)?
        for request in requests {
            for event in request.events {
                if let checked, checked.actor == event.actor, Self.sameOrigin(checked.source, event.source) { continue }
                do {
                    try ContactFieldRules().validate(actor: event.actor, source: event.source)
                } catch {
                    throw ContactError(.invalidRequest, "\(error)", cause: error)
                }
                checked = (event.actor, event.source)
            }
        }
    }

    /// Whether two sources hold the same texts (rows of one file differ only in the row).
    private static func sameOrigin(_ first: Source, _ second: Source) -> Bool {
        if case .file(let name, _, _) = first, case .file(let other, _, _) = second { return name == other }
        return first == second
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
