#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An advisory lock on a store directory (`ledger.lock`): every open ledger holds it shared,
/// so that a restore, which needs it exclusively, can tell that the store is in use.
///
/// flock(2) locks belong to the open file, are released when the process dies (even by
/// SIGKILL), and work across processes on one machine, which is what LMDB supports too.
final class StoreLock: Sendable {
    private let descriptor: Mutex<Int32>

    /// Takes the lock of `directory`, shared or exclusive; `wait: false` fails at once when
    /// another holder is in the way.
    convenience init(directory: String, exclusive: Bool, wait: Bool) throws {
        try self.init(path: directory + "/ledger.lock", exclusive: exclusive, wait: wait, busy: "the store \(directory) is in use by another process; stop it first")
    }

    /// Takes the lock file at `path`; `busy` is the message when `wait` is false and the lock
    /// is held elsewhere.
    init(path: String, exclusive: Bool, wait: Bool, busy: String = "") throws {
        let descriptor = try PrivateFiles.open(path, O_RDWR)
        let operation = (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)
        guard flock(descriptor, Int32(operation)) == 0 else {
            let reason = errno
            close(descriptor)
            if reason == EWOULDBLOCK {
                throw LedgerError(.invalidRequest, busy)
            }
            throw LedgerError(.storage, "cannot lock \(path): \(String(cString: strerror(reason)))")
        }
        self.descriptor = Mutex(descriptor)
    }

    /// Releases the lock (closing the file releases it); later calls do nothing.
    func release() {
        descriptor.withLock { descriptor in
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }
    }

    deinit {
        release()
    }
}
