import LedgerDomain
import LedgerStore

extension ContactProjection {
    /// Folds a batch with the downstream projectors fed, when one is awake or an event of the
    /// batch wakes one; returns false (having done nothing) when all stay dormant.
    ///
    /// Events before the one that wakes a projector are folded as if it were not there; it is
    /// then woken with the log before that event (`ContactFeedConsumer.activate`), and the
    /// rest of the batch is fed to it.
    func applyFeeding(_ batch: Prepared, in transaction: ProjectionTransaction, store: ProjectionStore) throws -> Bool {
        var awake = [any ContactFeedConsumer]()
        var dormant = [any ContactFeedConsumer]()
        for consumer in downstream {
            if try consumer.isActive(in: transaction, store: store) { awake.append(consumer) } else { dormant.append(consumer) }
        }
        var start = 0
        if !dormant.isEmpty {
            for index in batch.events.indices where batch.decoded[index] == nil {
                guard let family = batch.events[index].withTypeName(EventFamily.init(utf8TypeName:)) else { continue }
                let waking = dormant.filter { $0.claims(family) }
                guard !waking.isEmpty else { continue }
                if index > start {
                    let before = Prepared(events: Array(batch.events[start..<index]), decoded: Array(batch.decoded[start..<index]))
                    if awake.isEmpty {
                        try applyContacts(before, in: transaction, store: store)
                    } else {
                        try feed(before, to: awake, in: transaction, store: store)
                    }
                }
                guard let ledger else {
                    throw LedgerError(.invalidRequest, "the \(family.rawValue) projection wakes at position \(batch.events[index].position) and needs the log: open the contact projection with its ledger")
                }
                for consumer in waking {
                    try consumer.activate(before: batch.events[index].position, ledger: ledger, in: transaction, store: store)
                }
                awake += waking
                dormant.removeAll { consumer in waking.contains { $0.tables == consumer.tables } }
                start = index
            }
        }
        guard !awake.isEmpty else { return false }
        let rest = start == 0 ? batch : Prepared(events: Array(batch.events[start...]), decoded: Array(batch.decoded[start...]))
        try feed(rest, to: awake, in: transaction, store: store)
        return true
    }

    /// Folds `batch` event by event, handing `consumers` each contact's state before and after
    /// each event, and writes the states and index changes as `applyContacts` would. Before an
    /// event of another family reaches them, the states so far are written: a rule's
    /// definition is evaluated over the contacts as they stand at its position.
    private func feed(_ batch: Prepared, to consumers: [any ContactFeedConsumer], in transaction: ProjectionTransaction, store: ProjectionStore) throws {
        let tables = try ContactTables(store)
        let contacts = tables.contacts
        var original = [StreamID: ContactState?]()
        var current = [StreamID: ContactState?]()
        var items = [ContactFeedItem]()
        items.reserveCapacity(batch.events.count)
        func hand() throws {
            for stream in current.keys.sorted() {
                let old = original[stream] ?? nil
                let new = current[stream] ?? nil
                if let new {
                    try transaction.put(contacts, Self.key(stream), new.encoded())
                } else {
                    _ = try transaction.delete(contacts, Self.key(stream))
                }
                if Self.indexed(old) != Self.indexed(new) {
                    try Self.updateIndexes(stream: stream, old: old, new: new, in: transaction, tables: tables)
                }
            }
            original.removeAll()
            current.removeAll()
            for consumer in consumers { try consumer.consume(items, in: transaction, store: store) }
            items.removeAll(keepingCapacity: true)
        }
        for (index, event) in batch.events.enumerated() {
            guard let domain = batch.decoded[index] else {
                // Another family's event: a malformed one of a family this build reads stops the
                // fold, as a malformed contact event does.
                let decoded = try LedgerEvent(decoding: event)
                guard decoded.family != nil else { continue }
                items.append(.other(event, decoded))
                try hand()
                continue
            }
            if case .fieldDefined(let definition) = domain {
                try tables.define(definition, stream: event.stream, in: transaction)
                continue
            }
            let stream = event.stream
            if original[stream] == nil {
                let stored = try transaction.get(contacts, Self.key(stream)).map { try ContactState(decoding: $0) }
                original[stream] = .some(stored)
                current[stream] = .some(stored)
            }
            let before = current[stream] ?? nil
            var after = before
            let meta = EventMeta(event)
            ContactState.fold(into: &after, domain, meta: meta)
            current[stream] = .some(after)
            items.append(.change(ContactChange(stream: stream, before: before, after: after, event: domain, meta: meta, recorded: event)))
        }
        try hand()
    }

    /// Whether a downstream projector is awake in `store`: a writer's `record` then leaves the
    /// batch to the runner, which feeds it from the log.
    func feedsDownstream(in transaction: ProjectionTransaction, store: ProjectionStore) throws -> Bool {
        for consumer in downstream where try consumer.isActive(in: transaction, store: store) { return true }
        return false
    }
}
