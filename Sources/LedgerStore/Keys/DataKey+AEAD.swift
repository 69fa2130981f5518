import Crypto
import Foundation

/// Which AES-256-GCM implementation seals and opens personal data and wraps data keys.
///
/// Both read and write the same bytes (`nonce ‖ ciphertext ‖ tag`); `libcrypto` keeps an
/// OpenSSL context per key and is what the store uses (decision 0009), `swiftCrypto` is the
/// chosen library's path and the reference the tests and `ledger-bench aead` hold the other to.
public enum AEADEngine: Sendable, CaseIterable {
    /// OpenSSL 3's libcrypto, one `EVP_CIPHER_CTX` per key.
    case libcrypto
    /// apple/swift-crypto, a fresh AEAD context per call.
    case swiftCrypto

    /// The engine the store seals, opens, wraps and unwraps with.
    public static let `default`: AEADEngine = .libcrypto
}

extension DataKey {
    /// Appends `nonce ‖ ciphertext ‖ tag` of `plaintext` to `sealed`.
    func sealCombined(_ plaintext: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer, appendingTo sealed: inout [UInt8], engine: AEADEngine = .default) throws {
        switch engine {
        case .libcrypto:
            try context.seal(plaintext, nonce: nonce, authenticating: aad, appendingTo: &sealed)
        case .swiftCrypto:
            // Raw pointers, not arrays: swift-crypto's generic `DataProtocol` paths cost more
            // than the cipher (docs/benchmarks.md, "AES-GCM here").
            let box = try AES.GCM.seal(plaintext, using: key, nonce: try AES.GCM.Nonce(data: nonce), authenticating: aad)
            guard let combined = box.combined else { throw AESGCMError("no combined form") }
            combined.withUnsafeBytes { sealed.append(contentsOf: $0) }
        }
    }

    /// The plain text of `combined` (`nonce ‖ ciphertext ‖ tag`); an error when it does not
    /// authenticate under this key and `aad`.
    func openCombined(_ combined: UnsafeRawBufferPointer, authenticating aad: UnsafeRawBufferPointer, engine: AEADEngine = .default) throws -> [UInt8] {
        switch engine {
        case .libcrypto:
            return try context.open(combined, authenticating: aad)
        case .swiftCrypto:
            let box = try AES.GCM.SealedBox(combined: combined)
            return try AES.GCM.open(box, using: key, authenticating: aad).withUnsafeBytes { Array($0) }
        }
    }
}
