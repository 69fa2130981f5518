import LedgerDomain
@testable import LedgerStore
import Testing

@Suite("Random bytes for keys and nonces")
struct RandomBufferTests {
    @Test("a thread's own buffer hands out distinct bytes, across refills of its 4 KiB")
    func distinctDraws() {
        var buffer = RandomBuffer()
        var seen = Set<[UInt8]>()
        // 1,000 draws of 12 bytes: three refills.
        for _ in 0..<1_000 {
            let nonce = buffer.withBytes(12) { Array($0) }
            #expect(nonce.count == 12)
            seen.insert(nonce)
        }
        #expect(seen.count == 1_000)
        #expect(!seen.contains([UInt8](repeating: 0, count: 12)))
    }

    @Test("keys drawn through a cipher's own bytes are distinct, seal with it and open")
    func keysThroughCipher() throws {
        let cipher = PayloadCipher()
        let first = DataKey.random(using: cipher)
        let second = DataKey.random(using: cipher)
        #expect(first.bytes != second.bytes)
        let id = EventID.timeOrdered()
        var sealed = [UInt8]()
        let plain = Array("personal".utf8)
        try plain.withUnsafeBytes { try first.seal($0, for: id, with: cipher, appendingTo: &sealed) }
        #expect(try first.open(sealed[...], for: id) == plain)
        #expect(throws: (any Error).self) { try second.open(sealed[...], for: id) }
    }
}
