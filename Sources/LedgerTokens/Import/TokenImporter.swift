import Crypto
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerImport
import LedgerProjections
import LedgerStore

/// Imports push tokens from a previous provider's export: reads entries (JSON, CSV, OneSignal
/// CSV, gzip-compressed or not), validates each, and records one new token stream per
/// subscription, in batches, one durable transaction each.
///
/// As contact imports do (docs/decisions/0007), every event id derives from the file's SHA-256
/// with the import's options and the row, and each batch records a progress mark (entries
/// read so far) in its own transaction: a re-import records nothing twice, and a killed import
/// run again skips what is recorded and finishes the rest. A token whose endpoint the ledger
/// already holds (from another file or our own service worker) is not recorded again.
public final class TokenImporter {
    /// The token book written through.
    public let book: TokenBook

    /// Imports through `book`.
    public init(book: TokenBook) {
        self.book = book
    }

    /// Imports `url`; `rejects` receives refused and skipped entries with their reasons.
    public func run(_ url: URL, options: TokenImportOptions, rejects: RejectsWriter? = nil) throws -> TokenImportSummary {
        let start = Date()
        let checked = try CheckedFile(url: url, sizeLimit: options.read.sizeLimit)
        guard checked.size > 0 else { throw ImportFileError(.empty, file: checked.fileName, reason: "the file is empty (0 bytes)") }
        var summary = TokenImportSummary(file: checked.fileName)
        summary.dryRun = options.dryRun
        let digest = try ContactImporter.sha256(of: url, sizeLimit: options.read.sizeLimit)
        summary.sha256 = digest.hex
        var identity = SHA256()
        identity.update(data: digest.bytes)
        identity.update(data: Array(options.fingerprint.utf8))
        let importDigest = Array(identity.finalize())
        let namespace = importDigest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let progressKey = "token-import-rows:" + Hex.encode(importDigest)

        // A gzip file is inflated first; the readers then read the plain file.
        var inflated: GzipFile?
        defer { inflated?.remove() }
        var readURL = url
        if GzipFile.isGzip(try checked.read(at: 0, upTo: 2)) {
            inflated = try GzipFile(inflating: checked, limit: options.read.sizeLimit)
            readURL = inflated?.url ?? url
            summary.compressed = true
        }
        let source = try Self.open(readURL, name: checked.fileName, options: options)
        summary.format = source.format
        try rejects?.writeHeader(source.rejectsHeader)

        let done = options.dryRun ? 0 : (try book.ledger.progress(for: progressKey) ?? 0)
        let lookup = try options.match.map { _ in try ContactLookup(ledger: book.ledger) }
        defer { lookup?.close() }
        let directory = try book.directory()
        // Memory does not grow with the store: the maps' pages are released past 256 MiB.
        let memory = MappedPageWatch { [book] in
            book.ledger.releaseMappedPages()
            book.store.releaseMappedPages()
        }
        defer { memory.stop() }
        let maker = TokenDraftMaker(options: options, oneSignal: source.format == "onesignal-csv")
        // The first 128 bits of each endpoint's SHA-256: 16 bytes a token, not an array each.
        var seen = EndpointSet()
        var consumed: UInt64 = 0
        // Three threads beside the writer's: this one drafts (on every core), checks and hands
        // batches to the writer; `reader` reads the next batch meanwhile; `projector` records
        // each appended batch in the projection. Up to `batchesInFlight` batches are handed to
        // the writer and not yet recorded. When a durable commit is slow (a busy disk), the
        // writer takes every batch queued meanwhile into its next transaction: one flush for
        // several batches.
        //
        // So a batch's progress mark may only claim the rows of batches known to be committed
        // when it is handed over: had one before it failed (a full disk) while it committed, a
        // mark claiming its own rows would make a re-run skip the failed batch's. A killed import
        // run again redoes the last few batches, whose events are then known already.
        let reader = TokenEntryReader(source, batchSize: options.batchSize, skipping: done)
        defer { reader.stop() }
        var marked = done

        func flush(_ entries: [TokenEntry], projector: TokenBatchProjector) throws {
            // Drafting (URL, P-256 and base64 checks, the endpoint's SHA-256) is the costly
            // part of a row: on every core.
            let drafted = try entries.concurrentMap(chunkSize: 256) { entry -> Drafted in
                do throws(TokenRowRefusal) {
                    let draft = try maker.draft(entry)
                    return Drafted(draft: draft, hash: TokenProjection.endpointHash(draft.subscription.secret.value?.endpoint ?? ""), refusal: nil)
                } catch {
                    return Drafted(draft: nil, hash: [], refusal: error)
                }
            }
            // The whole file's endpoints fit without the set growing: sized once, from the
            // first batch's bytes per entry.
            if seen.count == 0, !entries.isEmpty {
                let bytes = entries.reduce(0) { $0 + $1.raw.reduce(1) { $0 + $1.utf8.count + 1 } }
                seen.reserveCapacity(Int(min(checked.size / Int64(max(1, bytes / entries.count)), Self.reservedEndpoints)))
            }
            // The drafts stay where they were made; what follows picks them by index.
            var kept = [Int]()
            kept.reserveCapacity(entries.count)
            for index in drafted.indices {
                var refusal = drafted[index].refusal
                if drafted[index].draft != nil {
                    if seen.insert(EndpointPrefix(drafted[index].hash)) {
                        kept.append(index)
                    } else {
                        refusal = TokenRowRefusal(reason: "the same endpoint or device token as an earlier entry of this file", skipped: false)
                    }
                }
                guard let refusal else { continue }
                if refusal.skipped { summary.skipped += 1 } else { summary.rejected += 1 }
                let entry = entries[index]
                if summary.rejections.count < 20 { summary.rejections.append(.init(row: entry.row, reason: refusal.reason)) }
                try rejects?.write(row: Row(number: Int(entry.row), fields: entry.raw), reason: refusal.reason)
            }
            // The projection holds every token recorded before this import; this import's own
            // endpoints are in `seen`.
            let known = try directory.known(endpointHashes: kept.map { drafted[$0].hash })
            var fresh = [Int]()
            var contacts = [StreamID?]()
            fresh.reserveCapacity(kept.count)
            contacts.reserveCapacity(kept.count)
            for (index, isKnown) in zip(kept, known) {
                if isKnown {
                    summary.alreadyKnown += 1
                    continue
                }
                guard let draft = drafted[index].draft else { continue }
                var contact: StreamID?
                if let key = draft.matchKey {
                    contact = try lookup?.find(key.0, key.1)
                    if contact == nil { summary.unmatched += 1 } else { summary.linked += 1 }
                }
                summary.recorded += 1
                summary.byKind[draft.subscription.kind.label, default: 0] += 1
                if draft.invalid { summary.invalid += 1 }
                if !draft.subscription.flags.isEmpty { summary.flagged += 1 }
                fresh.append(index)
                contacts.append(contact)
            }
            guard !options.dryRun else { return }
            // A data key, a seal and the events' encoding per token: on every core too, each
            // chunk through one cipher context of its own (a fresh key then costs a key
            // schedule, not a context). What the batch keeps for the projection has no
            // personal value: the secrets live only in the sealed requests.
            let chunks = stride(from: 0, to: fresh.count, by: 256).map { $0..<min($0 + 256, fresh.count) }
            let prepared = try chunks.concurrentMap(chunkSize: 1) { chunk in
                let cipher = PayloadCipher()
                var scratch = EncodingScratch()
                // The chunk's requests in one buffer: no request, key array or event array
                // per token to allocate, copy into the batch and free.
                var requests = NewStreamRequests()
                var tokens = [TokenBatch.Token]()
                requests.reserveCapacity(streams: chunk.count, events: chunk.count * (lookup == nil ? 1 : 2), bytes: chunk.count * 512)
                tokens.reserveCapacity(chunk.count)
                for slot in chunk {
                    guard let draft = drafted[fresh[slot]].draft else { continue }
                    let migrated = TokenEvent.migrated(TokenMigrated(provider: options.provider, batch: digest, row: draft.row, subscription: draft.subscription))
                    try TokenBook.appendNewToken(
                        migrated, contact: contacts[slot], actor: options.actor, source: .file(name: checked.fileName, sha256: digest, row: draft.row),
                        ids: EventID.sourceRow(namespace: namespace, row: draft.row), cipher: cipher, scratch: &scratch, into: &requests)
                    var subscription = draft.subscription
                    subscription.secret = .erased
                    tokens.append(TokenBatch.Token(row: draft.row, subscription: subscription, contact: contacts[slot], endpointHash: drafted[fresh[slot]].hash))
                }
                return (requests: requests, tokens: tokens)
            }
            // A batch with nothing to append still records its progress mark.
            let committedThrough = projector.committedThrough
            marked = committedThrough
            let pending = try book.ledger.submit(newStreams: prepared.map(\.requests), progress: ProgressMark(key: progressKey, value: committedThrough))
            // Recorded in the projection on the projector's thread once appended, while this
            // thread drafts the next batch.
            try projector.submit(TokenBatch(tokens: prepared.flatMap(\.tokens), end: consumed, pending: pending))
        }

        try book.store.deferringFlushes {
            let projector = TokenBatchProjector(
                book: book, provider: options.provider, capacity: Self.batchesInFlight, together: Self.projectedTogether, committedThrough: done)
            do {
                while let batch = try reader.next() {
                    summary.rows += Int(batch.rows)
                    summary.alreadyRecorded += Int(batch.alreadyRecorded)
                    consumed = batch.end
                    // The last batch, even empty, records the progress mark.
                    try flush(batch.entries, projector: projector)
                }
                try projector.finish()
            } catch {
                // The batches handed over are the writer's: their outcomes are known before
                // this returns.
                projector.stop()
                throw error
            }
            // Every batch is committed: the mark claims them all.
            if !options.dryRun, projector.committedThrough > marked {
                _ = try book.ledger.append([], progress: ProgressMark(key: progressKey, value: projector.committedThrough))
            }
        }
        try rejects?.close()
        if !options.dryRun { try book.runner.catchUp(store: book.store) }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Batches handed to the writer and not yet recorded in the projection (each a few MB of
    /// encoded events): two or three share one durable commit when the disk is slow to flush.
    static let batchesInFlight = 3

    /// At most this many endpoints are made room for at the start (33.5 MB); a larger file's
    /// set grows as it fills.
    static let reservedEndpoints: Int64 = 1_500_000

    /// Batches recorded in the projection in one transaction (`TokenBatch.project`). Two
    /// shared pages of the `by-endpoint` index, but off the importing thread that saves no
    /// time, and a transaction twice as large held 30 MiB more at the peak (tokperf3).
    static let projectedTogether = 1

    /// Opens the right reader: JSON when the content starts with `[` or `{`, OneSignal's CSV
    /// when its header has `identifier` and `device_type`, a generic CSV otherwise; `--format`
    /// overrides the detection.
    private static func open(_ url: URL, name: String, options: TokenImportOptions) throws -> any TokenEntrySource {
        let file = try CheckedFile(url: url, sizeLimit: options.read.sizeLimit)
        let prefix = try file.read(at: 0, upTo: 64)
        let firstByte = prefix.drop { [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }.first
        let looksJSON = firstByte == UInt8(ascii: "[") || firstByte == UInt8(ascii: "{")
        switch options.format {
        case .json:
            guard looksJSON else { throw TokenImportError(.content, "\(name): --format json, but the file does not start with [ or {") }
            return JSONTokenSource(file: file)
        case .auto where looksJSON:
            return JSONTokenSource(file: file)
        case .auto, .csv, .onesignal:
            let tabular: any TabularSource
            do {
                tabular = try TabularFile.open(url, options: options.read)
            } catch let error as ImportFileError where error.file != name {
                // The inflated copy's name is the original's without .gz: say which file the user gave.
                throw ImportFileError(error.code, file: name, row: error.row, field: error.field, reason: error.message)
            }
            let header = Set(tabular.header.fields.map(ColumnMapping.normalise))
            let oneSignal = options.format == .onesignal || (options.format == .auto && header.contains("identifier") && header.contains("device type"))
            if oneSignal && !header.contains("device type") {
                throw TokenImportError(.content, "\(name): --format onesignal, but the header has no device_type column")
            }
            return try TabularTokenSource(tabular, format: oneSignal ? "onesignal-csv" : "csv", overrides: options.overrides)
        }
    }
}

/// Finds contacts by e-mail or external id in the contact projection, caught up once.
final class ContactLookup {
    private let store: ProjectionStore
    private let directory: ContactDirectory

    init(ledger: Ledger) throws {
        let runner = ProjectionRunner(ledger: ledger, projection: ContactProjection())
        store = try runner.openStore()
        do {
            try runner.catchUp(store: store)
        } catch {
            store.close()
            throw error
        }
        directory = ContactDirectory(store: store)
    }

    func find(_ kind: IdentifierKind, _ value: String) throws -> StreamID? {
        try directory.find(kind, value)
    }

    func close() {
        store.close()
    }
}

/// An entry of a batch made into a draft (with its endpoint's SHA-256), or the reason it is not one.
private struct Drafted: Sendable {
    var draft: TokenDraft?
    var hash: [UInt8]
    var refusal: TokenRowRefusal?
}

/// The first 128 bits of an endpoint's SHA-256, what the import remembers of the endpoints it met.
struct EndpointPrefix: Hashable {
    let high: UInt64
    let low: UInt64

    /// All zeros (`EndpointSet`'s empty slot).
    static let zero = EndpointPrefix(high: 0, low: 0)

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    init(_ hash: [UInt8]) {
        guard hash.count >= 16 else {
            self.init(high: hash.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }, low: hash.dropFirst(8).reduce(0) { $0 << 8 | UInt64($1) })
            return
        }
        self = hash.withUnsafeBytes { raw in
            EndpointPrefix(high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)), low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        }
    }
}
