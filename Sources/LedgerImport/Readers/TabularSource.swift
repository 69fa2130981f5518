/// A contact table read one row at a time, whatever the file format, so memory does not grow with
/// the file.
///
/// Sources are not thread-safe: read one from one thread (the type holds file handles and buffers).
public protocol TabularSource: AnyObject {
    /// The format found in the file's content.
    var format: FileFormat { get }
    /// The text encoding the values were decoded from (for example `UTF-8`, `windows-1251`).
    var encoding: String { get }
    /// The first non-empty row, which names the columns; `nextRow()` starts after it.
    var header: Row { get }
    /// How much of the input the rows returned so far have consumed.
    var progress: ReadProgress { get }
    /// The next data row, or nil at the end; throws an `ImportFileError` when the rest of the file
    /// cannot be read. Problems confined to one row are reported in `Row.problem` instead.
    func nextRow() throws -> Row?
}
