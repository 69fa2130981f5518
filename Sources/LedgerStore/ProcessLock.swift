#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock that every process opening the same store shares
/// (`NAME.lock` in the store directory, flock(2)): what one process does under it, no other
/// process does at the same time. Released at once if the process dies.
///
/// flock locks belong to the open file, so threads of one process sharing this object are
/// not excluded from each other: callers serialise their own threads first.
public final class ProcessLock: Sendable {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    init(path: String) throws {
        let descriptor = try PrivateFiles.open(path, O_RDWR)
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        close(descriptor)
    }

    /// Runs `body` holding the lock, waiting for other processes to release it first.
    public func withLock<Result>(_ body: () throws -> Result) throws -> Result {
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw LedgerError(.storage, "cannot lock \(path): \(String(cString: strerror(errno)))") }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// Takes the lock if no other process holds it, and keeps it until `release()` (or the
    /// process's end): for a role one process holds for as long as it runs (the mail sender).
    public func tryAcquire() throws -> Bool {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EWOULDBLOCK { return false }
            guard errno == EINTR else { throw LedgerError(.storage, "cannot lock \(path): \(String(cString: strerror(errno)))") }
        }
        return true
    }

    /// Releases a lock taken with `tryAcquire()` or `holdShared()`.
    public func release() {
        flock(descriptor, LOCK_UN)
    }

    /// Holds the lock shared, beside other processes holding it shared, until `release()` (or
    /// the process's end): a mark that a role is running, which others look for with
    /// `isHeldElsewhere` (a server, whose presence makes an import commit smaller batches).
    public func holdShared() throws {
        while flock(descriptor, LOCK_SH) != 0 {
            guard errno == EINTR else { throw LedgerError(.storage, "cannot lock \(path): \(String(cString: strerror(errno)))") }
        }
    }

    /// Whether another process holds the lock, shared or exclusive, right now. Takes it for an
    /// instant when nobody does, so two processes looking at once may each see the other.
    public func isHeldElsewhere() throws -> Bool {
        guard try tryAcquire() else { return true }
        release()
        return false
    }
}

extension Ledger {
    /// The store-wide exclusive lock named `name` (a file `NAME.lock` beside the store).
    public func processLock(named name: String) throws -> ProcessLock {
        try ProcessLock(path: directory + "/" + name + ".lock")
    }
}
