import Foundation
import LedgerDomain
import LedgerStore
import Testing

@Suite("The stream index tail and its merges")
struct StreamTailTests {
    /// Appends random updates and checks every stream against a model after each batch.
    @Test("streams read the same before and after merges, across reopening", arguments: [1, 7, 50, 100_000])
    func modelCheck(threshold: Int) throws {
        let directory = TemporaryDirectory()
        var model = [StreamID: [UInt64]]()
        var generator = SystemRandomNumberGenerator()
        for session in 0..<3 {
            let ledger = try Ledger(directory: directory.path, options: .init(streamIndexMergeThreshold: threshold))
            for _ in 0..<15 {
                var requests = [AppendRequest]()
                var planned = [StreamID: Int]()
                for _ in 0..<Int.random(in: 1...12, using: &generator) {
                    let count = Int.random(in: 1...3, using: &generator)
                    if model.isEmpty || Bool.random(using: &generator) {
                        requests.append(.newStream((0..<count).map { _ in testEvent() }))
                    } else {
                        let stream = try #require(model.keys.randomElement(using: &generator))
                        let current = planned[stream] ?? model[stream]?.count ?? 0
                        planned[stream] = current + count
                        requests.append(AppendRequest(target: .existing(stream), expected: .exact(UInt64(current)), events: (0..<count).map { _ in testEvent() }))
                    }
                }
                for result in try ledger.append(requests) {
                    model[result.stream, default: []].append(contentsOf: result.positions)
                }
                for (stream, positions) in model {
                    #expect(try ledger.readStream(stream).map(\.position) == positions, "stream \(stream), session \(session)")
                    #expect(try ledger.version(of: stream) == UInt64(positions.count))
                }
            }
            #expect(try ledger.stats().streams == UInt64(model.count))
            let report = try ledger.verify()
            #expect(report.isValid, "\(report.faults)")
            ledger.close()
        }
    }

    @Test("readStream from a version skips the earlier events")
    func fromVersion() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path, options: .init(streamIndexMergeThreshold: 3))
        defer { ledger.close() }
        let stream = try ledger.append(.newStream([testEvent(), testEvent()])).stream
        for _ in 0..<4 { _ = try ledger.append(AppendRequest(target: .existing(stream), events: [testEvent()])) }
        #expect(try ledger.readStream(stream, fromVersion: 3).map(\.version) == [3, 4, 5, 6])
    }
}
