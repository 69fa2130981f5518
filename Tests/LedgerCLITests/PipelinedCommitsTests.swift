import Dispatch
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Synchronization
import Testing

/// A `ledger-stress DIR MODE` child that stops at a point of its mode, says so on a line of
/// its output, and goes on when it reads a line.
final class StressChild: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    /// Starts the child; returns once it has printed a line containing `ready`. Blocks: call it
    /// off the cooperative pool.
    init(store: String, mode: String, ready: String) throws {
        process.executableURL = URL(fileURLWithPath: Executables.path("ledger-stress"))
        process.arguments = [store, mode]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        _ = try readLine(containing: ready)
    }

    /// Lets the child go on.
    func proceed() {
        input.fileHandleForWriting.write(Data("\n".utf8))
    }

    /// Waits for the child to exit.
    func waitUntilExit() {
        process.waitUntilExit()
    }

    /// Ends the child: SIGKILL, since a child of the test runner may be started with SIGTERM
    /// blocked.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The next whole line of output containing `word`.
    func readLine(containing word: String) throws -> String {
        var seen = Data()
        while true {
            let text = String(decoding: seen, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains(word) }), text.hasSuffix("\n") { return String(line) }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw CocoaError(.fileReadUnknown) }
            seen += chunk
        }
    }
}

/// Another process holding the store's write lock (`ledger-stress DIR --hold-write-lock`), as
/// an import's commit does, until `release`.
final class WriteLockHolder: Sendable {
    private let child: StressChild

    /// Starts the holder; returns once it holds the lock. Blocks: call it off the cooperative pool.
    init(store: String) throws {
        child = try StressChild(store: store, mode: "--hold-write-lock", ready: "holding")
    }

    /// Lets the holder commit its empty transaction and exit; waits for it.
    func release() {
        child.proceed()
        child.waitUntilExit()
    }

    /// `init` on a Dispatch thread, so that an async test does not block a pool thread.
    static func start(store: String) async throws -> WriteLockHolder {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try WriteLockHolder(store: store) }) }
        }
    }
}

/// A contact service on a store of its own, for the tests below; `close` closes it and
/// removes the store.
struct ServiceFixture {
    let store = ContactFixtures.newStorePath()
    let ledger: Ledger
    let book: ContactBook
    let service: ContactService

    init() throws {
        ledger = try Ledger(directory: store)
        book = try ContactBook(ledger: ledger)
        service = ContactService(book: book)
    }

    func close() {
        book.close()
        ledger.close()
        try? FileManager.default.removeItem(atPath: store)
    }
}

/// Commits while another process holds LMDB's write lock (decision 0020, addendum on pipelined
/// commits): appends that queue meanwhile share the transaction that gets the lock, and the
/// contact service decides the next commit while the last one waits, so a request waits for
/// one append rather than two.
@Suite("Commits beside another process's write lock", .serialized)
struct PipelinedCommitsTests {
    /// Runs `body` with a ledger on a new store, closed and removed after.
    static func withFreshLedger<Value>(_ body: (_ store: String, _ ledger: Ledger) throws -> Value) throws -> Value {
        let store = ContactFixtures.newStorePath()
        defer { try? FileManager.default.removeItem(atPath: store) }
        let ledger = try Ledger(directory: store)
        defer { ledger.close() }
        return try body(store, ledger)
    }

    static func request(_ n: Int) -> AppendRequest {
        .newStream([NewEvent(type: EventType("test.appended", version: 1), actor: Actor(.system, "test"), source: .system(reason: "test"), data: [UInt8(n)])])
    }

    static func item(_ email: String, name: String) -> UpsertItem {
        UpsertItem(input: ContactInput(email: email, fields: [(.standard(.firstName), .text(name))]), source: .api(key: "crm", requestID: UUID().uuidString))
    }

    /// Runs `body`, which blocks (processes, sleeps), on a Dispatch thread: blocking a thread of
    /// the cooperative pool (two here) would starve the live-server tests running beside.
    static func offPool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Waits (up to a minute, for a loaded machine) until `condition` holds.
    static func waitFor(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
        #expect(condition())
    }

    /// Transactions that wrote events to the store at `path`: each stamps its events with one time.
    static func transactions(_ path: String) throws -> Int {
        let ledger = try Ledger(directory: path)
        defer { ledger.close() }
        return Set(try ledger.read(from: 1, limit: 100_000).map(\.recordedAt)).count
    }

    @Test("an import beside a running server commits batches of 500 rows; alone 6,000, or what --batch-size says")
    func importBesideServer() async throws {
        try await Self.offPool { try Self.importBesideServerBlocking() }
    }

    static func importBesideServerBlocking() throws {
        let file = NSTemporaryDirectory() + "ledger-beside-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(("Email\n" + (0..<2_500).map { "row\($0)@example.com\n" }.joined()).utf8).write(to: URL(fileURLWithPath: file))
        func imported(besideServer: Bool, _ extra: [String] = []) throws -> Int {
            let store = ContactFixtures.newStorePath()
            defer { try? FileManager.default.removeItem(atPath: store) }
            // What `ledger serve` holds while it runs, held here by this process.
            let ledger = try Ledger(directory: store)
            let serving = try ledger.processLock(named: "serving")
            if besideServer { try serving.holdShared() }
            let run = try Executables.run("ledger", ["import", file, "--store", store, "--json"] + extra)
            serving.release()
            ledger.close()
            #expect(run.status == 0, "\(run.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            #expect(summary?["created"] as? Int == 2_500, "\(run.stdout)")
            return try transactions(store)
        }
        #expect(try imported(besideServer: false) == 1)
        #expect(try imported(besideServer: true) == 5)
        #expect(try imported(besideServer: true, ["--batch-size", "3000"]) == 1)
    }

    @Test("appends that queue while the writer waits for another process's lock join the transaction that gets it")
    func appendsJoinTheWaitingTransaction() async throws {
        try await Self.offPool { try Self.appendsJoinTheWaitingTransactionBlocking() }
    }

    static func appendsJoinTheWaitingTransactionBlocking() throws {
        try withFreshLedger { store, ledger in try appendsJoinTheWaitingTransaction(store: store, ledger: ledger) }
    }

    static func appendsJoinTheWaitingTransaction(store: String, ledger: Ledger) throws {
        _ = try ledger.append(request(0))
        let holder = try WriteLockHolder(store: store)
        let before = ledger.writerStatistics
        let first = try ledger.submit([request(1)])
        // The writer has taken the first append and waits for the lock; three more queue.
        Thread.sleep(forTimeInterval: 0.2)
        let later = try (2...4).map { try ledger.submit([request($0)]) }
        Thread.sleep(forTimeInterval: 0.1)
        #expect(!first.isDone)
        holder.release()
        let positions = try ([first] + later).flatMap { try $0.wait().flatMap(\.positions) }
        #expect(positions == Array(2...5))
        let after = ledger.writerStatistics
        // One transaction for the four, not the first and then the three queued behind it.
        #expect(after.commits - before.commits == 1)
        #expect(after.appends - before.appends == 4)
    }

    @Test("the service decides the next commit while the last waits for the lock; both are answered from one transaction, in order, and readable")
    func serviceCommitsPipelined() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.close() }
        let (store, ledger, service) = (fixture.store, fixture.ledger, fixture.service)
        let actor = Actor(.apiKey, "crm")
        _ = try await service.upsert(Self.item("known@example.com", name: "Old"), match: .email, channel: .api, actor: actor)
        let holder = try await WriteLockHolder.start(store: store)
        let before = ledger.writerStatistics
        let first = Task { try await service.upsert(Self.item("first@example.com", name: "First"), match: .email, channel: .api, actor: actor) }
        try await Self.waitFor { service.singleUpsertCommits == 2 }
        // Past `pipelineAfter`: requests queued now are decided while the first waits.
        try await Task.sleep(for: .milliseconds(50))
        let second = Task { try await service.upsert(Self.item("second@example.com", name: "Second"), match: .email, channel: .api, actor: actor) }
        let third = Task { try await service.upsert(Self.item("known@example.com", name: "New"), match: .email, channel: .api, actor: actor) }
        try await Self.waitFor { service.singleUpsertCommits >= 3 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(service.pipelinedCommits >= 1)
        #expect(ledger.writerStatistics.commits == before.commits)
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                holder.release()
                continuation.resume()
            }
        }
        guard case .created(let firstID, _) = try await first.value, case .created(let secondID, _) = try await second.value,
              case .updated(let knownID, events: 1) = try await third.value else {
            Issue.record("unexpected outcomes")
            return
        }
        #expect(ledger.writerStatistics.commits - before.commits == 1)
        #expect(secondID.rawValue > firstID.rawValue)
        #expect(try await service.contact(named: .email("first@example.com"))?.id == firstID)
        #expect(try await service.contact(named: .email("second@example.com"))?.firstName == "Second")
        #expect(try await service.contact(knownID)?.firstName == "New")
    }

    @Test("a commit that is being written, not waiting for the lock, is waited for: requests queued meanwhile share the next commit, none is pipelined")
    func slowCommitNotPipelined() async throws {
        let store = ContactFixtures.newStorePath()
        defer { try? FileManager.default.removeItem(atPath: store) }
        // The clock is read inside every transaction, after the lock is taken: each commit is
        // written for 5 ms or more, well past `pipelineAfter`, with nobody else holding the lock.
        let ledger = try Ledger(directory: store, options: .init(clock: {
            usleep(5_000)
            return Ledger.systemClock()
        }))
        let book = try ContactBook(ledger: ledger)
        let service = ContactService(book: book)
        defer {
            book.close()
            ledger.close()
        }
        let actor = Actor(.apiKey, "crm")
        let outcomes = try await withThrowingTaskGroup(of: UpsertOutcome.self) { group in
            for n in 0..<40 {
                group.addTask { try await service.upsert(Self.item("slow\(n)@example.com", name: "Slow"), match: .email, channel: .api, actor: actor) }
                if n % 10 == 9 { try await Task.sleep(for: .milliseconds(3)) }
            }
            return try await group.reduce(into: [UpsertOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.count == 40)
        #expect(service.pipelinedCommits == 0)
        #expect(service.singleUpsertCommits < 40)
    }

    @Test("a request about a contact a commit in flight changes is decided after that commit lands, as if one after the other")
    func overlappingRequestWaitsForTheFlight() async throws {
        let fixture = try ServiceFixture()
        defer { fixture.close() }
        let (store, book, service) = (fixture.store, fixture.book, fixture.service)
        let actor = Actor(.apiKey, "crm")
        let created = try await service.upsert(Self.item("same@example.com", name: "Old"), match: .email, channel: .api, actor: actor)
        let holder = try await WriteLockHolder.start(store: store)
        // In flight: the name becomes New. Then, while it waits for the lock, back to Old: from
        // the projection (which still says Old) that would be "unchanged", and New would stay.
        let toNew = Task { try await service.upsert(Self.item("same@example.com", name: "New"), match: .email, channel: .api, actor: actor) }
        try await Self.waitFor { service.singleUpsertCommits == 2 }
        try await Task.sleep(for: .milliseconds(50))
        let backToOld = Task { try await service.upsert(Self.item("same@example.com", name: "Old"), match: .email, channel: .api, actor: actor) }
        // And a new e-mail, twice: the second finds the first's contact.
        let newOnce = Task { try await service.upsert(Self.item("twice@example.com", name: "One"), match: .email, channel: .api, actor: actor) }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                Thread.sleep(forTimeInterval: 0.1)
                holder.release()
                continuation.resume()
            }
        }
        #expect(try await toNew.value == .updated(created.contact, events: 1))
        #expect(try await backToOld.value == .updated(created.contact, events: 1))
        #expect(try await service.contact(created.contact)?.firstName == "Old")
        let first = try await newOnce.value
        let again = try await service.upsert(Self.item("twice@example.com", name: "Two"), match: .email, channel: .api, actor: actor)
        #expect(again == .updated(first.contact, events: 1))
        #expect(book.decidedAgain == 0)
    }
}
