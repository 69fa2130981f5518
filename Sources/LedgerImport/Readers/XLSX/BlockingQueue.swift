import Foundation

/// A bounded FIFO between one producer thread and one consumer thread: `push` waits while full,
/// `pop` waits while empty. It is what keeps memory flat while a ZIP entry and its XML are
/// streamed: the producers can only run a few chunks ahead of the reader.
///
/// `@unchecked Sendable` because its mutable state is guarded by `condition`: every access to
/// `items`, `isFinished` and `isClosed` happens between `condition.lock()` and `unlock()`.
final class BlockingQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var items: [Element] = []
    private var isFinished = false
    private var isClosed = false

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Waits for room and appends `element`; false when the consumer has closed the queue, which
    /// tells the producer to stop.
    func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !isClosed {
            condition.wait()
        }
        guard !isClosed else { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// Marks the end of the stream: `pop` returns nil once the queue is drained.
    func finish() {
        condition.lock()
        isFinished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for and removes the oldest element; nil when the producer finished and all is consumed,
    /// or when the queue was closed.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !isFinished && !isClosed {
            condition.wait()
        }
        guard !items.isEmpty, !isClosed else { return nil }
        // removeFirst is O(count), and count never exceeds the small capacity. (Advancing a head
        // index instead would keep consumed elements alive while the queue never runs empty.)
        let element = items.removeFirst()
        condition.broadcast()
        return element
    }

    /// Whether nothing waits to be popped now (the producer is behind); it may change at once.
    var isEmpty: Bool {
        condition.lock()
        defer { condition.unlock() }
        return items.isEmpty
    }

    /// Called by the consumer when it stops reading early: wakes the producer, whose `push` then
    /// returns false.
    func close() {
        condition.lock()
        isClosed = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
