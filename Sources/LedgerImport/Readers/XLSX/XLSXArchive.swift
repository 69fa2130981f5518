import Foundation
import ZIPFoundation

/// An .xlsx file opened as a ZIP archive: finds parts by path and vets their declared sizes against
/// the ZIP-bomb limits before anything is inflated.
final class XLSXArchive {
    /// The file and limits, for threads that open their own handle.
    let location: XLSXLocation
    private let archive: Archive

    /// The file's name for error messages.
    var fileName: String { location.fileName }

    init(_ location: XLSXLocation) throws {
        self.location = location
        do {
            archive = try Archive(url: location.url, accessMode: .read)
        } catch {
            throw ImportFileError(
                .invalidWorkbook, file: location.fileName,
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
        if part.declaredSize > location.limits.maxPartBytes {
            throw location.unsafe(
                part,
                "this part unpacks to \(part.declaredSize / (1024 * 1024)) MB, more than the "
                    + "\(location.limits.maxPartBytes / (1024 * 1024)) MB a contact sheet can need")
        }
        let ratio = part.declaredSize / max(part.compressedSize, 1)
        if part.declaredSize > location.limits.ratioCheckMinimumBytes && ratio > location.limits.maxCompressionRatio {
            throw location.unsafe(
                part,
                "this part is compressed \(ratio):1, far beyond what real spreadsheet data reaches "
                    + "(limit \(location.limits.maxCompressionRatio):1)")
        }
    }
}
