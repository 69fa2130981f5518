import Foundation
import ZIPFoundation

/// An .xlsx file opened as a ZIP archive: finds parts by path and vets their declared sizes against
/// the ZIP-bomb limits before anything is inflated.
final class XLSXArchive {
    /// Where the archive is, so producer threads can open their own handle (ZIPFoundation's
    /// `Archive` reads through one `FILE*` and must not be shared between threads).
    let url: URL
    /// The file's name for error messages.
    let fileName: String
    /// The limits every part is checked against.
    let limits: ArchiveLimits
    private let archive: Archive

    init(url: URL, limits: ArchiveLimits) throws {
        self.url = url
        self.fileName = url.lastPathComponent
        self.limits = limits
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw ImportFileError(
                .invalidWorkbook, file: fileName,
                reason: "the file starts like an .xlsx (ZIP) archive but cannot be opened as one; "
                    + "it may be damaged or incomplete — save it again from Excel", cause: error)
        }
    }

    /// The part at `path`, or nil when the archive has none; throws when its declared sizes break
    /// the limits.
    func part(_ path: String) throws -> XLSXPart? {
        guard let entry = archive[path] else { return nil }
        let part = XLSXPart(
            path: path, declaredSize: entry.uncompressedSize, compressedSize: entry.compressedSize,
            checksum: entry.checksum)
        try vet(part)
        return part
    }

    /// The raw ZIP entry at `path`, for the producer thread that owns this handle.
    func entry(_ path: String) -> Entry? {
        archive[path]
    }

    /// Inflates `entry` chunk by chunk into `consumer` and returns the CRC-32 of what it produced.
    func extract(_ entry: Entry, bufferSize: Int, consumer: (Data) throws -> Void) throws -> UInt32 {
        try archive.extract(entry, bufferSize: bufferSize, skipCRC32: false, consumer: consumer)
    }

    /// Refuses parts that declare more than `maxPartBytes` or an absurd compression ratio.
    private func vet(_ part: XLSXPart) throws {
        if part.declaredSize > limits.maxPartBytes {
            throw unsafe(
                part,
                "this part unpacks to \(part.declaredSize / (1024 * 1024)) MB, more than the "
                    + "\(limits.maxPartBytes / (1024 * 1024)) MB a contact sheet can need")
        }
        let ratio = part.declaredSize / max(part.compressedSize, 1)
        if part.declaredSize > limits.ratioCheckMinimumBytes && ratio > limits.maxCompressionRatio {
            throw unsafe(
                part,
                "this part is compressed \(ratio):1, far beyond what real spreadsheet data reaches "
                    + "(limit \(limits.maxCompressionRatio):1)")
        }
    }

    /// A refusal naming the file and the part; the advice is the same for every ZIP-bomb rule.
    func unsafe(_ part: XLSXPart, _ finding: String) -> ImportFileError {
        ImportFileError(
            .unsafeArchive, file: fileName, field: "archive entry \(part.path)",
            reason: finding + "; the file is damaged or built to attack importers (a ZIP bomb) "
                + "and was not read — open it in Excel and save it again if it is genuine")
    }
}
