import Foundation
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Synchronization

/// The write side of the contact base: turns requests (add, update, consent, merge, field
/// definitions) into events, after resolving who the request is about.
///
/// Resolution reads the contact projection, caught up to the log first (or, for the service's
/// upserts and reads, as it stands beside another writer's batch in flight:
/// `ProjectionFreshness`). Appends carry the contact's stream version as the expected version,
/// so a change that slipped in between is a conflict and the command is decided again on
/// fresh state. One contact per identifier holds
/// without a lock around the deciding: a new identifier is claimed in the log's own write
/// transaction (`IdentityChanges`, decision 0015), so of two processes creating the same new
/// e-mail at once, the second finds the claim taken and decides again, finding the first's
/// contact. Upserts of any number of processes interleave per transaction. The rarer commands
/// (merge, erase, consent, field declarations) still run one at a time across processes
/// (`contacts.lock`), since each decides from several streams at once.
public final class ContactBook: Sendable {
    /// The ledger written to.
    public let ledger: Ledger
    /// The contact projection's runner.
    public let runner: ProjectionRunner<ContactProjection>
    /// The contact projection's store (the live generation).
    public let store: ProjectionStore
    /// Phone numbers without a country code are read in this region.
    public let phones: PhoneNormalizer
    let lock = Mutex(())
    /// Batches decided again after a conflict (see `decidedAgain`).
    let decidedAgainCounter = Atomic<Int>(0)
    /// Most decisions of one batch: a conflict each time means writers keep changing the same
    /// contacts, and the caller is told rather than kept waiting.
    static let maximumDecisions = 5
    /// Decisions of a splittable batch (an import's) before it is split in halves.
    static let decisionsBeforeSplitting = 2
    /// Splittable batches split after repeated conflicts (see `upsertDeciding`).
    let splitCounter = Atomic<Int>(0)
    /// Tests only: runs before each decided batch is appended, with the attempt and the
    /// batch's size, so that a test can make a real conflicting append at that moment.
    let beforeAppend = Mutex<(@Sendable (_ attempt: Int, _ items: Int) throws -> Void)?>(nil)
    /// Held, with `lock`, by every contact command of every process (see the type's comment).
    let writers: ProcessLock
    /// Why the projection could not be brought up to the last commit, if it could not.
    private let lagging = Mutex<String?>(nil)
    /// Whether a catch-up has checked the projection's head against the log in this process:
    /// until then a `.present` read catches up, so that a projection of another log is
    /// refused before anything is served from it (`ContactBook+Freshness.swift`).
    let headChecked = Atomic<Bool>(false)
    /// The projection's checkpoint as last seen behind the log, and since when: a projection
    /// that stands still behind the log has no writer bringing it up (`stalled(at:)`).
    let standing = Mutex<(checkpoint: UInt64, since: ContinuousClock.Instant)?>(nil)
    /// Batches recorded after waiting for another writer to project the events before them,
    /// and batches whose wait ran out (`recordInOrder`).
    let waitedCounter = Atomic<Int>(0)
    let waitRanOutCounter = Atomic<Int>(0)
    /// How long `recordInOrder` waits for another writer (`projectionWait`; tests lengthen it,
    /// so that a loaded machine does not turn their wait into a fold).
    let projectionWaitLimit = Mutex<Duration>(ContactBook.projectionWait)
    /// This process's batches committed before the projection could record them
    /// (`recordInOrder` with `deferring`), which reads consult until it does.
    let overlay = ContactOverlay()
    /// How long an overlay's batch waits for another writer to record the events before it
    /// before they are folded in from the log (`stalledAfter`; tests lengthen it, so that a
    /// loaded machine does not turn the wait into a fold).
    let overlayPatience = Mutex<Duration>(ContactBook.stalledAfter)
    let deferredCounter = Atomic<Int>(0)

    /// Opens the contact projection of `ledger` for reading and writing contacts.
    public init(ledger: Ledger, defaultRegion: String = "") throws {
        self.ledger = ledger
        writers = try ledger.processLock(named: "contacts")
        runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(ledger: ledger))
        store = try runner.openStore()
        do {
            phones = try PhoneNormalizer(defaultRegion: defaultRegion)
        } catch {
            store.close()
            throw ContactError(.invalidRequest, "unknown default region \(defaultRegion): \(error)")
        }
    }

    /// How many times a batch was decided again because another writer changed one of its
    /// contacts, or took one of its new identifiers, after the projection's snapshot it was
    /// decided from. Appends to other contacts or other categories never count.
    public var decidedAgain: Int { decidedAgainCounter.load(ordering: .relaxed) }

    /// How many times an import's batch was split in halves after conflicting again.
    public var splitBatches: Int { splitCounter.load(ordering: .relaxed) }

    /// Closes the projection store (not the ledger).
    public func close() {
        store.close()
    }

    /// Runs a contact command: one at a time in this process, and in the store.
    func exclusive<Result: Sendable>(_ body: () throws -> Result) throws -> Result {
        try lock.withLock { _ in try writers.withLock(body) }
    }

    /// The projection, caught up with every event appended so far.
    public func directory() throws -> ContactDirectory {
        try runner.catchUp(store: store)
        headChecked.store(true, ordering: .relaxed)
        return ContactDirectory(store: store)
    }

    /// The contact a key names (`ContactKey` says how text is read); nil when none holds it.
    public func resolve(key: String) throws -> StreamID? {
        try resolve(try ContactKey(parsing: key))
    }

    /// The contact `key` names; nil when none holds it (or, for a number, no contact has it).
    public func resolve(_ key: ContactKey) throws -> StreamID? {
        let identifier = try lookUpIdentifier(key)
        let directory = try directory()
        if case let (kind, value)? = identifier { return try directory.find(kind, value) }
        guard case .number(let id) = key else { return nil }
        return try directory.contact(id) == nil ? nil : id
    }

    /// The contact `key` names, with its state; nil when none holds it. One catch-up of the
    /// projection and one read snapshot for both the lookup and the state, where `resolve`
    /// then `contact` take two of each: the API's `GET /api/v1/contacts/{key}` is this.
    public func contact(named key: ContactKey, freshness: ProjectionFreshness = .caughtUp) throws -> ContactState? {
        try contact(named: key, freshness: freshness) { _, state in state }
    }

    /// `body` with the stream and state of the contact `key` names, both read in one snapshot
    /// of the projection as current as `freshness` asks; nil when none holds it.
    public func contact<Answer>(named key: ContactKey, freshness: ProjectionFreshness, _ body: (StreamID, ContactState) throws -> Answer) throws -> Answer? {
        let identifier = try lookUpIdentifier(key)
        return try read(freshness) { snapshot in try contact(key, identifier, in: snapshot, body) }
    }

    /// `contact(named:freshness: .present)` when the projection may be read as it stands, with
    /// nothing folded first (`readAsItStands`); outer nil when it must be caught up: the
    /// caller then reads on a thread that may block.
    public func contactAsItStands<Answer>(named key: ContactKey, _ body: (StreamID, ContactState) throws -> Answer) throws -> Answer?? {
        let identifier = try lookUpIdentifier(key)
        guard case .answer(let answer) = try readAsItStands({ snapshot in try contact(key, identifier, in: snapshot, body) }) else { return nil }
        return .some(answer)
    }

    /// `body` with the contact `key` (its identifier looked up as `identifier`) names in
    /// `snapshot`, with this process's batches the projection does not hold yet laid over it
    /// (`ContactOverlay`); nil when none holds it.
    private func contact<Answer>(
        _ key: ContactKey, _ identifier: (IdentifierKind, String)?, in snapshot: ContactDirectory.Snapshot, _ body: (StreamID, ContactState) throws -> Answer
    ) throws -> Answer? {
        let checkpoint = overlay.isEmpty ? nil : try snapshot.checkpoint()
        let id: StreamID?
        if case let (kind, value)? = identifier {
            if let checkpoint, let held = overlay.holder(kind, value, after: checkpoint) {
                id = held
            } else {
                id = try snapshot.find(kind, value)
            }
        } else if case .number(let number) = key {
            id = number
        } else {
            id = nil
        }
        guard let id else { return nil }
        let state: ContactState?
        if let checkpoint, let newer = overlay.state(id, after: checkpoint) {
            state = newer
        } else {
            state = try snapshot.contact(id)
        }
        guard let state else { return nil }
        return try body(id, state)
    }

    /// The normalised identifier a key names, looked up in the projection's index of its kind;
    /// nil for a contact number, which needs no lookup. An e-mail or phone that is not valid is
    /// an error saying so.
    private func lookUpIdentifier(_ key: ContactKey) throws -> (IdentifierKind, String)? {
        switch key {
        case .number:
            return nil
        case .email(let address):
            let email = try normalizedEmail(address)
            return (.email, email)
        case .phone(let text):
            do {
                let phone = try phones.normalize(text).e164
                return (.phone, phone)
            } catch {
                throw ContactError(.invalidIdentifier, "\(text) is not a valid phone number (\(error)); for a contact number write #N or id:N, for an external id ext:ID", cause: error)
            }
        case .externalID(let id):
            return (.externalId, id)
        }
    }

    /// The current state of contact `id`.
    public func contact(_ id: StreamID) throws -> ContactState? {
        try directory().contact(id)
    }

    func normalizedEmail(_ text: String) throws -> String {
        do {
            return try EmailAddress(validating: text).value
        } catch {
            throw ContactError(.invalidIdentifier, "email: \(error)", cause: error)
        }
    }

    func normalizedPhone(_ text: String) throws -> String {
        do {
            return try phones.normalize(text).e164
        } catch {
            throw ContactError(.invalidIdentifier, "phone: \(error)", cause: error)
        }
    }

    /// Checks every event a command decided against the field rules (values and their types,
    /// identifiers, segment names, consent purposes, wording, evidence and reasons, erasure
    /// reasons) before anything is sealed: the one check the single-contact commands share
    /// (`record`, merge, erase); a bulk batch's events are checked as `changes` decides them.
    func validate(_ events: [ContactEvent], rules: ContactFieldRules) throws {
        for event in events {
            do {
                try rules.validate(event)
            } catch {
                throw ContactError(.invalidField, "\(error)", cause: error)
            }
        }
    }

    /// The rules as of now: the declared custom fields and today's date.
    func currentRules(_ directory: ContactDirectory) throws -> ContactFieldRules {
        ContactFieldRules(customFields: try directory.fieldTypes(), today: CalendarDate(utcDayOf: Ledger.systemClock()))
    }

    /// Appends `events` to stream `id` (or a new stream of `category` when nil) with the
    /// expected version, then brings the projection up to date. The events are checked first
    /// (`validate`); nothing is written when one is refused.
    func record(_ events: [ContactEvent], to id: StreamID?, newIn category: StreamCategory = .contact, expected: ExpectedVersion, identity: IdentityChanges? = nil, actor: Actor, source: Source, ids: (Int) -> EventID) throws -> AppendResult {
        try validate(events, rules: currentRules(directory()))
        let newEvents = events.enumerated().map { index, event in event.newEvent(id: ids(index), actor: actor, source: source) }
        let request = id.map { AppendRequest(target: .existing($0), expected: expected, events: newEvents, identity: identity) }
            ?? AppendRequest(target: category == .contact ? .new : .newIn(category), expected: .noStream, events: newEvents, identity: identity)
        guard let sealedRequest = try sealed([request], keys: ledger.keyRing()).first else {
            throw ContactError(.invalidRequest, "nothing to record")
        }
        let result = try ledger.append(sealedRequest)
        projectCommitted { try runner.catchUp(store: store) }
        return result
    }

    /// Why the projection is behind the log after a command whose events were committed
    /// (a full disk, say), or nil. The events are recorded: the command did what it was asked,
    /// and the projection catches up from the log on a later command (or `ledger rebuild`).
    public var projectionBehind: String? {
        lagging.withLock { $0 }
    }

    /// Runs `body`, which brings the projection up to events the ledger has committed. Its
    /// failure does not undo the commit, so it is kept for `projectionBehind`, not thrown: a
    /// caller told "failed" would retry a write that is already in the log.
    func projectCommitted(_ body: () throws -> Void) {
        do {
            try body()
        } catch {
            lagging.withLock { $0 = "\(error)" }
        }
    }
}
