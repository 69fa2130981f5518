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

    /// Keeps the folded memory alive until released on another thread.
    final class Box: Sendable {
        let folded: FoldedLog
        let prepared: Prepared
        init(folded: FoldedLog, prepared: Prepared) {
            self.folded = folded
            self.prepared = prepared
        }
    }

    /// The states and index entries of each part, sorted on the part's own core, ready for a
    /// single writer to merge in key order.
    struct Prepared: Sendable {
        struct SortedPart: Sendable {
            var streams: [StreamID] = []
            /// Per identifier kind, (identifier, stream) sorted by the identifier's UTF-8 bytes, then stream.
            var index: [IdentifierKind: [(String, StreamID)]] = [:]
        }

        let parts: [[StreamID: ContactState]]
        let sorted: [SortedPart]

        /// Every state, by ascending stream.
        func statesInStreamOrder() -> some Sequence<(StreamID, ContactState)> {
            var cursors = Array(repeating: 0, count: sorted.count)
            return AnySequence {
                AnyIterator { () -> (StreamID, ContactState)? in
                    var best: Int?
                    for part in sorted.indices where cursors[part] < sorted[part].streams.count {
                        if best.map({ sorted[part].streams[cursors[part]] < sorted[$0].streams[cursors[$0]] }) ?? true { best = part }
                    }
                    guard let part = best else { return nil }
                    let stream = sorted[part].streams[cursors[part]]
                    cursors[part] += 1
                    guard let state = parts[part][stream] else { return nil }
                    return (stream, state)
                }
            }
        }

        /// The identifier index entries of `kind`, by identifier bytes, then stream.
        func indexEntries(_ kind: IdentifierKind) -> some Sequence<(String, StreamID)> {
            let lists = sorted.map { $0.index[kind] ?? [] }
            var cursors = Array(repeating: 0, count: lists.count)
            return AnySequence {
                AnyIterator { () -> (String, StreamID)? in
                    var best: Int?
                    for list in lists.indices where cursors[list] < lists[list].count {
                        if best.map({ FoldedLog.precedes(lists[list][cursors[list]], lists[$0][cursors[$0]]) }) ?? true { best = list }
                    }
                    guard let list = best else { return nil }
                    defer { cursors[list] += 1 }
                    return lists[list][cursors[list]]
                }
            }
        }
    }

    /// Sorts each part and gathers its index entries, the parts in parallel.
    func preparedForWriting() -> Prepared {
        let results = Mutex<[Int: Prepared.SortedPart]>([:])
        DispatchQueue.concurrentPerform(iterations: parts.count) { index in
            let states = parts[index]
            var part = Prepared.SortedPart()
            part.streams = states.keys.sorted()
            for (stream, state) in states where !state.erased && state.mergedInto == nil {
                for kind in IdentifierKind.allCases {
                    for identifier in state.identifiers(kind) {
                        part.index[kind, default: []].append((identifier, stream))
                    }
                }
            }
            for kind in IdentifierKind.allCases {
                part.index[kind]?.sort(by: FoldedLog.precedes)
            }
            results.withLock { $0[index] = part }
        }
        return Prepared(parts: parts, sorted: (0..<parts.count).map { index in results.withLock { $0[index] } ?? Prepared.SortedPart() })
    }

    /// Index order: the identifier's UTF-8 bytes (LMDB's key order, not Unicode's), then stream.
    static func precedes(_ lhs: (String, StreamID), _ rhs: (String, StreamID)) -> Bool {
        let order = compareUTF8(lhs.0, rhs.0)
        return order == 0 ? lhs.1 < rhs.1 : order < 0
    }

    /// memcmp order of two strings' UTF-8 bytes: negative, zero or positive.
    static func compareUTF8(_ lhs: String, _ rhs: String) -> Int {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                let common = min(left.count, right.count)
                if common > 0, let a = left.baseAddress, let b = right.baseAddress {
                    let result = memcmp(a, b, common)
                    if result != 0 { return Int(result) }
                }
                return left.count - right.count
            }
        }
    }
}
