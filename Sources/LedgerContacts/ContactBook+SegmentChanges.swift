import LedgerDomain
import LedgerProjections
import LedgerStore

extension ContactBook {
    /// Records in the log who entered and who left at each dynamic segment's latest rule
    /// definition or refresh whose changes are not recorded yet (its stream ends with it), as
    /// the projection folded them (its history at that position): in that segment's stream,
    /// and in the streams of the segments whose rules name it and changed with it, as
    /// `segment.members-changed` events of at most `SegmentMembersChanged.maximumStreams`
    /// contacts each, all in one append (decision 0018). Returns how many were appended.
    ///
    /// Runs under `exclusive`, after the definition or refresh was appended and folded; and
    /// before one is appended, so that a change a crash left unrecorded between the two
    /// appends is recorded by the next command (contacts erased meanwhile are left out, their
    /// history having gone with their values).
    @discardableResult
    func recordSegmentChanges(actor: Actor, source: Source) throws -> Int {
        let contacts = try directory()
        let segments = SegmentDirectory(store: contacts.store)
        let set = try segments.ruleSet()
        var requests = [AppendRequest]()
        for entry in set.entries.sorted(by: { $0.name < $1.name }) {
            let stream = entry.record.stream
            let version = try ledger.version(of: stream)
            guard version > 0, let last = try ledger.readStream(stream, fromVersion: version).first else { continue }
            switch try LedgerEvent(decoding: last) {
            case .segments(.ruleDefined), .segments(.refreshed): break
            default: continue
            }
            for index in set.dependents(of: [entry.name]) {
                let affected = set.entries[index]
                let (entered, left) = try segments.changes(affected.name, causedAt: last.position)
                // The segment itself always gets a record (it marks the change recorded); the
                // segments that name it, only when they changed.
                guard affected.name == entry.name || !entered.isEmpty || !left.isEmpty else { continue }
                let parts = SegmentMembersChanged.parts(segment: affected.name, version: affected.record.version, cause: last.position,
                                                        entered: entered, left: left)
                requests.append(AppendRequest(target: .existing(affected.record.stream),
                                              events: parts.map { SegmentEvent.membersChanged($0).newEvent(actor: actor, source: source) }))
            }
        }
        guard !requests.isEmpty else { return 0 }
        _ = try ledger.append(requests)
        projectCommitted { try runner.catchUp(store: store) }
        return requests.reduce(0) { $0 + $1.events.count }
    }
}
