import Crypto
import Foundation

extension Ledger {
    /// A secret of the store's own, 32 random bytes in `keys/NAME` (0600), made on first use
    /// under the key vault's lock so two processes never make two: what signs double opt-in
    /// links (`keys/forms`), apart from the log, like `keys/identity`.
    ///
    /// Losing it only makes the links already sent stop working; a new one is made.
    public func storeSecret(named name: String) throws -> SymmetricKey {
        guard !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }), name != "root" else {
            throw LedgerError(.invalidRequest, "a store secret's name is a-z and '-', and not root")
        }
        let path = directory + "/keys/" + name
        if let bytes = FileManager.default.contents(atPath: path), bytes.count == 32 {
            return SymmetricKey(data: bytes)
        }
        let lock = try StoreLock(path: vault.lockPath, exclusive: true, wait: true)
        defer { lock.release() }
        if let bytes = FileManager.default.contents(atPath: path), bytes.count == 32 {
            return SymmetricKey(data: bytes)
        }
        let fresh = SymmetricKey(size: .bits256)
        let temporary = path + ".new"
        try PrivateFiles.write(fresh.withUnsafeBytes { Array($0) }, to: temporary)
        guard rename(temporary, path) == 0 else {
            throw LedgerError(.storage, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        return fresh
    }
}
