import CLMDB

/// A failed LMDB call: the raw result code, LMDB's own words for it, and what we were doing.
///
/// The description never includes keys or values, which may hold personal data.
public struct LMDBError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The raw result code (an `MDB_*` constant or an errno value).
    public let code: Int32
    /// The LMDB function or step that failed.
    public let operation: String

    /// Wraps a result code from `operation`.
    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// LMDB's message for the code.
    public var message: String {
        guard let text = mdb_strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    public var description: String { "\(operation): \(message) (\(code))" }

    /// The map is full and must grow.
    public var isMapFull: Bool { code == MDB_MAP_FULL }
    /// Another process grew the map beyond this process's size.
    public var isMapResized: Bool { code == MDB_MAP_RESIZED }
}

@inline(__always)
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
    if code != MDB_SUCCESS { throw LMDBError(code: code, operation: operation()) }
}
