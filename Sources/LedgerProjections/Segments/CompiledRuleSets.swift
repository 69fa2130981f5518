import Synchronization

/// The rule set compiled last, with the stored bytes it was compiled from (every rule record
/// and every field declaration, keys and values): `SegmentWork.loadRules` compiles again only
/// when those bytes differ. One entry per process: there is one contact projection.
enum CompiledRuleSets {
    private static let last = Mutex<(source: [UInt8], set: SegmentRuleSet)?>(nil)

    /// Appends a table entry to `source`, lengths first so no two tables read alike.
    static func append(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, to source: inout [UInt8]) {
        for part in [key, value] {
            withUnsafeBytes(of: UInt32(part.count).bigEndian) { source.append(contentsOf: $0) }
            source.append(contentsOf: part)
        }
    }

    /// The set compiled from `source`, if it was the last.
    static func cached(_ source: [UInt8]) -> SegmentRuleSet? {
        last.withLock { entry in entry.flatMap { $0.source == source ? $0.set : nil } }
    }

    /// Keeps `set`, compiled from `source`.
    static func keep(_ set: SegmentRuleSet, for source: [UInt8]) {
        last.withLock { $0 = (source, set) }
    }
}
