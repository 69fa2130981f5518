import Foundation

extension FileFormat {
    /// The number of leading bytes `detect(prefix:)` looks at.
    static let magicLength = 8

    /// Tells the format from the first bytes of a file: a ZIP local header means .xlsx, an OLE2
    /// compound-file signature means .xls, anything else is treated as delimited text.
    ///
    /// Extensions lie in practice (CSV saved as "contacts.xls", .xlsx renamed to .csv), so content
    /// wins; only a name that says .xlsx over bytes that are no workbook is refused
    /// (`TabularFile.checkExtension`).
    public static func detect(prefix: some Collection<UInt8>) -> FileFormat {
        let bytes = Array(prefix.prefix(magicLength))
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .xlsx
        }
        if bytes.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return .xls
        }
        return .delimitedText
    }

    /// Reads the first bytes of the file at `url` and tells its format.
    public static func detect(at url: URL) throws -> FileFormat {
        let reader = try FileByteReader(url: url)
        var prefix: [UInt8] = []
        _ = try reader.read(upTo: magicLength, appendingTo: &prefix)
        return detect(prefix: prefix)
    }
}
