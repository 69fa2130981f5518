import Foundation
import LedgerDomain
import LedgerProjections
import LedgerStore
import Synchronization

/// What an erasure did.
public struct Erasure: Sendable, Hashable {
    /// The contact erased.
    public let contact: StreamID
    /// Its stream and those of every contact merged into it, all erased.
    public let streams: [StreamID]
    /// How many `contact.erased` events were appended (0 when re-run to finish an erasure).
    public let events: Int
    /// How many data keys were destroyed.
    public let keysDestroyed: Int
    /// Events of these streams whose personal data was recorded unsealed (by a writer that
    /// did not seal, e.g. before sealing existed): erasure cannot make those unreadable.
    public let plainEvents: Int

    /// Describes an erasure.
    public init(contact: StreamID, streams: [StreamID], events: Int, keysDestroyed: Int, plainEvents: Int = 0) {
        self.contact = contact
        self.streams = streams
        self.events = events
        self.keysDestroyed = keysDestroyed
        self.plainEvents = plainEvents
    }
}

extension ContactBook {
    /// The longest erasure reason accepted.
    public static let maximumErasureReasonLength = 200

    /// Erases contact `id` by crypto-shredding (docs/decisions/0008): appends `contact.erased`
    /// to its stream and to those of the contacts merged into it, then destroys their data
    /// keys. From then on their personal values read as erased everywhere (history, export,
    /// projections, backups made later); the non-personal facts remain and `verify` passes.
    ///
    /// The events come first: a crash before the keys are destroyed leaves the contact erased
    /// in every projection, and running the erasure again destroys the keys.
    ///
    /// Then every projection is compacted (`ErasureCompaction`), so that no file of the store
    /// keeps the person's values in a freed page: the events carry an erasure mark (in their
    /// transaction) that stays pending until that is done, and `verify` reports it if it stays
    /// longer than `Ledger.erasurePendingBound`. Running the erasure again finishes it. With
    /// `compacting` false the caller compacts later, within that bound (a server batching
    /// erasures: `ErasureCompaction.run(ledger:onlyWhenPending:)`).
    public func erase(_ id: StreamID, reason: String, actor: Actor, source: Source, compacting: Bool = true) throws -> Erasure {
        let reason = reason.trimmingWhitespace
        guard !reason.isEmpty, reason.count <= Self.maximumErasureReasonLength, !reason.contains(where: \.isNewline),
              !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw ContactError(.invalidRequest, "the erasure reason must be one line of 1 to \(Self.maximumErasureReasonLength) characters, e.g. gdpr-request (never the person's own words)")
        }
        try Self.checkEnvelopes([AppendRequest(target: .existing(id), events: [ContactEvent.contactErased(ContactErased(reason: reason)).newEvent(actor: actor, source: source)])])
        let erasure = try exclusive {
            let directory = try directory()
            guard let state = try directory.contact(id) else {
                throw ContactError(.notFound, "contact \(id) does not exist")
            }
            if let survivor = state.mergedInto {
                throw ContactError(.invalidRequest, "contact \(id) was merged into contact \(survivor); erase contact \(survivor), which erases both")
            }
            var streams = [StreamID]()
            var queue = [id]
            var seen = Set<StreamID>()
            while !queue.isEmpty {
                let next = queue.removeFirst()
                guard seen.insert(next).inserted else { continue }
                streams.append(next)
                queue += try directory.contact(next)?.absorbed ?? []
            }
            let correlation = EventID.timeOrdered()
            let erased = ContactEvent.contactErased(ContactErased(reason: reason))
            let decidedAt = try directory.checkpoint()
            let requests = try streams.compactMap { stream -> AppendRequest? in
                guard let current = try directory.contact(stream), !current.erased else { return nil }
                // Its identifiers are given back: the person may sign up again later.
                let identity = identityChanges(before: current.heldIdentifiers, events: [erased], decidedAt: decidedAt)
                return AppendRequest(target: .existing(stream), events: [erased.newEvent(actor: actor, source: source, correlation: correlation)], identity: identity)
            }
            if !requests.isEmpty {
                // One transaction: every stream of the person is erased, or none, with the mark
                // that keeps the erasure pending until the projections are compacted.
                _ = try ledger.append(requests, progress: Ledger.erasureMark(for: id, at: UInt64(max(0, Date().timeIntervalSince1970))))
            }
            var destroyed = 0
            for stream in streams where try ledger.shred(stream) {
                destroyed += 1
            }
            projectCommitted { try runner.catchUp(store: store) }
            let plain = try streams.reduce(0) { count, stream in
                count + (try ledger.readStream(stream).filter { !$0.personalDataSealed && !$0.personalData.isEmpty }.count)
            }
            return Erasure(contact: id, streams: streams, events: requests.count, keysDestroyed: destroyed, plainEvents: plain)
        }
        // Outside the contact lock: other writers go on while the projections are copied.
        if compacting {
            do {
                try ErasureCompaction.run(ledger: ledger, open: [ContactProjection.name: store])
            } catch {
                throw LedgerError(.storage, "contact \(id) is erased (its data key is destroyed), but the projections could not be compacted, so a projection file may still hold its values in freed pages; run the erasure again to finish it", cause: error)
            }
        }
        return erasure
    }
}
