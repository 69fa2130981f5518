/// The endpoints an import has met, by the first 128 bits of their SHA-256 (`EndpointPrefix`):
/// a flat table probed in place.
///
/// A `Set<EndpointPrefix>` hashed each prefix again with SipHash and, at a million endpoints,
/// rehashed everything while doubling (the old and the new table alive at once, 50 MB); its
/// inserts and resizes were 5% of the importing thread's CPU. The prefix's bits are already
/// uniform, so a slot is read off its low word; `reserveCapacity` sizes the table once for
/// the whole file, from the first batch's bytes per row.
struct EndpointSet {
    /// Slots; an all-zero slot is empty (the one prefix of all zeros is kept aside).
    private var slots: [EndpointPrefix]
    private var mask: Int
    private(set) var count = 0
    private var holdsZero = false

    /// An empty set with room for `capacity` prefixes before it grows.
    init(capacity: Int = 0) {
        let size = Self.size(for: capacity)
        slots = Array(repeating: .zero, count: size)
        mask = size - 1
    }

    /// Makes room for `capacity` prefixes in all, so that the table does not grow before.
    mutating func reserveCapacity(_ capacity: Int) {
        guard Self.size(for: capacity) > slots.count else { return }
        rehash(to: Self.size(for: capacity))
    }

    /// Adds `prefix`; false when the set holds it already.
    mutating func insert(_ prefix: EndpointPrefix) -> Bool {
        if prefix == .zero {
            defer { holdsZero = true }
            if !holdsZero { count += 1 }
            return !holdsZero
        }
        if (count + 1) * 4 > slots.count * 3 { rehash(to: slots.count * 2) }
        let inserted = slots.withUnsafeMutableBufferPointer { Self.place(prefix, in: $0, mask: mask) }
        if inserted { count += 1 }
        return inserted
    }

    /// Whether the set holds `prefix`.
    func contains(_ prefix: EndpointPrefix) -> Bool {
        if prefix == .zero { return holdsZero }
        return slots.withUnsafeBufferPointer { slots in
            var index = Int(truncatingIfNeeded: prefix.low) & mask
            while slots[index] != .zero {
                if slots[index] == prefix { return true }
                index = (index + 1) & mask
            }
            return false
        }
    }

    /// Linear probing from the slot the low word names.
    private static func place(_ prefix: EndpointPrefix, in slots: UnsafeMutableBufferPointer<EndpointPrefix>, mask: Int) -> Bool {
        var index = Int(truncatingIfNeeded: prefix.low) & mask
        while slots[index] != .zero {
            if slots[index] == prefix { return false }
            index = (index + 1) & mask
        }
        slots[index] = prefix
        return true
    }

    private mutating func rehash(to size: Int) {
        var grown = [EndpointPrefix](repeating: .zero, count: size)
        let mask = size - 1
        grown.withUnsafeMutableBufferPointer { grown in
            for prefix in slots where prefix != .zero { _ = Self.place(prefix, in: grown, mask: mask) }
        }
        slots = grown
        self.mask = mask
    }

    /// A power of two at least 16 that keeps `capacity` prefixes under three quarters full.
    private static func size(for capacity: Int) -> Int {
        var size = 16
        while size * 3 < capacity * 4 { size *= 2 }
        return size
    }
}
