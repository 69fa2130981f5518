import Foundation
import LedgerDomain
import LedgerProjections
import Testing
@testable import LedgerStore

/// The log's chain hash kept beside each projection checkpoint, and checked against the log
/// when the projection catches up: a log lost, rolled back or replaced is an error naming both,
/// never a projection that serves what the log no longer has, or waits for it forever.
@Suite("Projection head")
struct ProjectionHeadTests {
    /// A ledger with some contacts and its projection caught up.
    static func caughtUp() throws -> (Ledger, ProjectionRunner<ContactProjection>, ProjectionStore, () -> Void) {
        let (ledger, removeLedger) = try ContactProjectionTests.temporaryLedger()
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection(), batchSize: 7)
        let store = try runner.openStore()
        try ContactProjectionTests.randomHistory(ledger, seed: 11, steps: 30)
        try runner.catchUp(store: store)
        return (ledger, runner, store, { store.close(); removeLedger() })
    }

    @Test("catch-up, rebuild and a writer's record keep the log's chain hash at the checkpoint")
    func hashKept() throws {
        let (ledger, runner, store, cleanup) = try Self.caughtUp()
        defer { cleanup() }
        let last = try ledger.lastPosition()
        #expect(try store.read { try $0.checkpoint() } == last)
        #expect(try store.read { try $0.headHash() } == ledger.chainHash(at: last))
        try runner.rebuild()
        let rebuilt = try runner.openStore()
        defer { rebuilt.close() }
        #expect(try rebuilt.read { try $0.headHash() } == ledger.chainHash(at: last))
    }

    @Test("a checkpoint past the end of the log is an error naming both positions")
    func checkpointAhead() throws {
        let (ledger, runner, store, cleanup) = try Self.caughtUp()
        defer { cleanup() }
        let last = try ledger.lastPosition()
        try store.write { try $0.setCheckpoint(last + 40, headHash: [UInt8](repeating: 7, count: 32)) }
        let error = try #require(throws: LedgerError.self) { try runner.catchUp(store: store) }
        #expect(error.code == .corrupt)
        #expect(error.message.contains("through position \(last + 40)"))
        #expect(error.message.contains("ends at position \(last)"))
        #expect(error.message.contains(store.directory))
        #expect(error.message.contains(ledger.directory + "/data.mdb"))
        let faults = try ledger.projectionHeadFaults()
        #expect(faults.map(\.kind) == ["projection"])
    }

    @Test("a head hash that is not the log's at the checkpoint is an error naming both hashes")
    func hashMismatch() throws {
        let (ledger, runner, store, cleanup) = try Self.caughtUp()
        defer { cleanup() }
        let last = try ledger.lastPosition()
        try store.write { try $0.setCheckpoint(last - 3, headHash: [UInt8](repeating: 0xAB, count: 32)) }
        let error = try #require(throws: LedgerError.self) { try runner.catchUp(store: store) }
        #expect(error.message.contains("chain hash at position \(last - 3) is abababababababab…"))
        let logHash = Hex.encode(try #require(try ledger.chainHash(at: last - 3)))
        #expect(error.message.contains(String(logHash.prefix(16))))
        #expect(try ledger.projectionHeadFaults().count == 1)
    }

    @Test("a projection written before head hashes were kept opens, is checked for its position, and keeps the hash from its next commit")
    func legacyWithoutHash() throws {
        let (ledger, runner, store, cleanup) = try Self.caughtUp()
        defer { cleanup() }
        let last = try ledger.lastPosition()
        try store.write { try $0.setCheckpointWithoutHeadHash(last - 5) }
        #expect(try store.read { try $0.headHash() } == nil)
        #expect(try ledger.projectionHeadFaults().isEmpty)
        try runner.catchUp(store: store)
        #expect(try store.read { try $0.checkpoint() } == last)
        #expect(try store.read { try $0.headHash() } == ledger.chainHash(at: last))
        // Without a hash, a position past the log is still caught.
        try store.write { try $0.setCheckpointWithoutHeadHash(last + 1) }
        #expect(throws: LedgerError.self) { try runner.catchUp(store: store) }
    }
}
