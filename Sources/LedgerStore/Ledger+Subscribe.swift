import LedgerDomain

extension Ledger {
    /// Every event from position `from` on: first those already stored (catch-up), then each
    /// new one as it is committed (follow), until the consumer stops or the ledger closes.
    ///
    /// Commits of this process wake the subscription at once; commits of other processes
    /// (the CLI beside the server) are noticed by polling every `pollInterval`.
    public func subscribe(
        from position: UInt64 = 1,
        pollInterval: Duration = .milliseconds(50),
        batchSize: Int = 4096
    ) -> AsyncThrowingStream<RecordedEvent, any Error> {
        let (events, continuation) = AsyncThrowingStream<RecordedEvent, any Error>.makeStream(bufferingPolicy: .bufferingOldest(batchSize))
        let (signalID, wakeups) = appendSignal.subscribe()
        let signal = appendSignal
        let poller = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                signal.poke(signalID)
            }
        }
        let reader = Task { [self] in
            var next = max(position, 1)
            var wakeupIterator = wakeups.makeAsyncIterator()
            do {
                while !Task.isCancelled {
                    let batch = try read(from: next, limit: batchSize)
                    for event in batch {
                        // Wait while the consumer's buffer is full rather than drop events.
                        while case .dropped = continuation.yield(event) {
                            try await Task.sleep(for: .milliseconds(1))
                        }
                        next = event.position + 1
                    }
                    if batch.count < batchSize {
                        guard await wakeupIterator.next() != nil else { break }
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in
            reader.cancel()
            poller.cancel()
            signal.unsubscribe(signalID)
        }
        return events
    }
}

extension Ledger {
    /// Wake-ups after appends: one element after commits of this process (at once) and every
    /// `pollInterval` (to notice other processes' commits). Bursts coalesce into one element.
    ///
    /// For consumers that read the log in batches themselves (a projection catching up),
    /// this costs nothing per event, unlike `subscribe`.
    public func appendWakeups(pollInterval: Duration = .milliseconds(50)) -> AsyncStream<Void> {
        let (signalID, wakeups) = appendSignal.subscribe()
        let signal = appendSignal
        let poller = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pollInterval)
                signal.poke(signalID)
            }
        }
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let relay = Task {
            for await _ in wakeups { continuation.yield() }
            continuation.finish()
        }
        continuation.onTermination = { _ in
            relay.cancel()
            poller.cancel()
            signal.unsubscribe(signalID)
        }
        return stream
    }
}
