import Foundation
import LedgerDomain
@testable import LedgerStore
import Testing

@Suite("Identity claims in the write transaction")
struct IdentityClaimTests {
    static func claiming(_ claims: [IdentityClaim], releasing releases: [IdentityClaim] = [], decidedAt: UInt64, to target: AppendRequest.Target = .new) -> AppendRequest {
        AppendRequest(
            target: target, expected: target == .new ? .noStream : .any, events: [testEvent()],
            identity: IdentityChanges(claims: claims, releases: releases, decidedAt: decidedAt)
        )
    }

    @Test("a value claimed after a writer decided refuses its claim as a conflict, and nothing of it is written")
    func conflict() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let email = ledger.identityClaim(kind: 1, value: "ann@example.com")
        // Two writers decided at position 0 that nobody holds the value.
        let first = try ledger.append(Self.claiming([email], decidedAt: 0))
        #expect(throws: LedgerError.self) { try ledger.append(Self.claiming([email], decidedAt: 0)) }
        #expect(try ledger.lastPosition() == 1)
        // The same stream claiming its own value again is no conflict.
        _ = try ledger.append(Self.claiming([email], decidedAt: 0, to: .existing(first.stream)))
        // Deciding after the claims (seeing the holder) and claiming anyway is the writer's
        // decision: the ledger checks only what happened after it decided.
        let later = try ledger.append(Self.claiming([email], decidedAt: 2))
        #expect(later.stream != first.stream)
        // And now the first holder is the one who lost it since position 2.
        #expect(throws: LedgerError.self) { try ledger.append(Self.claiming([email], decidedAt: 2, to: .existing(first.stream))) }
    }

    @Test("a value given back can be claimed by another stream; values of other kinds or other stores do not collide")
    func releaseAndKinds() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let email = ledger.identityClaim(kind: 1, value: "ann@example.com")
        let external = ledger.identityClaim(kind: 3, value: "ann@example.com")
        #expect(email != external)
        let holder = try ledger.append(Self.claiming([email], decidedAt: 0))
        // Another kind with the same text: no conflict.
        _ = try ledger.append(Self.claiming([external], decidedAt: 0))
        // Given back (a changed e-mail), then claimed by a new stream decided before both.
        _ = try ledger.append(Self.claiming([], releasing: [email], decidedAt: 1, to: .existing(holder.stream)))
        _ = try ledger.append(Self.claiming([email], decidedAt: 0))

        let otherDirectory = TemporaryDirectory()
        let other = try Ledger(directory: otherDirectory.path)
        defer { other.close() }
        #expect(other.identityClaim(kind: 1, value: "ann@example.com") != email, "digests are keyed per store")
    }

    @Test("a retried append that is already recorded is a duplicate, not a conflict")
    func retry() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let email = ledger.identityClaim(kind: 1, value: "ann@example.com")
        let request = Self.claiming([email], decidedAt: 0)
        let first = try ledger.append(request)
        let again = try ledger.append(request)
        #expect(again.wasDuplicate)
        #expect(again.stream == first.stream)
    }

    @Test("in a shared transaction a refused request's claims are undone, so the next one may take the value")
    func undoInGroup() throws {
        let directory = TemporaryDirectory()
        let ledger = try Ledger(directory: directory.path)
        defer { ledger.close() }
        let email = ledger.identityClaim(kind: 1, value: "ann@example.com")
        let phone = ledger.identityClaim(kind: 2, value: "+380671234567")
        _ = try ledger.append(Self.claiming([phone], decidedAt: 0))
        // Submitted together: the first job claims the e-mail and then fails on the phone; the
        // second takes the e-mail. Whether they share a transaction or not, the outcome is one.
        let failing = try ledger.submit([Self.claiming([email], decidedAt: 0), Self.claiming([phone], decidedAt: 0)])
        let succeeding = try ledger.submit([Self.claiming([email], decidedAt: 0)])
        #expect(throws: LedgerError.self) { try failing.wait() }
        let taken = try succeeding.wait()
        #expect(taken.count == 1)
        #expect(try ledger.lastPosition() == 2)
        #expect(try ledger.verify().isValid)
    }

    @Test("the secret is made once per store, kept private, and used again when the store is opened again")
    func secret() throws {
        let directory = TemporaryDirectory()
        let first = try Ledger(directory: directory.path)
        let digest = first.identityClaim(kind: 1, value: "ann@example.com")
        first.close()
        let again = try Ledger(directory: directory.path)
        defer { again.close() }
        #expect(again.identityClaim(kind: 1, value: "ann@example.com") == digest)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.path + "/keys/identity")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.size] as? Int) == 32)
    }
}
