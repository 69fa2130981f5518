import LedgerDomain
import LedgerStore
import Synchronization

/// Defines and changes forms: each version is an event on the form's own stream, so a
/// consent can always be shown beside the exact words and form version the person saw.
public final class FormBook: Sendable {
    /// The ledger written to.
    public let ledger: Ledger
    private let lock = Mutex(())
    /// Held by every form command of every process, so two never make one name twice.
    private let writers: ProcessLock
    /// The table as last read, re-read when a form stream grew (another process's update).
    private let cache = Mutex<FormTable?>(nil)

    /// Opens the form book of `ledger`.
    public init(ledger: Ledger) throws {
        self.ledger = ledger
        writers = try ledger.processLock(named: "forms")
    }

    /// The forms as the log says now (cached while no form stream changed).
    public func table() throws -> FormTable {
        if let cached = cache.withLock({ $0 }), try cached.isCurrent(in: ledger) { return cached }
        let fresh = try FormTable.load(from: ledger)
        cache.withLock { $0 = fresh }
        return fresh
    }

    /// The form named `name`, or nil.
    public func form(named name: String) throws -> FormRecord? {
        try table().forms[name]
    }

    /// Records a new form (`form.defined`); refused when the name is taken or a rule fails.
    public func create(_ definition: FormDefinition, actor: Actor, source: Source) throws -> FormRecord {
        try FormRules.check(definition)
        return try exclusive {
            if try FormTable.load(from: ledger).forms[definition.name] != nil {
                throw FormError(.exists, "a form named \(definition.name) exists already; `ledger form update` changes it")
            }
            var first = definition
            first.consentVersion = 1
            _ = try ledger.append(AppendRequest(target: .newIn(.form), expected: .noStream, events: [FormEvent.defined(first).newEvent(actor: actor, source: source)]))
            return try readBack(definition.name)
        }
    }

    /// Records a new version of form `name` (`form.updated`): `change` edits the current
    /// definition. The wording's version goes up when the consent text changes. Nothing is
    /// recorded when nothing changed.
    public func update(name: String, actor: Actor, source: Source, change: (inout FormDefinition) throws -> Void) throws -> FormRecord {
        try exclusive {
            guard let record = try FormTable.load(from: ledger).forms[name] else {
                throw FormError(.notFound, "no form is named \(name); `ledger form list` shows the forms")
            }
            var next = record.current
            try change(&next)
            next.name = name
            if next.consentText != record.current.consentText { next.consentVersion = record.current.consentVersion + 1 }
            try FormRules.check(next)
            guard next != record.current else { return record }
            _ = try ledger.append(AppendRequest(target: .existing(record.stream), expected: .exact(record.streamVersion), events: [FormEvent.updated(next).newEvent(actor: actor, source: source)]))
            return try readBack(name)
        }
    }

    /// Records that a submission of form `name`'s `version` filled the honeypot: counted, with
    /// nothing it carried.
    public func recordSpam(_ record: FormRecord, version: UInt32, source: Source) throws {
        let event = FormEvent.spamReceived(FormSpamReceived(formVersion: version, reason: "honeypot")).newEvent(actor: Actor(.form, record.name), source: source)
        _ = try ledger.append(AppendRequest(target: .existing(record.stream), events: [event]))
    }

    /// Every form, by name.
    public func list() throws -> [FormRecord] {
        try table().forms.values.sorted { $0.name < $1.name }
    }

    private func readBack(_ name: String) throws -> FormRecord {
        let table = try FormTable.load(from: ledger)
        cache.withLock { $0 = table }
        guard let record = table.forms[name] else { throw FormError(.notFound, "form \(name) was recorded but cannot be read back") }
        return record
    }

    private func exclusive<Result: Sendable>(_ body: () throws -> Result) throws -> Result {
        try lock.withLock { _ in try writers.withLock(body) }
    }
}
