/// The SHA-256 of an imported file, which names the file in every event it produced.
public struct FileDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 digest bytes; nil for any other length.
    public init?<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        let bytes = Array(bytes)
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Parses 64 hex digits; nil for anything else.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// All zero bytes: a placeholder that no real file has.
    public static let zero = FileDigest(uncheckedBytes: [UInt8](repeating: 0, count: 32))

    private init(uncheckedBytes: [UInt8]) {
        self.bytes = uncheckedBytes
    }

    /// The lowercase hex form.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }

    /// The first eight bytes as a number: the namespace of the event ids derived from the file.
    public var prefix64: UInt64 {
        bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
