/// One file inside an .xlsx archive, with the sizes its ZIP headers declare.
struct XLSXPart: Sendable, Equatable {
    /// The entry's path inside the archive, such as `xl/worksheets/sheet1.xml`.
    let path: String
    /// Uncompressed size according to the central directory.
    let declaredSize: UInt64
    /// Compressed size according to the central directory.
    let compressedSize: UInt64
    /// CRC-32 of the uncompressed data according to the central directory.
    let checksum: UInt32
}
