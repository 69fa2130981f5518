import CLMDB
import Crypto
import LedgerDomain

/// What the writer tracks while one transaction is open.
struct AppendContext {
    /// The state a failed job rolls back to.
    struct Savepoint {
        let lastPosition: UInt64
        let chainHash: [UInt8]
        let nextStream: UInt64?
        let written: Int
    }

    var lastPosition: UInt64
    var nextStream: UInt64?
    let recordedAt: Int64
    let scratch: RecordScratch
    /// The stream index as of the start of the transaction.
    let index: StreamIndex
    /// Stream entries written in this transaction, in order; they join the tail on commit.
    private(set) var written: [StreamTail.Entry] = []
    /// The last version written in this transaction, per stream.
    private var writtenVersions: [UInt64: UInt64] = [:]

    init(txn: LMDBTransaction, tables: Ledger.Tables, tail: StreamTail, recordedAt: Int64) throws {
        self.recordedAt = recordedAt
        index = try StreamIndex(txn: txn, tables: tables, tail: tail)
        let (position, hash) = try txn.withCursor(tables.log) { cursor in
            guard let last = try cursor.move(MDB_LAST) else { return (UInt64(0), EventRecord.genesisHash) }
            guard let position = Ledger.decodePosition(last.key), last.value.count > EventRecord.hashLength else {
                throw LedgerError(.corrupt, "the last entry of the log is malformed; run `ledger verify`")
            }
            return (position, Array(last.value[(last.value.count - EventRecord.hashLength)...]))
        }
        lastPosition = position
        scratch = RecordScratch(chainHash: hash)
    }

    var savepoint: Savepoint {
        Savepoint(lastPosition: lastPosition, chainHash: scratch.chainHash, nextStream: nextStream, written: written.count)
    }

    mutating func restore(_ savepoint: Savepoint) {
        lastPosition = savepoint.lastPosition
        nextStream = savepoint.nextStream
        scratch.chainHash = savepoint.chainHash
        written.removeLast(written.count - savepoint.written)
        writtenVersions = [:]
        for entry in written { writtenVersions[entry.stream] = entry.version }
    }

    /// Notes a stream entry written in this transaction.
    mutating func record(_ entry: StreamTail.Entry) {
        written.append(entry)
        writtenVersions[entry.stream] = entry.version
    }

    /// The version of the last event of `stream`, counting this transaction's writes.
    func lastVersion(of stream: StreamID) throws -> UInt64 {
        if let version = writtenVersions[stream.rawValue] { return version }
        return try index.lastVersion(of: stream)
    }

    func release() {
        scratch.release()
    }

    /// The next unused stream number; the first call looks at the end of the stream index.
    mutating func allocateStream() throws -> StreamID {
        let next = try nextStream ?? (index.maxStream() + 1)
        nextStream = next + 1
        return StreamID(next)
    }

    /// Gives back the stream number just allocated, when its request wrote nothing.
    mutating func releaseStream(_ stream: StreamID) {
        if nextStream == stream.rawValue + 1 { nextStream = stream.rawValue }
    }
}

/// The writer's one reusable buffer, laid out `previous hash ‖ body ‖ hash`, so that a record
/// is chained with one SHA-256 call over contiguous memory and stored without another copy.
final class RecordScratch {
    private var buffer: UnsafeMutableRawBufferPointer
    private var hashOffset = 0

    init(chainHash: [UInt8]) {
        buffer = .allocate(byteCount: 4096, alignment: 8)
        buffer.copyBytes(from: chainHash)
        hashOffset = 0
    }

    /// The hash of the last chained record (or the starting hash).
    var chainHash: [UInt8] {
        get { Array(buffer[hashOffset..<(hashOffset + 32)]) }
        set {
            UnsafeMutableRawBufferPointer(rebasing: buffer[0..<32]).copyBytes(from: newValue)
            hashOffset = 0
        }
    }

    /// Builds the stored record of `body` with its fields filled in and its chain hash
    /// appended; the result is valid until the next call.
    func chain(body: UnsafeRawBufferPointer, stream: UInt64, version: UInt64, recordedAt: Int64) -> UnsafeRawBufferPointer {
        let needed = 32 + body.count + 32
        if needed > buffer.count {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(needed, buffer.count * 2), alignment: 8)
            larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[hashOffset..<(hashOffset + 32)]))
            buffer.deallocate()
            buffer = larger
            hashOffset = 0
        }
        if hashOffset != 0 {
            // The previous record's hash moves to the front, as this record's "previous hash".
            UnsafeMutableRawBufferPointer(rebasing: buffer[0..<32])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[hashOffset..<(hashOffset + 32)]))
        }
        UnsafeMutableRawBufferPointer(rebasing: buffer[32..<(32 + body.count)]).copyMemory(from: body)
        buffer.storeBytes(of: stream.bigEndian, toByteOffset: 32 + EventRecord.streamOffset, as: UInt64.self)
        buffer.storeBytes(of: version.bigEndian, toByteOffset: 32 + EventRecord.versionOffset, as: UInt64.self)
        buffer.storeBytes(of: recordedAt.bigEndian, toByteOffset: 32 + EventRecord.recordedAtOffset, as: Int64.self)
        let digest = SHA256.hash(data: UnsafeRawBufferPointer(rebasing: buffer[0..<(32 + body.count)]))
        hashOffset = 32 + body.count
        digest.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: buffer[hashOffset..<(hashOffset + 32)]).copyMemory(from: $0) }
        return UnsafeRawBufferPointer(rebasing: buffer[32..<(hashOffset + 32)])
    }

    func release() {
        buffer.deallocate()
        buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }
}
