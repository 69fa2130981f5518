extension String {
    /// `bytes` as a string when they are valid UTF-8, nil otherwise: what
    /// `String(validating: bytes, as: UTF8.self)` answers, without its generic validation,
    /// which instantiates type metadata on every call (2.6 % of a contact projection rebuild,
    /// docs/benchmarks.md, session 17).
    ///
    /// `String(decoding:as:)` takes UTF-8 on its specialised path and replaces each ill-formed
    /// part with U+FFFD, so the bytes are valid exactly when the string's UTF-8 is the same
    /// bytes: a replacement is itself well-formed, so it never equals the ill-formed bytes it
    /// stands for.
    public init?(validUTF8 bytes: UnsafeRawBufferPointer) {
        guard let start = bytes.baseAddress, !bytes.isEmpty else {
            self = ""
            return
        }
        var decoded = String(decoding: UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: bytes.count), as: UTF8.self)
        let same = decoded.withUTF8 { utf8 in
            utf8.count == bytes.count && utf8.elementsEqual(UnsafeRawBufferPointer(start: start, count: bytes.count))
        }
        guard same else { return nil }
        self = decoded
    }
}
