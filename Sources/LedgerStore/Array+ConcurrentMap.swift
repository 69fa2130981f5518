import Dispatch
import Synchronization

extension Array {
    /// `map` on every core for a large array: chunks of `chunkSize` elements are transformed
    /// concurrently, each writing only its own slots of the result; a small array is mapped
    /// in place. The first error thrown (by any chunk) is rethrown; the rest of that chunk is
    /// skipped.
    ///
    /// For CPU-bound work per element that is worth a thread hop (sealing or unsealing through
    /// swift-crypto costs about a microsecond an element).
    public func concurrentMap<Transformed>(chunkSize: Int, _ transform: (Element) throws -> Transformed) throws -> [Transformed] {
        guard count > chunkSize, chunkSize > 0 else { return try map(transform) }
        let chunks = (count + chunkSize - 1) / chunkSize
        let failure = Mutex<(any Error)?>(nil)
        var output = [Transformed?](repeating: nil, count: count)
        try withoutActuallyEscaping(transform) { transform in
            output.withUnsafeMutableBufferPointer { buffer in
                // Each chunk writes only its own slots of `buffer`.
                nonisolated(unsafe) let slots = buffer
                nonisolated(unsafe) let transform = transform
                nonisolated(unsafe) let elements = self
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    for index in (chunk * chunkSize)..<Swift.min((chunk + 1) * chunkSize, elements.count) {
                        do {
                            slots[index] = try transform(elements[index])
                        } catch {
                            failure.withLock { $0 = $0 ?? error }
                            return
                        }
                    }
                }
            }
            if let error = failure.withLock({ $0 }) { throw error }
        }
        // Moved out of their slots, not copied: a copy retained every reference an element
        // holds, and freeing the slots released them all again (about 5% of a token import's CPU
        // samples were that copy).
        return try output.withUnsafeMutableBufferPointer { slots in
            var mapped = [Transformed]()
            mapped.reserveCapacity(slots.count)
            for index in slots.indices {
                guard let element = slots[index].take() else {
                    throw LedgerError(.invalidRequest, "a concurrent map lost element \(index) of \(slots.count)")
                }
                mapped.append(element)
            }
            return mapped
        }
    }
}
