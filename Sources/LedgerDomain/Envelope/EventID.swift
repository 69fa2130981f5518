#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The identity of one event: 16 bytes shown as a UUID, unique across the whole ledger.
///
/// Ids are ordered so that LMDB's id index stays append-friendly: new ids are UUIDv7
/// (millisecond time first, then a per-process counter), and ids derived from a source
/// (a file and its rows) share a namespace prefix followed by a sequence number. A random
/// UUIDv4 is accepted too, but each one costs a page copy in the index (see docs/decisions).
public struct EventID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first eight bytes, big-endian: they sort first.
    public let high: UInt64
    /// The last eight bytes, big-endian.
    public let low: UInt64

    /// Makes an id from its two big-endian halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static func < (lhs: EventID, rhs: EventID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// A new time-ordered id (UUIDv7, monotonic within this process).
    public static func timeOrdered() -> EventID {
        TimeOrderedGenerator.shared.next()
    }

    /// A deterministic id for change `sequence` of the source named by `namespace`.
    ///
    /// The same source and sequence always give the same id, so re-running the same import
    /// appends nothing twice; ids of one source are consecutive, so the index stays local.
    /// The layout is a UUIDv8: 60 bits of the namespace, then 62 bits of sequence.
    public static func derived(namespace: UInt64, sequence: UInt64) -> EventID {
        let high = (namespace & 0xFFFF_FFFF_FFFF_0000) | 0x8000 | ((namespace >> 4) & 0x0FFF)
        let low = 0x8000_0000_0000_0000 | (sequence & 0x3FFF_FFFF_FFFF_FFFF)
        return EventID(high: high, low: low)
    }

    /// The canonical lowercase UUID text, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    public var uuidString: String {
        var out = [UInt8]()
        out.reserveCapacity(36)
        let digits = Array("0123456789abcdef".utf8)
        for index in 0..<16 {
            if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
            let byte = self.byte(at: index)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { uuidString }

    /// Parses UUID text (with or without dashes, any case); nil when it is not one.
    public init?(uuidString text: String) {
        var nibbles = [UInt8]()
        nibbles.reserveCapacity(32)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibbles.append(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibbles.append(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibbles.append(byte - UInt8(ascii: "A") + 10)
            case UInt8(ascii: "-"): continue
            default: return nil
            }
        }
        guard nibbles.count == 32 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<16 { high = high << 4 | UInt64(nibbles[index]) }
        for index in 16..<32 { low = low << 4 | UInt64(nibbles[index]) }
        self.init(high: high, low: low)
    }

    /// Byte `index` (0..<16) of the big-endian form.
    public func byte(at index: Int) -> UInt8 {
        index < 8 ? UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index))
            : UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * (index - 8)))
    }
}

/// Hands out UUIDv7 ids that never go backwards within one process, even when the clock does.
final class TimeOrderedGenerator: Sendable {
    static let shared = TimeOrderedGenerator()

    private struct State {
        var milliseconds: UInt64 = 0
        /// The 74 bits after the time and version, used as a counter within one millisecond.
        var counterHigh: UInt64 = 0
        var counterLow: UInt64 = 0
    }

    private let state = Mutex(State())

    func next() -> EventID {
        let now = Self.nowMilliseconds()
        return state.withLock { state in
            if now > state.milliseconds {
                state.milliseconds = now
                // Start each millisecond at a random point in the lower half of the counter
                // space, so ids are unguessable yet cannot overflow within the millisecond.
                state.counterHigh = UInt64.random(in: 0..<0x800)
                state.counterLow = UInt64.random(in: 0..<(1 << 62))
            } else {
                state.counterLow += 1
                if state.counterLow == 1 << 62 {
                    state.counterLow = 0
                    state.counterHigh += 1
                    if state.counterHigh == 0x1000 {
                        // 2^74 ids in one millisecond cannot happen; borrow the next millisecond.
                        state.milliseconds += 1
                        state.counterHigh = 0
                    }
                }
            }
            let high = (state.milliseconds << 16) | 0x7000 | state.counterHigh
            let low = 0x8000_0000_0000_0000 | state.counterLow
            return EventID(high: high, low: low)
        }
    }

    private static func nowMilliseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
    }
}
