import Foundation

/// Why a contact file cannot be read, with a message that names the file (and row or field) and says what to do.
///
/// The message never quotes cell values: contact fields are personal data and errors end up in logs.
public struct ImportFileError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier of the failure, for programs; `message` is for people.
    public let code: Code
    /// The file's name as the user knows it (the last path component).
    public let file: String
    /// The row, numbered as a spreadsheet shows it, when the failure belongs to one row.
    public let row: Int?
    /// The field, cell or archive entry concerned, when there is one (for example `cell C5`).
    public let field: String?
    /// The full sentence for the user: file, row, field, what is wrong and what to do.
    public let message: String
    /// The underlying error (I/O, ZIP, XML parser), kept for diagnosis but never shown in `description`.
    public let cause: (any Error)?

    /// Creates an error; `reason` is the part of the message after the file, row and field.
    public init(
        _ code: Code, file: String, row: Int? = nil, field: String? = nil, reason: String,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.file = file
        self.row = row
        self.field = field
        self.cause = cause
        var place = file
        if let row { place += ", row \(row)" }
        if let field { place += ", \(field)" }
        self.message = "\(place): \(reason)"
    }

    /// The code and the message; deliberately without `cause`, whose text we do not control.
    public var description: String { "\(code): \(message)" }
}

extension ImportFileError {
    /// What kind of failure an `ImportFileError` is. A struct rather than an enum so that codes can be
    /// added without breaking callers that switch over them.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case fileTooLarge, unreadable, empty, unsupportedContent, unknownEncoding
            case unclosedQuote, recordTooLong, invalidWorkbook, sheetNotFound, unsafeArchive
            case malformedXML, encrypted, notRegularFile, tooManyColumns, encodingMismatch
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The file is over the size limit and was not read.
        public static let fileTooLarge = Code(.fileTooLarge)
        /// The file could not be opened or read (missing, permissions, I/O error).
        public static let unreadable = Code(.unreadable)
        /// The path is not a regular file once links are followed (a directory, device, FIFO or socket).
        public static let notRegularFile = Code(.notRegularFile)
        /// The file (or the chosen sheet) has no rows at all, so not even a header.
        public static let empty = Code(.empty)
        /// The content is of a kind the importer does not read (for example an HTML page named .xls).
        public static let unsupportedContent = Code(.unsupportedContent)
        /// The bytes cannot be text in the encoding `--encoding` named (UTF-16 without NULs).
        public static let encodingMismatch = Code(.encodingMismatch)
        /// The requested text encoding is not known to iconv.
        public static let unknownEncoding = Code(.unknownEncoding)
        /// A quoted CSV field is never closed before the end of the file.
        public static let unclosedQuote = Code(.unclosedQuote)
        /// One CSV record is longer than the limit, which almost always means a quote left open.
        public static let recordTooLong = Code(.recordTooLong)
        /// The workbook (.xlsx or .xls) is damaged or not a workbook at all.
        public static let invalidWorkbook = Code(.invalidWorkbook)
        /// The requested sheet does not exist.
        public static let sheetNotFound = Code(.sheetNotFound)
        /// The .xlsx archive looks like a ZIP bomb (sizes that lie, absurd compression, huge parts).
        public static let unsafeArchive = Code(.unsafeArchive)
        /// An XML part of the .xlsx is not well-formed or uses constructs workbooks never use.
        public static let malformedXML = Code(.malformedXML)
        /// The workbook is password-protected or encrypted.
        public static let encrypted = Code(.encrypted)
        /// The header has more columns than an import reads (`ImportLimits.columns`).
        public static let tooManyColumns = Code(.tooManyColumns)

        /// The code's stable name, such as `fileTooLarge`.
        public var description: String { value.rawValue }
    }
}
