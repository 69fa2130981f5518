import Foundation
@testable import LedgerContacts
import LedgerDomain
@testable import LedgerImport
import LedgerIdentity
import LedgerProjections
import LedgerStore
import Synchronization

/// A ledger with a clock the test moves, and a contact book on it, for the bulk machinery's
/// tests (the contact book's own tests have theirs in LedgerContactsTests).
final class BookFixture {
    /// A clock the test moves.
    final class Clock: Sendable {
        let now = Mutex<Int64>(1_780_000_000_000_000)
    }

    let directory = NSTemporaryDirectory() + "ledger-bulk-\(UUID().uuidString)"
    let clock = Clock()
    var now: Int64 { clock.now.withLock { $0 } }
    let ledger: Ledger
    let book: ContactBook
    let actor = Actor(.user, "tester")

    init() throws {
        let clock = clock
        ledger = try Ledger(directory: directory, options: .init(clock: { clock.now.withLock { $0 } }))
        book = try ContactBook(ledger: ledger, defaultRegion: "UA")
    }

    deinit {
        book.close()
        ledger.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// One request through the plain path, as the API makes it.
    @discardableResult
    func upsert(_ input: ContactInput, match: MatchRule = .emailOrPhone, options: UpsertOptions = UpsertOptions()) throws -> UpsertOutcome {
        try book.upsert(input, match: match, options: options, channel: .api, actor: actor, source: .api(key: "crm", requestID: UUID().uuidString))
    }

    /// A request as an import makes it from row `row` of a file.
    static func item(_ input: ContactInput, row: UInt64) -> UpsertItem {
        UpsertItem(input: input, source: .file(name: "base.csv", sha256: .zero, row: row), ids: EventID.sourceRow(namespace: 42, row: row))
    }

    /// `item` with its preparation (nil: none).
    static func withPreparation(_ item: UpsertItem, _ prepared: PreparedCreation?) -> UpsertItem {
        UpsertItem(input: item.input, source: item.source, identifiers: item.identifiers, prepared: prepared, ids: item.ids)
    }
}

extension ContactBook {
    /// One batch decided as an import decides a batch again (`UpsertPipeline.redo`): with an
    /// `ImportPlanAid` that takes the creations prepared ahead, without a filter.
    func upsertTakingPrepared(_ items: [UpsertItem], match: MatchRule, options: UpsertOptions = UpsertOptions(), channel: EntryChannel, actor: Actor) throws -> [Result<UpsertOutcome, ContactError>] {
        var consent = ConsentTally()
        return try upsertDeciding(
            items, match: match, options: options, channel: channel, actor: actor, dryRun: false, progress: nil,
            aid: ImportPlanAid(book: self, filter: nil), consent: &consent)
    }
}
