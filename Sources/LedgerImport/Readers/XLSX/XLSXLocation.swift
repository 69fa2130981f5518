import Foundation

/// What a thread needs to open its own handle on an .xlsx: ZIPFoundation's `Archive` reads
/// through one `FILE*` and must not be shared between threads, so threads share this instead.
struct XLSXLocation: Sendable {
    /// Where the archive is.
    let url: URL
    /// The limits every part is checked against.
    let limits: ArchiveLimits

    /// The file's name for error messages.
    var fileName: String { url.lastPathComponent }

    /// A ZIP-bomb refusal naming the file and the part; the advice is the same for every rule.
    func unsafe(_ part: XLSXPart, _ finding: String) -> ImportFileError {
        ImportFileError(
            .unsafeArchive, file: fileName, field: "archive entry \(part.path)",
            reason: finding + "; the file is damaged or built to attack importers (a ZIP bomb) "
                + "and was not read — open it in Excel and save it again if it is genuine")
    }
}
