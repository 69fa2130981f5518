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
            let events: [DomainEvent] = [Events.created(), Events.added(.email, email), Events.added(.phone, phone), Events.set(.custom("tier"), .text("gold"))]
            _ = try ledger.append(.newStream(events.map { $0.newEvent(actor: Actor(.system, "tests"), source: .system(reason: "tests")) }))
        }
        _ = try ledger.append(.newStream([DomainEvent.fieldDefined(FieldDefined(name: "tier", type: .text)).newEvent(actor: Actor(.system, "tests"), source: .system(reason: "tests"))]))
        return ledger
    }

    @Test("a caught-up projection equals the fresh fold; tampering is reported by contact, without values")
    func check() throws {
        let ledger = try Self.ledgerWithContacts()
        defer {
            ledger.close()
            try? FileManager.default.removeItem(atPath: ledger.directory)
        }
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        let store = try runner.openStore()
        defer { store.close() }
        try runner.catchUp(store: store)
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
