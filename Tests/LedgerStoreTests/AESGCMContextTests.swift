import Foundation
import LedgerDomain
@testable import LedgerStore
import Testing

/// libcrypto's AES-GCM path (decision 0009) held to swift-crypto's, the reference: same bytes
/// for the same nonce, and each opens what the other sealed.
@Suite("AES-GCM through libcrypto, against swift-crypto")
struct AESGCMContextTests {
    static let engines: [(AEADEngine, AEADEngine)] = [(.libcrypto, .swiftCrypto), (.swiftCrypto, .libcrypto), (.libcrypto, .libcrypto)]
    /// Empty, around the 16-byte block, the usual size of a personal payload, and large.
    static let lengths = [0, 1, 15, 16, 17, 33, 255, 4_096, 65_537, 1 << 20]

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test("the same nonce gives the same bytes from both libraries", arguments: lengths)
    func sameBytes(length: Int) throws {
        let key = DataKey.random()
        let plain = Self.randomBytes(length)
        let nonce = Self.randomBytes(12)
        let aad = Self.randomBytes(16)
        var fromLibcrypto = [UInt8]()
        var fromSwiftCrypto = [UInt8]()
        try plain.withUnsafeBytes { plain in
            try nonce.withUnsafeBytes { nonce in
                try aad.withUnsafeBytes { aad in
                    try key.sealCombined(plain, nonce: nonce, authenticating: aad, appendingTo: &fromLibcrypto, engine: .libcrypto)
                    try key.sealCombined(plain, nonce: nonce, authenticating: aad, appendingTo: &fromSwiftCrypto, engine: .swiftCrypto)
                }
            }
        }
        #expect(fromLibcrypto.count == 12 + length + 16)
        #expect(Array(fromLibcrypto[..<12]) == nonce)
        #expect(fromLibcrypto == fromSwiftCrypto)
    }

    @Test("personal data sealed by one library opens with the other", arguments: lengths)
    func crossOpen(length: Int) throws {
        let key = DataKey.random()
        let plain = Self.randomBytes(length)
        let id = EventID.timeOrdered()
        for (sealer, opener) in Self.engines {
            let sealed = try key.seal(plain, for: id, engine: sealer)
            #expect(sealed.count == length + DataKey.sealingOverhead)
            #expect(sealed[0] == 1)
            #expect(try key.open(sealed[...], for: id, engine: opener) == plain)
            // A slice that does not start at index 0, as a record's payload is.
            let embedded = [0xAA] + sealed + [0xBB]
            #expect(try key.open(embedded[1..<(embedded.count - 1)], for: id, engine: opener) == plain)
        }
    }

    @Test("tampering, another event's id and another key are rejected by both, and the context still works after")
    func tampering() throws {
        let key = DataKey.random()
        let id = EventID.timeOrdered()
        let plain = Self.randomBytes(33)
        for (sealer, opener) in Self.engines {
            let sealed = try key.seal(plain, for: id, engine: sealer)
            // Every byte of nonce, ciphertext and tag, one bit each; the format byte is checked apart.
            for index in 1..<sealed.count {
                var tampered = sealed
                tampered[index] ^= 0x10
                #expect(throws: LedgerError.self) { try key.open(tampered[...], for: id, engine: opener) }
            }
            var format = sealed
            format[0] = 2
            #expect(throws: LedgerError.self) { try key.open(format[...], for: id, engine: opener) }
            #expect(throws: LedgerError.self) { try key.open(sealed[...], for: .timeOrdered(), engine: opener) }
            #expect(throws: LedgerError.self) { try DataKey.random().open(sealed[...], for: id, engine: opener) }
            #expect(throws: LedgerError.self) { try key.open(sealed.dropLast(), for: id, engine: opener) }
            #expect(throws: LedgerError.self) { try key.open(sealed + [0], for: id, engine: opener) }
            #expect(try key.open(sealed[...], for: id, engine: opener) == plain)
        }
        let empty = try key.seal([], for: id, engine: .libcrypto)
        var tamperedTag = empty
        tamperedTag[empty.count - 1] ^= 1
        #expect(throws: LedgerError.self) { try key.open(tamperedTag[...], for: id, engine: .libcrypto) }
        #expect(throws: LedgerError.self) { try key.open(empty[...], for: .timeOrdered(), engine: .libcrypto) }
        #expect(try key.open(empty[...], for: id, engine: .libcrypto) == [])
    }

    @Test("a data key wrapped by one library unwraps with the other, only for its own stream")
    func wrappedKeys() throws {
        let bucketKey = KeyRootFile.Entry(epoch: 7, key: .random())
        let stream: UInt64 = 5_000_123
        let bucket = KeyVault.bucket(of: stream)
        for (sealer, opener) in Self.engines {
            let key = DataKey.random()
            let blob = try KeyVault.wrap(key, stream: stream, bucket: bucket, under: bucketKey, engine: sealer)
            #expect(blob.count == KeyVault.wrappedSize)
            #expect(blob[0] == 1 && Int(blob[1]) << 8 | Int(blob[2]) == bucket && Array(blob[3..<7]) == [0, 0, 0, 7])
            let unwrapped = try blob.withUnsafeBytes { try KeyVault.unwrap($0, stream: stream, under: bucketKey, engine: opener) }
            #expect(unwrapped.bytes == key.bytes)
            #expect(throws: LedgerError.self) {
                try blob.withUnsafeBytes { try KeyVault.unwrap($0, stream: stream + 1, under: bucketKey, engine: opener) }
            }
            #expect(throws: LedgerError.self) {
                try blob.withUnsafeBytes { try KeyVault.unwrap($0, stream: stream, under: KeyRootFile.Entry(epoch: 7, key: .random()), engine: opener) }
            }
            for index in 7..<blob.count {
                var tampered = blob
                tampered[index] ^= 0x01
                #expect(throws: LedgerError.self) {
                    try tampered.withUnsafeBytes { try KeyVault.unwrap($0, stream: stream, under: bucketKey, engine: opener) }
                }
            }
        }
    }

    @Test("one key's context serves many threads at once")
    func concurrentUse() async throws {
        let key = DataKey.random()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for round in 0..<500 {
                        let id = EventID.timeOrdered()
                        let plain = Array("task \(task) round \(round)".utf8)
                        let sealed = try key.seal(plain, for: id)
                        guard try key.open(sealed[...], for: id) == plain else { return false }
                    }
                    return true
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }

    @Test("one reused opener, keyed anew per key, opens what each key sealed (either library) and nothing else")
    func reusedOpener() throws {
        let opener = try #require(AESGCMOpener())
        let id = EventID.timeOrdered()
        for round in 0..<50 {
            let key = DataKey.random()
            let plain = Self.randomBytes(round * 7)
            let sealed = try key.seal(plain, for: id, engine: round % 2 == 0 ? .libcrypto : .swiftCrypto)
            try key.load(into: opener)
            #expect(try DataKey.open(sealed[...], for: id, with: opener) == plain)
            #expect(throws: LedgerError.self) { try DataKey.open(sealed[...], for: .timeOrdered(), with: opener) }
            var tampered = sealed
            tampered[tampered.count - 1] ^= 1
            #expect(throws: LedgerError.self) { try DataKey.open(tampered[...], for: id, with: opener) }
            // Still keyed with this key after a rejection; another key's opener state rejects it.
            #expect(try DataKey.open(sealed[...], for: id, with: opener) == plain)
            try DataKey.random().load(into: opener)
            #expect(throws: LedgerError.self) { try DataKey.open(sealed[...], for: id, with: opener) }
        }
    }

    @Test("opening into a reused buffer gives each payload alone, and a rejected one leaves it empty")
    func openIntoReusedBuffer() throws {
        let opener = try #require(AESGCMOpener())
        let id = EventID.timeOrdered()
        var buffer = [UInt8]()
        var kept = [[UInt8]]()
        // Longer, then shorter, then empty payloads: no byte of one may show in the next.
        for (round, length) in [300, 33, 0, 64, 1].enumerated() {
            let key = DataKey.random()
            let plain = Self.randomBytes(length)
            let sealed = try key.seal(plain, for: id, engine: round % 2 == 0 ? .libcrypto : .swiftCrypto)
            try key.load(into: opener)
            try DataKey.open(sealed[...], for: id, with: opener, into: &buffer)
            #expect(buffer == plain)
            // A copy kept while the buffer is reused keeps its own bytes.
            kept.append(buffer)
            var tampered = sealed
            tampered[tampered.count - 1] ^= 1
            #expect(throws: LedgerError.self) { try DataKey.open(tampered[...], for: id, with: opener, into: &buffer) }
            #expect(buffer.isEmpty)
            #expect(kept.last == plain)
        }
    }

    @Test("a wrapped key unwraps straight into an opener, and a tampered wrap is refused")
    func unwrapIntoOpener() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let streams = try KeyVaultTests.populate(ledger, count: 3)
        let opener = try #require(AESGCMOpener())
        for event in try ledger.read(from: 1, limit: 10) {
            let index = streams.firstIndex(of: event.stream) ?? 0
            var wrapped = try #require(try ledger.wrappedKey(of: streams[index]))
            try wrapped.withUnsafeBytes { try ledger.vault.unwrap($0, stream: event.stream.rawValue, into: opener) }
            #expect(try DataKey.open(event.personalData, for: event.id, with: opener) == KeyVaultTests.plain(event.id))
            wrapped[40] ^= 1
            #expect(throws: LedgerError.self) {
                try wrapped.withUnsafeBytes { try ledger.vault.unwrap($0, stream: event.stream.rawValue, into: opener) }
            }
        }
    }

    @Test("one thread's cipher seals under each key in turn, as that key opens it, even as keys come and go")
    func payloadCipher() throws {
        let cipher = PayloadCipher()
        let id = EventID.timeOrdered()
        var kept = [(DataKey, [UInt8], [UInt8])]()
        for round in 0..<200 {
            // Keys made and dropped in a loop may reuse addresses; each must still be loaded.
            let key = DataKey.random()
            let plain = Array("payload \(round)".utf8)
            let sealed = try key.seal(plain, for: id, with: cipher)
            #expect(try key.open(sealed[...], for: id) == plain)
            #expect(try key.open(try key.seal(plain, for: id, with: cipher)[...], for: id) == plain)
            if round % 10 == 0 { kept.append((key, plain, sealed)) }
        }
        for (key, plain, sealed) in kept {
            #expect(try key.open(sealed[...], for: id, engine: .swiftCrypto) == plain)
            #expect(throws: LedgerError.self) { try DataKey.random().open(sealed[...], for: id) }
        }
    }
}
