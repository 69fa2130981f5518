import CAEAD
import CLMDB
import LedgerDomain

/// What the writer tracks while one transaction is open.
struct AppendContext {
    /// The state a failed job rolls back to.
    struct Savepoint {
        let lastPosition: UInt64
        let chainHash: [UInt8]
        let nextStream: UInt64?
        let nextInCategory: [StreamCategory: UInt64]
        let written: Int
        let keysWritten: Int
        let claimsWritten: Int
    }

    var lastPosition: UInt64
    /// The next contact stream number, once looked up (the writer's predictions use it).
    var nextStream: UInt64?
    /// The next stream number of each other category, once looked up.
    var nextInCategory: [StreamCategory: UInt64] = [:]
    let recordedAt: Int64
    /// The time of the log's last event when the transaction began (`Int64.min`: none).
    let lastRecordedAt: Int64
    /// A value, not an object: a class here was retained for every record chained, and that
    /// one atomic was a tenth of the writer thread's time in an import.
    var scratch: RecordScratch
    /// The stream index as of the start of the transaction.
    let index: StreamIndex
    /// Stream entries written in this transaction, in order; they join the tail on commit.
    private(set) var written: [StreamTail.Entry] = []
    /// Streams whose data key was stored in this transaction, in order (undone with a job).
    var keysWritten: [UInt64] = []
    /// Identity claim entries written in this transaction (undone with a job).
    var claimsWritten = 0
    /// The bucket key this transaction last wrapped a data key under.
    var bucketKey: KeyVault.BucketKey?
    /// The last version written in this transaction, per stream, for `written[..<versionsIndexed]`:
    /// built only when a lookup needs it, since a bulk load of new contacts never looks up.
    private var writtenVersions: [UInt64: UInt64] = [:]
    private var versionsIndexed = 0

    /// `recordedAt` is the clock's time; the transaction records its events at that time, or
    /// at the log's last event's when the clock reads earlier (it was set back, or another
    /// process's clock is ahead): a recorded time is never earlier than the event before it,
    /// so the log stays ordered by time as by position (issue 20).
    init(txn: LMDBTransaction, tables: Ledger.Tables, tail: StreamTail, recordedAt: Int64) throws {
        index = try StreamIndex(txn: txn, tables: tables, tail: tail)
        let (position, hash, lastTime) = try txn.withCursor(tables.log) { cursor in
            guard let last = try cursor.move(MDB_LAST) else { return (UInt64(0), EventRecord.genesisHash, Int64.min) }
            guard let position = Ledger.decodePosition(last.key), last.value.count > EventRecord.hashLength,
                  last.value.count >= EventRecord.recordedAtOffset + 8
            else {
                throw LedgerError(.corrupt, "the last entry of the log is malformed; run `ledger verify`")
            }
            let time = Int64(bigEndian: last.value.loadUnaligned(fromByteOffset: EventRecord.recordedAtOffset, as: Int64.self))
            return (position, Array(last.value[(last.value.count - EventRecord.hashLength)...]), time)
        }
        lastRecordedAt = lastTime
        self.recordedAt = max(recordedAt, lastTime)
        lastPosition = position
        scratch = RecordScratch(chainHash: hash)
    }

    var savepoint: Savepoint {
        Savepoint(lastPosition: lastPosition, chainHash: scratch.chainHash, nextStream: nextStream, nextInCategory: nextInCategory, written: written.count, keysWritten: keysWritten.count, claimsWritten: claimsWritten)
    }

    mutating func restore(_ savepoint: Savepoint) {
        lastPosition = savepoint.lastPosition
        nextStream = savepoint.nextStream
        nextInCategory = savepoint.nextInCategory
        scratch.chainHash = savepoint.chainHash
        written.removeLast(written.count - savepoint.written)
        keysWritten.removeLast(keysWritten.count - savepoint.keysWritten)
        claimsWritten = savepoint.claimsWritten
        writtenVersions = [:]
        versionsIndexed = 0
    }

    /// Notes a stream entry written in this transaction.
    mutating func record(_ entry: StreamTail.Entry) {
        written.append(entry)
    }

    /// The version of the last event of `stream`, counting this transaction's writes.
    mutating func lastVersion(of stream: StreamID) throws -> UInt64 {
        while versionsIndexed < written.count {
            let entry = written[versionsIndexed]
            writtenVersions[entry.stream] = entry.version
            versionsIndexed += 1
        }
        if let version = writtenVersions[stream.rawValue] { return version }
        return try index.lastVersion(of: stream)
    }


    /// The next unused contact stream number; the first call looks at the end of the
    /// contacts' part of the stream index.
    mutating func allocateStream() throws -> StreamID {
        let next = try nextStream ?? (index.maxStream(in: .contact) + 1)
        nextStream = next + 1
        return StreamID(next)
    }

    /// The next unused stream number of `category`.
    mutating func allocateStream(in category: StreamCategory) throws -> StreamID {
        if category == .contact { return try allocateStream() }
        let next = try nextInCategory[category] ?? (index.maxStream(in: category) + 1)
        guard next < category.limit else {
            throw LedgerError(.invalidRequest, "the \(category) streams are exhausted")
        }
        nextInCategory[category] = next + 1
        return StreamID(next)
    }

    /// The number the next new contact stream will get, without taking it.
    mutating func peekNextStream() throws -> UInt64 {
        let next = try nextStream ?? (index.maxStream(in: .contact) + 1)
        nextStream = next
        return next
    }

    /// Gives back the stream number just allocated, when its request wrote nothing.
    mutating func releaseStream(_ stream: StreamID) {
        guard let category = stream.category, category != .contact else {
            if nextStream == stream.rawValue + 1 { nextStream = stream.rawValue }
            return
        }
        if nextInCategory[category] == stream.rawValue + 1 { nextInCategory[category] = stream.rawValue }
    }
}

/// The chain hash the writer carries from one record to the next.
///
/// Records are written straight into the page LMDB reserves for them (`MDB_RESERVE`): the
/// body is copied in once, its blank fields filled, and SHA-256(previous hash ‖ body) written
/// after it, with no intermediate buffer.
struct RecordScratch {
    private var previous: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init(chainHash: [UInt8]) {
        self.chainHash = chainHash
    }

    /// The hash of the last chained record (or the starting hash).
    var chainHash: [UInt8] {
        get { withUnsafeBytes(of: previous) { Array($0) } }
        set { withUnsafeMutableBytes(of: &previous) { $0.copyBytes(from: newValue.prefix(32)) } }
    }

    /// Writes the stored record of `body` into `destination` (body.count + 32 bytes): the body
    /// with stream, version and time filled in, then its chain hash.
    mutating func chain(body: UnsafeRawBufferPointer, stream: UInt64, version: UInt64, recordedAt: Int64, into destination: UnsafeMutableRawBufferPointer) {
        let record = UnsafeMutableRawBufferPointer(rebasing: destination[0..<body.count])
        record.copyMemory(from: body)
        record.storeBytes(of: stream.bigEndian, toByteOffset: EventRecord.streamOffset, as: UInt64.self)
        record.storeBytes(of: version.bigEndian, toByteOffset: EventRecord.versionOffset, as: UInt64.self)
        record.storeBytes(of: recordedAt.bigEndian, toByteOffset: EventRecord.recordedAtOffset, as: Int64.self)
        // libcrypto's SHA-256 on a stack context: swift-crypto's `SHA256` allocates a context
        // object per hasher, which cost the writer as much as the hashing (`ledger verify`
        // recomputes every hash with swift-crypto, so the two implementations check each other).
        var context = SHA256_CTX()
        SHA256_Init(&context)
        withUnsafeBytes(of: previous) { _ = SHA256_Update(&context, $0.baseAddress, $0.count) }
        SHA256_Update(&context, record.baseAddress, record.count)
        withUnsafeMutableBytes(of: &previous) { hash in
            guard let base = hash.baseAddress else { return }
            SHA256_Final(base.assumingMemoryBound(to: UInt8.self), &context)
        }
        withUnsafeBytes(of: previous) { hash in
            UnsafeMutableRawBufferPointer(rebasing: destination[body.count..<(body.count + 32)]).copyMemory(from: hash)
        }
    }

}
