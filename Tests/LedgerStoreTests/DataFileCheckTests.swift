import Foundation
import LedgerDomain
import Testing
@testable import LedgerStore

/// `DataFileCheck`: a data file cut short or with altered meta pages is refused before LMDB
/// maps it (it used to be a SIGBUS or a crash in liblmdb), naming the file and the check.
@Suite("Data file check")
struct DataFileCheckTests {
    /// A closed ledger of `events` events in a fresh directory.
    static func ledger(events: Int) throws -> TemporaryDirectory {
        let directory = TemporaryDirectory("ledger-check")
        let ledger = try Ledger(directory: directory.path, options: .init(initialMapSize: 1 << 24))
        for index in 0..<events {
            _ = try ledger.append(.newStream([testEvent(data: String(repeating: "x", count: 200 + index)), testEvent()]))
        }
        ledger.close()
        return directory
    }

    /// Opens the ledger and reads every event, as `contact show` would.
    static func openAndRead(_ directory: String) throws {
        let ledger = try Ledger(directory: directory, options: .init(initialMapSize: 1 << 24))
        defer { ledger.close() }
        try ledger.forEachEvent { _ in }
    }

    @Test("an intact data file passes, and its summary matches LMDB's own view")
    func intact() throws {
        let directory = try Self.ledger(events: 300)
        let summary = try #require(try DataFileCheck.check(directory: directory.path))
        #expect(summary.pageSize == 4096)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: directory.sub("data.mdb"))[.size] as? Int)
        #expect(Int(summary.lastPage + 1) * summary.pageSize <= size)
        try Self.openAndRead(directory.path)
    }

    @Test("a data file cut short is refused when opened, naming the file and the check", arguments: [0.5, 0.9, 0.99])
    func truncated(fraction: Double) throws {
        let directory = try Self.ledger(events: 300)
        let file = directory.sub("data.mdb")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int)
        #expect(truncate(file, off_t(Double(size) * fraction / 4096) * 4096) == 0)
        let error = try #require(throws: LedgerError.self) { try Self.openAndRead(directory.path) }
        #expect(error.code == .corrupt)
        #expect(error.message.contains(file))
        #expect(error.message.contains("truncated"))
    }

    @Test("a data file shorter than its meta pages is refused")
    func shorterThanMetaPages() throws {
        let directory = try Self.ledger(events: 10)
        let file = directory.sub("data.mdb")
        #expect(truncate(file, 5000) == 0)
        let error = try #require(throws: LedgerError.self) { try Self.openAndRead(directory.path) }
        #expect(error.message.contains("shorter than its two meta pages"))
    }

    @Test("altered meta page fields are refused, each naming what it checked", arguments: [
        (16, "magic"), (20, "data version"), (0, "damaged header"), (4096 + 16 + 24, "page size"),
    ])
    func alteredMeta(offset: Int, words: String) throws {
        let directory = try Self.ledger(events: 10)
        let file = directory.sub("data.mdb")
        try flip(file, at: offset)
        let error = try #require(throws: LedgerError.self) { try Self.openAndRead(directory.path) }
        #expect(error.code == .corrupt)
        #expect(error.message.contains(words), "\(error.message)")
    }

    @Test("a newest meta page whose last page or main root lies past the file is refused")
    func metaPastTheEnd() throws {
        let directory = try Self.ledger(events: 50)
        let file = directory.sub("data.mdb")
        // In both meta pages (LMDB uses the newer): the high byte of mm_last_pg (offset
        // 16 + 120), then of the main root (16 + 112).
        for meta in [0, 4096] { try flip(file, at: meta + 16 + 120 + 6) }
        #expect(throws: LedgerError.self) { try Self.openAndRead(directory.path) }
        for meta in [0, 4096] {
            try flip(file, at: meta + 16 + 120 + 6)
            try flip(file, at: meta + 16 + 112 + 6)
        }
        let error = try #require(throws: LedgerError.self) { try Self.openAndRead(directory.path) }
        #expect(error.message.contains("root of the main tree"), "\(error.message)")
    }

    @Test("the lock file's blocks are allocated, so a full disk is an error and not a SIGBUS")
    func lockFileAllocated() throws {
        let directory = try Self.ledger(events: 1)
        var info = stat()
        #expect(stat(directory.sub("lock.mdb"), &info) == 0)
        #expect(Int(info.st_size) == LMDBEnvironment.lockFileSize(readers: 126))
        #expect(Int(info.st_blocks) * 512 >= Int(info.st_size), "lock.mdb is sparse: \(info.st_blocks) blocks for \(info.st_size) bytes")
    }

    @Test("a short write's EIO is told as ENOSPC only when the file system is full")
    func spaceAwareCodes() {
        // This machine's temporary folder is not full: EIO stays EIO, other codes pass.
        #expect(LMDBEnvironment.spaceAware(EIO, path: NSTemporaryDirectory()) == EIO)
        #expect(LMDBEnvironment.spaceAware(ENOMEM, path: NSTemporaryDirectory()) == ENOMEM)
    }
}

/// Inverts every bit of the byte at `offset` of `file`.
func flip(_ file: String, at offset: Int) throws {
    let handle = try #require(FileHandle(forUpdatingAtPath: file))
    defer { try? handle.close() }
    try handle.seek(toOffset: UInt64(offset))
    let byte = try #require(try handle.read(upToCount: 1)?.first)
    try handle.seek(toOffset: UInt64(offset))
    try handle.write(contentsOf: [~byte])
}
