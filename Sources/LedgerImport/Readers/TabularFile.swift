import Foundation

/// The entry point of the file readers: checks the file, tells the format and opens the right reader.
public enum TabularFile {
    /// Opens the contact file at `url` as a row source. Refuses what is not a regular file and
    /// files over `options.sizeLimit` before reading them; throws `ImportFileError` for anything
    /// that cannot be read.
    ///
    /// Text is read from the descriptor that was checked. The workbook libraries open the path
    /// again themselves; their archives' parts are bounded by `ArchiveLimits` either way.
    public static func open(_ url: URL, options: ReadOptions = ReadOptions()) throws -> any TabularSource {
        let reader = try FileByteReader(url: url, sizeLimit: options.sizeLimit)
        let format = FileFormat.detect(prefix: try reader.read(at: 0, upTo: FileFormat.magicLength))
        try checkExtension(reader.fileName, format: format)
        switch format {
        case .delimitedText:
            return try DelimitedTextReader(reader: reader, options: options)
        case .xlsx:
            return try XLSXReader(url: url, options: options)
        case .xls:
            return try XLSReader(url: url, options: options)
        }
    }

    /// Checks, without reading it, that `url` is a regular file within `options.sizeLimit` and
    /// not empty: what a caller can ask before it creates anything for an import.
    public static func check(_ url: URL, options: ReadOptions = ReadOptions()) throws {
        let reader = try FileByteReader(url: url, sizeLimit: options.sizeLimit)
        guard reader.size > 0 else {
            throw ImportFileError(.empty, file: reader.fileName, reason: "the file is empty (0 bytes)")
        }
        try checkExtension(reader.fileName, format: FileFormat.detect(prefix: try reader.read(at: 0, upTo: FileFormat.magicLength)))
    }

    /// Refuses a file named as an Excel 2007+ workbook (.xlsx, .xlsm) whose bytes are not a ZIP
    /// archive (or an encrypted one's OLE2 container): such a workbook is always one, so the file is damaged or mislabelled, and
    /// reading it as text would import whatever its bytes happen to say. A text file named
    /// .xls is read as text: programs commonly export tab-separated text under that name.
    static func checkExtension(_ fileName: String, format: FileFormat) throws(ImportFileError) {
        let lowered = fileName.lowercased()
        // An encrypted .xlsx is an OLE2 container (read as .xls, which reports the encryption).
        guard lowered.hasSuffix(".xlsx") || lowered.hasSuffix(".xlsm"), format == .delimitedText else { return }
        throw ImportFileError(
            .invalidWorkbook, file: fileName,
            reason: "the name says an Excel workbook, but the file is not one (a workbook is a ZIP archive); "
                + "if it is CSV or tab-separated text, rename it to .csv or .txt")
    }
}
