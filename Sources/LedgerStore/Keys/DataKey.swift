import Crypto
import Foundation
import LedgerDomain
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A contact's own data key: it seals the personal part of the contact's events with
/// AES-256-GCM, and destroying it (`Ledger.shred`) makes that part unreadable for good.
///
/// Sealed form: `format (1) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`, with the event's id as
/// authenticated data, so a sealed payload cannot be moved to another event unnoticed.
public struct DataKey: Sendable {
    let key: SymmetricKey
    /// The key's libcrypto context, shared by every copy of the key and freed with the last.
    let context: AESGCMContext

    /// The sealed form's format byte.
    static let sealedFormat: UInt8 = 1
    /// Bytes a sealed payload adds to the plain one.
    public static let sealingOverhead = 1 + 12 + 16

    /// A fresh random key, drawn from the system's CSPRNG (through the pool nonces use).
    public static func random() -> DataKey {
        RandomPool.shared.withBytes(32) { DataKey(key: SymmetricKey(data: $0)) }
    }

    /// A fresh random key from `cipher`'s thread's own random bytes (a bulk writer's).
    public static func random(using cipher: PayloadCipher) -> DataKey {
        cipher.random.withBytes(32) { DataKey(key: SymmetricKey(data: $0)) }
    }

    init(key: SymmetricKey) {
        self.key = key
        context = AESGCMContext(key: key)
    }

    /// A key from its 32 raw bytes (unwrapping); nil for any other length.
    init?(bytes: some ContiguousBytes) {
        let key = SymmetricKey(data: bytes)
        guard key.bitCount == 256 else { return nil }
        self.init(key: key)
    }

    /// The raw key, for wrapping only.
    var bytes: [UInt8] {
        key.withUnsafeBytes { Array($0) }
    }

    /// Seals the personal payload of event `id`.
    public func seal(_ plaintext: [UInt8], for id: EventID) throws -> [UInt8] {
        try seal(plaintext, for: id, engine: .default)
    }

    /// Seals with a chosen engine (cross-checks and `ledger-bench aead`).
    public func seal(_ plaintext: [UInt8], for id: EventID, engine: AEADEngine) throws -> [UInt8] {
        do {
            var sealed = [UInt8]()
            sealed.reserveCapacity(plaintext.count + Self.sealingOverhead)
            sealed.append(Self.sealedFormat)
            try RandomPool.shared.withBytes(12) { nonce in
                try plaintext.withUnsafeBytes { plain in
                    try Self.withAssociatedData(id) { try sealCombined(plain, nonce: nonce, authenticating: $0, appendingTo: &sealed, engine: engine) }
                }
            }
            return sealed
        } catch {
            throw LedgerError(.invalidRequest, "cannot seal the personal data of event \(id): \(error)")
        }
    }

    /// Opens the sealed personal payload of event `id`; a payload that was altered, moved from
    /// another event or sealed with another key is an error.
    public func open(_ sealed: ArraySlice<UInt8>, for id: EventID) throws -> [UInt8] {
        try open(sealed, for: id, engine: .default)
    }

    /// Seals the personal payload of event `id` through a thread's own cipher context, keyed
    /// with this key first (a bulk writer's many new keys then never make a context each).
    public func seal(_ plaintext: [UInt8], for id: EventID, with cipher: PayloadCipher) throws -> [UInt8] {
        var sealed = [UInt8]()
        sealed.reserveCapacity(plaintext.count + Self.sealingOverhead)
        try plaintext.withUnsafeBytes { try seal($0, for: id, with: cipher, appendingTo: &sealed) }
        return sealed
    }

    /// Appends what `seal(_:for:with:)` returns to `sealed`, `sealingOverhead` bytes more than
    /// `plaintext`: a writer seals straight into the record it is building. On error `sealed`
    /// is left as it was.
    public func seal(_ plaintext: UnsafeRawBufferPointer, for id: EventID, with cipher: PayloadCipher, appendingTo sealed: inout [UInt8]) throws {
        guard let opener = cipher.opener else {
            sealed.append(contentsOf: try seal(Array(plaintext), for: id))
            return
        }
        let start = sealed.count
        do {
            if cipher.loaded !== context {
                cipher.loaded = nil
                try load(into: opener)
                cipher.loaded = context
            }
            sealed.append(Self.sealedFormat)
            try cipher.random.withBytes(12) { nonce in
                try Self.withAssociatedData(id) { try opener.seal(plaintext, nonce: nonce, authenticating: $0, appendingTo: &sealed) }
            }
        } catch {
            sealed.removeSubrange(start...)
            cipher.loaded = nil
            throw LedgerError(.invalidRequest, "cannot seal the personal data of event \(id): \(error)")
        }
    }

    /// Keys `opener` with this key, for `open(_:for:with:)`.
    func load(into opener: AESGCMOpener) throws {
        try key.withUnsafeBytes { try opener.setKey($0) }
    }

    /// Opens through `opener`, which the caller keyed with the payload's key (`load(into:)`
    /// or `KeyVault.unwrap(_:stream:into:)`).
    static func open(_ sealed: ArraySlice<UInt8>, for id: EventID, with opener: AESGCMOpener) throws -> [UInt8] {
        var plain = [UInt8]()
        try open(sealed, for: id, with: opener, into: &plain)
        return plain
    }

    /// The same, into `plain` (its storage reused when unshared): for a reader that opens
    /// payloads one after another and drops each before the next.
    static func open(_ sealed: ArraySlice<UInt8>, for id: EventID, with opener: AESGCMOpener, into plain: inout [UInt8]) throws {
        guard sealed.count >= Self.sealingOverhead, sealed.first == Self.sealedFormat else {
            throw LedgerError(.corrupt, "the sealed personal data of event \(id) is malformed")
        }
        do {
            try sealed.withUnsafeBytes { raw in
                try Self.withAssociatedData(id) { try opener.open(UnsafeRawBufferPointer(rebasing: raw[1...]), authenticating: $0, into: &plain) }
            }
        } catch {
            throw LedgerError(.corrupt, "the sealed personal data of event \(id) does not open with its contact's key (altered, or moved from another event)")
        }
    }

    /// Opens with a chosen engine (cross-checks and `ledger-bench aead`).
    public func open(_ sealed: ArraySlice<UInt8>, for id: EventID, engine: AEADEngine) throws -> [UInt8] {
        guard sealed.count >= Self.sealingOverhead, sealed.first == Self.sealedFormat else {
            throw LedgerError(.corrupt, "the sealed personal data of event \(id) is malformed")
        }
        do {
            return try sealed.withUnsafeBytes { raw in
                try Self.withAssociatedData(id) { try openCombined(UnsafeRawBufferPointer(rebasing: raw[1...]), authenticating: $0, engine: engine) }
            }
        } catch {
            throw LedgerError(.corrupt, "the sealed personal data of event \(id) does not open with its contact's key (altered, or moved from another event)")
        }
    }

    private static func withAssociatedData<Result>(_ id: EventID, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: (id.high.bigEndian, id.low.bigEndian), body)
    }
}

/// Random bytes for AES-GCM nonces and data keys, drawn from the system's CSPRNG
/// (`arc4random_buf`, getrandom underneath) 4 KiB at a time.
///
/// swift-crypto draws each nonce with its own call into its generator, which costs a third of
/// a seal here (docs/benchmarks.md, "AES-GCM here"); the bytes are as random either way. Each
/// byte is handed out once and wiped from the pool as it leaves. Random 96-bit nonces are safe
/// for far more messages than one contact's key ever seals.
final class RandomPool: Sendable {
    static let shared = RandomPool()
    private let state = Mutex(RandomBuffer())

    /// Calls `body` with `count` (at most 4 KiB) fresh random bytes.
    func withBytes<Result>(_ count: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { scratch in
            state.withLock { $0.take(into: scratch) }
            defer { scratch.initializeMemory(as: UInt8.self, repeating: 0) }
            return try body(UnsafeRawBufferPointer(scratch))
        }
    }
}

/// 4 KiB of random bytes from the system's CSPRNG, handed out once each and wiped as they
/// leave: the shared `RandomPool`'s, or one thread's own (`PayloadCipher`).
///
/// `@unchecked Sendable`: it owns its buffer alone (it cannot be copied), so handing it to
/// another thread (the pool's `Mutex`) hands the buffer over with it.
struct RandomBuffer: ~Copyable, @unchecked Sendable {
    private static let size = 4096
    private let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
    private var used = size

    init() {}

    deinit {
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
        bytes.deallocate()
    }

    /// Fills `destination` (at most 4 KiB) with bytes not handed out before.
    mutating func take(into destination: UnsafeMutableRawBufferPointer) {
        if used + destination.count > Self.size {
            if let base = bytes.baseAddress { arc4random_buf(base, bytes.count) }
            used = 0
        }
        let taken = UnsafeMutableRawBufferPointer(rebasing: bytes[used..<(used + destination.count)])
        destination.copyMemory(from: UnsafeRawBufferPointer(taken))
        taken.initializeMemory(as: UInt8.self, repeating: 0)
        used += destination.count
    }

    /// Calls `body` with `count` (at most 4 KiB) fresh random bytes, wiped after.
    mutating func withBytes<Result>(_ count: Int, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { scratch in
            take(into: scratch)
            defer { scratch.initializeMemory(as: UInt8.self, repeating: 0) }
            return try body(UnsafeRawBufferPointer(scratch))
        }
    }
}

/// One cipher context for one thread that seals under many data keys in turn (an import's
/// preparer: each new contact's key seals a few payloads, then is done). Create one per
/// thread; never share it.
public final class PayloadCipher {
    let opener = AESGCMOpener()
    /// The key last set into the context, held (every copy of a key shares this object) so that
    /// no other key can take its address and pass for it.
    var loaded: AESGCMContext?
    /// This thread's own random bytes for nonces and keys: the shared pool's lock and buffer,
    /// taken by the preparer and the writer a dozen million times an import, moved between the
    /// two cores on every draw.
    var random = RandomBuffer()

    /// A cipher for the calling thread.
    public init() {}
}
