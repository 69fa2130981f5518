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
        switch FileFormat.detect(prefix: try reader.read(at: 0, upTo: FileFormat.magicLength)) {
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
    }
}
