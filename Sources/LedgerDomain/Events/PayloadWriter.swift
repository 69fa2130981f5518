/// Writes an event's two payload parts; the layout mirrors `PayloadReader`.
struct PayloadWriter {
    /// The non-personal part.
    var data = BinaryWriter(capacity: 32)
    /// The personal part, which a later layer may seal with the contact's key.
    var personal = BinaryWriter(capacity: 32)

    /// Runs `encode` on a writer that holds `data` and `personal`, appending to them: the
    /// buffers are moved in and out, not copied, so they stay uniquely referenced and a bulk
    /// writer reuses them for every event.
    static func appending(to data: inout BinaryWriter, _ personal: inout BinaryWriter, _ encode: (inout PayloadWriter) -> Void) {
        var writer = PayloadWriter(data: BinaryWriter(continuing: []), personal: BinaryWriter(continuing: []))
        swap(&writer.data, &data)
        swap(&writer.personal, &personal)
        encode(&writer)
        swap(&writer.data, &data)
        swap(&writer.personal, &personal)
    }

    /// Writes one personal slot: a presence byte, then the value when it is known.
    mutating func writePersonal<T>(_ value: Personal<T>, _ write: (inout BinaryWriter, T) -> Void) {
        switch value {
        case .known(let known):
            personal.write(UInt8(1))
            write(&personal, known)
        case .erased:
            personal.write(UInt8(0))
        }
    }
}
