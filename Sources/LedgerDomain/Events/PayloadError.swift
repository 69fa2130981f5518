/// A payload part whose bytes do not have the shape the event type says; internal to
/// decoding, where it becomes a `DomainEventError` with the type and position.
struct PayloadError: Error {
    /// Which of the two stored parts was being read.
    enum Part {
        case data, personal
    }

    let part: Part
    let cause: BinaryFormatError
}
