import Foundation
import LedgerStore
import Testing

@Suite("Projection stores")
struct ProjectionStoreTests {
    static func key(_ number: UInt64) -> [UInt8] {
        withUnsafeBytes(of: number.bigEndian) { Array($0) }
    }

    @Test("commits survive closing and reopening; sync flushes without error")
    func reopen() throws {
        let directory = TemporaryDirectory()
        do {
            let store = try ProjectionStore(directory: directory.path, tables: ["items"])
            let items = try store.table("items")
            for round in 1...3 as ClosedRange<UInt64> {
                try store.write { transaction in
                    try transaction.put(items, Self.key(round), [UInt8(round)])
                    try transaction.setCheckpoint(round)
                }
            }
            try store.sync()
            store.close()
        }
        let store = try ProjectionStore(directory: directory.path, tables: ["items"])
        defer { store.close() }
        let items = try store.table("items")
        #expect(try store.read { try $0.checkpoint() } == 3)
        #expect(try store.read { try $0.get(items, Self.key(3)) } == [3])
    }
}
