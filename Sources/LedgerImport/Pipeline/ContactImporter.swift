import Crypto
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// Imports a contact base file into the ledger: reads rows, maps columns, validates, and
/// upserts contacts in batches, one durable transaction per batch.
///
/// Writes through the `ContactService`, the one write path (issue 14): each span of batches
/// holds the service's writer (`ContactService.exclusively`), so writes of the same process
/// (the API's, when a server imports) are decided between spans, never inside a batch.
///
/// Two stages on two threads: a `RowPreparer` reads, converts and normalises the rows of the
/// next batches while this thread plans and records the current one (`UpsertPipeline`),
/// with the ledger's writer thread appending.
///
/// Every event's id derives from the file's SHA-256 (with the import's options), the row and
/// the change, and each batch records a progress mark in its own transaction; a killed import
/// run again skips the batches already recorded and finishes the rest, duplicating nothing.
public final class ContactImporter {
    /// The write path.
    public let service: ContactService
    /// The contact book the service writes to; read directly (progress marks, the directory).
    public var book: ContactBook { service.book }
    /// The token side, when push-token columns are read with the contacts (issues 18 and 20):
    /// a row's mobile token or web-push subscription becomes a push channel of its contact.
    public let push: (any ContactPushChannels)?

    /// Imports through `service`; `push` records the rows' push tokens.
    public init(service: ContactService, push: (any ContactPushChannels)? = nil) {
        self.service = service
        self.push = push
    }

    /// Imports `url`; `progress` is called after each batch with the rows done so far and how
    /// much of the file they took up.
    public func run(_ url: URL, options: ImportOptions, rejects: RejectsWriter? = nil, progress: (ImportProgress) -> Void = { _ in }) throws -> ImportSummary {
        let start = Date()
        // Refused before any reading, hashing included (the hash reads from the checked descriptor).
        try ImportLimits.check(options)
        let digest = try Self.sha256(of: url, sizeLimit: options.read.sizeLimit)
        var fingerprint = SHA256()
        fingerprint.update(data: digest.bytes)
        fingerprint.update(data: Array(options.fingerprint.utf8))
        // Options that shape push tokens make another import; none given, the ids of before.
        if let push, !push.fingerprint.isEmpty { fingerprint.update(data: Array(("|push:" + push.fingerprint).utf8)) }
        let importDigest = Array(fingerprint.finalize())
        // Token events take their ids from the fingerprint's next 8 bytes: apart from the
        // contacts' ids of the same rows.
        let pushNamespace = importDigest.dropFirst(8).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let importKey = Hex.encode(importDigest)
        let namespace = importDigest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let progressKey = Self.progressKey(importKey)
        let doneRows = options.dryRun ? 0 : (try book.ledger.progress(for: progressKey) ?? 0)

        let forecast = CreationForecast()
        let disposal = BatchDisposal()
        let lag = PreparerLag()
        let preparer = RowPreparer.start(RowPreparer.Plan(
            url: url, options: options, book: book, fieldTypes: try book.directory().fieldTypes(),
            digest: digest, namespace: namespace, doneRows: doneRows, keepsRows: rejects != nil, forecast: forecast, disposal: disposal, lag: lag, push: push))
        var pushProgress = PushProgress(done: doneRows)
        var pushCounts = PushRecordCounts()
        let queue = preparer.queue
        // Whatever stops this thread stops the preparer too, and waits for it.
        defer { preparer.stop() }

        let memory = MappedPageBudget(limit: options.memoryLimit).watch(book)
        defer { memory.stop() }
        var summary = ImportSummary(file: url.lastPathComponent, format: "", encoding: "")
        summary.dryRun = options.dryRun
        summary.consent.stated = options.consent?.label ?? "none"
        summary.consent.purpose = options.purpose
        if options.dryRun {
            while let message = queue.pop() {
                guard let batch = try take(message, rejects: rejects, into: &summary) else { continue }
                var consent = ConsentTally()
                let outcomes = try decide(batch, options: options, consent: &consent)
                try record(batch, outcomes: outcomes, rejects: rejects, into: &summary)
                pushCounts.recorded += linkedTokens(batch, outcomes: outcomes).count
                summary.consent.add(consent)
                progress(ImportProgress(rows: summary.rows, read: batch.read))
            }
        } else {
            // The ledger flushes every batch; the contact projection only at the end. Its commits
            // place index entries all over its B-trees, so each batch's flush wrote most of a
            // batch's worth of pages (47 GB written for a 2.5 M-row import), and every one of
            // them can be redone from the log (`ProjectionStore.deferringFlushes`).
            // Kept across the pipelines, so that the projection's identifiers are read once.
            let filter = IdentifierFilter()
            try book.store.deferringFlushes {
                // The next message is taken only once the one before is handled, so no more
                // batches wait than the preparer's queue holds.
                var next = queue.pop()
                while next != nil {
                    // The service's writer is held for a bounded span of batches at a time, so
                    // that other writes of this process wait at most that long; another
                    // process's writes make the next batch be decided again (`UpsertPipeline`).
                    try service.exclusively { book in try book.pipeline(match: options.match, options: UpsertOptions(create: options.create, overwriteEmpty: options.overwriteEmpty), channel: .import, actor: options.actor, filter: filter) { pipeline in
                        var inFlight: PreparedBatch?
                        var pushed = 0
                        // Outcomes arrive one batch late: the batch pushed before is then committed and projected.
                        func settle(_ outcomes: [Result<UpsertOutcome, ContactError>]?) throws {
                            guard let batch = inFlight, let outcomes else { return }
                            let created = summary.created
                            try self.record(batch, outcomes: outcomes, rejects: rejects, into: &summary)
                            // The batch's contacts are committed: its tokens go to them now.
                            if let push = self.push, let mark = pushProgress.settled(endRow: batch.endRow, carriedTokens: !batch.pushTokens.isEmpty) {
                                let counts = try push.record(
                                    linkedTokens(batch, outcomes: outcomes), file: url.lastPathComponent, digest: digest, namespace: pushNamespace,
                                    actor: options.actor, progress: ProgressMark(key: progressKey, value: mark))
                                pushCounts.recorded += counts.recorded
                                pushCounts.alreadyKnown += counts.alreadyKnown
                            }
                            forecast.observe(created: summary.created - created, requests: batch.items.count)
                            progress(ImportProgress(rows: summary.rows, read: batch.read))
                        }
                        let held = ContinuousClock.now
                        while pushed == 0 || ContinuousClock.now - held < Self.lockSpan, let message = next {
                            if let batch = try take(message, rejects: rejects, into: &summary) {
                                if batch.alreadyRecorded {
                                    try record(batch, outcomes: [], rejects: rejects, into: &summary)
                                    progress(ImportProgress(rows: summary.rows, read: batch.read))
                                } else {
                                    filter.expectedAdditions = Self.identifiersLeft(after: batch, rowsBefore: summary.rows)
                                    let mark = pushProgress.contactMark(endRow: batch.endRow, carriesTokens: !batch.pushTokens.isEmpty)
                                    try settle(try pipeline.push(batch.items, progress: ProgressMark(key: progressKey, value: mark)))
                                    if let done = inFlight.take() { disposal.dispose(done) }
                                    inFlight = batch
                                    pushed += 1
                                }
                            }
                            // While the preparer is behind, this thread would only wait for it:
                            // it frees the batches done with itself, which the preparer does
                            // otherwise before each batch it reads, and then takes over the
                            // deciding and sealing of the next batch's remaining rows.
                            if queue.isEmpty {
                                disposal.drain()
                                if queue.isEmpty { lag.importerWaits() }
                            }
                            next = queue.pop()
                        }
                        try settle(try pipeline.finish())
                        if let done = inFlight.take() { disposal.dispose(done) }
                        summary.consent.add(pipeline.consentRecorded)
                    } }
                }
            }
        }
        if !options.dryRun, let mark = pushProgress.closingMark {
            // The last batches carried no tokens after one that did: their rows are done too.
            _ = try book.ledger.append([], progress: ProgressMark(key: progressKey, value: mark))
        }
        if push != nil { summary.pushTokens = pushCounts.recorded + pushCounts.alreadyKnown > 0 ? PushTokenSummary(pushCounts) : nil }
        try rejects?.close()
        if summary.undecodableRows > 0 {
            summary.warnings.append(ImportSummary.undecodableWarning(rows: summary.undecodableRows, encoding: summary.encoding))
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// How long one pipeline pushes batches while it holds the contact lock: about the longest
    /// an API write waits for an import, whatever a row costs (100,000 rows, the count used
    /// before, were 1 s of a CSV base and 1.6 s of an .xlsx one). Each pipeline ends by draining: its
    /// last batch is appended and projected with no next one planned beside it.
    static let lockSpan = Duration.milliseconds(1_500)

    /// About how many identifiers the rows from `batch` on may add (two a row), judged by how
    /// much of the file the rows read so far took up; what an `IdentifierFilter` is sized for.
    static func identifiersLeft(after batch: PreparedBatch, rowsBefore: Int) -> Int {
        guard let fraction = batch.read.fraction, fraction > 0 else { return 2 * batch.count }
        let rows = Double(rowsBefore + batch.count) / fraction
        return 2 * max(batch.count, Int(min(rows, Double(Int32.max))) - rowsBefore)
    }

    /// The push tokens of `batch`'s rows whose contact was recorded (created, updated or
    /// unchanged), each with that contact (a dry run's new contacts: the number it names).
    private func linkedTokens(_ batch: PreparedBatch, outcomes: [Result<UpsertOutcome, ContactError>]) -> [LinkedPushToken] {
        var linked = [LinkedPushToken]()
        for (item, row, tokens) in batch.pushTokens where item < outcomes.count {
            guard case .success(let outcome) = outcomes[item] else { continue }
            let contact = outcome.contact
            for token in tokens { linked.append(LinkedPushToken(contact: contact, row: row, subscription: token)) }
        }
        return linked
    }

    /// The batch a message carries; the file's format and header are taken into `summary` and
    /// the rejects file, and a reading failure is thrown.
    private func take(_ message: RowPreparer.Message, rejects: RejectsWriter?, into summary: inout ImportSummary) throws -> PreparedBatch? {
        switch message {
        case .opened(let format, let encoding, let header):
            summary.format = format.rawValue
            summary.encoding = encoding
            try rejects?.writeHeader(header)
            return nil
        case .batch(let batch):
            return batch
        case .failure(let error):
            throw error
        }
    }

    /// A dry run's outcomes of `batch`: decided and checked, nothing written.
    private func decide(_ batch: PreparedBatch, options: ImportOptions, consent: inout ConsentTally) throws -> [Result<UpsertOutcome, ContactError>] {
        guard !batch.alreadyRecorded else { return [] }
        return try service.exclusively { book in
            try book.upsert(
                batch.items, match: options.match, options: UpsertOptions(create: options.create, overwriteEmpty: options.overwriteEmpty),
                channel: .import, actor: options.actor, dryRun: true, consent: &consent)
        }
    }

    /// The key of an import's progress marks, whose value is the number of data rows recorded,
    /// so that a run with another batch size resumes exactly. (Marks under `import:KEY` counted
    /// 5,000-row batches; they are not read, and such an interrupted import is redone whole.)
    static func progressKey(_ importKey: String) -> String {
        "import-rows:" + importKey
    }

    /// Adds what one batch did (`results`, one per item) to `summary`; rejections are reported
    /// in row order.
    private func record(_ batch: PreparedBatch, outcomes results: [Result<UpsertOutcome, ContactError>], rejects: RejectsWriter?, into summary: inout ImportSummary) throws {
        summary.rows += batch.count
        if batch.alreadyRecorded {
            summary.alreadyRecorded += batch.count
            return
        }
        summary.undecodableRows += batch.undecodableRows
        var refusals = batch.refusals
        for (position, result) in zip(batch.itemPositions, results) {
            switch result {
            case .success(.created(_, let events)):
                summary.created += 1
                summary.events += events
            case .success(.updated(_, let events)):
                summary.updated += 1
                summary.events += events
            case .success(.unchanged):
                summary.unchanged += 1
            case .failure(let error):
                refusals.append((position, error.message))
            }
        }
        refusals.sort { $0.position < $1.position }
        for (position, message) in refusals {
            let number = batch.numbers[position]
            let reason = ValuePreview.reason(message)
            summary.rejected += 1
            if summary.rejections.count < ImportSummary.listedRejections {
                summary.rejections.append(.init(row: number, reason: reason))
            }
            if let rejects, position < batch.rows.count {
                try rejects.write(row: batch.rows[position], reason: reason)
            }
        }
    }

    /// The SHA-256 of a file, read in 1 MiB chunks once it has passed `FileByteReader`'s checks
    /// (a regular file within `sizeLimit`): a device such as /dev/zero would never end.
    /// The SHA-256 of the file at `url`, read from the descriptor that passed the file checks;
    /// other importers (push tokens) derive their ids from it the same way.
    public static func sha256(of url: URL, sizeLimit: FileSizeLimit) throws -> FileDigest {
        let reader = try FileByteReader(url: url, sizeLimit: sizeLimit)
        var hasher = SHA256()
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        while try reader.read(upTo: 1 << 20, appendingTo: &chunk) > 0 {
            hasher.update(data: chunk)
            chunk.removeAll(keepingCapacity: true)
        }
        return FileDigest(bytes: Array(hasher.finalize())) ?? .zero
    }
}
