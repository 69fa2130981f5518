import Testing
@testable import LedgerTokens

@Suite("The import's set of endpoints met")
struct EndpointSetTests {
    @Test("answers as a Set does, across growth, duplicates, collisions on the slot and the all-zero prefix")
    func matchesSet() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        // Low words sharing their low bits land on the same slot: probing must tell them apart.
        var prefixes = (0..<20_000).map { _ in EndpointPrefix(high: next(), low: next()) }
        prefixes += (0..<500).map { index in EndpointPrefix(high: UInt64(index), low: 0x1_0000_0000 * UInt64(index + 1)) }
        prefixes.append(.zero)
        var flat = EndpointSet()
        var plain = Set<EndpointPrefix>()
        for round in 0..<2 {
            for prefix in prefixes {
                let inserted = flat.insert(prefix)
                #expect(inserted == plain.insert(prefix).inserted, "round \(round)")
            }
        }
        #expect(flat.count == plain.count)
        #expect(prefixes.allSatisfy(flat.contains))
        #expect(!flat.contains(EndpointPrefix(high: 1, low: 2)))
    }

    @Test("a table sized ahead holds as many as it was sized for, and grows past them")
    func reserved() {
        var flat = EndpointSet()
        flat.reserveCapacity(1_000)
        for index in 1...3_000 {
            let inserted = flat.insert(EndpointPrefix(high: 7, low: UInt64(index)))
            #expect(inserted)
        }
        #expect(flat.count == 3_000)
        let again = flat.insert(EndpointPrefix(high: 7, low: 2_999))
        #expect(!again)
    }

    @Test("a prefix is the first 16 bytes of the hash, big-endian")
    func prefixOfHash() {
        let hash: [UInt8] = Array(1...32)
        let prefix = EndpointPrefix(hash)
        #expect(prefix.high == 0x0102_0304_0506_0708)
        #expect(prefix.low == 0x090A_0B0C_0D0E_0F10)
    }
}

