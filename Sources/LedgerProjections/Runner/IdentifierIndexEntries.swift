import Foundation
import LedgerDomain

/// Identifier index entries without a String or an allocation each: the identifiers' UTF-8
/// bytes end to end in one buffer, and per entry where its bytes lie and its stream, so
/// sorting moves plain integers (no reference counting).
///
/// Each entry also holds its identifier's first 16 bytes as two big-endian integers (zero
/// beyond the end), so most comparisons are two integer compares: a phone number in E.164 fits
/// whole, and e-mail addresses mostly differ early. Zero padding sorts as LMDB does, because a
/// shorter key that is a prefix of a longer one comes first either way.
struct IdentifierIndexEntries: Sendable {
    struct Entry: Sendable {
        var high: UInt64
        var low: UInt64
        var start: UInt32
        var count: UInt32
        var stream: UInt64
    }

    var bytes: [UInt8] = []
    var entries: [Entry] = []

    /// Makes room for `count` entries of identifiers of up to 32 bytes on average.
    mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
        bytes.reserveCapacity(count * 32)
    }

    mutating func append(_ identifier: String, _ stream: StreamID) {
        let start = bytes.count
        bytes.append(contentsOf: identifier.utf8)
        let count = bytes.count - start
        var high: UInt64 = 0
        var low: UInt64 = 0
        bytes.withUnsafeBytes { raw in
            withUnsafeMutableBytes(of: &high) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + min(count, 8))])) }
            if count > 8 {
                withUnsafeMutableBytes(of: &low) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[(start + 8)..<(start + min(count, 16))])) }
            }
        }
        entries.append(Entry(high: UInt64(bigEndian: high), low: UInt64(bigEndian: low), start: UInt32(start), count: UInt32(count), stream: stream.rawValue))
    }

    /// Rewrites the bytes in the entries' order, so that a walk of the sorted entries reads
    /// them front to back. Sorting moves the entries only: a rebuild's writer then read each
    /// identifier's bytes from a random place in a buffer of tens of megabytes, a cache miss
    /// per identifier on the single writing thread. A fold worker does this instead, beside
    /// the others.
    mutating func compact() {
        guard entries.count > 1 else { return }
        var ordered = [UInt8]()
        ordered.reserveCapacity(bytes.count)
        bytes.withUnsafeBufferPointer { buffer in
            for index in entries.indices {
                let start = Int(entries[index].start)
                entries[index].start = UInt32(ordered.count)
                ordered.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<(start + Int(entries[index].count))]))
            }
        }
        bytes = ordered
    }

    /// Sorts by the identifier's bytes (LMDB's key order), then stream.
    mutating func sort() {
        bytes.withUnsafeBufferPointer { buffer in
            entries.sort { Self.order(buffer, $0, buffer, $1) < 0 }
        }
    }

    /// Calls `body` with every entry of several sorted lists, in sorted order: the
    /// identifier's bytes (valid only during the call) and the stream.
    static func forEachMerged(_ lists: [IdentifierIndexEntries], _ body: (UnsafeRawBufferPointer, UInt64) throws -> Void) throws {
        try withBytes(of: lists[...], gathered: []) { buffers in
            var cursors = [Int](repeating: 0, count: lists.count)
            while true {
                var best = -1
                for list in lists.indices where cursors[list] < lists[list].entries.count {
                    if best < 0 || order(buffers[list], lists[list].entries[cursors[list]], buffers[best], lists[best].entries[cursors[best]]) < 0 {
                        best = list
                    }
                }
                guard best >= 0 else { return }
                let entry = lists[best].entries[cursors[best]]
                cursors[best] += 1
                try body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffers[best][Int(entry.start)..<Int(entry.start + entry.count)])), entry.stream)
            }
        }
    }

    /// How two identifiers order in LMDB's default key order (bytes, then the shorter first).
    static func compare(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
        let common = min(left.count, right.count)
        if common > 0, let a = left.baseAddress, let b = right.baseAddress {
            let result = memcmp(a, b, common)
            if result != 0 { return Int(result) }
        }
        return left.count - right.count
    }

    /// Whether two identifiers have the same bytes.
    static func same(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        guard left.count == right.count else { return false }
        guard let a = left.baseAddress, let b = right.baseAddress else { return true }
        return memcmp(a, b, left.count) == 0
    }

    /// Lends `body` every list's bytes at once.
    private static func withBytes(
        of lists: ArraySlice<IdentifierIndexEntries>,
        gathered: [UnsafeBufferPointer<UInt8>],
        _ body: ([UnsafeBufferPointer<UInt8>]) throws -> Void
    ) throws {
        guard let first = lists.first else { return try body(gathered) }
        try first.bytes.withUnsafeBufferPointer { buffer in
            try withBytes(of: lists.dropFirst(), gathered: gathered + [buffer], body)
        }
    }

    private static func order(_ leftBytes: UnsafeBufferPointer<UInt8>, _ left: Entry, _ rightBytes: UnsafeBufferPointer<UInt8>, _ right: Entry) -> Int {
        if left.high != right.high { return left.high < right.high ? -1 : 1 }
        if left.low != right.low { return left.low < right.low ? -1 : 1 }
        let common = Int(min(left.count, right.count))
        if common > 16, let a = leftBytes.baseAddress, let b = rightBytes.baseAddress {
            let result = memcmp(a + Int(left.start) + 16, b + Int(right.start) + 16, common - 16)
            if result != 0 { return Int(result) }
        }
        if left.count != right.count { return Int(left.count) - Int(right.count) }
        return left.stream < right.stream ? -1 : (left.stream == right.stream ? 0 : 1)
    }
}
