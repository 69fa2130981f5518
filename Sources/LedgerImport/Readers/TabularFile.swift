import Foundation

/// The entry point of the file readers: checks the size, tells the format and opens the right reader.
public enum TabularFile {
    /// Opens the contact file at `url` as a row source. Refuses files over `options.sizeLimit`
    /// before reading them; throws `ImportFileError` for anything that cannot be read.
    public static func open(_ url: URL, options: ReadOptions = ReadOptions()) throws -> any TabularSource {
        try options.sizeLimit.check(url)
        switch try FileFormat.detect(at: url) {
        case .delimitedText:
            return try DelimitedTextReader(url: url, options: options)
        case .xlsx:
            return try XLSXReader(url: url, options: options)
        case .xls:
            return try XLSReader(url: url, options: options)
        }
    }
}
