import CLMDB
import LedgerDomain

extension Ledger {
    /// Calls `body` with each event from `from` through `through` whose stream `include`
    /// admits, and the event's personal data in plain form (nil once its key is destroyed).
    ///
    /// For bulk folds (a rebuild, a projection check): records of other streams are skipped
    /// by their stream field alone, without decoding, so several scans can split the log by
    /// stream and run on several cores; each stream's data key is read in the scan's own
    /// read transaction and unwrapped once per `keyCacheLimit` streams. Batches of
    /// `batchSize` events each get a short read transaction, as in `forEachEvent`.
    public func forEachUnsealedEvent(
        from position: UInt64 = 1,
        through last: UInt64,
        batchSize: Int = 8192,
        keyCacheLimit: Int = 1 << 20,
        include: (StreamID) -> Bool = { _ in true },
        _ body: (RecordedEvent, [UInt8]?) throws -> Void
    ) throws {
        var keys = [UInt64: DataKey?]()
        try forEachRecord(from: position, through: last, batchSize: batchSize) { txn, found, record in
            guard let (stream, _) = EventRecord.streamAndVersion(of: record) else {
                throw LedgerError(.corrupt, "the event at position \(found) cannot be decoded; run `ledger verify`")
            }
            guard include(StreamID(stream)) else { return }
            let event = try decode(position: found, record: record)
            guard event.personalDataSealed else {
                try body(event, Array(event.personalData))
                return
            }
            let key: DataKey?
            if let cached = keys[stream] {
                key = cached
            } else {
                key = try withUnsafeBytes(of: stream.bigEndian) { raw in
                    try txn.get(tables.keys, key: raw).map { try vault.unwrap($0, stream: stream) }
                }
                if keys.count >= keyCacheLimit { keys.removeAll(keepingCapacity: true) }
                keys[stream] = .some(key)
            }
            try body(event, try key.map { try $0.open(event.personalData, for: event.id) })
        }
    }
}
