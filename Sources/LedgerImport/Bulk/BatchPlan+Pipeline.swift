import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// The batch before the one being planned, appended but not yet projected (`UpsertPipeline`):
/// its changes override what the projection says. `ImportPlanAid` lays it over the plan.
struct InFlightBatch {
    /// Identifiers it added (a key) or removed (nil), by kind (`BatchPlan.slot`).
    let owners: [[String: BatchPlan.Key?]]
    let contacts: [BatchPlan.Contact]
    let slots: [BatchPlan.Key: Int]

    /// The batch `plan` plans.
    init(_ plan: BatchPlan) {
        owners = plan.owners
        contacts = plan.contacts
        slots = plan.slots
    }

    /// The state `key` has after the batch, with placeholder places, when the batch touched it
    /// (the outer nil: it did not).
    func carried(_ key: BatchPlan.Key) -> ContactState?? {
        guard let slot = slots[key] else { return nil }
        let contact = contacts[slot]
        guard contact.unfolded < contact.events.count else { return .some(contact.working) }
        let placeholder: StreamID
        if case .existing(let id) = key { placeholder = id } else { placeholder = StreamID(0) }
        var state = contact.working
        for event in contact.events[contact.unfolded...] {
            state = ContactState.fold(state, event, meta: EventMeta(position: 0, stream: placeholder, recordedAt: EventMeta.unplacedTime))
        }
        return .some(state)
    }
}

extension BatchPlan {
    /// Names the previous batch's new contacts by the streams its append gave them, and gives
    /// carried contacts the versions it left them (`requests` and `results` are that append's).
    /// Returns false when this plan cannot be settled; it is then decided again from the
    /// projection.
    mutating func settle(after previous: BatchPlan, requests: [Planned], results: [AppendResult]) -> Bool {
        guard requests.count == results.count else { return false }
        if schemaStream == nil, requests.first?.key == .new(0), let schema = results.first?.stream {
            // The previous batch made the schema stream: declarations of this one go to it.
            schemaStream = schema
        }
        guard contacts.contains(where: \.carried) else { return true }
        var placed = [Key: (stream: StreamID, version: UInt64)]()
        for (planned, result) in zip(requests, results) where planned.key != .new(0) {
            placed[planned.key] = (result.stream, result.version)
        }
        var renamed = [Key: Key]()
        for index in contacts.indices where contacts[index].carried {
            let key = contacts[index].key
            let stream: StreamID
            if let done = placed[key] {
                stream = done.stream
                contacts[index].baseVersion = done.version
            } else if case .existing(let id) = key, let prior = previous.slots[key] {
                // Read but left unchanged by the previous batch: the version it read.
                stream = id
                contacts[index].baseVersion = previous.contacts[prior].baseVersion
            } else {
                return false
            }
            let settled = Key.existing(stream)
            guard settled != key else { continue }
            // The same contact under both names would be planned twice.
            guard slots[settled] == nil else { return false }
            renamed[key] = settled
            contacts[index].key = settled
            slots[key] = nil
            slots[settled] = index
        }
        guard !renamed.isEmpty else { return true }
        for kind in owners.indices {
            for (value, owner) in owners[kind] {
                if let owner, let settled = renamed[owner] { owners[kind][value] = .some(settled) }
            }
        }
        self.results = self.results.map { result in
            result.map { key, wasNew, events in (renamed[key] ?? key, wasNew, events) }
        }
        return true
    }

    /// Reads the carried contacts' states back from the projection once the previous batch
    /// is projected (`position` is its last event), with their real places: what `project`
    /// folds this batch onto. When the projection is elsewhere (another writer's events were
    /// caught up), `project` leaves this batch to the runner's catch-up instead.
    mutating func loadCarriedBases(through position: UInt64) throws {
        guard contacts.contains(where: \.carried) else { return }
        var contacts = self.contacts
        let loaded = try directory.read { snapshot -> Bool in
            guard try snapshot.checkpoint() == position else { return false }
            for index in contacts.indices where contacts[index].carried {
                guard case .existing(let id) = contacts[index].key else { return false }
                contacts[index].base = try snapshot.contact(id)
            }
            return true
        }
        if loaded {
            self.contacts = contacts
        } else {
            basesKnown = false
        }
    }

    /// The log's last position after an append of `requests` that began after `end`: nil
    /// unless every event was newly appended, in one run right after `end`.
    static func end(after end: UInt64, requests: [Planned], results: [AppendResult]) -> UInt64? {
        guard requests.count == results.count else { return nil }
        guard requests.contains(where: { $0.eventCount > 0 }) else { return end }
        guard let positions = contiguousPositions(requests, results), positions.lowerBound == end + 1 else { return nil }
        return positions.upperBound
    }
}
