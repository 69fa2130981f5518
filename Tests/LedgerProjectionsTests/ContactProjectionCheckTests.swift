import Foundation
import LedgerDomain
import LedgerProjections
import LedgerStore
import Testing

@Suite("Contact projection check", .serialized)
struct ContactProjectionCheckTests {
    static func ledgerWithContacts() throws -> Ledger {
        let ledger = try Ledger(directory: NSTemporaryDirectory() + "projection-check-\(UUID().uuidString)")
        for (email, phone) in [("a@example.com", "+380501112233"), ("b@example.com", "+380501112244")] {
            let events: [ContactEvent] = [Events.created(), Events.added(.email, email), Events.added(.phone, phone), Events.set(.custom("tier"), .text("gold"))]
            _ = try ledger.append(.newStream(events.map { $0.newEvent(actor: Actor(.system, "tests"), source: .system(reason: "tests")) }))
        }
        _ = try ledger.append(.newStream([ContactEvent.fieldDefined(FieldDefined(name: "tier", type: .text)).newEvent(actor: Actor(.system, "tests"), source: .system(reason: "tests"))]))
        return ledger
    }

    /// Runs `body` with the ledger of `ledgerWithContacts` and its projection, caught up;
    /// removes both after.
    static func withCaughtUpStore(_ body: (Ledger, ProjectionStore) throws -> Void) throws {
        let ledger = try ledgerWithContacts()
        defer {
            ledger.close()
            try? FileManager.default.removeItem(atPath: ledger.directory)
        }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        let store = try runner.openStore()
        defer { store.close() }
        try runner.catchUp(store: store)
        try body(ledger, store)
    }

    @Test("a caught-up projection equals the fresh fold; tampering is reported by contact, without values")
    func check() throws {
        try Self.withCaughtUpStore { ledger, store in
            let good = try ContactProjectionCheck.run(ledger: ledger, store: store)
            #expect(good.isValid, "\(good.differences)")
            #expect(good.checkpoint == 9 && good.contacts == 2 && good.indexEntries == 4)

            let emails = try store.table("by-email")
            let contacts = try store.table("contacts")
            let key1 = withUnsafeBytes(of: UInt64(1).bigEndian) { Array($0) }
            try store.write { transaction in
                try transaction.delete(emails, Array("a@example.com".utf8))
                try transaction.delete(contacts, key1)
            }
            let bad = try ContactProjectionCheck.run(ledger: ledger, store: store)
            #expect(bad.differences.map(\.contact) == [1, 1])
            #expect(bad.differences.map(\.table) == ["contacts", "by-email"])
            #expect(bad.differences[0].message == "contact 1: missing from the projection")
            #expect(bad.differences.allSatisfy { !$0.message.contains("@") })
        }
    }

    @Test("every kind of difference is named: a swapped or extra state, a foreign or extra index entry, a field's type")
    func differences() throws {
        try Self.withCaughtUpStore { ledger, store in
            let emails = try store.table("by-email")
            let contacts = try store.table("contacts")
            let fields = try store.table("fields")
            func key(_ stream: UInt64) -> [UInt8] { withUnsafeBytes(of: stream.bigEndian) { Array($0) } }
            try store.write { transaction in
                let second = try transaction.get(contacts, key(2)) ?? []
                try transaction.put(contacts, key(1), second)
                try transaction.put(contacts, key(99), second)
                try transaction.put(emails, Array("b@example.com".utf8), key(1))
                try transaction.put(emails, Array("zz@example.com".utf8), key(2))
                try transaction.put(fields, Array("tier".utf8), Array("number".utf8))
            }
            let report = try ContactProjectionCheck.run(ledger: ledger, store: store)
            let messages = report.differences.map(\.message)
            #expect(messages.contains("contact 1: the stored state is contact 2's"))
            #expect(messages.contains("contact 99: in the projection, but the log holds no contact events for it"))
            #expect(messages.contains("contact 1: indexed under a email the log does not give it"))
            #expect(messages.contains("contact 2: one or more of its email identifiers are not indexed; indexed under a email the log does not give it"))
            #expect(messages.contains("field tier is declared as number, the log says text"))
            #expect(report.differences.count == 5, "\(messages)")
            #expect(messages.allSatisfy { !$0.contains("@") })
        }
    }

    @Test("a check across many runs of streams finds one contact missing in the middle")
    func manyRuns() throws {
        let ledger = try Ledger(directory: NSTemporaryDirectory() + "projection-check-\(UUID().uuidString)")
        defer {
            ledger.close()
            try? FileManager.default.removeItem(atPath: ledger.directory)
        }
        for batch in 0..<5 {
            let requests = (0..<4_000).map { index in
                let events: [ContactEvent] = [Events.created(), Events.added(.email, "user\(batch * 4_000 + index)@example.com")]
                return AppendRequest.newStream(events.map { $0.newEvent(actor: Actor(.system, "tests"), source: .system(reason: "tests")) })
            }
            _ = try ledger.append(requests)
        }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        try runner.rebuild()
        let store = try runner.openStore()
        defer { store.close() }
        let good = try ContactProjectionCheck.run(ledger: ledger, store: store)
        #expect(good.isValid, "\(good.differences.prefix(3))")
        #expect(good.contacts == 20_000 && good.indexEntries == 20_000)
        let contacts = try store.table("contacts")
        try store.write { transaction in
            try transaction.delete(contacts, withUnsafeBytes(of: UInt64(12_345).bigEndian) { Array($0) })
        }
        let bad = try ContactProjectionCheck.run(ledger: ledger, store: store)
        #expect(bad.differences.map(\.message) == ["contact 12345: missing from the projection"])
    }
}
