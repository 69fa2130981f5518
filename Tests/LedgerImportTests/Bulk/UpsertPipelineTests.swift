import Foundation
@testable import LedgerContacts
@testable import LedgerImport
import LedgerDomain
import LedgerIdentity
import LedgerProjections
@testable import LedgerStore
import Synchronization
import Testing


@Suite("The upsert pipeline", .serialized)
struct UpsertPipelineTests {
    static let item = BookFixture.item

    static func mark(_ rows: Int) -> ProgressMark {
        ProgressMark(key: "import-rows:test", value: UInt64(rows))
    }

    /// Pushes `batches` through one pipeline and returns every row's outcome in order; every
    /// batch was planned against the one before it, none decided again.
    static func pipelined(
        _ fixture: BookFixture, _ batches: [[UpsertItem]], match: MatchRule = .emailOrPhone, options: UpsertOptions = UpsertOptions(),
        filter: IdentifierFilter? = nil, rowsBefore: Int = 0
    ) throws -> [Result<UpsertOutcome, ContactError>] {
        try fixture.book.pipeline(match: match, options: options, channel: .import, actor: fixture.actor, filter: filter) { pipeline in
            var outcomes = [Result<UpsertOutcome, ContactError>]()
            var rows = rowsBefore
            for batch in batches {
                rows += batch.count
                if let done = try pipeline.push(batch, progress: mark(rows)) { outcomes += done }
            }
            if let done = try pipeline.finish() { outcomes += done }
            #expect(pipeline.replanned == 0)
            return outcomes
        }
    }

    /// What a row did, without stream numbers or messages (those depend on the batching).
    static func shape(_ result: Result<UpsertOutcome, ContactError>) -> String {
        switch result {
        case .success(.created(_, let events)): "created \(events)"
        case .success(.updated(_, let events)): "updated \(events)"
        case .success(.unchanged): "unchanged"
        case .failure(let error): "refused \(error.code)"
        }
    }

    static func states(_ fixture: BookFixture) throws -> [ContactState] {
        var states = [ContactState]()
        try fixture.book.directory().forEach { states.append($0) }
        return states
    }

    @Test("a batch meets contacts the batch in flight creates: updates them, moves their identifiers, sees conflicts")
    func carriedContacts() throws {
        let fixture = try BookFixture()
        let first = [
            Self.item(ContactInput(email: "a@example.com", phone: "067 111 11 11", fields: [(.standard(.firstName), .text("Ann"))]), 2),
            Self.item(ContactInput(email: "b@example.com", fields: [(.custom("city"), .text("Kyiv"))]), 3),
        ]
        let second = [
            // The contact of row 2, created by the batch still in flight, found by its phone.
            Self.item(ContactInput(phone: "+380671111111", fields: [(.standard(.firstName), .text("Anna"))]), 4),
            // Row 3's e-mail with row 2's phone: an identity conflict with contacts not yet projected.
            Self.item(ContactInput(email: "b@example.com", phone: "067 111 11 11"), 5),
            // A new phone for the contact of row 2: the old one is free again...
            Self.item(ContactInput(email: "a@example.com", phone: "067 222 22 22"), 6),
            // ...and goes to a new contact; the field row 3 declared is not declared again.
            Self.item(ContactInput(email: "c@example.com", phone: "067 111 11 11", fields: [(.custom("city"), .text("Lviv"))]), 7),
        ]
        let third = [
            // Two of the contacts again, two batches on: one unchanged, one updated.
            Self.item(ContactInput(email: "c@example.com", phone: "067 111 11 11"), 8),
            Self.item(ContactInput(email: "b@example.com", fields: [(.custom("city"), .text("Odesa"))]), 9),
        ]
        let outcomes = try Self.pipelined(fixture, [first, second, third])
        #expect(outcomes.count == 8)
        guard case .success(.created(let a, _)) = outcomes[0], case .success(.created(let b, _)) = outcomes[1] else {
            Issue.record("\(outcomes)")
            return
        }
        #expect(try outcomes[2].get() == .updated(a, events: 1))
        guard case .failure(let conflict) = outcomes[3] else { Issue.record("row 5: \(outcomes[3])"); return }
        #expect(conflict.code == .identityConflict)
        #expect(try outcomes[4].get() == .updated(a, events: 2))
        guard case .success(.created(let c, _)) = outcomes[5] else { Issue.record("row 7: \(outcomes[5])"); return }
        #expect(try outcomes[6].get() == .unchanged(c))
        #expect(try outcomes[7].get() == .updated(b, events: 1))

        #expect(try fixture.book.contact(a)?.firstName == "Anna")
        #expect(try fixture.book.resolve(key: "+380672222222") == a)
        #expect(try fixture.book.resolve(key: "+380671111111") == c)
        #expect(try fixture.book.contact(b)?.fields["city"] == .text("Odesa"))
        let declarations = try fixture.ledger.read(from: 1, limit: 100).filter { $0.type.name == "field.defined" }
        #expect(declarations.count == 1)
        #expect(try fixture.ledger.progress(for: "import-rows:test") == 8)
        // Expected versions held: each contact's stream is numbered 1…n without a gap.
        for contact in [a, b, c] {
            let versions = try fixture.ledger.readStream(contact).map(\.version)
            #expect(versions == Array(1...UInt64(versions.count)))
        }
        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check.differences)")
        #expect(check.checkpoint == (try fixture.ledger.lastPosition()))
    }

    @Test("another writer's append between two batches: the next batch is decided again and sees it", arguments: [false, true])
    func otherWriter(filtered: Bool) throws {
        let fixture = try BookFixture()
        let filter = filtered ? IdentifierFilter() : nil
        let outcomes = try fixture.book.pipeline(match: .email, channel: .import, actor: fixture.actor, filter: filter) { pipeline in
            var outcomes = [Result<UpsertOutcome, ContactError>]()
            _ = try pipeline.push([Self.item(ContactInput(email: "a@example.com"), 2)], progress: Self.mark(1))
            // Another writer, not through this book, creates a contact holding x@example.com.
            let events = [
                ContactEvent.contactCreated(ContactCreated(channel: .api)),
                ContactEvent.identifierAdded(IdentifierChange(kind: .email, value: "x@example.com")),
            ].map { $0.newEvent(actor: Actor(.user, "other"), source: .cli(command: "other")) }
            _ = try fixture.ledger.append(AppendRequest.newStream(events))
            outcomes += try pipeline.push([Self.item(ContactInput(email: "x@example.com", fields: [(.standard(.firstName), .text("X"))]), 3)], progress: Self.mark(2)) ?? []
            outcomes += try pipeline.finish() ?? []
            #expect(pipeline.replanned == 1)
            return outcomes
        }
        #expect(outcomes.count == 2)
        guard case .success(.updated(let x, events: 1)) = outcomes[1] else { Issue.record("\(outcomes)"); return }
        #expect(try fixture.book.resolve(key: "x@example.com") == x)
        #expect(try fixture.book.contact(x)?.firstName == "X")
        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check.differences)")
        if let filter { #expect(filter.builds >= 1) }
    }

    static func newContacts(_ rows: Range<Int>, batch: Int) -> [[UpsertItem]] {
        stride(from: rows.lowerBound, to: rows.upperBound, by: batch).map { start in
            (start..<min(start + batch, rows.upperBound)).map { row in
                Self.item(ContactInput(email: "new\(row)@example.com", phone: "+38050\(String(1_000_000 + row))"), UInt64(row) + 2)
            }
        }
    }

    @Test("the import's filter rules out new contacts' identifiers without look-ups, and finds contacts the projection and the batch in flight hold")
    func filterRulesOutNewIdentifiers() throws {
        let fixture = try BookFixture()
        guard case .created(let existing, _) = try fixture.upsert(ContactInput(email: "old@example.com", phone: "+380509999999")) else {
            Issue.record("no contact made")
            return
        }
        let filter = IdentifierFilter(expectedAdditions: 200)
        var batches = Self.newContacts(0..<60, batch: 7)
        // The contact the projection held before the import, and one the batch before made.
        batches[5].append(Self.item(ContactInput(email: "old@example.com", fields: [(.standard(.firstName), .text("Old"))]), 100))
        batches[6].append(Self.item(ContactInput(phone: "+380501000040", fields: [(.standard(.firstName), .text("Forty"))]), 101))
        // And one recorded batches ago, which only the projection (and the filter) know.
        batches[7].append(Self.item(ContactInput(email: "new10@example.com", fields: [(.standard(.firstName), .text("Ten"))]), 102))
        let outcomes = try Self.pipelined(fixture, batches, filter: filter)
        #expect(outcomes.count == 63)
        #expect(outcomes.filter { if case .success(.created) = $0 { true } else { false } }.count == 60)
        #expect(try fixture.book.contact(existing)?.firstName == "Old")
        let forty = try #require(try fixture.book.resolve(key: "new40@example.com"))
        #expect(try fixture.book.contact(forty)?.firstName == "Forty")
        let ten = try #require(try fixture.book.resolve(key: "+380501000010"))
        #expect(try fixture.book.contact(ten)?.firstName == "Ten")
        // Built once the look-ups that found nothing had paid for reading the index (two
        // identifiers), then every new identifier was ruled out without one.
        #expect(filter.builds == 1)
        #expect(filter.ruledOut > 100)
        #expect(filter.ruledOut + filter.missedLookups == 120)
        #expect(filter.missedLookups < 20)
        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check.differences)")
    }

    @Test("another writer between two pipelines of one import: the filter is built again from the index, or not used, and the row finds that writer's contact", arguments: [1, 12])
    func filterAfterAnotherWriter(otherContacts: Int) throws {
        let fixture = try BookFixture()
        let filter = IdentifierFilter(expectedAdditions: 20)
        _ = try Self.pipelined(fixture, Self.newContacts(0..<4, batch: 2), filter: filter)
        #expect(filter.builds == 1)
        #expect(filter.ruledOut == 8)
        // The API, between two of the import's lock spans.
        var others = [StreamID]()
        for n in 0..<otherContacts {
            if case .created(let id, _) = try fixture.upsert(ContactInput(email: "x\(n)@example.com")) { others.append(id) }
        }
        let outcomes = try Self.pipelined(fixture, [[Self.item(ContactInput(email: "x0@example.com", fields: [(.standard(.firstName), .text("X"))]), 6)]], filter: filter, rowsBefore: 4)
        #expect(try outcomes.first?.get() == .updated(others[0], events: 1))
        #expect(try fixture.book.contact(others[0])?.firstName == "X")
        if otherContacts == 1 {
            // 9 identifiers to read, 8 questions answered "none" so far: worth a build.
            #expect(filter.builds == 2)
        } else {
            // 20 identifiers: looked up instead.
            #expect(filter.builds == 1)
            #expect(filter.missedLookups == 0)
        }
        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check.differences)")
    }

    /// A random row over a few e-mails and phones, so that rows meet the same contacts, take
    /// each other's identifiers, and conflict.
    static func randomRow(_ row: UInt64, using generator: inout SeededGenerator) -> UpsertItem {
        let email: String? = switch Int.random(in: 0..<20, using: &generator) {
        case 0..<3: nil
        case 3: "not-an-email"
        case let n: "p\(n % 9)@example.com"
        }
        let phone: String? = Bool.random(using: &generator) ? nil : "+38050111\(1_000 + Int.random(in: 0..<7, using: &generator))"
        var fields = [(field: ContactField, value: FieldValue?)]()
        if Bool.random(using: &generator) { fields.append((.standard(.firstName), [.text("Ann"), .text("Bo"), nil].randomElement(using: &generator) ?? nil)) }
        if Int.random(in: 0..<3, using: &generator) == 0 { fields.append((.custom("city"), [.text("Kyiv"), .text("Lviv")].randomElement(using: &generator))) }
        if Int.random(in: 0..<4, using: &generator) == 0 { fields.append((.custom("score"), .text("\(Int.random(in: 0..<3, using: &generator))"))) }
        let segments = ["spring", "summer"].filter { _ in Int.random(in: 0..<4, using: &generator) == 0 }
        return item(ContactInput(email: email, phone: phone, fields: fields, segments: segments, consent: randomConsent(using: &generator)), row)
    }

    /// A random row's consent: none, an import's stated status, or a row's own statuses and
    /// times (some of them withdrawals), so rows of one contact grant, withdraw and grant again.
    static func randomConsent(using generator: inout SeededGenerator) -> ConsentInput? {
        let base: Int64 = 1_680_000_000_000_000
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: return nil
        case 1: return ConsentInput(stated: Bool.random(using: &generator) ? .confirmed : .subscribed, purpose: "marketing")
        default:
            var consent = ConsentInput(stated: .confirmed, purpose: "marketing")
            let time = base + Int64.random(in: 0..<1_000, using: &generator) * 1_000_000_000
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: consent.email = .subscribed; consent.optInAt = time; consent.optInIP = "198.51.100.\(Int.random(in: 1..<9, using: &generator))"
            case 1: consent.optInAt = time; consent.confirmedAt = time + 60_000_000; consent.confirmIP = "2001:db8::5"
            case 2: consent.all = .unsubscribed; consent.unsubscribedAt = Bool.random(using: &generator) ? time : nil; consent.unsubscribeReason = "NORMAL"
            default: consent.sms = .cleaned; consent.cleanedAt = time
            }
            return consent
        }
    }

    @Test("random files: pipelined batches record what one upsert per batch records, event by event, and decide rows as one row at a time does", arguments: 0..<12)
    func sameAsSequential(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        var rows = (0..<90).map { Self.randomRow(UInt64($0) + 2, using: &generator) }
        var batches = [[UpsertItem]]()
        var rest = rows[...]
        while !rest.isEmpty {
            let size = Int.random(in: 1...9, using: &generator)
            batches.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        let match: MatchRule = seed % 2 == 0 ? .emailOrPhone : .email
        let options = UpsertOptions(create: true, overwriteEmpty: seed % 3 == 0)

        let piped = try BookFixture()
        if seed % 4 < 2 {
            // As an import's preparer does: each row's events as a new contact, decided ahead;
            // for odd seeds only some rows', as when the preparer leaves the rest of a batch to
            // the importing thread (`PreparerLag`).
            var rules = ContactFieldRules(customFields: [:], today: CalendarDate(utcDayOf: piped.now))
            for batch in batches.indices {
                for row in batches[batch].indices where seed % 4 == 0 || Bool.random(using: &generator) {
                    batches[batch][row].prepared = piped.book.prepareCreation(batches[batch][row], channel: .import, actor: piped.actor, rules: &rules)
                }
            }
            rows = batches.flatMap { $0 }
            #expect(rows.contains { $0.prepared != nil })
        }
        // The import's identifier filter must not change what is decided.
        let filter = seed % 3 == 0 ? nil : IdentifierFilter(expectedAdditions: seed % 3 == 1 ? 2 : 200)
        let pipedOutcomes = try Self.pipelined(piped, batches, match: match, options: options, filter: filter)
        // The same batches, one `upsert` each: the same events at the same positions.
        let batched = try BookFixture()
        var batchedOutcomes = [Result<UpsertOutcome, ContactError>]()
        for batch in batches {
            batchedOutcomes += try batched.book.upsert(batch, match: match, options: options, channel: .import, actor: batched.actor)
        }
        // One row per batch.
        let single = try BookFixture()
        var singleOutcomes = [Result<UpsertOutcome, ContactError>]()
        for row in rows {
            singleOutcomes += try single.book.upsert([row], match: match, options: options, channel: .import, actor: single.actor)
        }

        #expect(pipedOutcomes.count == rows.count)
        #expect(pipedOutcomes.map(Self.shape) == singleOutcomes.map(Self.shape))
        #expect(pipedOutcomes.map { try? $0.get() } == batchedOutcomes.map { try? $0.get() })
        #expect(try PreparedCreationTests.recorded(piped.ledger) == PreparedCreationTests.recorded(batched.ledger))
        #expect(try Self.states(piped) == Self.states(batched))
        let check = try ContactProjectionCheck.run(ledger: piped.ledger, store: piped.book.store)
        #expect(check.isValid, "\(check.differences)")
        #expect(try piped.ledger.verify().faults.isEmpty)
    }

    /// Eight existing contacts, updated by one import batch, while another writer changes the
    /// first of them before every append of a batch of more than two (a real append, through
    /// the same book, as the API beside an import would).
    static func conflictingImport(splitting: Bool) throws -> (BookFixture, [StreamID], Result<[Result<UpsertOutcome, ContactError>], any Error>) {
        let fixture = try BookFixture()
        var contacts = [StreamID]()
        for index in 0..<8 {
            contacts.append(try fixture.upsert(ContactInput(email: "c\(index)@example.com")).contact)
        }
        let interruptions = Atomic<Int>(0)
        fixture.book.beforeAppend.withLock {
            $0 = { [book = fixture.book] _, items in
                guard items > 2 else { return }
                let count = interruptions.add(1, ordering: .relaxed).newValue
                let input = ContactInput(email: "c0@example.com", fields: [(.standard(.lastName), .text("Other \(count)"))])
                _ = try book.upsert(
                    [UpsertItem(input: input, source: .api(key: "crm", requestID: "r\(count)"))], match: .email, channel: .api,
                    actor: Actor(.apiKey, "crm"))
            }
        }
        let items = (0..<8).map { Self.item(ContactInput(email: "c\($0)@example.com", fields: [(.standard(.firstName), .text("Row \($0)"))]), UInt64($0) + 2) }
        var consent = ConsentTally()
        let result = Result {
            try fixture.book.upsertDeciding(
                items, match: .email, options: UpsertOptions(), channel: .import, actor: fixture.actor, dryRun: false,
                progress: Self.mark(8), splitting: splitting, consent: &consent)
        }
        fixture.book.beforeAppend.withLock { $0 = nil }
        return (fixture, contacts, result)
    }

    @Test("an import batch that conflicts again is split in halves until the parts get through: every row recorded once, the mark with the last part")
    func splitAfterRepeatedConflicts() throws {
        let (fixture, contacts, result) = try Self.conflictingImport(splitting: true)
        let outcomes = try result.get()
        #expect(outcomes.map(Self.shape) == Array(repeating: "updated 1", count: 8))
        // 8 refused twice, then its first half (4, holding c0) refused twice; the halves of
        // that (2 each) and the second half (4, without c0) got through.
        #expect(fixture.book.splitBatches == 2)
        for (index, contact) in contacts.enumerated() {
            #expect(try fixture.book.contact(contact)?.firstName == "Row \(index)")
        }
        let survivor = try fixture.book.contact(contacts[0])
        // Five changes: four that refused the batches holding c0, and one before the second
        // half (c4…c7), which it did not touch.
        #expect(survivor?.lastName == "Other 5", "the other writer's changes stay: \(String(describing: survivor?.lastName))")
        #expect(try fixture.ledger.progress(for: "import-rows:test") == 8)
        let firstNames = try fixture.ledger.read(from: 1, limit: 1000).filter { event in
            guard case .contacts(.contactFieldsChanged(let change))? = try? LedgerEvent(decoding: event) else { return false }
            return change.changes.contains { $0.field == .standard(.firstName) }
        }
        #expect(firstNames.count == 8, "each row's change is recorded once")
        let check = try ContactProjectionCheck.run(ledger: fixture.ledger, store: fixture.book.store)
        #expect(check.isValid, "\(check.differences)")
    }

    @Test("a batch that must be one transaction (the API's bulk) is not split: after the last decision the conflict is the caller's")
    func unsplittableBatchFails() throws {
        let (fixture, _, result) = try Self.conflictingImport(splitting: false)
        #expect(throws: LedgerError.self) { try result.get() }
        #expect(fixture.book.splitBatches == 0)
        #expect(try fixture.ledger.progress(for: "import-rows:test") == nil)
    }
}
