import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerIdentity
@testable import LedgerStore
import Testing

/// A contact book over a log that does not match its projection, and a projection that fails
/// after the log committed.
@Suite("The contact book on a damaged store", .serialized)
struct ContactBookDamageTests {
    @Test("a projection ahead of the log (a copied-back data.mdb) makes a write fail naming both, not spin", .timeLimit(.minutes(1)))
    func projectionAheadOfLog() throws {
        let fixture = try Fixture()
        try fixture.upsert(ContactInput(email: "first@example.com"))
        let last = try fixture.ledger.lastPosition()
        let hash = try #require(try fixture.ledger.chainHash(at: last))
        // What a log rolled back by a few events looks like to the projection that saw them.
        try fixture.book.store.write { try $0.setCheckpoint(last + 3, headHash: hash) }
        let error = try #require(throws: LedgerError.self) { try fixture.upsert(ContactInput(email: "second@example.com")) }
        #expect(error.code == .corrupt)
        #expect(error.message.contains("through position \(last + 3)"))
        #expect(error.message.contains("ends at position \(last)"))
        #expect(try fixture.ledger.lastPosition() == last)
        #expect(throws: LedgerError.self) { try fixture.book.resolve(key: "first@example.com") }
    }

    @Test("a failure to project events the log committed is kept as a warning, not thrown")
    func projectionFailureAfterCommit() throws {
        let fixture = try Fixture()
        #expect(fixture.book.projectionBehind == nil)
        fixture.book.projectCommitted { throw LMDBError(code: ENOSPC, operation: "mdb_txn_commit") }
        let behind = try #require(fixture.book.projectionBehind)
        #expect(behind.contains("No space left on device"))
    }
}
