import LedgerDomain
import LedgerProjections
import LedgerStore

/// One batch of a token import handed to the ledger's writer: its new tokens, in the order of
/// their requests, and the append's outcome to come.
struct TokenBatch {
    /// A token the batch records: what the file said, the contact it is linked to, and the
    /// SHA-256 of its endpoint.
    struct Token: Sendable {
        let draft: TokenDraft
        let contact: StreamID?
        let endpointHash: [UInt8]
    }

    let tokens: [Token]
    /// Entries of the file read through the batch's last.
    let end: UInt64
    let pending: PendingAppend

    /// Records the appended batch in the token projection from the tokens themselves (their
    /// states folded here with the places the append gave their events), without reading the
    /// events back from the log; when the batch is not one run of new events right after the
    /// projection's checkpoint (a re-run met events recorded before, another writer came
    /// between), the runner catches up from the log instead.
    func project(_ results: [AppendResult], book: TokenBook, provider: String) throws {
        guard !results.isEmpty else { return }
        guard results.count == tokens.count, let positions = Self.contiguousPositions(results),
              let recordedAt = try book.ledger.event(at: positions.lowerBound)?.recordedAt,
              let headHash = try book.ledger.chainHash(at: positions.upperBound)
        else {
            try book.runner.catchUp(store: book.store)
            return
        }
        var states = [TokenState]()
        states.reserveCapacity(tokens.count)
        for (token, result) in zip(tokens, results) {
            let migrated = TokenEvent.migrated(TokenMigrated(provider: provider, batch: .zero, row: token.draft.row, subscription: token.draft.subscription))
            // The same fold the runner applies, event by event, with each event's real place.
            func meta(_ index: Int) -> TokenEventMeta {
                TokenEventMeta(stream: result.stream, position: result.positions[index], recordedAt: recordedAt)
            }
            guard var state = TokenState.fold(nil, migrated, endpointHash: token.endpointHash, meta: meta(0)) else { continue }
            if let contact = token.contact, result.positions.count > 1,
               let linked = TokenState.fold(state, .linked(TokenLink(contact: contact, channel: TokenBook.channel(of: migrated))), endpointHash: nil, meta: meta(1)) {
                state = linked
            }
            states.append(state)
        }
        guard try TokenProjection.record(states, positions: positions, headHash: headHash, in: book.store) else {
            try book.runner.catchUp(store: book.store)
            return
        }
    }

    /// The positions of the batch's events when they are one run, all newly appended (one
    /// job is one transaction, so they share one time); nil otherwise.
    static func contiguousPositions(_ results: [AppendResult]) -> ClosedRange<UInt64>? {
        guard let first = results.first?.positions.first else { return nil }
        var next = first
        for result in results {
            guard result.duplicates == 0 else { return nil }
            for position in result.positions {
                guard position == next else { return nil }
                next += 1
            }
        }
        return first...(next - 1)
    }
}
