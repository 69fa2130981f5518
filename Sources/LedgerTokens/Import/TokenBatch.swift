import LedgerDomain
import LedgerProjections
import LedgerStore

/// One batch of a token import handed to the ledger's writer: its new tokens, in the order of
/// their requests, and the append's outcome to come.
struct TokenBatch: Sendable {
    /// A token the batch records: its row, the subscription without its values (those are
    /// sealed in the request; the projection keeps none), the contact it is linked to, and
    /// the SHA-256 of its endpoint.
    struct Token: Sendable {
        let row: UInt64
        let subscription: TokenSubscription
        let contact: StreamID?
        let endpointHash: [UInt8]
    }

    let tokens: [Token]
    /// Entries of the file read through the batch's last.
    let end: UInt64
    let pending: PendingAppend

    /// Records appended batches in the token projection, in one transaction, from the tokens
    /// themselves (their states folded here with the places the append gave their events),
    /// without reading the events back from the log. When the batches are not one run of new
    /// events right after the projection's checkpoint (a re-run met events recorded before,
    /// another writer came between), the runner catches up from the log instead.
    ///
    /// Several batches in one transaction: the `by-endpoint` index takes its keys (SHA-256s)
    /// all over the table, so a batch of 5,000 copies nearly a page per token once the table
    /// holds a million; two batches together share a fifth of those pages (the importer records
    /// one at a time since its projector thread does it off the critical path: less memory).
    static func project(_ batches: [(batch: TokenBatch, results: [AppendResult])], book: TokenBook, provider: String) throws {
        var states = [TokenState]()
        var range: ClosedRange<UInt64>?
        for (batch, results) in batches where !results.isEmpty {
            guard results.count == batch.tokens.count, let positions = Self.contiguousPositions(results),
                  range.map({ $0.upperBound + 1 == positions.lowerBound }) ?? true,
                  let recordedAt = try book.ledger.event(at: positions.lowerBound)?.recordedAt
            else {
                try book.runner.catchUp(store: book.store)
                return
            }
            range = (range?.lowerBound ?? positions.lowerBound)...positions.upperBound
            states.reserveCapacity(states.count + batch.tokens.count)
            batch.fold(results, recordedAt: recordedAt, provider: provider, into: &states)
        }
        guard let range else { return }
        guard let headHash = try book.ledger.chainHash(at: range.upperBound),
              try TokenProjection.record(states, positions: range, headHash: headHash, in: book.store)
        else {
            try book.runner.catchUp(store: book.store)
            return
        }
    }

    /// The states of the batch's tokens: the same fold the runner applies, event by event,
    /// with each event's real place.
    private func fold(_ results: [AppendResult], recordedAt: Int64, provider: String, into states: inout [TokenState]) {
        for (token, result) in zip(tokens, results) {
            let migrated = TokenEvent.migrated(TokenMigrated(provider: provider, batch: .zero, row: token.row, subscription: token.subscription))
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
