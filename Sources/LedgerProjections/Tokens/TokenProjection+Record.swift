import LedgerDomain
import LedgerStore

extension TokenProjection {
    /// Records new tokens that their writer has just appended, in one transaction with the
    /// checkpoint: the tables `apply` would leave after those events, without reading them
    /// back from the log, unsealing and decoding them again (a bulk token import's batch).
    ///
    /// `tokens` are the states the writer folded from the events it built (`TokenState.fold`
    /// with their real places), each on a stream new to the projection. Writes nothing and
    /// returns false unless the projection's checkpoint is right before `positions`, i.e.
    /// unless these are the only events it has not applied, and every token's stream is new
    /// to it; the caller then catches up from the log instead. `headHash` is the log's chain
    /// hash at `positions.upperBound`, kept beside the checkpoint.
    public static func record(_ tokens: [TokenState], positions: ClosedRange<UInt64>, headHash: [UInt8], in store: ProjectionStore) throws -> Bool {
        let table = try store.table("tokens")
        let byEndpoint = try store.table("by-endpoint")
        let byContact = try store.table("by-contact")
        do {
            return try write(tokens, positions: positions, headHash: headHash, tables: (table, byEndpoint, byContact), in: store)
        } catch is NotNew {
            return false
        }
    }

    private static func write(
        _ tokens: [TokenState], positions: ClosedRange<UInt64>, headHash: [UInt8],
        tables: (tokens: ProjectionStore.Table, byEndpoint: ProjectionStore.Table, byContact: ProjectionStore.Table), in store: ProjectionStore
    ) throws -> Bool {
        let (table, byEndpoint, byContact) = tables
        return try store.write { transaction in
            guard try transaction.checkpoint() == positions.lowerBound - 1 else { return false }
            // New streams come after every stored one: appended at the table's end without a
            // search. One that does not (it is known already) leaves the batch to the runner,
            // whose fold decides what an event of a known token does.
            var order = Array(tokens.indices)
            if !zip(order.dropLast(), order.dropFirst()).allSatisfy({ tokens[$0].stream < tokens[$1].stream }) {
                order.sort { tokens[$0].stream < tokens[$1].stream }
            }
            let appended = try transaction.withAppender(table) { appender in
                for index in order {
                    let stored = try withUnsafeBytes(of: tokens[index].stream.rawValue.bigEndian) { key in
                        try tokens[index].encoded.withUnsafeBytes { try appender.appendIfLast(key: key, value: $0) }
                    }
                    guard stored else { return false }
                }
                return true
            }
            // Nothing is committed when the closure throws: the runner's catch-up does the batch.
            guard appended else { throw NotNew() }
            // The endpoint index in key order, so neighbouring hashes share page visits (the
            // hashes of a batch are spread over the whole table).
            let endpoints = tokens.compactMap { state in state.endpointHash.map { ($0, key(state.stream)) } }
                .sorted { Self.precedes($0.0, $1.0) }
            for (hash, stream) in endpoints { try transaction.put(byEndpoint, hash, stream) }
            for state in tokens {
                if let contact = state.contact { try transaction.put(byContact, key(contact) + key(state.stream), []) }
            }
            try transaction.setCheckpoint(positions.upperBound, headHash: headHash)
            return true
        }
    }

    /// A token of the batch was already in the projection: `record` writes nothing.
    private struct NotNew: Error {}

    /// Byte order, as LMDB sorts keys (memcmp, then length).
    static func precedes(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        for (l, r) in zip(left, right) where l != r { return l < r }
        return left.count < right.count
    }
}
