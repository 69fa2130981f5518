import Dispatch
import Foundation
@testable import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Synchronization
import Testing

@Suite("The contact service")
struct ContactServiceTests {
    static func item(_ email: String, name: String? = nil) -> UpsertItem {
        UpsertItem(
            input: ContactInput(email: email, fields: name.map { [(.standard(.firstName), .text($0))] } ?? []),
            source: .api(key: "crm", requestID: UUID().uuidString)
        )
    }

    /// Occupies the service's writer thread until `release` is signalled; returns once it is
    /// occupied, so every write started after waits behind it. Never blocks a thread of the
    /// cooperative pool (the tests run side by side on two of them).
    static func hold(_ service: ContactService, until release: DispatchSemaphore) async throws {
        let holding = Atomic<Bool>(false)
        Task { try await service.write { _ in holding.store(true, ordering: .releasing); release.wait() } }
        try await waitFor { holding.load(ordering: .acquiring) }
    }

    static func waitFor(_ condition: () -> Bool) async throws {
        for _ in 0..<5_000 where !condition() {
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(condition())
    }

    @Test("requests queued while a commit is under way share the next one, each with its own outcome")
    func sharedCommit() async throws {
        let fixture = try Fixture()
        let service = ContactService(book: fixture.book)
        let release = DispatchSemaphore(value: 0)
        let actor = fixture.actor
        try await Self.hold(service, until: release)
        let outcomes = try await withThrowingTaskGroup(of: (Int, UpsertOutcome).self) { group in
            for n in 0..<50 {
                group.addTask { (n, try await service.upsert(Self.item("person\(n)@example.com"), match: .email, channel: .api, actor: actor)) }
            }
            try await Self.waitFor { service.waitingUpserts == 50 }
            release.signal()
            var outcomes = [Int: UpsertOutcome]()
            for try await (n, outcome) in group { outcomes[n] = outcome }
            return outcomes
        }
        #expect(service.singleUpsertCommits == 1)
        #expect(Set(outcomes.values.map(\.contact)).count == 50)
        for n in 0..<50 {
            guard case .created(let id, _) = outcomes[n] else {
                Issue.record("request \(n) did not create a contact: \(String(describing: outcomes[n]))")
                continue
            }
            #expect(try await service.contact(id)?.email == "person\(n)@example.com")
        }
    }

    @Test("in a shared commit a refused request fails alone, and later requests see earlier ones")
    func refusalsAndOrder() async throws {
        let fixture = try Fixture()
        let service = ContactService(book: fixture.book)
        let release = DispatchSemaphore(value: 0)
        let actor = fixture.actor
        _ = try await service.upsert(Self.item("same@example.com"), match: .email, channel: .api, actor: actor)
        // Queued for one commit: a bad address, then the same person again with a name.
        try await Self.hold(service, until: release)
        let second = Task { try await service.upsert(Self.item("not an address"), match: .email, channel: .api, actor: actor) }
        try await Self.waitFor { service.waitingUpserts == 1 }
        let third = Task { try await service.upsert(Self.item("same@example.com", name: "Olena"), match: .email, channel: .api, actor: actor) }
        try await Self.waitFor { service.waitingUpserts == 2 }
        release.signal()
        await #expect(throws: ContactError.self) { try await second.value }
        let updated = try await third.value
        guard case .updated(let id, _) = updated else {
            Issue.record("expected an update, got \(updated)")
            return
        }
        #expect(try await service.contact(id)?.value(of: .standard(.firstName)) == .text("Olena"))
    }

    @Test("requests with different terms are committed apart, in arrival order")
    func differentTerms() async throws {
        let fixture = try Fixture()
        let service = ContactService(book: fixture.book)
        let release = DispatchSemaphore(value: 0)
        try await Self.hold(service, until: release)
        let created = Task { try await service.upsert(Self.item("a@example.com"), match: .email, channel: .api, actor: Actor(.apiKey, "crm")) }
        try await Self.waitFor { service.waitingUpserts == 1 }
        // Not allowed to create: finds the contact the request before it creates.
        let found = Task {
            try await service.upsert(Self.item("a@example.com", name: "Ann"), match: .email, options: UpsertOptions(create: false), channel: .api, actor: Actor(.apiKey, "shop"))
        }
        try await Self.waitFor { service.waitingUpserts == 2 }
        release.signal()
        let id = try await created.value.contact
        #expect(try await found.value == .updated(id, events: 1))
        #expect(service.singleUpsertCommits == 2)
    }

    @Test("a bulk writer holding the writer exclusively: a single upsert queued meanwhile commits after it, and sees its contacts")
    func exclusiveBulkWriter() async throws {
        let fixture = try Fixture()
        let service = ContactService(book: fixture.book)
        let actor = fixture.actor
        // 1: the bulk writer holds the writer; 2: it has returned.
        let stage = Atomic<Int>(0)
        let release = DispatchSemaphore(value: 0)
        // The bulk writer (as `ledger import` does) on a thread of its own, not the pool's.
        let bulk = Thread {
            let recorded = (try? service.exclusively { book -> Int in
                stage.store(1, ordering: .releasing)
                release.wait()
                return try book.upsert([Self.item("bulk@example.com", name: "Bulk")], match: .email, channel: .import, actor: actor).count
            }) ?? 0
            #expect(recorded == 1)
            stage.store(2, ordering: .releasing)
        }
        bulk.start()
        try await Self.waitFor { stage.load(ordering: .acquiring) == 1 }
        let single = Task { try await service.upsert(Self.item("bulk@example.com", name: "Api"), match: .email, channel: .api, actor: actor) }
        try await Self.waitFor { service.waitingUpserts == 1 }
        // Held: the single upsert waits however long the span lasts.
        try await Task.sleep(for: .milliseconds(50))
        #expect(service.singleUpsertCommits == 0)
        release.signal()
        // It is decided after the bulk writer's commit: it finds the contact and updates it.
        guard case .updated(let id, events: 1) = try await single.value else {
            Issue.record("the single upsert did not update the bulk writer's contact")
            return
        }
        #expect(try await service.contact(id)?.standardFields[.firstName] == .text("Api"))
        try await Self.waitFor { stage.load(ordering: .acquiring) == 2 }
    }

    @Test("a batch is one commit: all of it is recorded, with a slot per request")
    func batch() async throws {
        let fixture = try Fixture()
        let service = ContactService(book: fixture.book)
        let results = try await service.upsert(
            [Self.item("one@example.com"), Self.item("broken@"), Self.item("two@example.com")],
            match: .email, channel: .api, actor: fixture.actor
        )
        #expect(results.count == 3)
        #expect((try? results[0].get()) != nil)
        #expect((try? results[1].get()) == nil)
        #expect((try? results[2].get()) != nil)
        #expect(try await service.resolve(.email("two@example.com")) != nil)
    }
}
