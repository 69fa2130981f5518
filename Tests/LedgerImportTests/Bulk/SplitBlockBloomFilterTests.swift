@testable import LedgerImport
import LedgerDomain
import Testing

@Suite("The split block Bloom filter")
struct SplitBlockBloomFilterTests {
    @Test("every hash inserted is a maybe; filled to capacity, under 1% of other hashes are")
    func noFalseNegativesFewFalsePositives() {
        var generator = SeededGenerator(seed: 7)
        let capacity = 200_000
        let filter = SplitBlockBloomFilter(capacity: capacity)
        let inserted = (0..<capacity).map { _ in UInt64.random(in: .min ... .max, using: &generator) }
        for hash in inserted { filter.insert(hash) }
        #expect(filter.count == capacity)
        #expect(inserted.allSatisfy { filter.mayContain($0) })
        let others = 200_000
        var maybes = 0
        for _ in 0..<others where filter.mayContain(UInt64.random(in: .min ... .max, using: &generator)) { maybes += 1 }
        // 12 bits a hash: about 0.5%.
        #expect(maybes < others / 100, "\(maybes) of \(others)")
        #expect(maybes > 0, "a filter that never says maybe is not filtering by the hash")
    }

    @Test("an empty filter rules everything out; one past its capacity still holds what it was given")
    func emptyAndOverfull() {
        let empty = SplitBlockBloomFilter(capacity: 0)
        #expect(!empty.mayContain(42))
        #expect(empty.bytes == 32)
        let small = SplitBlockBloomFilter(capacity: 10)
        var generator = SeededGenerator(seed: 8)
        let inserted = (0..<1_000).map { _ in UInt64.random(in: .min ... .max, using: &generator) }
        for hash in inserted { small.insert(hash) }
        #expect(inserted.allSatisfy { small.mayContain($0) })
    }

    @Test("an import's filter is sized for what is held and expected, within a bound")
    func importFilterCapacity() {
        #expect(IdentifierFilter.capacity(held: 10, expected: 20) == 30)
        #expect(IdentifierFilter.capacity(held: 10, expected: -5) == 10)
        #expect(IdentifierFilter.capacity(held: 0, expected: Int.max) == IdentifierFilter.maximumCapacity)
        #expect(IdentifierFilter.capacity(held: IdentifierFilter.maximumCapacity * 2, expected: 5) == IdentifierFilter.maximumCapacity)
    }
}
