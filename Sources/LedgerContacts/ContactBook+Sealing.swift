import Dispatch
import LedgerDomain
import LedgerProjections
import LedgerStore
import Synchronization

extension ContactBook {
    /// The requests with their events' personal data sealed under each contact's own data key
    /// (crypto-shredding, docs/decisions/0008): a new contact gets a fresh key, stored with its
    /// first events; an existing one is sealed under the key it has. Requests without personal
    /// data pass unchanged.
    ///
    /// A large batch (a bulk import) is sealed on every core: sealing through swift-crypto
    /// costs more than a microsecond per event (docs/benchmarks.md, "AES-GCM here").
    func sealed(_ requests: [AppendRequest], keys: KeyRing) throws -> [AppendRequest] {
        let chunk = 256
        guard requests.count > chunk else { return try requests.map { try sealed($0, keys: keys) } }
        let chunks = (requests.count + chunk - 1) / chunk
        let failure = Mutex<(any Error)?>(nil)
        var output = requests
        output.withUnsafeMutableBufferPointer { buffer in
            // Each chunk writes only its own slots of `buffer`.
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { index in
                for slot in (index * chunk)..<min((index + 1) * chunk, requests.count) {
                    do {
                        slots[slot] = try sealed(requests[slot], keys: keys)
                    } catch {
                        failure.withLock { $0 = $0 ?? error }
                        return
                    }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return output
    }

    private func sealed(_ request: AppendRequest, keys: KeyRing) throws -> AppendRequest {
            guard request.events.contains(where: { !$0.personalData.isEmpty && !$0.personalDataSealed }) else { return request }
            var request = request
            let key: DataKey
            switch request.target {
            case .new:
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
