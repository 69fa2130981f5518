/// Writes an event's two payload parts; the layout mirrors `PayloadReader`.
struct PayloadWriter {
    /// The non-personal part.
    var data = BinaryWriter(capacity: 32)
    /// The personal part, which a later layer may seal with the contact's key.
    var personal = BinaryWriter(capacity: 32)

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
