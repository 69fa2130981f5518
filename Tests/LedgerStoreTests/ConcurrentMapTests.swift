import LedgerStore
import Testing

@Suite("concurrentMap")
struct ConcurrentMapTests {
    struct Refused: Error {}

    @Test("keeps the order of a large array, maps a small one the same way, and rethrows")
    func orderAndErrors() throws {
        let numbers = Array(0..<10_000)
        #expect(try numbers.concurrentMap(chunkSize: 97) { $0 * 3 } == numbers.map { $0 * 3 })
        #expect(try Array(0..<5).concurrentMap(chunkSize: 97) { String($0) } == ["0", "1", "2", "3", "4"])
        #expect(try [Int]().concurrentMap(chunkSize: 8) { $0 }.isEmpty)
        #expect(throws: Refused.self) {
            try numbers.concurrentMap(chunkSize: 100) { number -> Int in
                if number == 7_777 { throw Refused() }
                return number
            }
        }
    }
}
