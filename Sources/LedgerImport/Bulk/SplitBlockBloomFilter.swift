/// A split block Bloom filter (the layout Apache Parquet specifies for its column filters): a
/// set of 64-bit hashes that answers "maybe" for every hash inserted and "no" for almost every
/// other, in one cache line per question.
///
/// Each hash picks one 32-byte block from its high half and sets one bit in each of the block's
/// eight 32-bit words, chosen by multiplying its low half by eight odd constants. At 12 bits a
/// hash it answers "maybe" for about 0.5% of hashes never inserted (`SplitBlockBloomFilterTests`
/// measures it). Not shared between threads.
final class SplitBlockBloomFilter {
    /// The multipliers of the Parquet specification ("Split Block Bloom Filters").
    private static let salts: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x47b6_137b, 0x4497_4d91, 0x8824_ad5b, 0xa2b7_289d, 0x7054_95c7, 0x2df1_424b, 0x9efc_4947, 0x5c6b_fb31
    )
    /// Bits per expected hash: about 0.5% false "maybe" answers when the filter holds that many.
    static let bitsPerHash = 12

    private let words: UnsafeMutablePointer<UInt32>
    private let blocks: UInt64
    /// Hashes inserted (with repeats).
    private(set) var count = 0
    /// How many hashes the filter was sized for; it still works past that, answering "maybe"
    /// more often.
    let capacity: Int

    /// An empty filter sized for `capacity` hashes.
    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        let bits = self.capacity * Self.bitsPerHash
        let blocks = max(1, (bits + 255) / 256)
        self.blocks = UInt64(blocks)
        words = .allocate(capacity: blocks * 8)
        words.initialize(repeating: 0, count: blocks * 8)
    }

    deinit {
        words.deallocate()
    }

    /// The filter's memory, in bytes.
    var bytes: Int { Int(blocks) * 32 }

    /// Adds `hash`.
    func insert(_ hash: UInt64) {
        let block = words + Int(((hash >> 32) &* blocks) >> 32) * 8
        let key = UInt32(truncatingIfNeeded: hash)
        block[0] |= Self.bit(key, Self.salts.0)
        block[1] |= Self.bit(key, Self.salts.1)
        block[2] |= Self.bit(key, Self.salts.2)
        block[3] |= Self.bit(key, Self.salts.3)
        block[4] |= Self.bit(key, Self.salts.4)
        block[5] |= Self.bit(key, Self.salts.5)
        block[6] |= Self.bit(key, Self.salts.6)
        block[7] |= Self.bit(key, Self.salts.7)
        count += 1
    }

    /// False when `hash` was certainly never inserted.
    func mayContain(_ hash: UInt64) -> Bool {
        let block = words + Int(((hash >> 32) &* blocks) >> 32) * 8
        let key = UInt32(truncatingIfNeeded: hash)
        var missing: UInt32 = 0
        missing |= Self.bit(key, Self.salts.0) & ~block[0]
        missing |= Self.bit(key, Self.salts.1) & ~block[1]
        missing |= Self.bit(key, Self.salts.2) & ~block[2]
        missing |= Self.bit(key, Self.salts.3) & ~block[3]
        missing |= Self.bit(key, Self.salts.4) & ~block[4]
        missing |= Self.bit(key, Self.salts.5) & ~block[5]
        missing |= Self.bit(key, Self.salts.6) & ~block[6]
        missing |= Self.bit(key, Self.salts.7) & ~block[7]
        return missing == 0
    }

    /// Reads the block of each of `hashes` (0s skipped), so that the questions that follow
    /// find them in the cache: independent loads, which the processor overlaps.
    func load(_ hashes: [UInt64]) {
        var seen: UInt32 = 0
        for hash in hashes where hash != 0 {
            seen |= words[Int(((hash >> 32) &* blocks) >> 32) * 8]
        }
        loaded = seen
    }

    /// Where `load` leaves what it read, so that its loads are not optimised away.
    private var loaded: UInt32 = 0

    /// The bit one word of a block gets for `key`: the top five bits of `key` times `salt`.
    @inline(__always)
    private static func bit(_ key: UInt32, _ salt: UInt32) -> UInt32 {
        1 << ((key &* salt) >> 27)
    }
}
