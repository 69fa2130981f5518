import LedgerDomain
import LedgerStore

/// Checks the live contact projection against the log: folds the log (as a rebuild does,
/// grouped by stream, one contact at a time on every core, writing nothing) up to the
/// projection's checkpoint, and compares every contact state, every identifier index entry
/// and every field declaration, walking each stored table beside the fold in key order; so
/// memory holds a few runs of states and the index entries, not every contact.
public enum ContactProjectionCheck {
    /// Runs folded ahead of the comparison at most.
    static let runsAhead = 4

    /// Compares `store` (the contact projection, caught up by the caller) with a fresh fold of
    /// `ledger` up to the checkpoint `store` holds. The comparison runs inside one read
    /// snapshot of `store`, so a process applying new events meanwhile cannot skew it.
    public static func run(ledger: Ledger, store: ProjectionStore) throws -> ProjectionCheckReport {
        let tables = try ContactTables(store)
        var (report, erased) = try store.read { transaction in
            let checkpoint = try transaction.checkpoint()
            return try ledger.withStreamGroupedLog(through: checkpoint) { log in
                let fold = StreamFold<[ContactState]>(log, ahead: runsAhead, make: { streams in
                    var states = [ContactState]()
                    states.reserveCapacity(streams)
                    return states
                }) { $0.append($1) }
                defer { fold.stop() }
                var fresh = FreshStates(fold: fold)
                var differences = try compareContacts(&fresh, transaction, tables.contacts)
                let parts = fold.indexParts()
                var indexEntries = 0
                for index in tables.indexes {
                    let lists = parts.map { $0[index.kind.slot] }
                    indexEntries += lists.reduce(0) { $0 + $1.entries.count }
                    differences += try compareIndex(lists, index.kind, transaction, index.table)
                }
                differences += try compareFields(fresh.definitions, transaction, tables.fields)
                let report = ProjectionCheckReport(
                    projection: ContactProjection.name, checkpoint: checkpoint, contacts: fresh.count,
                    indexEntries: indexEntries, differences: differences
                )
                return (report, fresh.erased)
            }
        }
        // An erasure interrupted between its event and its key rotation.
        for stream in erased {
            guard try ledger.hasDataKey(stream) else { continue }
            report.differences.append(ProjectionDifference(contact: stream.rawValue, table: "keys", message: "contact \(stream) is erased, but its data key still exists: run `ledger erase \(stream)` again to finish"))
        }
        return report
    }

    /// The fold's states one by one, in stream order, taking (and dropping) its runs as it goes.
    struct FreshStates {
        let fold: StreamFold<[ContactState]>
        private var run = -1
        private var states: [ContactState] = []
        private var index = 0
        /// States passed so far.
        private(set) var count = 0
        /// Erased contacts passed so far.
        private(set) var erased: [StreamID] = []
        /// Field definitions of the runs taken so far, with their positions.
        private(set) var definitions: [(position: UInt64, definition: FieldDefined, stream: StreamID)] = []

        init(fold: StreamFold<[ContactState]>) {
            self.fold = fold
        }

        /// The next state, without passing it; nil after the last.
        mutating func peek() throws -> ContactState? {
            while index >= states.count {
                guard run + 1 < fold.runs else { return nil }
                run += 1
                let taken = try fold.run(run, take: true)
                states = taken.output
                definitions += taken.definitions
                index = 0
            }
            return states[index]
        }

        /// Passes the state `peek` gave.
        mutating func advance() {
            guard index < states.count else { return }
            if states[index].erased { erased.append(states[index].id) }
            index += 1
            count += 1
        }
    }

    private static func compareContacts(_ fresh: inout FreshStates, _ transaction: ProjectionTransaction, _ table: ProjectionStore.Table) throws -> [ProjectionDifference] {
        var differences = [ProjectionDifference]()
        var missing = [StreamID]()
        func differ(_ stream: StreamID, _ message: String) {
            differences.append(ProjectionDifference(contact: stream.rawValue, table: table.name, message: "contact \(stream): \(message)"))
        }
        try transaction.forEach(table) { key, value in
            guard key.count == 8 else {
                differences.append(ProjectionDifference(contact: nil, table: table.name, message: "a key of \(key.count) bytes is not a contact number"))
                return true
            }
            let stream = StreamID(key.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            while let next = try fresh.peek(), next.id < stream {
                missing.append(next.id)
                fresh.advance()
            }
            guard let expected = try fresh.peek(), expected.id == stream else {
                differ(stream, "in the projection, but the log holds no contact events for it")
                return true
            }
            fresh.advance()
            guard let stored = try? ContactState(decoding: value) else {
                differ(stream, "the stored state does not decode")
                return true
            }
            if stored.id != stream {
                differ(stream, "the stored state is contact \(stored.id)'s")
            } else if stored != expected {
                differ(stream, "the stored state differs from the log in \(differingParts(stored, expected).joined(separator: ", "))")
            }
            return true
        }
        while let next = try fresh.peek() {
            missing.append(next.id)
            fresh.advance()
        }
        for stream in missing { differ(stream, "missing from the projection") }
        return differences
    }

    /// The names of the parts of two states of one contact that differ.
    static func differingParts(_ lhs: ContactState, _ rhs: ContactState) -> [String] {
        var parts = [String]()
        func check(_ name: String, _ equal: Bool) { if !equal { parts.append(name) } }
        check("createdAt", lhs.createdAt == rhs.createdAt)
        check("updatedAt", lhs.updatedAt == rhs.updatedAt)
        check("channel", lhs.channel == rhs.channel)
        check("emails", lhs.emails == rhs.emails)
        check("phones", lhs.phones == rhs.phones)
        check("externalIds", lhs.externalIds == rhs.externalIds)
        check("standard fields", lhs.standardFields == rhs.standardFields)
        check("custom fields", lhs.fields == rhs.fields)
        check("consents", lhs.consents == rhs.consents)
        check("segments", lhs.segments == rhs.segments)
        check("absorbed", lhs.absorbed == rhs.absorbed)
        check("mergedInto", lhs.mergedInto == rhs.mergedInto)
        check("erased", lhs.erased == rhs.erased)
        return parts.isEmpty ? ["an unnamed part"] : parts
    }

    /// Walks the stored index beside the fold's sorted entries (identifier, then stream):
    /// a contact is named when one of its identifiers is not indexed under it, or when it is
    /// indexed under one the log does not give it.
    private static func compareIndex(_ lists: [IdentifierIndexEntries], _ kind: IdentifierKind, _ transaction: ProjectionTransaction, _ table: ProjectionStore.Table) throws -> [ProjectionDifference] {
        var extra = Set<StreamID>()
        var missing = Set<StreamID>()
        try transaction.withReader(table) { reader in
            var stored = try reader.next()
            var pending: UnsafeRawBufferPointer?
            var wanted = [StreamID]()
            func settle(_ identifier: UnsafeRawBufferPointer) throws {
                while let current = stored, IdentifierIndexEntries.compare(current.key, identifier) < 0 {
                    extra.formUnion(IdentifierIndex.holders(Array(current.value)))
                    stored = try reader.next()
                }
                var actual = [StreamID]()
                if let current = stored, IdentifierIndexEntries.same(current.key, identifier) {
                    actual = IdentifierIndex.holders(Array(current.value))
                    stored = try reader.next()
                }
                extra.formUnion(Set(actual).subtracting(wanted))
                missing.formUnion(Set(wanted).subtracting(actual))
                wanted.removeAll(keepingCapacity: true)
            }
            // The lists outlive the walk, so the previous identifier's bytes stay valid.
            try IdentifierIndexEntries.forEachMerged(lists) { identifier, stream in
                if let current = pending, !IdentifierIndexEntries.same(current, identifier) { try settle(current) }
                pending = identifier
                wanted.append(StreamID(stream))
            }
            if let current = pending { try settle(current) }
            while let current = stored {
                extra.formUnion(IdentifierIndex.holders(Array(current.value)))
                stored = try reader.next()
            }
        }
        var differences = [ProjectionDifference]()
        for stream in missing.union(extra).sorted() {
            var message = "contact \(stream):"
            if missing.contains(stream) { message += " one or more of its \(kind.label) identifiers are not indexed" }
            if missing.contains(stream) && extra.contains(stream) { message += ";" }
            if extra.contains(stream) { message += " indexed under a \(kind.label) the log does not give it" }
            differences.append(ProjectionDifference(contact: stream.rawValue, table: table.name, message: message))
        }
        return differences
    }

    private static func compareFields(_ definitions: [(position: UInt64, definition: FieldDefined, stream: StreamID)], _ transaction: ProjectionTransaction, _ table: ProjectionStore.Table) throws -> [ProjectionDifference] {
        var remaining = [String: String]()
        var expectedSchemaStream: StreamID?
        for entry in definitions.sorted(by: { $0.position < $1.position }) {
            remaining[entry.definition.name] = entry.definition.type.label
            expectedSchemaStream = entry.stream
        }
        var differences = [ProjectionDifference]()
        var schemaStream: [StreamID] = []
        try transaction.forEach(table) { key, value in
            let bytes = Array(key)
            if bytes == ContactTables.schemaStreamKey {
                schemaStream = IdentifierIndex.holders(Array(value))
                return true
            }
            let name = String(decoding: bytes, as: UTF8.self)
            let type = String(decoding: value, as: UTF8.self)
            switch remaining.removeValue(forKey: name) {
            case nil: differences.append(ProjectionDifference(contact: nil, table: table.name, message: "field \(name) is declared, but not in the log"))
            case let wanted? where wanted != type:
                differences.append(ProjectionDifference(contact: nil, table: table.name, message: "field \(name) is declared as \(type), the log says \(wanted)"))
            default: break
            }
            return true
        }
        for name in remaining.keys.sorted() {
            differences.append(ProjectionDifference(contact: nil, table: table.name, message: "field \(name) is declared in the log, but not in the projection"))
        }
        if schemaStream != (expectedSchemaStream.map { [$0] } ?? []) {
            differences.append(ProjectionDifference(contact: nil, table: table.name, message: "the schema stream differs from the log"))
        }
        return differences
    }
}
