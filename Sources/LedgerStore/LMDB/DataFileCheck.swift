#if canImport(Glibc)
import Glibc
#endif

/// A cheap check of an LMDB data file (`data.mdb`) before LMDB maps it: its two meta pages and
/// its size against the pages the newest meta page says it holds.
///
/// LMDB trusts the file: it maps it and follows page numbers without bounds checks, so a file
/// cut short makes the first read past its end a SIGBUS, and a meta page that names pages past
/// the end does the same. This check reads the two meta pages with pread (never through a map)
/// and refuses the file, naming it and the check that failed, when:
/// - the file is shorter than two pages (but not empty: LMDB makes an empty file a new store);
/// - a meta page is not one (page number, `P_META` flag, magic `0xBEEFC0DE`, data version 1,
///   page size a power of two from 512 to 64 KiB, the same in both);
/// - the newest meta page's last page, or the root of its free or main tree, lies past the end
///   of the file, or a root page's header does not name itself and a branch or leaf.
///
/// LMDB 0.9 has no checksums, so damage inside the trees passes this check: `ledger verify`
/// walks them in a child process, whose death it reports (see `VerifyCommand`).
///
/// The layout is mdb.c's for 64-bit builds (`MDB_page`, `MDB_meta`, `MDB_db`), which lmdb.h
/// does not export; it is stable across 0.9.x (`MDB_DATA_VERSION` 1).
struct DataFileCheck {
    /// What the check found in a file it accepts.
    struct Summary: Equatable {
        var pageSize: Int
        var lastPage: UInt64
        var transaction: UInt64
    }

    static let magic: UInt32 = 0xBEEF_C0DE
    static let dataVersion: UInt32 = 1
    /// mdb.c: PAGEHDRSZ, and the offsets of MDB_meta's fields after it.
    static let pageHeaderSize = 16
    static let flagBranch: UInt16 = 0x01, flagLeaf: UInt16 = 0x02, flagMeta: UInt16 = 0x08
    static let invalidPage = UInt64.max

    /// The file checked.
    let path: String

    /// Checks the data file in LMDB environment directory `directory`; nil when it has none
    /// or it is empty (LMDB then makes a new store).
    @discardableResult
    static func check(directory: String) throws -> Summary? {
        try DataFileCheck(path: directory + "/data.mdb").run()
    }

    func run() throws -> Summary? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw LedgerError(.storage, "cannot open \(path) to check it", cause: LMDBError(code: errno, operation: "open"))
        }
        defer { Glibc.close(descriptor) }
        let first = try read(descriptor, offset: 0, count: 512)
        var size = try fileSize(descriptor)
        if size == 0 { return nil }
        guard first.count == 512 else {
            throw damage("it is \(size) bytes, shorter than one meta page: it was truncated")
        }
        let pageSize = Int(first.load(at: Self.pageHeaderSize + 24, as: UInt32.self))
        guard pageSize >= 512, pageSize <= 65_536, pageSize & (pageSize - 1) == 0 else {
            throw damage("meta page 0 gives a page size of \(pageSize) bytes: the meta page was altered")
        }
        guard size >= 2 * pageSize else {
            throw damage("it is \(size) bytes, shorter than its two meta pages of \(pageSize) bytes: it was truncated")
        }
        let metas = [
            try meta(0, bytes: first, pageSize: pageSize, size: size),
            try meta(1, bytes: try read(descriptor, offset: pageSize, count: 512), pageSize: pageSize, size: size),
        ]
        // LMDB opens the meta page with the higher transaction id (mdb_env_pick_meta).
        let newest = metas[1].transaction > metas[0].transaction ? metas[1] : metas[0]
        // Taken after the meta pages were read: a writer extends the file before it writes a
        // meta page, so the file is at least as long as any meta page read before names.
        size = try fileSize(descriptor)
        let (pages, overflow) = newest.lastPage.addingReportingOverflow(1)
        let needed = pages.multipliedReportingOverflow(by: UInt64(pageSize))
        guard !overflow, !needed.overflow, needed.partialValue <= size else {
            throw damage("it is \(size) bytes, but its newest meta page (page \(newest.index), transaction \(newest.transaction)) says its pages run through page \(newest.lastPage), which needs \(overflow || needed.overflow ? "more" : String(needed.partialValue)) bytes: it was truncated, or the meta page was altered")
        }
        for (tree, root) in [("free-page", newest.freeRoot), ("main", newest.mainRoot)] where root != Self.invalidPage {
            guard root >= 2, root <= newest.lastPage else {
                throw damage("the newest meta page (page \(newest.index)) puts the root of the \(tree) tree at page \(root), outside pages 2…\(newest.lastPage): the meta page was altered")
            }
            let header = try read(descriptor, offset: Int(root) * pageSize, count: Self.pageHeaderSize)
            let number = header.count == Self.pageHeaderSize ? header.load(at: 0, as: UInt64.self) : Self.invalidPage
            let flags = header.count == Self.pageHeaderSize ? header.load(at: 10, as: UInt16.self) : 0
            guard number == root, flags & (Self.flagBranch | Self.flagLeaf) != 0, flags & Self.flagMeta == 0 else {
                throw damage("page \(root), the root of the \(tree) tree, has a damaged header (it names page \(number == Self.invalidPage ? "none" : String(number)), flags 0x\(String(flags, radix: 16)))")
            }
        }
        return Summary(pageSize: pageSize, lastPage: newest.lastPage, transaction: newest.transaction)
    }

    /// The fields of meta page `index` that the check uses.
    private struct Meta {
        var index: Int
        var lastPage: UInt64
        var transaction: UInt64
        var freeRoot: UInt64
        var mainRoot: UInt64
    }

    private func meta(_ index: Int, bytes: [UInt8], pageSize: Int, size: Int) throws -> Meta {
        guard bytes.count == 512 else {
            throw damage("it is \(size) bytes, shorter than its two meta pages of \(pageSize) bytes: it was truncated")
        }
        let base = Self.pageHeaderSize
        let number = bytes.load(at: 0, as: UInt64.self)
        let flags = bytes.load(at: 10, as: UInt16.self)
        let magic = bytes.load(at: base, as: UInt32.self)
        let version = bytes.load(at: base + 4, as: UInt32.self)
        let ownPageSize = Int(bytes.load(at: base + 24, as: UInt32.self))
        guard number == UInt64(index), flags & Self.flagMeta != 0 else {
            throw damage("meta page \(index) has a damaged header (it names page \(number), flags 0x\(String(flags, radix: 16)))")
        }
        guard magic == Self.magic else {
            throw damage("meta page \(index) has magic 0x\(String(magic, radix: 16)), not LMDB's 0xbeefc0de")
        }
        guard version == Self.dataVersion else {
            throw damage("meta page \(index) has data version \(version); this build reads version \(Self.dataVersion)")
        }
        guard ownPageSize == pageSize else {
            throw damage("meta page \(index) gives a page size of \(ownPageSize) bytes, meta page 0 \(pageSize)")
        }
        // MDB_meta: magic, version, address, map size, then two MDB_db of 48 bytes (the root
        // is their last field), then the last page and the transaction id.
        return Meta(
            index: index,
            lastPage: bytes.load(at: base + 120, as: UInt64.self),
            transaction: bytes.load(at: base + 128, as: UInt64.self),
            freeRoot: bytes.load(at: base + 24 + 40, as: UInt64.self),
            mainRoot: bytes.load(at: base + 24 + 48 + 40, as: UInt64.self)
        )
    }

    private func damage(_ what: String) -> LedgerError {
        LedgerError(.corrupt, "\(path) is damaged: \(what); see \"What to do when verify fails\" in docs/operations.md")
    }

    private func fileSize(_ descriptor: Int32) throws -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw LedgerError(.storage, "cannot check the size of \(path)", cause: LMDBError(code: errno, operation: "fstat"))
        }
        return Int(info.st_size)
    }

    /// Up to `count` bytes at `offset`; fewer at the end of the file.
    private func read(_ descriptor: Int32, offset: Int, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress.map { $0 + done }, count - done, off_t(offset + done))
            }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw LedgerError(.storage, "cannot read \(path) to check it", cause: LMDBError(code: errno, operation: "pread")) }
            if got == 0 { break }
            done += got
        }
        return Array(bytes[..<done])
    }
}

extension [UInt8] {
    /// The little-endian integer at `offset` (the machine's order: the file is LMDB's memory image).
    fileprivate func load<Integer: FixedWidthInteger>(at offset: Int, as: Integer.Type) -> Integer {
        withUnsafeBytes { Integer(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: Integer.self)) }
    }
}
