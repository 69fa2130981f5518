import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// The bucket keys, in one small file of fixed slots: `keys/root` of the store directory.
///
/// Every contact's data key is stored wrapped under the key of its bucket (docs/decisions/0008).
/// Destroying a contact's key means destroying every copy of it that could be unwrapped, and
/// LMDB, being copy-on-write, keeps a deleted value in a freed page of `data.mdb` until that
/// page is reused. So erasure re-wraps the bucket's other keys under a new bucket key and then
/// overwrites the old bucket key here, in place: a freed page's copy is then wrapped under a
/// key that no longer exists.
///
/// Layout: a 64-byte header (magic, bucket count), then per bucket a 128-byte slot holding
/// two 64-byte entries: `epoch u32 (0 = empty) ‖ key (32) ‖ check (8) ‖ zeros (20)`, the check
/// being the first 8 bytes of SHA-256(bucket ‖ epoch ‖ key). One entry is current; the other is
/// empty, except during a rotation, when the new key is written there first. An entry is
/// 64-byte aligned, so it never straddles a 512-byte sector, and it is written with one
/// `pwrite` followed by `fdatasync`; a torn write fails its check and reads as empty.
enum KeyRootFile {
    /// The number of buckets.
    static let bucketCount = 4096
    static let headerSize = 64
    static let entrySize = 64
    static let slotSize = 2 * entrySize
    static let fileSize = headerSize + bucketCount * slotSize
    static let magic = Array("ContactLedger key root v1".utf8)

    /// One bucket key and its epoch (which wrapped keys name).
    struct Entry: Sendable {
        let epoch: UInt32
        let key: DataKey
    }

    /// The file's contents. Entries are checked and decoded when first asked for, so loading
    /// the root costs one read, not 8,192 hashes.
    struct Snapshot: Sendable {
        private let bytes: [UInt8]
        private var decoded: [Int: [Entry?]] = [:]
        private var overridden: [Int: [Entry?]] = [:]

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        /// The two entries of `bucket` (nil when empty or torn).
        mutating func entries(_ bucket: Int) -> [Entry?] {
            if let entries = overridden[bucket] ?? decoded[bucket] { return entries }
            let offset = headerSize + bucket * slotSize
            let entries = (0..<2).map { index in
                KeyRootFile.decode(bytes[(offset + index * entrySize)..<(offset + (index + 1) * entrySize)], bucket: bucket)
            }
            decoded[bucket] = entries
            return entries
        }

        /// Records that entry `index` of `bucket` was just written as `entry`.
        mutating func set(_ entry: Entry?, bucket: Int, index: Int) {
            var entries = self.entries(bucket)
            entries[index] = entry
            overridden[bucket] = entries
        }

        /// The newest entry of `bucket`.
        mutating func current(_ bucket: Int) -> (index: Int, entry: Entry)? {
            let entries = self.entries(bucket).enumerated().compactMap { index, entry in entry.map { (index, $0) } }
            return entries.max { $0.1.epoch < $1.1.epoch }
        }

        /// The entry of `bucket` with `epoch`.
        mutating func entry(_ bucket: Int, epoch: UInt32) -> Entry? {
            entries(bucket).lazy.compactMap { $0 }.first { $0.epoch == epoch }
        }

        /// Buckets caught in the middle of a rotation (both entries set and intact).
        mutating func rotating() -> [Int] {
            (0..<bucketCount).filter { bucket in
                let offset = headerSize + bucket * slotSize
                let bothSet = (0..<2).allSatisfy { index in
                    bytes[(offset + index * entrySize)..<(offset + index * entrySize + 4)].contains { $0 != 0 }
                }
                return (bothSet || overridden[bucket] != nil) && entries(bucket).allSatisfy { $0 != nil }
            }
        }
    }

    /// Writes a new root file with one random key per bucket, atomically (temporary file,
    /// fsync, rename, fsync of the directory). The caller holds the root lock.
    static func create(at path: String, directory: String) throws {
        var bytes = [UInt8](repeating: 0, count: fileSize)
        bytes.replaceSubrange(0..<magic.count, with: magic)
        withUnsafeBytes(of: UInt32(bucketCount).bigEndian) { bytes.replaceSubrange(32..<36, with: $0) }
        for bucket in 0..<bucketCount {
            let entry = encode(Entry(epoch: 1, key: .random()), bucket: bucket)
            let offset = headerSize + bucket * slotSize
            bytes.replaceSubrange(offset..<(offset + entrySize), with: entry)
        }
        let temporary = path + ".new"
        try writeFile(temporary, bytes)
        guard rename(temporary, path) == 0 else { throw failure("cannot move \(temporary) into place") }
        try syncDirectory(directory)
    }

    /// Reads the root file.
    static func load(_ path: String) throws -> Snapshot {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot read the key root \(path)") }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: fileSize)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, fileSize, 0) }
        guard count == fileSize, Array(bytes[0..<magic.count]) == magic else {
            throw LedgerError(.corrupt, "the key root \(path) is not a ContactLedger key root (wrong size or header)")
        }
        return Snapshot(bytes: bytes)
    }

    /// Overwrites entry `index` of `bucket` in place (nil clears it) and makes it durable.
    static func write(_ entry: Entry?, bucket: Int, index: Int, path: String) throws {
        let bytes = entry.map { encode($0, bucket: bucket) } ?? [UInt8](repeating: 0, count: entrySize)
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open the key root \(path)") }
        defer { close(descriptor) }
        let offset = off_t(headerSize + bucket * slotSize + index * entrySize)
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, entrySize, offset) }
        guard written == entrySize else { throw failure("cannot write the key root \(path)") }
        guard fdatasync(descriptor) == 0 else { throw failure("fdatasync of the key root \(path) failed") }
    }

    private static func encode(_ entry: Entry, bucket: Int) -> [UInt8] {
        var bytes = withUnsafeBytes(of: entry.epoch.bigEndian) { Array($0) }
        bytes += entry.key.bytes
        bytes += check(bucket: bucket, epoch: entry.epoch, key: entry.key.bytes)
        bytes += [UInt8](repeating: 0, count: entrySize - bytes.count)
        return bytes
    }

    fileprivate static func decode(_ bytes: ArraySlice<UInt8>, bucket: Int) -> Entry? {
        let start = bytes.startIndex
        let epoch = bytes[start..<(start + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard epoch != 0 else { return nil }
        let key = Array(bytes[(start + 4)..<(start + 36)])
        guard Array(bytes[(start + 36)..<(start + 44)]) == check(bucket: bucket, epoch: epoch, key: key),
              let dataKey = DataKey(bytes: key) else { return nil }
        return Entry(epoch: epoch, key: dataKey)
    }

    private static func check(bucket: Int, epoch: UInt32, key: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt16(bucket).bigEndian) { hasher.update(bufferPointer: $0) }
        withUnsafeBytes(of: epoch.bigEndian) { hasher.update(bufferPointer: $0) }
        hasher.update(data: key)
        return Array(hasher.finalize().prefix(8))
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("cannot create \(path)") }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            // A short write sets no errno: on a regular file it means the file system is full.
            if written >= 0 { errno = ENOSPC }
            let error = failure("cannot write \(path)")
            unlink(path)
            throw error
        }
        guard fsync(descriptor) == 0 else { throw failure("fsync of \(path) failed") }
    }

    static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("cannot open \(directory)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync of \(directory) failed") }
    }

    private static func failure(_ message: String) -> LedgerError {
        LedgerError(.storage, "\(message): \(String(cString: strerror(errno)))")
    }
}
