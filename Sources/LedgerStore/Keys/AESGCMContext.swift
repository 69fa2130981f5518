import CAEAD
import Crypto
import Synchronization

/// AES-256-GCM through OpenSSL's libcrypto with one `EVP_CIPHER_CTX` per key, made at first
/// use and reused for every message (decision 0009): a message costs setting the nonce, the
/// authenticated data, the cipher and the tag, not a fresh context and key schedule as each
/// swift-crypto call does.
///
/// Works on swift-crypto's combined form, `nonce (12) ‖ ciphertext ‖ tag (16)`, so what one
/// library seals the other opens. A context is not safe for simultaneous use (openssl-threads(7):
/// "most objects are not safe for simultaneous use"), so calls take turns through a mutex; keys
/// are shared by the follower's decoding threads but rarely used by two at once.
final class AESGCMContext: Sendable {
    /// Bytes of the nonce and of the tag.
    static let nonceSize = 12
    static let tagSize = 16

    private let key: SymmetricKey
    private let context = Mutex<OpaquePointer?>(nil)

    /// A context for `key` (32 bytes); the OpenSSL context is made when first needed.
    init(key: SymmetricKey) {
        self.key = key
    }

    deinit {
        // EVP_CIPHER_CTX_free (EVP_EncryptInit(3)) clears all information from the context
        // before freeing it, the expanded key included.
        context.withLock { context in
            if let context { EVP_CIPHER_CTX_free(context) }
            context = nil
        }
    }

    /// Appends `nonce ‖ ciphertext ‖ tag` of `plaintext` to `sealed`.
    func seal(_ plaintext: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer, appendingTo sealed: inout [UInt8]) throws {
        try withContext { try Self.seal(plaintext, nonce: nonce, authenticating: aad, appendingTo: &sealed, with: $0) }
    }

    /// Seals with `ctx`, keyed by the caller.
    static func seal(_ plaintext: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer, appendingTo sealed: inout [UInt8], with ctx: OpaquePointer) throws {
        guard nonce.count == nonceSize, plaintext.count <= Int(Int32.max) - tagSize else {
            throw AESGCMError("cannot seal: nonce of \(nonce.count) bytes or plain text of \(plaintext.count)")
        }
        let start = sealed.count
        sealed.append(contentsOf: nonce)
        sealed.append(contentsOf: repeatElement(0, count: plaintext.count + tagSize))
        let ok = sealed.withUnsafeMutableBytes { out in
            let body = out.baseAddress.map { $0 + start + nonceSize }
            return Self.start(ctx, nonce: nonce, aad: aad, encrypt: true)
                && update(ctx, plaintext, into: body)
                && finish(ctx, into: body.map { $0 + plaintext.count })
                && tag(ctx, body.map { $0 + plaintext.count }, set: false)
        }
        guard ok else {
            sealed.removeSubrange(start...)
            throw AESGCMError("libcrypto refused to seal")
        }
    }

    /// The plain text of `combined` (`nonce ‖ ciphertext ‖ tag`); an error when it does not
    /// authenticate under this key and `aad`.
    func open(_ combined: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard let plain = try withContext({ Self.open(combined, authenticating: aad, with: $0) }) else {
            throw AESGCMError("does not authenticate")
        }
        return plain
    }

    /// Opens `combined` with `ctx`, keyed by the caller; nil when it does not authenticate
    /// (the plain text is then wiped, not returned).
    static func open(_ combined: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer, with ctx: OpaquePointer) -> [UInt8]? {
        guard let (nonce, ciphertext, tag) = parts(combined) else { return nil }
        var ok = false
        // Written by the cipher, not zeroed first: every byte is the plain text on success; on
        // failure what was written is wiped and the array left empty.
        let plain = [UInt8](unsafeUninitializedCapacity: ciphertext.count) { out, initialized in
            ok = decrypt(ctx, nonce: nonce, ciphertext: ciphertext, tag: tag, aad: aad, into: out.baseAddress.map(UnsafeMutableRawPointer.init))
            if !ok { out.initialize(repeating: 0) }
            initialized = ok ? ciphertext.count : 0
        }
        return ok ? plain : nil
    }

    /// Opens `combined` with `ctx` into `plain`, replacing its contents and reusing its
    /// storage when nothing else shares it; false when it does not authenticate (`plain` is
    /// then wiped and left empty).
    static func open(_ combined: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer, with ctx: OpaquePointer, into plain: inout [UInt8]) -> Bool {
        plain.removeAll(keepingCapacity: true)
        guard let (nonce, ciphertext, tag) = parts(combined) else { return false }
        plain.append(contentsOf: repeatElement(0, count: ciphertext.count))
        let ok = plain.withUnsafeMutableBytes { out in
            decrypt(ctx, nonce: nonce, ciphertext: ciphertext, tag: tag, aad: aad, into: out.baseAddress)
        }
        guard ok else {
            plain.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) }
            plain.removeAll(keepingCapacity: true)
            return false
        }
        return true
    }

    /// The nonce, ciphertext and tag of `nonce ‖ ciphertext ‖ tag`; nil when it is too short
    /// to hold them or too long for libcrypto's lengths.
    private static func parts(_ combined: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer)? {
        guard combined.count >= nonceSize + tagSize, combined.count <= Int(Int32.max) else { return nil }
        return (
            UnsafeRawBufferPointer(rebasing: combined[..<nonceSize]),
            UnsafeRawBufferPointer(rebasing: combined[nonceSize..<(combined.count - tagSize)]),
            UnsafeRawBufferPointer(rebasing: combined[(combined.count - tagSize)...])
        )
    }

    /// Decrypts `ciphertext` into `out` (as many bytes) and checks its tag.
    private static func decrypt(
        _ ctx: OpaquePointer,
        nonce: UnsafeRawBufferPointer,
        ciphertext: UnsafeRawBufferPointer,
        tag: UnsafeRawBufferPointer,
        aad: UnsafeRawBufferPointer,
        into out: UnsafeMutableRawPointer?
    ) -> Bool {
        // EVP_EncryptInit(3), GCM mode: the expected tag is set before the final call, and
        // EVP_DecryptFinal_ex fails when it does not match.
        start(ctx, nonce: nonce, aad: aad, encrypt: false)
            && update(ctx, ciphertext, into: out)
            && Self.tag(ctx, UnsafeMutableRawPointer(mutating: tag.baseAddress), set: true)
            && finish(ctx, into: out.map { $0 + ciphertext.count })
    }

    /// Sets the expected tag (opening) or gets the computed one (sealing, after the final
    /// call) through the cipher's parameters, `OSSL_CIPHER_PARAM_AEAD_TAG` ("tag",
    /// EVP_EncryptInit(3), "Gettable and Settable EVP_CIPHER_CTX parameters"). The same as
    /// `EVP_CTRL_AEAD_SET_TAG` and `GET_TAG`, without OpenSSL 3's translation of each control
    /// call into parameters: 19 of a 200-byte payload's 234 ns (decision 0027).
    private static func tag(_ ctx: OpaquePointer, _ bytes: UnsafeMutableRawPointer?, set: Bool) -> Bool {
        guard let bytes else { return false }
        // The tag's parameter and the list's end (a NULL key), on the stack: a tuple of two
        // lies in memory as an array of two.
        var params = (
            OSSL_PARAM(key: tagParameter, data_type: UInt32(OSSL_PARAM_OCTET_STRING), data: bytes, data_size: tagSize, return_size: unmodified),
            OSSL_PARAM(key: nil, data_type: 0, data: nil, data_size: 0, return_size: 0)
        )
        return withUnsafeMutableBytes(of: &params) { raw in
            let list = raw.baseAddress?.assumingMemoryBound(to: OSSL_PARAM.self)
            return set ? EVP_CIPHER_CTX_set_params(ctx, list) == 1 : EVP_CIPHER_CTX_get_params(ctx, list) == 1
        }
    }

    /// `OSSL_PARAM_UNMODIFIED` (openssl/params.h): `(size_t)-1`.
    private static let unmodified = Int(bitPattern: UInt.max)

    /// `OSSL_CIPHER_PARAM_AEAD_TAG` (openssl/core_names.h), NUL-terminated, for the life of
    /// the process (a static string's bytes).
    private static var tagParameter: UnsafePointer<CChar> {
        UnsafeRawPointer(("tag" as StaticString).utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// Runs `body` with this key's context, making it (and the key schedule) on first use.
    private func withContext<Result: Sendable>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        try context.withLock { context in
            if let context { return try body(context) }
            guard let made = EVP_CIPHER_CTX_new() else { throw AESGCMError("EVP_CIPHER_CTX_new failed") }
            let keyed = key.withUnsafeBytes { key in
                key.count == 32 && EVP_CipherInit_ex(made, aes256GCM, nil, key.baseAddress?.assumingMemoryBound(to: UInt8.self), nil, 1) == 1
            }
            guard keyed else {
                EVP_CIPHER_CTX_free(made)
                throw AESGCMError("cannot key an AES-256-GCM context")
            }
            context = made
            return try body(made)
        }
    }

    /// Sets direction and nonce (the default 12-byte IV length of GCM), keeping the key
    /// schedule, then feeds the authenticated data.
    private static func start(_ ctx: OpaquePointer, nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, encrypt: Bool) -> Bool {
        guard EVP_CipherInit_ex(ctx, nil, nil, nil, nonce.baseAddress?.assumingMemoryBound(to: UInt8.self), encrypt ? 1 : 0) == 1 else { return false }
        guard aad.count > 0 else { return true }
        var written: Int32 = 0
        return EVP_CipherUpdate(ctx, nil, &written, aad.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(aad.count)) == 1
    }

    private static func update(_ ctx: OpaquePointer, _ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer?) -> Bool {
        guard input.count > 0 else { return true }
        var written: Int32 = 0
        let ok = EVP_CipherUpdate(ctx, out?.assumingMemoryBound(to: UInt8.self), &written, input.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(input.count)) == 1
        return ok && Int(written) == input.count
    }

    private static func finish(_ ctx: OpaquePointer, into out: UnsafeMutableRawPointer?) -> Bool {
        // GCM is a stream mode: Final writes nothing, but wants a valid pointer.
        var spare: UInt8 = 0
        var written: Int32 = 0
        return withUnsafeMutablePointer(to: &spare) { spare in
            EVP_CipherFinal_ex(ctx, out?.assumingMemoryBound(to: UInt8.self) ?? spare, &written) == 1
        } && written == 0
    }
}

/// One AES-256-GCM context for a thread that seals or opens payloads under many keys, each
/// used a few times in a row (a rebuild goes through every contact's key once, an import's
/// preparer seals each new contact's few payloads): keyed anew per key, which costs a key
/// schedule, not a context made, kept (~1.2 KB) and freed per key as `AESGCMContext` does.
/// Not shared between threads.
final class AESGCMOpener {
    private let ctx: OpaquePointer

    /// Nil when libcrypto cannot make or set up a context.
    init?() {
        guard let made = EVP_CIPHER_CTX_new() else { return nil }
        guard EVP_CipherInit_ex(made, aes256GCM, nil, nil, nil, 0) == 1 else {
            EVP_CIPHER_CTX_free(made)
            return nil
        }
        ctx = made
    }

    deinit {
        // Clears the key schedule of the last key before freeing (EVP_EncryptInit(3)).
        EVP_CIPHER_CTX_free(ctx)
    }

    /// Keys the context with a 32-byte key; its nonce is set per message.
    func setKey(_ key: UnsafeRawBufferPointer) throws {
        guard key.count == 32, EVP_CipherInit_ex(ctx, nil, nil, key.baseAddress?.assumingMemoryBound(to: UInt8.self), nil, 0) == 1 else {
            throw AESGCMError("cannot key an AES-256-GCM context")
        }
    }

    /// Appends `nonce ‖ ciphertext ‖ tag` of `plaintext`, under the key set last, to `sealed`.
    func seal(_ plaintext: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer, appendingTo sealed: inout [UInt8]) throws {
        try AESGCMContext.seal(plaintext, nonce: nonce, authenticating: aad, appendingTo: &sealed, with: ctx)
    }

    /// The plain text of `combined` under the key set last, into `plain` (its storage reused
    /// when unshared); an error when it does not authenticate.
    func open(_ combined: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer, into plain: inout [UInt8]) throws {
        guard AESGCMContext.open(combined, authenticating: aad, with: ctx, into: &plain) else { throw AESGCMError("does not authenticate") }
    }
}

/// OpenSSL 3's AES-256-GCM, fetched from the default provider once for the process. Passed
/// `EVP_aes_256_gcm()` instead, `EVP_CipherInit_ex` fetches it again for every new context
/// (crypto(7), "Explicit fetching" and "Performance", recommends fetching once): measured
/// here, 280 ns more per key. After this line the object is only read (a context takes its
/// own reference when keyed), so sharing it between threads needs no lock: hence
/// `nonisolated(unsafe)`. Nil (no provider) makes every context refuse to key: an error,
/// not a crash.
nonisolated(unsafe) private let aes256GCM: OpaquePointer? = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil)

/// Why libcrypto did not seal or open; callers wrap it into a `LedgerError` that names the
/// event or stream, never the data.
struct AESGCMError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
