import Foundation
import LedgerDomain
import LedgerStore
import Testing

@Suite("Verifying the hash chain and indexes")
struct LedgerVerifyTests {
    @Test("an intact ledger verifies, with the head hash of its last event")
    func intact() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path, options: .init(streamIndexMergeThreshold: 50))
        defer { ledger.close() }
        #expect(try ledger.verify().isValid)
        _ = try ledger.append((0..<30).map { _ in .newStream([testEvent(), testEvent()]) })
        // The next commit merges the 60 pending stream entries into the table.
        _ = try ledger.append(AppendRequest(target: .existing(StreamID(1)), events: [testEvent()]))
        let report = try ledger.verify()
        #expect(report.isValid)
        #expect(report.events == 61)
        #expect(report.lastPosition == 61)
        #expect(report.streamIndexEntries == 60)
        #expect(report.eventIDIndexEntries == 61)
        let last = try #require(try ledger.event(at: 61))
        #expect(report.headHash == Hex.encode(last.chainHash))
    }

    @Test("one corrupted byte of a stored event is reported at that event's position")
    func corruptedByte() throws {
        let directory = TemporaryDirectory()
        let original = directory.sub("original")
        do {
            let ledger = try Ledger(directory: original)
            for index in 1...40 {
                let marker = index == 23 ? "MARKER-TO-CORRUPT" : "ordinary payload \(index)"
                _ = try ledger.append(.newStream([testEvent(data: marker)]))
            }
            ledger.close()
        }
        // A compacted copy holds each live page once, so the marker occurs exactly once.
        let copy = directory.sub("copy")
        do {
            let ledger = try Ledger(directory: original)
            try ledger.backup(to: copy)
            ledger.close()
        }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy + "/data.mdb")))
        let marker = Array("MARKER-TO-CORRUPT".utf8)
        let offsets = bytes.indices.filter { bytes[$0...].starts(with: marker) }
        // Once in the payload and once in the personal payload of the same event.
        #expect(offsets.count == 2)
        let offset = try #require(offsets.first)
        bytes[offset + 3] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: copy + "/data.mdb"))

        let ledger = try Ledger(directory: copy)
        defer { ledger.close() }
        let report = try ledger.verify()
        #expect(!report.isValid)
        #expect(report.firstBadPosition == 23)
        #expect(report.faults.first?.kind == "hash")
        #expect(report.faults.count == 1)
        // The original is untouched.
        let intact = try Ledger(directory: original)
        defer { intact.close() }
        #expect(try intact.verify().isValid)
    }
}
