import LedgerDomain
@testable import LedgerProjections
import Testing

@Suite("Identifier index entries")
struct IdentifierIndexEntriesTests {
    /// Identifiers around the 8- and 16-byte prefixes, sharing prefixes, with bytes above 0x7F.
    static let tricky = [
        "", "a", "a\u{0}", "ab", "+380501112233", "+38050111223", "+3805011122334", "+380501112233456",
        "+3805011122334567", "+38050111223345678", "olena@example.com", "olena@example.co", "olena@example.com.ua",
        "олена@приклад.укр", "ю", "z", "12345678", "123456789", "1234567", "1234567\u{0}9",
    ]

    @Test("entries sort and merge as LMDB orders keys: bytes, the shorter first, then stream; compacted or not", arguments: [false, true])
    func order(compacted: Bool) throws {
        var random = SystemRandomNumberGenerator()
        var lists = [IdentifierIndexEntries(), IdentifierIndexEntries()]
        var expected = [([UInt8], UInt64)]()
        for round in 0..<400 {
            let identifier = Self.tricky[Int.random(in: 0..<Self.tricky.count, using: &random)] + (round % 3 == 0 ? String(round) : "")
            let stream = UInt64.random(in: 1...50, using: &random)
            lists[round % 2].append(identifier, StreamID(stream))
            expected.append((Array(identifier.utf8), stream))
        }
        expected.sort { $0.0 != $1.0 ? $0.0.lexicographicallyPrecedes($1.0) : $0.1 < $1.1 }
        for index in lists.indices {
            lists[index].sort()
            if compacted {
                let size = lists[index].bytes.count
                lists[index].compact()
                // The same bytes, laid out in the entries' order.
                #expect(lists[index].bytes.count == size)
                var next = 0
                for entry in lists[index].entries {
                    #expect(Int(entry.start) == next)
                    next += Int(entry.count)
                }
            }
        }
        var merged = [([UInt8], UInt64)]()
        try IdentifierIndexEntries.forEachMerged(lists) { identifier, stream in merged.append((Array(identifier), stream)) }
        #expect(merged.map(\.0) == expected.map(\.0))
        #expect(merged.map(\.1) == expected.map(\.1))
    }
}
