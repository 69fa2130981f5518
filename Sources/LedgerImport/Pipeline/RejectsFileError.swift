/// Why the rejects file (`--rejects FILE`) cannot be used: it names the file, and for a failed
/// write says that the batches recorded before it stay recorded.
public struct RejectsFileError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier of the failure, for programs; `message` is for people.
    public let code: Code
    /// The rejects file's path as the user gave it.
    public let path: String
    /// The full sentence for the user.
    public let message: String

    /// Creates an error; `reason` is the system's wording of the failure (unused for `sameAsInput`).
    init(_ code: Code, path: String, reason: String) {
        self.code = code
        self.path = path
        switch code {
        case .sameAsInput:
            message = "the rejects file \(path) is the file being imported (the same file, or a link to it); "
                + "writing it would destroy the input, so nothing was done — choose another file for --rejects"
        case .cannotCreate:
            message = "the rejects file \(path) cannot be created (\(reason)); nothing was imported"
        default:
            message = "writing the rejects file \(path) failed (\(reason)); the import stopped there. "
                + "Batches recorded before the failure stay recorded (running the same import again "
                + "finishes it, but does not write their rejected rows again)"
        }
    }

    /// The code and the message.
    public var description: String { "\(code): \(message)" }
}

extension RejectsFileError {
    /// What went wrong with the rejects file. A struct so that codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case sameAsInput, cannotCreate, writeFailed }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The rejects file is the input file, or a link to it.
        public static let sameAsInput = Code(.sameAsInput)
        /// The rejects file cannot be opened for writing.
        public static let cannotCreate = Code(.cannotCreate)
        /// A write to the rejects file failed (a full disk, an I/O error).
        public static let writeFailed = Code(.writeFailed)

        /// The code's stable name, such as `sameAsInput`.
        public var description: String { value.rawValue }
    }
}
