/// Reads an event's two payload parts: the non-personal data, and the personal data when the
/// caller has it (nil means it is sealed without a key, so personal values read as erased).
///
/// Each personal value sits in a slot that starts with a presence byte, 1 then the value or
/// 0 for a value that was already erased when the event was written; so every `Personal`
/// round-trips, and a short personal part is an error rather than a silent erasure.
struct PayloadReader {
    private var data: BinaryReader
    private var personal: BinaryReader?

    private init(data: BinaryReader, personal: BinaryReader?) {
        self.data = data
        self.personal = personal
    }

    /// Runs `body` over the two parts; `body` ends with `finish()` when it read a payload.
    static func read<T>(
        data: ArraySlice<UInt8>,
        personal: ArraySlice<UInt8>?,
        _ body: (inout PayloadReader) throws(PayloadError) -> T
    ) throws(PayloadError) -> T {
        // The buffers are borrowed for the closures only; a Result carries the typed error out
        // of the standard library's untyped `withUnsafeBytes`.
        let result: Result<T, PayloadError> = data.withUnsafeBytes { dataBytes in
            func run(_ personalBytes: UnsafeRawBufferPointer?) -> Result<T, PayloadError> {
                var reader = PayloadReader(data: BinaryReader(dataBytes), personal: personalBytes.map { BinaryReader($0) })
                do throws(PayloadError) {
                    return .success(try body(&reader))
                } catch {
                    return .failure(error)
                }
            }
            guard let personal else { return run(nil) }
            return personal.withUnsafeBytes { run($0) }
        }
        return try result.get()
    }

    /// Reads from the non-personal part.
    mutating func readData<T>(_ read: (inout BinaryReader) throws -> T) throws(PayloadError) -> T {
        do {
            return try read(&data)
        } catch {
            throw Self.wrap(error, .data, at: data.offset)
        }
    }

    /// Reads one personal slot: erased when the caller has no personal part or the writer
    /// recorded the value as erased.
    mutating func readPersonal<T>(_ read: (inout BinaryReader) throws -> T) throws(PayloadError) -> Personal<T> {
        guard var reader = personal else { return .erased }
        defer { personal = reader }
        do {
            switch try reader.readUInt8("personal slot") {
            case 0: return .erased
            case 1: return .known(try read(&reader))
            case let other:
                throw BinaryFormatError(offset: reader.offset - 1, what: "personal slot marker \(other)")
            }
        } catch {
            throw Self.wrap(error, .personal, at: reader.offset)
        }
    }

    /// Checks that both parts were read to their end: trailing bytes mean a wrong layout.
    func finish() throws(PayloadError) {
        if !data.isAtEnd {
            throw PayloadError(part: .data, cause: BinaryFormatError(offset: data.offset, what: "trailing bytes"))
        }
        if let personal, !personal.isAtEnd {
            throw PayloadError(part: .personal, cause: BinaryFormatError(offset: personal.offset, what: "trailing bytes"))
        }
    }

    private static func wrap(_ error: any Error, _ part: PayloadError.Part, at offset: Int) -> PayloadError {
        // Only BinaryReader's own errors are thrown inside the closures.
        let cause = error as? BinaryFormatError ?? BinaryFormatError(offset: offset, what: "unexpected error")
        return PayloadError(part: part, cause: cause)
    }
}
