import Foundation
import LedgerDomain
@testable import LedgerStore
import Testing

@Suite("Data keys and crypto-shredding")
struct KeyVaultTests {
    /// An event whose personal data is sealed with `key`: the plain text is its id.
    static func sealedEvent(_ key: DataKey) throws -> NewEvent {
        var event = testEvent()
        event.personalData = try key.seal(Self.plain(event.id), for: event.id)
        event.personalDataSealed = true
        return event
    }

    static func plain(_ id: EventID) -> [UInt8] { Array("secret of \(id)".utf8) }

    /// Appends `count` new streams, each with a data key and one sealed event.
    static func populate(_ ledger: Ledger, count: Int) throws -> [StreamID] {
        let requests = try (0..<count).map { _ in
            let key = DataKey.random()
            return AppendRequest.newStream([try sealedEvent(key)], dataKey: key)
        }
        return try ledger.append(requests).map(\.stream)
    }

    /// Whether every event of `stream` unseals to its expected plain text.
    static func readable(_ ledger: Ledger, _ stream: StreamID) throws -> Bool {
        let keys = ledger.keyRing()
        return try ledger.readStream(stream).allSatisfy { try keys.personalData(of: $0) == plain($0.id) }
    }

    @Test("a sealed payload opens only with its key and for its own event")
    func sealing() throws {
        let key = DataKey.random()
        let id = EventID.timeOrdered()
        let sealed = try key.seal(Array("Olena".utf8), for: id)
        #expect(sealed.count == 5 + DataKey.sealingOverhead)
        #expect(try key.open(sealed[...], for: id) == Array("Olena".utf8))
        #expect(throws: LedgerError.self) { try key.open(sealed[...], for: .timeOrdered()) }
        #expect(throws: LedgerError.self) { try DataKey.random().open(sealed[...], for: id) }
        var tampered = sealed
        tampered[20] ^= 1
        #expect(throws: LedgerError.self) { try key.open(tampered[...], for: id) }
        #expect(throws: LedgerError.self) { try key.open(sealed[0..<10], for: id) }
    }

    @Test("every seal draws a fresh nonce, across pool refills")
    func freshNonces() throws {
        let key = DataKey.random()
        let id = EventID.timeOrdered()
        var nonces = Set<[UInt8]>()
        for _ in 0..<1_000 {
            let sealed = try key.seal(Array("same".utf8), for: id)
            nonces.insert(Array(sealed[1..<13]))
            #expect(try key.open(sealed[...], for: id) == Array("same".utf8))
        }
        #expect(nonces.count == 1_000)
    }

    @Test("a new stream's key is stored with its events, and readers unseal through it")
    func storedWithEvents() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let streams = try Self.populate(ledger, count: 3)
        #expect(try ledger.dataKeyCount() == 3)
        for stream in streams { #expect(try Self.readable(ledger, stream)) }
        // Without the ring the sealed bytes are not the plain text.
        let event = try #require(try ledger.readStream(streams[0]).first)
        #expect(event.personalDataSealed)
        #expect(Array(event.personalData) != Self.plain(event.id))
    }

    @Test("a rotation re-wraps keys of streams of other categories too, and jumps the empty space to them")
    func otherCategories() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let contacts = try Self.populate(ledger, count: 3)
        // Tokens 1 and 2 and a VAPID key's stream: bucket 0, like contacts 1 to 3, at 2^50 and beyond.
        var others = [StreamID]()
        for category in [StreamCategory.token, .token, .vapidKey] {
            let key = DataKey.random()
            let request = AppendRequest(target: .newIn(category), expected: .noStream, events: [try Self.sealedEvent(key)], dataKey: key)
            others.append(try ledger.append(request).stream)
        }
        let start = Date()
        #expect(try ledger.shred(contacts[0]))
        #expect(try ledger.shred(others[0]))
        // Before, the re-wrap stepped through 2^29 empty runs up to the token streams: hours.
        #expect(Date().timeIntervalSince(start) < 10)
        for stream in contacts.dropFirst() + others.dropFirst() { #expect(try Self.readable(ledger, stream), "stream \(stream)") }
        #expect(try ledger.dataKey(for: others[0]) == nil)
        var root = try KeyRootFile.load(ledger.vault.rootPath)
        #expect(root.current(0)?.entry.epoch == 3)
        #expect(try ledger.verify().isValid)
    }

    @Test("shredding destroys one key, re-wraps its bucket, and overwrites the old bucket key")
    func shredding() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        // Streams 1…700: bucket 0 holds 1…511, bucket 1 holds 512…700.
        let streams = try Self.populate(ledger, count: 700)
        let victim = streams[99]
        let rootBefore = try Data(contentsOf: URL(fileURLWithPath: ledger.vault.rootPath))
        var before = try KeyRootFile.load(ledger.vault.rootPath)
        let oldCurrent = before.current(0)
        let oldBucketKey = try #require(oldCurrent?.entry.key.bytes)
        #expect(rootBefore.range(of: Data(oldBucketKey)) != nil)

        #expect(try ledger.shred(victim))
        #expect(try ledger.dataKey(for: victim) == nil)
        #expect(try ledger.shred(victim) == false)
        let keys = ledger.keyRing()
        for event in try ledger.readStream(victim) { #expect(try keys.personalData(of: event) == nil) }
        for stream in streams where stream != victim { #expect(try Self.readable(ledger, stream), "stream \(stream)") }

        var root = try KeyRootFile.load(ledger.vault.rootPath)
        let rotating = root.rotating()
        let epochs = (root.current(0)?.entry.epoch, root.current(1)?.entry.epoch)
        #expect(rotating.isEmpty)
        #expect(epochs.0 == 2)
        #expect(epochs.1 == 1)
        let rootAfter = try Data(contentsOf: URL(fileURLWithPath: ledger.vault.rootPath))
        #expect(rootAfter.range(of: Data(oldBucketKey)) == nil, "the old bucket key must be overwritten")
        #expect(try ledger.verify().isValid)
    }

    @Test("a rotation interrupted after the new bucket key was written loses nothing and is finished by the next one")
    func interruptedRotation() throws {
        let directory = TemporaryDirectory()
        var streams: [StreamID] = []
        do {
            let ledger = try Ledger(directory: directory.path)
            streams = try Self.populate(ledger, count: 600)
            // Step 1 of a rotation of bucket 0, then a "crash": both bucket keys are present.
            var root = try KeyRootFile.load(ledger.vault.rootPath)
            let found = root.current(0)
            let (index, current) = try #require(found)
            try KeyRootFile.write(.init(epoch: current.epoch + 1, key: .random()), bucket: 0, index: 1 - index, path: ledger.vault.rootPath)
            ledger.close()
        }
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        var reloaded = try KeyRootFile.load(ledger.vault.rootPath)
        let half = reloaded.rotating()
        #expect(half == [0])
        for stream in streams { #expect(try Self.readable(ledger, stream)) }
        // A new contact now wraps under the newer key; the next rotation (another bucket)
        // first finishes bucket 0's.
        let late = try Self.populate(ledger, count: 1)
        #expect(try ledger.shred(streams[550]))
        reloaded = try KeyRootFile.load(ledger.vault.rootPath)
        let finished = reloaded.rotating()
        #expect(finished.isEmpty)
        for stream in streams + late where stream != streams[550] { #expect(try Self.readable(ledger, stream)) }
    }

    @Test("another process's rotation is seen: the writer reloads the root before wrapping")
    func rotationSeenAcrossOpens() throws {
        let directory = TemporaryDirectory()
        let first = try Ledger(directory: directory.path)
        defer { first.close() }
        let second = try Ledger(directory: directory.path)
        defer { second.close() }
        let streams = try Self.populate(first, count: 10)
        #expect(try second.shred(streams[0]))
        // `first` still holds the old root in memory; its next key must wrap under the new one.
        let more = try Self.populate(first, count: 5)
        for stream in streams.dropFirst() + more {
            #expect(try Self.readable(first, stream))
            #expect(try Self.readable(second, stream))
        }
    }

    @Test("a backup taken after an erasure holds the root and nothing of the destroyed key")
    func backupAfterErasure() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.sub("live"))
        let streams = try Self.populate(ledger, count: 50)
        let wrapped = try #require(try ledger.environment.read { txn in
            try withUnsafeBytes(of: streams[7].rawValue.bigEndian) { try txn.get(ledger.tables.keys, key: $0).map { Array($0) } }
        })
        try ledger.shred(streams[7])
        try ledger.backup(to: directory.sub("backup"))
        ledger.close()

        let copy = try Data(contentsOf: URL(fileURLWithPath: directory.sub("backup") + "/data.mdb"))
        #expect(copy.range(of: Data(wrapped)) == nil, "a compacted backup must not carry the destroyed wrapped key")
        _ = try Ledger.restore(from: directory.sub("backup"), to: directory.sub("restored"))
        let restored = try Ledger(directory: directory.sub("restored"))
        defer { restored.close() }
        #expect(try restored.verify().isValid)
        #expect(try restored.dataKey(for: streams[7]) == nil)
        for stream in streams where stream != streams[7] { #expect(try Self.readable(restored, stream)) }
    }

    @Test("a store whose key root is missing is refused with a clear message, not given new keys")
    func missingRoot() throws {
        let directory = TemporaryDirectory()
        do {
            let ledger = try Ledger(directory: directory.path)
            _ = try Self.populate(ledger, count: 2)
            ledger.close()
        }
        try FileManager.default.removeItem(atPath: directory.path + "/keys/root")
        #expect {
            try Ledger(directory: directory.path)
        } throws: { error in
            "\(error)".contains("keys/root is missing") && "\(error)".contains("2 contacts")
        }
    }

    @Test("a job that fails in a shared transaction leaves no key behind")
    func failedJobKeepsNoKey() async throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let existing = try Self.populate(ledger, count: 1)[0]
        // Many concurrent jobs share transactions; the ones with a wrong expected version fail.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let key = DataKey.random()
                    let event = try Self.sealedEvent(key)
                    if index % 2 == 0 {
                        _ = try await ledger.append(.newStream([event], dataKey: key))
                    } else {
                        let request = AppendRequest(target: .existing(existing), expected: .exact(99), events: [event], dataKey: key)
                        await #expect(throws: LedgerError.self) { _ = try await ledger.append(request) }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try ledger.dataKeyCount() == 21)
        for stream in 1...21 { #expect(try Self.readable(ledger, StreamID(UInt64(stream)))) }
    }
}

@Suite("Verification of data keys")
struct KeyVerificationTests {
    @Test("verify unwraps every data key and names one that does not unwrap")
    func verifyKeys() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let streams = try KeyVaultTests.populate(ledger, count: 5)
        var report = try ledger.verify()
        #expect(report.isValid && report.dataKeys == 5)
        // Damage one wrapped key.
        try ledger.environment.write { txn in
            try withUnsafeBytes(of: streams[2].rawValue.bigEndian) { key in
                var blob = try #require(try txn.get(ledger.tables.keys, key: key).map { Array($0) })
                blob[30] ^= 0xFF
                try blob.withUnsafeBytes { _ = try txn.put(ledger.tables.keys, key: key, value: $0) }
            }
        }
        report = try ledger.verify()
        #expect(!report.isValid)
        #expect(report.faults.contains { $0.kind == "data-key" && $0.message.contains("stream \(streams[2])") })
    }
}
