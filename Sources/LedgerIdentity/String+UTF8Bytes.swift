extension String {
    /// Runs `body` on the string's UTF-8 bytes, in place for native strings (no copy).
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        // String.withUTF8 is mutating only because it may first make a bridged
        // string contiguous; a native one is lent as is.
        var text = self
        return text.withUTF8(body)
    }
}
