import Dispatch
import Foundation
import LedgerDomain
import LedgerStore
import Synchronization

/// A log folded in memory by `ContactProjection.foldLog`: contact states split by stream over
/// the workers that folded them, and the field definitions in log order.
public struct FoldedLog: Sendable {
    /// One worker per core, at most four.
    public static var defaultWorkers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4)) }

    /// What one worker folded.
    struct Part: Sendable {
        var states = [StreamID: ContactState]()
        var definitions = [(UInt64, FieldDefined, StreamID)]()
    }

    /// Each worker's states; a stream is in exactly one part.
    public internal(set) var parts: [[StreamID: ContactState]]
    /// Field definitions and the stream that made them, in log order.
    public internal(set) var definitions: [(FieldDefined, StreamID)]
    /// The last position folded (0 for an empty log).
    public let last: UInt64

    /// Every state in one dictionary (for checks; the rebuild works on the parts).
    public var states: [StreamID: ContactState] {
        var all = [StreamID: ContactState](minimumCapacity: parts.reduce(0) { $0 + $1.count })
        for part in parts { all.merge(part) { first, _ in first } }
        return all
    }

    /// Identifier index entries without a String or an allocation each: the identifiers' UTF-8
    /// bytes end to end in one buffer, and per entry where its bytes lie and its stream, so
    /// sorting moves plain integers (no reference counting).
    struct IndexEntries: Sendable {
        struct Entry: Sendable {
            var start: UInt32
            var count: UInt32
            var stream: UInt64
        }

        var bytes: [UInt8] = []
        var entries: [Entry] = []

        mutating func append(_ identifier: String, _ stream: StreamID) {
            let start = bytes.count
            bytes.append(contentsOf: identifier.utf8)
            entries.append(Entry(start: UInt32(start), count: UInt32(bytes.count - start), stream: stream.rawValue))
        }

        /// Sorts by the identifier's bytes (LMDB's key order), then stream.
        mutating func sort() {
            bytes.withUnsafeBufferPointer { buffer in
                entries.sort { Self.order(buffer, $0, buffer, $1) < 0 }
            }
        }

        /// The entries of several sorted lists in one sorted sequence: each identifier's bytes
        /// and the stream.
        static func merged(_ lists: [IndexEntries?]) -> some Sequence<(ArraySlice<UInt8>, StreamID)> {
            let lists = lists.map { $0 ?? IndexEntries() }
            var cursors = Array(repeating: 0, count: lists.count)
            return AnySequence {
                AnyIterator { () -> (ArraySlice<UInt8>, StreamID)? in
                    var best: Int?
                    for list in lists.indices where cursors[list] < lists[list].entries.count {
                        if let current = best {
                            if lists[list].precedes(cursors[list], lists[current], cursors[current]) { best = list }
                        } else {
                            best = list
                        }
                    }
                    guard let list = best else { return nil }
                    defer { cursors[list] += 1 }
                    let entry = lists[list].entries[cursors[list]]
                    return (lists[list].bytes[Int(entry.start)..<Int(entry.start + entry.count)], StreamID(entry.stream))
                }
            }
        }

        /// Whether entry `index` sorts before entry `otherIndex` of `other`.
        func precedes(_ index: Int, _ other: IndexEntries, _ otherIndex: Int) -> Bool {
            bytes.withUnsafeBufferPointer { left in
                other.bytes.withUnsafeBufferPointer { right in
                    Self.order(left, entries[index], right, other.entries[otherIndex]) < 0
                }
            }
        }

        private static func order(_ leftBytes: UnsafeBufferPointer<UInt8>, _ left: Entry, _ rightBytes: UnsafeBufferPointer<UInt8>, _ right: Entry) -> Int {
            let common = Int(min(left.count, right.count))
            if common > 0, let a = leftBytes.baseAddress, let b = rightBytes.baseAddress {
                let result = memcmp(a + Int(left.start), b + Int(right.start), common)
                if result != 0 { return Int(result) }
            }
            if left.count != right.count { return Int(left.count) - Int(right.count) }
            return left.stream < right.stream ? -1 : (left.stream == right.stream ? 0 : 1)
        }
    }
}
