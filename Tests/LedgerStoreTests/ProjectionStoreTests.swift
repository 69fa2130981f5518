import Foundation
import LedgerStore
import Testing

@Suite("Projection stores")
struct ProjectionStoreTests {
    static func key(_ number: UInt64) -> [UInt8] {
        withUnsafeBytes(of: number.bigEndian) { Array($0) }
    }

    @Test("update rewrites, grows, shrinks, inserts and removes values with one cursor")
    func update() throws {
        let directory = TemporaryDirectory()
        let store = try ProjectionStore(directory: directory.path, tables: ["items"])
        defer { store.close() }
        let items = try store.table("items")
        // Enough entries for several leaf pages, so that a grown value moves and splits pages.
        try store.write { transaction in
            for number in 0..<2_000 as Range<UInt64> {
                try transaction.put(items, Self.key(number * 2), Array(repeating: UInt8(number & 0xFF), count: 40))
            }
        }
        // Every third even key grows, every fifth shrinks, every seventh goes; odd keys are new
        // (one in eleven asks to stay absent).
        let keys = (0..<4_000 as Range<UInt64>).filter { $0 % 3 == 0 || $0 % 5 == 0 || $0 % 7 == 0 || $0 % 2 == 1 }
        var seen = [UInt64: Int?]()
        try store.write { transaction in
            try transaction.update(items, keys: keys.map(Self.key)) { index, stored in
                let number = keys[index]
                seen[number] = .some(stored?.count)
                if number % 2 == 1 { return number % 11 == 0 ? nil : [0xEE] }
                if number % 7 == 0 { return nil }
                if number % 3 == 0 { return Array(repeating: 0xAA, count: 300) }
                return [0x55]
            }
        }
        for number in keys {
            #expect(seen[number] == .some(number % 2 == 0 ? 40 : nil), "the value before the update of \(number)")
        }
        try store.read { transaction in
            for number in 0..<4_000 as Range<UInt64> {
                let value = try transaction.get(items, Self.key(number))
                let expected: [UInt8]? = switch number {
                case _ where number % 2 == 1: number % 11 == 0 ? nil : [0xEE]
                case _ where number % 7 == 0: nil
                case _ where number % 3 == 0: Array(repeating: 0xAA, count: 300)
                case _ where number % 5 == 0: [0x55]
                default: Array(repeating: UInt8((number / 2) & 0xFF), count: 40)
                }
                #expect(value == expected, "the value of \(number)")
            }
        }
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
                    try transaction.setCheckpoint(round, headHash: [UInt8](repeating: UInt8(round), count: 32))
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
