import Foundation
import LedgerContacts
import LedgerDomain
import LedgerStore

/// The first stage of an import, on its own thread: opens the file, reads rows, converts them
/// to contact requests and normalises their identifiers (libphonenumber is the costly part),
/// a bounded number of batches ahead of the writer that records them.
///
/// Memory stays flat: at most `capacity` prepared batches wait in the queue, plus the one being
/// prepared and the one being recorded. The source is opened and read on the preparer's thread
/// only (sources are not thread-safe).
enum RowPreparer {
    /// What the preparer hands to the writer.
    enum Message: Sendable {
        /// The file is open: its format, encoding and header row come before any batch.
        case opened(format: FileFormat, encoding: String, header: [String])
        /// The next batch, in file order.
        case batch(PreparedBatch)
        /// Reading stopped: the file cannot be read, or its columns cannot be mapped.
        case failure(any Error)
    }

    /// Everything the preparer needs, fixed for the whole import.
    struct Plan: Sendable {
        let url: URL
        let options: ImportOptions
        let book: ContactBook
        /// The custom fields declared when the import started: a column's values are read
        /// with its field's type, text when it has none (it is then declared as text).
        let fieldTypes: [String: FieldType]
        let digest: FileDigest
        /// The first 8 bytes of the import's fingerprint: the prefix of its derived event ids.
        let namespace: UInt64
        /// Data rows an earlier run of this import recorded: read and counted, not prepared.
        let doneRows: UInt64
        /// Whether to keep each batch's rows (for the rejects file).
        let keepsRows: Bool
        /// Whether rows are likely to create contacts, so their events are worth preparing.
        let forecast: CreationForecast
        /// Batches the importing thread is done with, freed here between batches.
        let disposal: BatchDisposal
        /// Whether the importing thread waits for the batch being prepared: its rows are then
        /// left to it.
        let lag: PreparerLag
        /// The token side, when the import records push tokens with contacts.
        var push: (any ContactPushChannels)? = nil
    }

    /// Prepared batches that may wait for the writer.
    static let capacity = 1
    /// Bytes of row text that end a batch before `batchSize` rows: rows may hold up to 1 MiB
    /// each (a CSV record, `ImportLimits.rowBytes`), and 3,000 of them would not be flat.
    static let batchBytes = 32 << 20

    /// The preparer's thread, which the caller stops and waits for before it returns. The
    /// thread seals with libcrypto and normalises with libphonenumber, whose state a process
    /// exit tears down: a failed import whose process exited while its preparer was still at
    /// work once died of signal 11 instead of leaving with the failure's exit status.
    final class Running: Sendable {
        /// Messages for the caller, who pops them until nil, then calls `stop` (also when it
        /// stops early).
        let queue: BlockingQueue<Message>
        private let ended = DispatchSemaphore(value: 0)

        fileprivate init(queue: BlockingQueue<Message>) {
            self.queue = queue
        }

        fileprivate func end() {
            ended.signal()
        }

        /// Closes the queue, so the preparer stops at its next batch, and waits for its thread
        /// to end. Call it once.
        ///
        /// The wait is bounded: a preparer blocked reading a source that never delivers (a pipe
        /// whose writer stalls) must not keep a failed import from returning.
        func stop() {
            queue.close()
            _ = ended.wait(timeout: .now() + Self.stopWait)
        }

        /// How long `stop` waits for the preparer: far longer than a batch takes to prepare.
        static let stopWait: DispatchTimeInterval = .seconds(30)
    }

    /// Starts the preparer thread.
    static func start(_ plan: Plan) -> Running {
        let queue = BlockingQueue<Message>(capacity: capacity)
        let running = Running(queue: queue)
        let thread = Thread {
            defer {
                queue.finish()
                running.end()
            }
            do {
                try prepare(plan, into: queue)
            } catch is Stopped {
                return
            } catch {
                _ = queue.push(.failure(error))
            }
        }
        thread.name = "ledger-import-prepare"
        thread.start()
        return running
    }

    private struct Stopped: Error {}

    private static func prepare(_ plan: Plan, into queue: BlockingQueue<Message>) throws {
        let source = try TabularFile.open(plan.url, options: plan.options.read)
        let header = source.header.fields
        try ImportLimits.check(header: header, file: plan.url.lastPathComponent)
        let mapping = try ColumnMapping(header: header, overrides: plan.options.mappings, readsPush: plan.push != nil)
        let pushColumns = mapping.pushColumns
        if let push = plan.push, !pushColumns.isEmpty {
            do {
                try push.check(columns: pushColumns)
            } catch {
                throw ImportMappingError(message: error.reason)
            }
        }
        guard queue.push(.opened(format: source.format, encoding: source.encoding, header: header)) else { throw Stopped() }
        let converter = RowConverter(
            mapping: mapping, header: header, fieldTypes: plan.fieldTypes, segments: plan.options.segments, dayFirst: plan.options.dayFirst,
            consent: ConsentInput(stated: plan.options.consent, purpose: plan.options.purpose), now: Ledger.systemClock())
        let fileName = plan.url.lastPathComponent
        let namespace = plan.namespace
        let size = plan.options.batchSize
        // Rows that create contacts get their events decided, encoded and sealed here, off the
        // importing thread, checked with rules that learn first uses of fields as upsert's do.
        let preparesCreations = plan.options.create && !plan.options.dryRun
        var rules = ContactFieldRules(customFields: plan.fieldTypes, today: CalendarDate(utcDayOf: Ledger.systemClock()))
        // This thread's own cipher context, keyed anew for each new contact's key.
        let cipher = PayloadCipher()
        // And its buffers to decide and encode events in, reused for every contact.
        var scratch = CreationScratch()
        var rowsRead: UInt64 = 0
        var batchBytes = 0
        var batch = PreparedBatch(alreadyRecorded: plan.doneRows > 0, capacity: size, keepsRows: plan.keepsRows)
        while let row = try source.nextRow() {
            rowsRead += 1
            if batch.alreadyRecorded {
                batch.count += 1
            } else {
                let position = batch.count
                batch.add(row)
                batchBytes += row.fields.reduce(0) { $0 + $1.utf8.count }
                if row.problem?.code == .undecodableText { batch.undecodableRows += 1 }
                do throws(RowRejection) {
                    // A row's push tokens are checked here, with its other values; the row's
                    // consent then covers their channels too.
                    var tokens = [TokenSubscription]()
                    if let push = plan.push, !pushColumns.isEmpty {
                        let cells = converter.pushCells(row)
                        if !cells.isEmpty {
                            do {
                                tokens = try push.tokens(cells)
                            } catch {
                                throw RowRejection(reason: error.reason)
                            }
                        }
                    }
                    let input = try converter.input(row, pushChannels: tokens.consentChannels)
                    let rowNumber = try sourceRow(row)
                    // Normalised before the request is made, so the input is moved into it:
                    // passed to both at once, it was copied (a retain per value).
                    let identifiers = plan.book.normalize(input)
                    let source = Source.file(name: fileName, sha256: plan.digest, row: rowNumber)
                    let ids = EventID.sourceRow(namespace: namespace, row: rowNumber)
                    // Prepared from the parts, then the request is made once with everything,
                    // moved into the batch: a request made first and then given its preparation
                    // was copied (a retain per value) once or twice.
                    var prepared: PreparedCreation?
                    if preparesCreations && plan.forecast.creationsLikely && !plan.lag.isBehind {
                        prepared = plan.book.prepareCreation(input, identifiers: identifiers, source: source, ids: ids, channel: .import, actor: plan.options.actor, rules: &rules, cipher: cipher, scratch: &scratch)
                    }
                    let item = UpsertItem(input: consume input, source: consume source, identifiers: consume identifiers, prepared: consume prepared, ids: consume ids)
                    if !tokens.isEmpty { batch.pushTokens.append((item: batch.items.count, row: rowNumber, tokens: tokens)) }
                    batch.items.append(consume item)
                    batch.itemPositions.append(position)
                } catch {
                    batch.refusals.append((position, error.reason))
                }
            }
            // Rows already recorded end a batch of their own, so the first new batch starts
            // exactly where the earlier run stopped, whatever its batch size was.
            if batch.count == size || batchBytes >= Self.batchBytes || (batch.alreadyRecorded && rowsRead == plan.doneRows) {
                batchBytes = 0
                batch.endRow = rowsRead
                batch.read = source.progress
                guard queue.push(.batch(batch)) else { throw Stopped() }
                plan.lag.delivered()
                plan.disposal.drain()
                batch = PreparedBatch(alreadyRecorded: rowsRead < plan.doneRows, capacity: size, keepsRows: plan.keepsRows)
            }
        }
        if batch.count > 0 {
            batch.endRow = rowsRead
            batch.read = source.progress
            guard queue.push(.batch(batch)) else { throw Stopped() }
        }
    }
}

extension RowPreparer {
    /// The number `row`'s event ids and source are derived from. Readers number rows from 1,
    /// far below the limit; checked all the same, since an id made of a wrong number would
    /// pass for another row's.
    static func sourceRow(_ row: Row) throws(RowRejection) -> UInt64 {
        guard let number = UInt64(exactly: row.number), number > 0, number < EventID.sourceRowLimit else {
            throw RowRejection(reason: "the row number \(row.number) is outside 1 to \(EventID.sourceRowLimit - 1)")
        }
        return number
    }
}

/// One batch of rows, converted and normalised, in file order: the unit of a transaction and of
/// a progress mark.
struct PreparedBatch: Sendable {
    /// Data rows of the file up to the end of this batch: its progress mark.
    var endRow: UInt64 = 0
    /// An earlier run recorded it: its rows were only counted.
    let alreadyRecorded: Bool
    /// Data rows in the batch.
    var count = 0
    /// Each row's number as a spreadsheet shows it, by position in the batch.
    var numbers: [Int] = []
    /// The rows themselves, by position, when kept for the rejects file.
    var rows: [Row] = []
    let keepsRows: Bool
    /// The requests of the rows that converted, and their positions.
    var items: [UpsertItem] = []
    var itemPositions: [Int] = []
    /// Rows refused while converting: position and reason.
    var refusals: [(position: Int, reason: String)] = []
    /// How many of those were refused for bytes invalid in the file's encoding.
    var undecodableRows = 0
    /// The push tokens of the items that carry any: the item's index, its source row, its tokens.
    var pushTokens: [(item: Int, row: UInt64, tokens: [TokenSubscription])] = []
    /// How far into the file the batch's last row was.
    var read = ReadProgress(consumed: 0, total: 0)

    init(alreadyRecorded: Bool, capacity: Int, keepsRows: Bool) {
        self.alreadyRecorded = alreadyRecorded
        self.keepsRows = keepsRows
        guard !alreadyRecorded else { return }
        numbers.reserveCapacity(capacity)
        items.reserveCapacity(capacity)
        itemPositions.reserveCapacity(capacity)
        if keepsRows { rows.reserveCapacity(capacity) }
    }

    mutating func add(_ row: Row) {
        count += 1
        numbers.append(row.number)
        if keepsRows { rows.append(row) }
    }
}
