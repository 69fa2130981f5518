import Crypto
import Foundation
import LedgerContacts
import LedgerDomain
import LedgerProjections
import LedgerStore

/// Imports a contact base file into the ledger: reads rows, maps columns, validates, and
/// upserts contacts in batches, one durable transaction per batch.
///
/// Every event's id derives from the file's SHA-256 (with the import's options), the row and
/// the change, and each batch records a progress mark in its own transaction; a killed import
/// run again skips the batches already recorded and finishes the rest, duplicating nothing.
public final class ContactImporter {
    /// The contact book written to.
    public let book: ContactBook

    /// Imports through `book`.
    public init(book: ContactBook) {
        self.book = book
    }

    /// Imports `url`; `progress` is called after each batch with the rows done so far and how
    /// much of the file they took up.
    public func run(_ url: URL, options: ImportOptions, rejects: RejectsWriter? = nil, progress: (ImportProgress) -> Void = { _ in }) throws -> ImportSummary {
        let start = Date()
        let source = try TabularFile.open(url, options: options.read)
        let digest = try Self.sha256(of: url)
        var fingerprint = SHA256()
        fingerprint.update(data: digest.bytes)
        fingerprint.update(data: Array(options.fingerprint.utf8))
        let importDigest = Array(fingerprint.finalize())
        let importKey = Hex.encode(importDigest)
        let namespace = importDigest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let progressKey = "import:" + importKey
        let doneBatches = options.dryRun ? 0 : (try book.ledger.progress(for: progressKey) ?? 0)

        let header = source.header.fields
        let mapping = try ColumnMapping(header: header, overrides: options.mappings)
        try rejects?.writeHeader(header)
        var summary = ImportSummary(file: url.lastPathComponent, format: source.format.rawValue, encoding: source.encoding)
        summary.dryRun = options.dryRun
        let fileName = url.lastPathComponent
        var batchNumber: UInt64 = 0
        var rows = [Row]()
        rows.reserveCapacity(options.batchSize)

        func flush() throws {
            guard !rows.isEmpty else { return }
            batchNumber += 1
            defer { rows.removeAll(keepingCapacity: true) }
            if batchNumber <= doneBatches {
                summary.alreadyRecorded += rows.count
                return
            }
            let converter = RowConverter(mapping: mapping, header: header, fieldTypes: try book.directory().fieldTypes(), segments: options.segments, dayFirst: options.dayFirst)
            var items = [UpsertItem]()
            var itemRows = [Row]()
            for row in rows {
                do {
                    let input = try converter.input(row)
                    let rowNumber = UInt64(row.number)
                    items.append(UpsertItem(input: input, source: .file(name: fileName, sha256: digest, row: rowNumber)) { change in
                        .derived(namespace: namespace, sequence: rowNumber << 8 | UInt64(change))
                    })
                    itemRows.append(row)
                } catch {
                    try reject(row, reason: error.reason)
                }
            }
            let results = try book.upsert(
                items, match: options.match, options: UpsertOptions(create: options.create, overwriteEmpty: options.overwriteEmpty),
                channel: .import, actor: options.actor, dryRun: options.dryRun,
                progress: options.dryRun ? nil : ProgressMark(key: progressKey, value: batchNumber)
            )
            for (row, result) in zip(itemRows, results) {
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
                    try reject(row, reason: error.message)
                }
            }
        }

        func reject(_ row: Row, reason: String) throws {
            summary.rejected += 1
            if summary.rejections.count < ImportSummary.listedRejections {
                summary.rejections.append(.init(row: row.number, reason: reason))
            }
            try rejects?.write(row: row, reason: reason)
        }

        while let row = try source.nextRow() {
            summary.rows += 1
            rows.append(row)
            if rows.count == options.batchSize {
                try flush()
                progress(ImportProgress(rows: summary.rows, read: source.progress))
            }
        }
        try flush()
        progress(ImportProgress(rows: summary.rows, read: source.progress))
        try rejects?.close()
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// The SHA-256 of a file, read in 1 MiB chunks.
    static func sha256(of url: URL) throws -> FileDigest {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return FileDigest(bytes: Array(hasher.finalize())) ?? .zero
    }
}
