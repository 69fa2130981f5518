import LedgerDomain
import LedgerStore

/// Checks the live contact projection against the log: folds the log in memory (as a rebuild
/// does, without writing anything) up to the projection's checkpoint, and compares every
/// contact state, every identifier index entry and every field declaration.
public enum ContactProjectionCheck {
    /// What a fresh fold of the log holds.
    struct Fold {
        var states = [StreamID: ContactState]()
        var fieldTypes = [String: String]()
        var schemaStream: StreamID?
    }

    /// Compares `store` (the contact projection, caught up by the caller) with a fresh fold of
    /// `ledger` up to the checkpoint `store` holds. The comparison runs inside one read
    /// snapshot of `store`, so a process applying new events meanwhile cannot skew it.
    public static func run(ledger: Ledger, store: ProjectionStore) throws -> ProjectionCheckReport {
        let contactsTable = try store.table("contacts")
        let fieldsTable = try store.table("fields")
        let indexTables = try IdentifierKind.allCases.map { ($0, try store.table(ContactProjection.indexTable($0))) }
        return try store.read { transaction in
            let checkpoint = try transaction.checkpoint()
            let fold = try freshFold(ledger, through: checkpoint)
            var differences = try compareContacts(fold.states, transaction, contactsTable)
            var indexEntries = 0
            for (kind, table) in indexTables {
                let expected = expectedIndex(fold.states, kind)
                indexEntries += expected.values.reduce(0) { $0 + $1.count }
                differences += try compareIndex(expected, kind, transaction, table)
            }
            differences += try compareFields(fold, transaction, fieldsTable)
            // An erasure interrupted between its event and its key rotation.
            for (stream, state) in fold.states.sorted(by: { $0.key < $1.key }) where state.erased {
                guard try ledger.hasDataKey(stream) else { continue }
                differences.append(ProjectionDifference(contact: stream.rawValue, table: "keys", message: "contact \(stream) is erased, but its data key still exists: run `ledger erase \(stream)` again to finish"))
            }
            return ProjectionCheckReport(
                projection: ContactProjection.name, checkpoint: checkpoint, contacts: fold.states.count,
                indexEntries: indexEntries, differences: differences
            )
        }
    }

    /// The contact projection's fold of events 1…`last`, in memory.
    static func freshFold(_ ledger: Ledger, through last: UInt64) throws -> Fold {
        let folded = try ContactProjection.foldLog(ledger, through: last)
        var fold = Fold(states: folded.states)
        for (definition, stream) in folded.definitions {
            fold.fieldTypes[definition.name] = definition.type.label
            fold.schemaStream = stream
        }
        return fold
    }

    private static func compareContacts(_ expected: [StreamID: ContactState], _ transaction: ProjectionTransaction, _ table: ProjectionStore.Table) throws -> [ProjectionDifference] {
        var differences = [ProjectionDifference]()
        var seen = Set<StreamID>()
        func differ(_ stream: StreamID, _ message: String) {
            differences.append(ProjectionDifference(contact: stream.rawValue, table: table.name, message: "contact \(stream): \(message)"))
        }
        try transaction.forEach(table) { key, value in
            guard key.count == 8 else {
                differences.append(ProjectionDifference(contact: nil, table: table.name, message: "a key of \(key.count) bytes is not a contact number"))
                return true
            }
            let stream = StreamID(key.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            seen.insert(stream)
            guard let fresh = expected[stream] else {
                differ(stream, "in the projection, but the log holds no contact events for it")
                return true
            }
            guard let stored = try? ContactState(decoding: value) else {
                differ(stream, "the stored state does not decode")
                return true
            }
            if stored.id != stream {
                differ(stream, "the stored state is contact \(stored.id)'s")
            } else if stored != fresh {
                differ(stream, "the stored state differs from the log in \(differingParts(stored, fresh).joined(separator: ", "))")
            }
            return true
        }
        for stream in expected.keys.sorted() where !seen.contains(stream) {
            differ(stream, "missing from the projection")
        }
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

    /// Identifier → holders, as the projection keeps it for contacts neither erased nor merged away.
    private static func expectedIndex(_ states: [StreamID: ContactState], _ kind: IdentifierKind) -> [[UInt8]: [StreamID]] {
        var index = [[UInt8]: [StreamID]]()
        for (stream, state) in states where !state.erased && state.mergedInto == nil {
            for identifier in state.identifiers(kind) { index[Array(identifier.utf8), default: []].append(stream) }
        }
        return index.mapValues { $0.sorted() }
    }

    private static func compareIndex(_ expected: [[UInt8]: [StreamID]], _ kind: IdentifierKind, _ transaction: ProjectionTransaction, _ table: ProjectionStore.Table) throws -> [ProjectionDifference] {
        var remaining = expected
        var extra = Set<StreamID>()
        var missing = Set<StreamID>()
        try transaction.forEach(table) { key, value in
            let actual = ContactProjection.holders(Array(value))
            let wanted = remaining.removeValue(forKey: Array(key)) ?? []
            extra.formUnion(Set(actual).subtracting(wanted))
            missing.formUnion(Set(wanted).subtracting(actual))
            return true
        }
        for holders in remaining.values { missing.formUnion(holders) }
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

    private static func compareFields(_ fold: Fold, _ transaction: ProjectionTransaction, _ table: ProjectionStore.Table) throws -> [ProjectionDifference] {
        var remaining = fold.fieldTypes
        var differences = [ProjectionDifference]()
        var schemaStream: [StreamID] = []
        try transaction.forEach(table) { key, value in
            let bytes = Array(key)
            if bytes == ContactProjection.schemaStreamKey {
                schemaStream = ContactProjection.holders(Array(value))
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
        if schemaStream != (fold.schemaStream.map { [$0] } ?? []) {
            differences.append(ProjectionDifference(contact: nil, table: table.name, message: "the schema stream differs from the log"))
        }
        return differences
    }
}
