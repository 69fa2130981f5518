import Foundation
import LedgerDomain
@testable import LedgerProjections
import LedgerStore
import Testing

@Suite("The contact projection", .serialized)
struct ContactProjectionTests {
    static func append(_ ledger: Ledger, _ stream: StreamID?, _ events: [ContactEvent]) throws -> StreamID {
        let newEvents = events.map { $0.newEvent(actor: Actor(.user, "test"), source: .cli(command: "test")) }
        let target: AppendRequest.Target = stream.map { .existing($0) } ?? .new
        return try ledger.append(AppendRequest(target: target, events: newEvents)).stream
    }

    /// A ledger in a fresh temporary folder, and what closes and removes it.
    static func temporaryLedger() throws -> (Ledger, () -> Void) {
        let directory = NSTemporaryDirectory() + "ledger-projection-\(UUID().uuidString)"
        let ledger = try Ledger(directory: directory)
        return (ledger, {
            ledger.close()
            try? FileManager.default.removeItem(atPath: directory)
        })
    }

    /// Random contact histories: creations, identifier changes, field edits, consent,
    /// segments, erasures — and a few events of a type the projection does not know.
    static func randomHistory(_ ledger: Ledger, seed: UInt64, steps: Int) throws {
        var random = SeededGenerator(seed: seed)
        var streams = [StreamID]()
        for step in 0..<steps {
            if streams.isEmpty || Int.random(in: 0..<5, using: &random) == 0 {
                let email = "user\(Int.random(in: 0..<40, using: &random))@example.com"
                streams.append(try append(ledger, nil, [
                    .contactCreated(ContactCreated(channel: .import)),
                    .identifierAdded(IdentifierChange(kind: .email, value: email)),
                ]))
                continue
            }
            let stream = streams[Int.random(in: 0..<streams.count, using: &random)]
            let event: ContactEvent
            switch Int.random(in: 0..<8, using: &random) {
            case 0: event = .identifierAdded(IdentifierChange(kind: .phone, value: "+38067\(1_000_000 + Int.random(in: 0..<50, using: &random))"))
            case 1: event = .identifierRemoved(IdentifierChange(kind: .email, value: "user\(Int.random(in: 0..<40, using: &random))@example.com"))
            case 2: event = .contactFieldsChanged(ContactFieldsChanged(changes: [FieldChange(field: .standard(.firstName), from: nil, to: .text("Name \(step)"))]))
            case 3: event = .consentGranted(ConsentGranted(scope: ConsentScope(channel: .email, purpose: "news"), method: .import, status: .subscribed, wordingVersion: "v1"))
            case 4: event = .consentWithdrawn(ConsentWithdrawn(scope: ConsentScope(channel: .email, purpose: "news"), method: .unsubscribeLink, wordingVersion: "v1", reason: nil))
            case 5: event = .segmentMemberAdded(SegmentMembership(segment: "segment \(Int.random(in: 0..<3, using: &random))"))
            case 6: event = Int.random(in: 0..<10, using: &random) == 0 ? .contactErased(ContactErased(reason: "request")) : .segmentMemberRemoved(SegmentMembership(segment: "segment 0"))
            default:
                _ = try ledger.append(AppendRequest(target: .existing(stream), events: [NewEvent(type: EventType("test.noise", version: 1), actor: Actor(.system, "test"), source: .system(reason: "noise"))]))
                continue
            }
            _ = try append(ledger, stream, [event])
        }
    }

    static func snapshot(_ store: ProjectionStore) throws -> (contacts: [ContactState], emails: [String: StreamID]) {
        let directory = ContactDirectory(store: store)
        var contacts = [ContactState]()
        try directory.forEach { contacts.append($0) }
        var emails = [String: StreamID]()
        for contact in contacts {
            for email in contact.identifiers(.email) where !contact.erased {
                emails[email] = try directory.find(.email, email)
            }
        }
        return (contacts, emails)
    }

    @Test("a rebuild from scratch equals the state built incrementally, for random histories", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func rebuildEqualsIncremental(seed: UInt64) throws {
        let (ledger, removeLedger) = try Self.temporaryLedger()
        defer { removeLedger() }
        var random = SeededGenerator(seed: seed)
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(), batchSize: Int.random(in: 1...17, using: &random))
        let incremental = try runner.openStore()
        // Interleave appends and catch-ups, so batches split histories at random places.
        for round in 0..<6 {
            try Self.randomHistory(ledger, seed: seed &* 31 &+ UInt64(round), steps: 40)
            try runner.catchUp(store: incremental)
        }
        let built = try Self.snapshot(incremental)
        let applied = try incremental.read { try $0.checkpoint() }
        #expect(try applied == ledger.lastPosition())
        incremental.close()

        try runner.rebuild()
        let rebuiltStore = try runner.openStore()
        defer { rebuiltStore.close() }
        let rebuilt = try Self.snapshot(rebuiltStore)
        #expect(rebuilt.contacts == built.contacts)
        #expect(rebuilt.emails == built.emails)
        #expect(!built.contacts.isEmpty)
    }

    @Test("a generation left unflushed when the machine went down is rebuilt from the log, never opened")
    func tornGenerationRebuilt() throws {
        let (ledger, removeLedger) = try Self.temporaryLedger()
        defer { removeLedger() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        let store = try runner.openStore()
        try Self.randomHistory(ledger, seed: 7, steps: 60)
        try runner.catchUp(store: store)
        let built = try Self.snapshot(store)
        store.close()
        // What `ProjectionStore.deferringFlushes` leaves when the machine goes down before its
        // final flush: a marker from another boot. The generation's own file is torn too.
        let torn = try runner.directory.current()
        try Data("00000000-0000-0000-0000-000000000000\n".utf8).write(to: URL(fileURLWithPath: torn + "/unflushed-1"))
        let handle = try #require(FileHandle(forWritingAtPath: torn + "/data.mdb"))
        try handle.write(contentsOf: Data(repeating: 0xFF, count: 8192))
        try handle.close()

        let reopened = try runner.openStore()
        defer { reopened.close() }
        #expect(reopened.directory != torn)
        #expect(!FileManager.default.fileExists(atPath: torn))
        let rebuilt = try Self.snapshot(reopened)
        #expect(rebuilt.contacts == built.contacts)
        #expect(rebuilt.emails == built.emails)
        #expect(!built.contacts.isEmpty)
        #expect(try reopened.read { try $0.checkpoint() } == ledger.lastPosition())
    }

    @Test("lookups find a contact by e-mail and phone; an erased contact leaves the indexes")
    func lookups() throws {
        let (ledger, removeLedger) = try Self.temporaryLedger()
        defer { removeLedger() }
        let stream = try Self.append(ledger, nil, [
            .contactCreated(ContactCreated(channel: .cli)),
            .identifierAdded(IdentifierChange(kind: .email, value: "olena@example.com")),
            .identifierAdded(IdentifierChange(kind: .phone, value: "+380671234567")),
        ])
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        let store = try runner.openStore()
        defer { store.close() }
        try runner.catchUp(store: store)
        let contacts = ContactDirectory(store: store)
        #expect(try contacts.find(.email, "olena@example.com") == stream)
        #expect(try contacts.find(.phone, "+380671234567") == stream)
        #expect(try contacts.contact(stream)?.email == "olena@example.com")
        _ = try Self.append(ledger, stream, [.contactErased(ContactErased(reason: "GDPR request"))])
        try runner.catchUp(store: store)
        #expect(try contacts.find(.email, "olena@example.com") == nil)
        #expect(try contacts.contact(stream)?.erased == true)
        #expect(try contacts.contact(stream)?.email == nil)
    }

    @Test("the checkpoint and the state are written together: a fresh runner resumes where the last stopped")
    func resumesFromCheckpoint() throws {
        let (ledger, removeLedger) = try Self.temporaryLedger()
        defer { removeLedger() }
        try Self.randomHistory(ledger, seed: 9, steps: 30)
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(), batchSize: 7)
        do {
            let store = try runner.openStore()
            try runner.catchUp(store: store)
            store.close()
        }
        try Self.randomHistory(ledger, seed: 10, steps: 30)
        let store = try runner.openStore()
        defer { store.close() }
        let before = try store.read { try $0.checkpoint() }
        let last = try ledger.lastPosition()
        #expect(before < last)
        #expect(try runner.catchUp(store: store) == last)
    }

    @Test("a rebuild that outgrows its map writes each index entry once")
    func rebuildGrowsMap() throws {
        let (ledger, removeLedger) = try Self.temporaryLedger()
        defer { removeLedger() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        // Enough contacts that the rebuilt store needs more than its initial map.
        for batch in 0..<40 {
            var requests = [AppendRequest]()
            for index in 0..<500 {
                let number: Int = batch * 500 + index
                let events: [ContactEvent] = [
                    .contactCreated(ContactCreated(channel: .import)),
                    .identifierAdded(IdentifierChange(kind: .email, value: "user\(number)@example.com")),
                    .contactFieldsChanged(ContactFieldsChanged(changes: [FieldChange(field: .standard(.firstName), from: nil, to: .text(String(repeating: "x", count: 40)))])),
                ]
                requests.append(.newStream(events.map { $0.newEvent(actor: Actor(.user, "test"), source: .cli(command: "test")) }))
            }
            _ = try ledger.append(requests)
        }
        // A 1 MiB map: the bulk write aborts and runs again several times as the map grows.
        try runner.rebuild(initialMapSize: 1 << 20)
        let store = try runner.openStore()
        defer { store.close() }
        let contacts = ContactDirectory(store: store)
        #expect(try contacts.holders(.email, "user12345@example.com") == [StreamID(12_346)])
        #expect(try contacts.holders(.email, "user0@example.com") == [StreamID(1)])
    }

    @Test("a rebuild that commits its states run by run, its map outgrown, holds every contact once")
    func rebuildCommitsRunByRun() throws {
        let (ledger, removeLedger) = try Self.temporaryLedger()
        defer { removeLedger() }
        // Three runs of streams (`StreamFold.runStreams` each), one commit per run.
        let count = 2 * StreamFold<EncodedStates>.runStreams + 3_000
        var requests = [AppendRequest]()
        for number in 0..<count {
            let events: [ContactEvent] = [
                .contactCreated(ContactCreated(channel: .import)),
                .identifierAdded(IdentifierChange(kind: .email, value: "user\(number)@example.com")),
                .contactFieldsChanged(ContactFieldsChanged(changes: [FieldChange(field: .standard(.firstName), from: nil, to: .text("Name \(number)"))])),
            ]
            requests.append(.newStream(events.map { $0.newEvent(actor: Actor(.user, "test"), source: .cli(command: "test")) }))
            if requests.count == 2_000 {
                _ = try ledger.append(requests)
                requests.removeAll()
            }
        }
        _ = try ledger.append(requests)
        var projection = ContactProjection(ledger: ledger)
        projection.runsPerCommit = 1
        let runner = ProjectionRunner(ledger: ledger, projection: projection)
        // A 1 MiB map: commits abort and run again as the map grows, each with its own runs.
        try runner.rebuild(initialMapSize: 1 << 20)
        let store = try runner.openStore()
        defer { store.close() }
        let check = try ContactProjectionCheck.run(ledger: ledger, store: store)
        #expect(check.isValid, "\(check.differences.prefix(3))")
        #expect(check.contacts == count && check.indexEntries == count)
        let contacts = ContactDirectory(store: store)
        for number in [0, StreamFold<EncodedStates>.runStreams - 1, StreamFold<EncodedStates>.runStreams, count - 1] {
            let found = try #require(try contacts.contact(StreamID(UInt64(number + 1))))
            #expect(found.firstName == "Name \(number)")
            #expect(try contacts.holders(.email, "user\(number)@example.com") == [StreamID(UInt64(number + 1))])
        }
        #expect(try store.read { try $0.checkpoint() } == ledger.lastPosition())
    }

    @Test("following applies new appends promptly, then stops when cancelled")
    func follow() async throws {
        let (ledger, removeLedger) = try Self.temporaryLedger()
        defer { removeLedger() }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        let store = try runner.openStore()
        defer { store.close() }
        let follower = Task { try await runner.follow(store: store) }
        for batch in 0..<5 {
            let events: [ContactEvent] = [
                .contactCreated(ContactCreated(channel: .api)),
                .identifierAdded(IdentifierChange(kind: .email, value: "f\(batch)@example.com")),
            ]
            _ = try await ledger.append(.newStream(events.map { $0.newEvent(actor: Actor(.user, "test"), source: .cli(command: "test")) }))
        }
        let last = try ledger.lastPosition()
        var caughtUp = false
        for _ in 0..<200 where !caughtUp {
            caughtUp = try store.read { try $0.checkpoint() } == last
            if !caughtUp { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(caughtUp)
        #expect(try ContactDirectory(store: store).find(.email, "f4@example.com") == StreamID(5))
        follower.cancel()
        _ = await follower.result
    }
}
